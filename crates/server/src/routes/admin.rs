//! `/api/admin/`: the departments' side, for running and testing the product. Every route needs
//! `Authorization: Bearer <admin token>`; without a configured token the routes do not exist.

use axum::Json;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onething_core::api::{
    AdminTransition, ApiErrorBody, ApplicationDetail, ApplicationSummary, AuditEntry, AuditQuery,
    DepartmentInfo, DepartmentTokenCreated, DepartmentTokenRequest, ErrorCode, KeyRotation,
};

use crate::auth::Admin;
use crate::clock::{hash_secret, rfc3339, secret_token};
use crate::error::JsonBody;
use crate::store::applications as db;
use crate::store::departments::{self as dept, AuditRecord};
use crate::{ApiError, AppState, Result, store, tracking};

/// How the audit log names the admin.
const ADMIN_ACTOR: &str = "admin";

/// Writes an admin's read or move of a case to the audit log.
async fn audit_case(
    state: &AppState,
    action: &str,
    app: &ApplicationDetail,
    sub_item: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    dept::audit(
        &mut conn,
        state.clock.now(),
        &AuditRecord {
            actor: ADMIN_ACTOR,
            action,
            application_id: Some(&app.id),
            case_number: Some(&app.case_number),
            sub_item_id: sub_item,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Every case, newest first.
#[utoipa::path(get, path = "/api/admin/applications", tag = "admin",
    security(("admin" = [])),
    responses(
        (status = 200, body = Vec<ApplicationSummary>),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn list_all(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<ApplicationSummary>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(db::list(&mut conn, None, state.clock.now()).await?))
}

/// The application with this id or case number.
///
/// # Errors
/// `application_not_found`, or the database fails.
pub async fn resolve(state: &AppState, case: &str) -> Result<ApplicationDetail> {
    let mut conn = state.db.acquire().await?;
    let id = db::find(&mut conn, case)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::ApplicationNotFound))?;
    db::detail(&mut conn, &state.keys, &id, None, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::ApplicationNotFound))
}

/// One case, by id or case number.
#[utoipa::path(get, path = "/api/admin/applications/{case}", tag = "admin",
    security(("admin" = [])),
    params(("case" = String, Path, description = "Application id or case number")),
    responses(
        (status = 200, body = ApplicationDetail),
        (status = 404, description = "`application_not_found`", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    _admin: Admin,
    Path(case): Path<String>,
) -> Result<Json<ApplicationDetail>> {
    let app = resolve(&state, &case).await?;
    // The detail carries the consent holders' names: a read of personal data.
    audit_case(
        &state,
        "read_case_admin",
        &app,
        None,
        Some("tracking, supplements, consents"),
    )
    .await?;
    Ok(Json(app))
}

/// Moves a sub-item: accept, start, complete, deliver (with `delivery`: mail with a courier
/// and tracking number, a window with a pickup code, or an e-licence, as the sub-item's
/// definition offers), reject, or request a supplement (with a note).
#[utoipa::path(post, path = "/api/admin/applications/{case}/items/{sub_item_id}", tag = "admin",
    security(("admin" = [])),
    params(
        ("case" = String, Path, description = "Application id or case number"),
        ("sub_item_id" = String, Path, description = "Sub-item id"),
    ),
    request_body = AdminTransition,
    responses(
        (status = 200, description = "Moved; the case now", body = ApplicationDetail),
        (status = 404, description = "`application_not_found`, `sub_item_not_found`", body = ApiErrorBody),
        (status = 409, description = "`transition_not_allowed`, `waiting_for_dependency`", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`: a supplement request needs a note; `delivery_invalid`, `delivery_method_not_offered`", body = ApiErrorBody),
    ))]
pub async fn move_item(
    State(state): State<AppState>,
    _admin: Admin,
    Path((case, sub_item_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<AdminTransition>,
) -> Result<Json<ApplicationDetail>> {
    let app = resolve(&state, &case).await?;
    let by = tracking::By {
        actor: ADMIN_ACTOR,
        department: None,
    };
    tracking::transition(&state, &app.id, &sub_item_id, &req, by).await?;
    Ok(Json(resolve(&state, &app.id).await?))
}

/// Every department the loaded definitions name, with the sub-items it handles.
#[utoipa::path(get, path = "/api/admin/departments", tag = "admin",
    security(("admin" = [])),
    responses(
        (status = 200, body = Vec<DepartmentInfo>),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn list_departments(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Vec<DepartmentInfo>>> {
    let mut names: Vec<String> = state
        .catalogue
        .all()
        .iter()
        .flat_map(|d| d.sub_items.iter().map(|s| s.department.zh.clone()))
        .collect();
    names.sort();
    names.dedup();
    Ok(Json(
        names
            .into_iter()
            .map(|department| DepartmentInfo {
                sub_items: super::department::sub_items_of(&state.catalogue, &department),
                department,
                label: None,
            })
            .collect(),
    ))
}

/// Registers a staff member with the agent role (帮办代办), or finds them again by `label`, and
/// issues a one-time sign-in ticket (24 hours) for their own staff account: they open the app
/// with `?ticket=` (or exchange it at `POST /api/session`). An agent's account never holds a
/// citizen's identity and cannot submit applications itself; the citizen confirms.
#[utoipa::path(post, path = "/api/admin/agents", tag = "admin",
    security(("admin" = [])),
    request_body = onething_core::api::AgentRequest,
    responses(
        (status = 201, body = onething_core::api::AgentTicket),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`: label, name and organisation of 1–100 characters", body = ApiErrorBody),
    ))]
pub async fn create_agent(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(req): JsonBody<onething_core::api::AgentRequest>,
) -> Result<(StatusCode, Json<onething_core::api::AgentTicket>)> {
    let t =
        super::assisted::issue_agent_ticket(&state, &req, super::assisted::ADMIN_AGENT_TICKET_SECS)
            .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Issues a department token: the bearer of `/api/department/` for one department, shown once
/// (only its hash is stored). `label` names the holder in the audit log.
#[utoipa::path(post, path = "/api/admin/departments/tokens", tag = "admin",
    security(("admin" = [])),
    request_body = DepartmentTokenRequest,
    responses(
        (status = 201, body = DepartmentTokenCreated),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
        (status = 422, description = "`department_unknown`; `invalid_body`: an empty label or `ttl_days` outside 1–3650", body = ApiErrorBody),
    ))]
pub async fn create_department_token(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(req): JsonBody<DepartmentTokenRequest>,
) -> Result<(StatusCode, Json<DepartmentTokenCreated>)> {
    let department = req.department.trim().to_owned();
    let label = req.label.trim().to_owned();
    let sub_items = super::department::sub_items_of(&state.catalogue, &department);
    if sub_items.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::DepartmentUnknown,
            "no loaded definition names this department (GET /api/admin/departments)",
        )
        .with_fields(["department"]));
    }
    let days = req.ttl_days.unwrap_or(90);
    if label.is_empty() || label.chars().count() > 100 || !(1..=3650).contains(&days) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidBody,
            "a label of 1–100 characters, ttl_days 1–3650",
        )
        .with_fields(["label", "ttl_days"]));
    }
    let now = state.clock.now();
    let expires_at = now + i64::from(days) * 86_400;
    let token = secret_token();
    dept::insert_token(
        &state.db,
        &hash_secret(&token),
        &department,
        &label,
        now,
        expires_at,
    )
    .await?;
    let mut conn = state.db.acquire().await?;
    let detail = format!("{department}/{label}");
    dept::audit(
        &mut conn,
        now,
        &AuditRecord {
            actor: ADMIN_ACTOR,
            action: "issue_token",
            detail: Some(&detail),
            ..AuditRecord::default()
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(DepartmentTokenCreated {
            token,
            department: DepartmentInfo {
                department,
                label: Some(label),
                sub_items,
            },
            expires_at: rfc3339(expires_at),
        }),
    ))
}

/// The audit log, oldest first: every read of personal data and every move (who, which case,
/// which fields or file, when). Append-only; page forward with `after`.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin",
    security(("admin" = [])),
    params(AuditQuery),
    responses(
        (status = 200, body = Vec<AuditEntry>),
        (status = 400, description = "`invalid_body`: a filter is malformed", body = ApiErrorBody),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
        (status = 404, description = "`application_not_found`", body = ApiErrorBody),
    ))]
pub async fn list_audit(
    State(state): State<AppState>,
    _admin: Admin,
    query: std::result::Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditEntry>>> {
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.body_text()))?;
    let application = match q.case.as_deref() {
        Some(case) => {
            let mut conn = state.db.acquire().await?;
            Some(
                db::find(&mut conn, case)
                    .await?
                    .ok_or_else(|| ApiError::not_found(ErrorCode::ApplicationNotFound))?,
            )
        }
        None => None,
    };
    let after = i64::try_from(q.after.unwrap_or(0)).unwrap_or(i64::MAX);
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(
        dept::audit_entries(&state.db, application.as_deref(), after, limit).await?,
    ))
}

/// Rotates the master key without stopping: a new key is written first in the key file and
/// seals every new record at once; then every stored data key is re-wrapped under it, a batch
/// at a time, while requests go on; then the older keys leave the key file. With the keys in
/// `ONETHING_MASTER_KEY` (nowhere to write), the data keys are re-wrapped under its first key:
/// put the new key first there, restart, then rotate.
#[utoipa::path(post, path = "/api/admin/keys/rotate", tag = "admin",
    security(("admin" = [])),
    responses(
        (status = 200, description = "Rotated: every data key is wrapped by `key_id`", body = KeyRotation),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn rotate_key(State(state): State<AppState>, _admin: Admin) -> Result<Json<KeyRotation>> {
    // Spawned: a request cut by its timeout must not stop a rotation halfway (it would be
    // safe, the key file keeps both keys, but it would have to be run again).
    let task = tokio::spawn(async move { rotate(&state).await });
    Ok(Json(task.await.map_err(ApiError::internal)??))
}

async fn rotate(state: &AppState) -> Result<KeyRotation> {
    let keys = &state.keys;
    let _one_at_a_time = keys.lock_rotation().await;
    let generated = keys.can_generate();
    if generated {
        let id = keys.generate().map_err(ApiError::internal)?;
        tracing::warn!(key_id = %id, "master key rotation: new key written, re-wrapping");
    }
    let active = keys.active_id();
    let mut rewrapped = 0;
    // A write that took the old key just before the switch is caught by the next pass.
    for _ in 0..10 {
        let n = store::keys::rewrap_all(&state.db, keys).await?;
        rewrapped += n;
        if n == 0 {
            break;
        }
    }
    // The blind indexes of the ID numbers (accounts', assisted cases') follow the active key
    // (`crate::crypto`, "Blind index"): recomputed before the old key may go; searches and
    // comparisons meanwhile match both.
    let mut reindexed = 0;
    for _ in 0..10 {
        let n = store::keys::reindex(&state.db, keys).await?;
        reindexed += n;
        if n == 0 {
            break;
        }
    }
    let stored = store::keys::stored_ids(&state.db).await?;
    let retired = if stored.iter().all(|id| *id == active)
        && store::keys::indexed_elsewhere(&state.db, &active).await? == 0
    {
        keys.retire_old().map_err(ApiError::internal)?
    } else {
        Vec::new()
    };
    tracing::warn!(key_id = %active, rewrapped, reindexed, ?retired, "master key rotation done");
    Ok(KeyRotation {
        key_id: active,
        generated,
        rewrapped,
        retired,
    })
}

/// Operations' figures in the Prometheus text format: requests by route template and status,
/// latency histograms, uploads and their bytes, submissions, open event streams.
#[utoipa::path(get, path = "/api/admin/metrics", tag = "admin",
    security(("admin" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
    ))]
pub async fn get_metrics(
    State(state): State<AppState>,
    _admin: Admin,
) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Reads the services directory again (as `SIGHUP` does): when every definition is valid it
/// becomes the catalogue; cases keep the definition version they were submitted under. A
/// broken file changes nothing: `definitions_invalid` lists every problem.
#[utoipa::path(post, path = "/api/admin/services/reload", tag = "admin",
    security(("admin" = [])),
    responses(
        (status = 200, body = onething_core::api::ServicesReloaded),
        (status = 401, description = "`admin_unauthorized`", body = ApiErrorBody),
        (status = 422, description = "`definitions_invalid`: `message` lists each problem (file, path inside it, what is wrong), `fields` the files", body = ApiErrorBody),
    ))]
pub async fn reload_services(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<onething_core::api::ServicesReloaded>> {
    let catalogue = state.catalogue.clone();
    // Reading and checking the files is blocking work.
    let result = tokio::task::spawn_blocking(move || crate::catalogue::reload_and_log(&catalogue))
        .await
        .map_err(ApiError::internal)?;
    match result {
        Ok(report) => Ok(Json(report.into())),
        Err(errors) => {
            let mut files: Vec<String> = errors.iter().map(|e| e.file.clone()).collect();
            files.dedup();
            let message = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            Err(ApiError::unprocessable(ErrorCode::DefinitionsInvalid, message).with_fields(files))
        }
    }
}
