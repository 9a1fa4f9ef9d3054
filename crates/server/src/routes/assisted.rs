//! `/api/assisted`: 帮办代办. A staff member with the agent role, signed in with their own staff
//! account (never the citizen's identity), starts a case for a named citizen, fills the same
//! wizard and submits it **for confirmation**: nothing reaches the departments yet. The citizen,
//! signed in as themselves on their own phone, opens the confirmation by its code, reads who
//! helped, what is applied for, which documents and which departments receive what, and
//! confirms (the application is then submitted under the citizen's identity, exactly once,
//! through the ordinary submission path and its idempotency) or refuses. Without a phone the
//! agent submits with a photo of the citizen's signed paper authorisation, and the case says so.
//! A refused or expired confirmation leaves nothing with the departments. Every step is in the
//! audit log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use onething_core::api::{
    AgentRequest, AgentTicket, ApiErrorBody, ApplicationCreated, AssistedAnswer, AssistedCase,
    AssistedConfirmation, AssistedDecision, AssistedRecipient, AssistedStart, AssistedStatus,
    AssistedSubmit, ErrorCode, FieldProblem, mask_name, normalize_consent_code,
};
use onething_core::definition::IdType;
use onething_core::engine::validators;
use onething_core::{Application, Date, MaterialChoice, ServiceDefinition, Text, wire};

use super::applications::{OnBehalf, submit_once};
use crate::auth::{Agent, Caller};
use crate::clock::{hash_secret, new_id, rfc3339, secret_token};
use crate::error::JsonBody;
use crate::store::assisted::{self as db, AssistedRow};
use crate::store::departments::{AuditRecord, audit};
use crate::{ApiError, AppState, Result, store};

/// How long an admin-issued agent sign-in ticket lasts: long enough to hand it over.
pub(crate) const ADMIN_AGENT_TICKET_SECS: i64 = 24 * 3600;

fn text(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

/// Registers the agent of `req` and issues a one-time sign-in ticket for their staff account.
pub(crate) async fn issue_agent_ticket(
    state: &AppState,
    req: &AgentRequest,
    ttl_secs: i64,
) -> Result<AgentTicket> {
    let fits = |s: &str| !s.trim().is_empty() && s.trim().chars().count() <= 100;
    if !fits(&req.label) || !fits(&req.name) || !fits(&req.organisation) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidBody,
            "label, name and organisation: 1–100 characters each",
        )
        .with_fields(["label", "name", "organisation"]));
    }
    let now = state.clock.now();
    let row = db::AgentRow {
        label: req.label.trim().to_owned(),
        name: req.name.trim().to_owned(),
        organisation: req.organisation.trim().to_owned(),
    };
    let account_id = db::register_agent(&state.db, &state.keys, &row, &new_id(), now).await?;
    let ticket = secret_token();
    let expires_at = now + ttl_secs;
    store::accounts::insert_ticket(&state.db, &hash_secret(&ticket), &account_id, expires_at)
        .await?;
    let mut conn = state.db.acquire().await?;
    audit(
        &mut conn,
        now,
        &AuditRecord {
            actor: "admin",
            action: "agent_ticket_issued",
            application_id: None,
            case_number: None,
            sub_item_id: None,
            detail: Some(&format!("agent:{}", row.label)),
        },
    )
    .await?;
    Ok(AgentTicket {
        ticket,
        expires_at: rfc3339(expires_at),
        account_id,
    })
}

/// DEVELOPMENT ONLY (`--dev-tickets`): registers an agent and issues a sign-in ticket for their
/// staff account, as the admin would (`POST /api/admin/agents`).
#[utoipa::path(post, path = "/api/dev/agent-tickets", tag = "development",
    request_body = AgentRequest,
    responses(
        (status = 201, body = AgentTicket),
        (status = 404, description = "`dev_tickets_disabled`", body = ApiErrorBody),
        (status = 422, description = "`invalid_body`", body = ApiErrorBody),
    ))]
pub async fn create_dev_agent_ticket(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<AgentRequest>,
) -> Result<(StatusCode, Json<AgentTicket>)> {
    if !state.config.dev_tickets {
        return Err(ApiError::not_found(ErrorCode::DevTicketsDisabled));
    }
    let ttl = i64::try_from(state.config.ticket_ttl).unwrap_or(120);
    let t = issue_agent_ticket(&state, &req, ttl).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

fn service<'a>(state: &'a AppState, id: &str) -> Result<&'a ServiceDefinition> {
    state
        .catalogue
        .get(id)
        .ok_or_else(|| ApiError::internal("the case's service is no longer loaded"))
}

/// As the agent sees a case: status only, the citizen's name masked.
async fn view_case(
    state: &AppState,
    conn: &mut store::Conn,
    row: &AssistedRow,
) -> Result<AssistedCase> {
    let now = state.clock.now();
    let status = row.status_at(now);
    let case_number = match &row.application_id {
        Some(a) => db::case_number(conn, a).await?,
        None => None,
    };
    Ok(AssistedCase {
        id: row.id.clone(),
        service_id: row.service_id.clone(),
        service_title: service(state, &row.service_id)?.title.clone(),
        citizen_name: mask_name(&row.citizen_name),
        status,
        code: (status == AssistedStatus::Pending)
            .then(|| row.code.clone())
            .flatten(),
        created_at: rfc3339(row.created_at),
        submitted_at: row.submitted_at.map(rfc3339),
        expires_at: row.expires_at.map(rfc3339),
        answered_at: row.answered_at.map(rfc3339),
        case_number,
    })
}

/// The agent's own case `id` (anyone else's: 404, as if it did not exist).
async fn own_case(
    state: &AppState,
    conn: &mut store::Conn,
    agent: &Agent,
    id: &str,
) -> Result<AssistedRow> {
    db::get(conn, &state.keys, id)
        .await?
        .filter(|r| r.agent_id == agent.caller.account_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::AssistedNotFound))
}

async fn log(
    conn: &mut store::Conn,
    now: i64,
    actor: &str,
    action: &str,
    row: &AssistedRow,
    application_id: Option<&str>,
) -> Result<()> {
    audit(
        conn,
        now,
        &AuditRecord {
            actor,
            action,
            application_id,
            case_number: None,
            sub_item_id: None,
            detail: Some(&format!("assisted:{}", row.id)),
        },
    )
    .await?;
    Ok(())
}

/// The cases the agent helped with, newest first: status only, names masked.
#[utoipa::path(get, path = "/api/assisted", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = Vec<AssistedCase>),
        (status = 401, description = "`unauthenticated`", body = ApiErrorBody),
        (status = 403, description = "`agent_required`: a citizen's session", body = ApiErrorBody),
    ))]
pub async fn list_cases(
    State(state): State<AppState>,
    agent: Agent,
) -> Result<Json<Vec<AssistedCase>>> {
    let mut conn = state.db.acquire().await?;
    let rows = db::of_agent(&mut conn, &state.keys, &agent.caller.account_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(view_case(&state, &mut conn, r).await?);
    }
    Ok(Json(out))
}

/// Starts a case for a named citizen: the name and the resident ID number are checked with the
/// engine's validators (GB 11643). Nothing is with anyone but the agent yet.
#[utoipa::path(post, path = "/api/assisted", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    request_body = AssistedStart,
    responses(
        (status = 201, body = AssistedCase),
        (status = 403, description = "`agent_required`", body = ApiErrorBody),
        (status = 422, description = "`service_not_found`; `assisted_citizen_invalid` (`fields`, and `errors` with the engine's codes)", body = ApiErrorBody),
    ))]
pub async fn start_case(
    State(state): State<AppState>,
    agent: Agent,
    JsonBody(req): JsonBody<AssistedStart>,
) -> Result<(StatusCode, Json<AssistedCase>)> {
    let def = state.catalogue.get(&req.service_id).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ServiceNotFound, "no service with this id")
            .with_fields(["service_id"])
    })?;
    let today = Date::from_days(state.clock.today_in_china());
    let mut problems = Vec::new();
    let name = validators::person_name(&req.citizen_name, false).map_err(|e| {
        problems.push(FieldProblem {
            path: "citizen_name".into(),
            code: wire::name(&e).to_owned(),
        });
    });
    let id_number = validators::id_number(IdType::ResidentId, &req.citizen_id_number, today)
        .map_err(|e| {
            problems.push(FieldProblem {
                path: "citizen_id_number".into(),
                code: wire::name(&e).to_owned(),
            });
        });
    let (Ok(name), Ok(id_number)) = (name, id_number) else {
        let fields: Vec<String> = problems.iter().map(|p| p.path.clone()).collect();
        return Err(ApiError::unprocessable(
            ErrorCode::AssistedCitizenInvalid,
            "the citizen's name or ID number is not valid",
        )
        .with_fields(fields)
        .with_problems(problems));
    };
    let id_number = id_number.to_ascii_uppercase();
    let now = state.clock.now();
    let row = AssistedRow {
        id: new_id(),
        agent_id: agent.caller.account_id.clone(),
        service_id: def.id.clone(),
        citizen_name: name,
        // Computed by the store under the active key (`db::insert`).
        citizen_id_index: None,
        citizen_id_number: id_number,
        status: AssistedStatus::Filling.as_str().to_owned(),
        code: None,
        body: None,
        paper_upload_id: None,
        created_at: now,
        submitted_at: None,
        expires_at: None,
        answered_at: None,
        citizen_account_id: None,
        application_id: None,
    };
    let mut tx = store::begin_immediate(&state.db).await?;
    db::insert(&mut tx, &state.keys, &row).await?;
    log(&mut tx, now, &agent.actor(), "assisted_started", &row, None).await?;
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    Ok((
        StatusCode::CREATED,
        Json(view_case(&state, &mut conn, &row).await?),
    ))
}

/// One of the agent's cases.
#[utoipa::path(get, path = "/api/assisted/{id}", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Assisted case id")),
    responses(
        (status = 200, body = AssistedCase),
        (status = 403, description = "`agent_required`", body = ApiErrorBody),
        (status = 404, description = "`assisted_not_found` (also another agent's)", body = ApiErrorBody),
    ))]
pub async fn get_case(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> Result<Json<AssistedCase>> {
    let mut conn = state.db.acquire().await?;
    let row = own_case(&state, &mut conn, &agent, &id).await?;
    Ok(Json(view_case(&state, &mut conn, &row).await?))
}

/// The QR code (SVG) of a pending case's confirmation link, for the citizen to scan from the
/// agent's screen.
#[utoipa::path(get, path = "/api/assisted/{id}/qr.svg", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Assisted case id"), super::qr::LinkQuery),
    responses(
        (status = 200, description = "`image/svg+xml`: the QR code of `link`", content_type = "image/svg+xml", body = String),
        (status = 400, description = "`invalid_body`: `link` is not this case's confirmation page", body = ApiErrorBody),
        (status = 403, description = "`agent_required`", body = ApiErrorBody),
        (status = 404, description = "`assisted_not_found` (also another agent's, or not pending)", body = ApiErrorBody),
    ))]
pub async fn get_qr(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    query: std::result::Result<
        axum::extract::Query<super::qr::LinkQuery>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<axum::response::Response> {
    let mut conn = state.db.acquire().await?;
    let row = own_case(&state, &mut conn, &agent, &id).await?;
    let code = row
        .code
        .clone()
        .filter(|_| row.status_at(state.clock.now()) == AssistedStatus::Pending)
        .ok_or_else(|| ApiError::not_found(ErrorCode::AssistedNotFound))?;
    super::qr::svg(query, &format!("/assisted/confirm/{code}"), 200)
}

/// The uploads an application names.
fn upload_ids(app: &Application) -> Vec<String> {
    app.materials
        .values()
        .flat_map(|c| match c {
            MaterialChoice::Upload { upload_ids } => upload_ids.clone(),
            _ => Vec::new(),
        })
        .collect()
}

/// The application checked as the submission will check it, and its applicant matched with
/// the citizen the case was started for.
fn check(state: &AppState, row: &AssistedRow, app: &Application) -> Result<()> {
    if app.service_id != row.service_id {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidBody,
            "the application is for another service than the case",
        )
        .with_fields(["application.service_id"]));
    }
    let def = service(state, &row.service_id)?;
    let projection = super::applications::checked(state, def, app)?;
    if let Some(onething_core::AnswerValue::Text(id)) =
        projection.answers.get("applicant_id_number")
        && !db::is_citizen(&state.keys, row, id)
    {
        return Err(ApiError::unprocessable(
            ErrorCode::AssistedApplicantMismatch,
            "the applicant's ID number is not the citizen's this case was started for",
        )
        .with_fields(["answers.applicant_id_number"]));
    }
    Ok(())
}

/// A fresh confirmation code (the consent codes' alphabet: 8 characters, about 40 bits; the
/// code alone grants nothing, the citizen must be signed in as themselves).
fn confirmation_code() -> String {
    let alphabet = onething_core::api::CONSENT_ALPHABET;
    let n = u8::try_from(alphabet.len()).unwrap_or(1);
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in crate::clock::random_bytes::<16>() {
            // Rejection sampling: no bias toward the first letters.
            if b < (u8::MAX / n) * n && out.len() < 8 {
                out.push(char::from(alphabet[usize::from(b % n)]));
            }
        }
    }
    out
}

/// The idempotency key of an assisted case's one submission under the citizen's identity.
fn submission_key(row: &AssistedRow) -> String {
    format!("assisted:{}", row.id)
}

/// Submits the filled application: for the citizen's confirmation (nothing reaches the
/// departments until they confirm), or, with `paper_authorisation`, at once under the citizen's
/// identity on their signed paper authority (the photo goes with the case). The agent's photos
/// are kept until the confirmation's time is over.
#[utoipa::path(post, path = "/api/assisted/{id}/submit", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Assisted case id")),
    request_body = AssistedSubmit,
    responses(
        (status = 200, description = "Pending the citizen's confirmation (its `code`), or submitted on paper authority", body = AssistedCase),
        (status = 403, description = "`agent_required`", body = ApiErrorBody),
        (status = 404, description = "`assisted_not_found`", body = ApiErrorBody),
        (status = 409, description = "`assisted_not_open`: submitted already", body = ApiErrorBody),
        (status = 422, description = "`validation_failed`, `assisted_applicant_mismatch`, `upload_not_usable`", body = ApiErrorBody),
    ))]
pub async fn submit_case(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AssistedSubmit>,
) -> Result<Json<AssistedCase>> {
    let mut conn = state.db.acquire().await?;
    let row = own_case(&state, &mut conn, &agent, &id).await?;
    drop(conn);
    let body = serde_json::to_string(&req.application).map_err(ApiError::internal)?;
    if AssistedStatus::parse(&row.status) != AssistedStatus::Filling {
        // A retry of the same submission answers the case as it is.
        if row.body.as_deref() == Some(body.as_str()) {
            let mut conn = state.db.acquire().await?;
            return Ok(Json(view_case(&state, &mut conn, &row).await?));
        }
        return Err(ApiError::conflict(
            ErrorCode::AssistedNotOpen,
            "this case was submitted already",
        ));
    }
    check(&state, &row, &req.application)?;
    let now = state.clock.now();
    if let Some(paper) = &req.paper_authorisation {
        // The citizen's identity, as the agent checked it against the ID card and the signed
        // authorisation: an account of that identity (made when new).
        let citizen = store::accounts::assisted_citizen(
            &state.db,
            &state.keys,
            &onething_core::api::Account {
                id: new_id(),
                name: row.citizen_name.clone(),
                phone: String::new(),
                id_number: row.citizen_id_number.clone(),
            },
            now,
        )
        .await?;
        let note = format!(
            "帮办代办：{}（{}）协助填写，凭申请人签字的纸质授权书提交 / Filled with {} ({}), submitted on the applicant's signed paper authorisation",
            agent.agent.name, agent.agent.organisation, agent.agent.name, agent.agent.organisation
        );
        let value = serde_json::to_value(&req.application).map_err(ApiError::internal)?;
        let on_behalf = OnBehalf {
            assisted_id: &row.id,
            agent_id: &row.agent_id,
            paper_upload: Some(paper),
            note,
        };
        let res = submit_once(
            &state,
            &citizen.id,
            &submission_key(&row),
            value,
            Some(&on_behalf),
        )
        .await?;
        if !res.status().is_success() {
            return Err(ApiError::internal("the paper submission did not succeed"));
        }
    } else {
        let expires_at =
            now + i64::try_from(state.config.assisted_confirm_hours).unwrap_or(72) * 3600;
        let mut tx = store::begin_immediate(&state.db).await?;
        let ids = upload_ids(&req.application);
        let bad = db::hold_uploads(&mut tx, &ids, &row.agent_id, expires_at, now).await?;
        if !bad.is_empty() {
            return Err(crate::tracking::upload_not_usable(&bad, "upload_ids"));
        }
        let mut stored = false;
        for _ in 0..5 {
            if db::submit_for_confirmation(
                &mut tx,
                &state.keys,
                &row,
                &body,
                &confirmation_code(),
                now,
                expires_at,
            )
            .await?
            {
                stored = true;
                break;
            }
        }
        if !stored {
            return Err(ApiError::internal(
                "no free confirmation code after 5 draws",
            ));
        }
        log(
            &mut tx,
            now,
            &agent.actor(),
            "assisted_submitted_for_confirmation",
            &row,
            None,
        )
        .await?;
        tx.commit().await?;
    }
    let mut conn = state.db.acquire().await?;
    let row = own_case(&state, &mut conn, &agent, &id).await?;
    Ok(Json(view_case(&state, &mut conn, &row).await?))
}

/// Inside the submission's transaction under the citizen's identity: the agent's photos become
/// the citizen's, the case is recorded as confirmed (or submitted on paper) exactly when it
/// still may be, the `submitted` event says who helped, and the audit log has the step.
pub(crate) async fn within_submission(
    conn: &mut store::Conn,
    b: &OnBehalf<'_>,
    upload_ids: &[String],
    citizen_account_id: &str,
    application_id: &str,
    now: i64,
) -> Result<()> {
    db::hand_over_uploads(conn, upload_ids, b.agent_id, citizen_account_id).await?;
    let (recorded, action) = if let Some(paper) = b.paper_upload {
        let ok = store::uploads::describe(conn, paper)
            .await?
            .is_some_and(|(ct, _)| ct.starts_with("image/") || ct == "application/pdf");
        if !ok {
            return Err(ApiError::unprocessable(
                ErrorCode::UploadNotUsable,
                "the paper authorisation is a completed photo or PDF of the agent's",
            )
            .with_fields(["paper_authorisation"]));
        }
        (
            db::mark_paper(
                conn,
                b.assisted_id,
                paper,
                citizen_account_id,
                application_id,
                now,
            )
            .await?,
            "assisted_submitted_on_paper_authority",
        )
    } else {
        (
            db::confirm(conn, b.assisted_id, citizen_account_id, application_id, now).await?,
            "assisted_confirmed",
        )
    };
    if !recorded {
        return Err(ApiError::conflict(
            ErrorCode::AssistedNotOpen,
            "the case was answered, expired or submitted meanwhile",
        ));
    }
    db::note_submitted(conn, application_id, &b.note).await?;
    let actor = format!("citizen:{citizen_account_id}");
    audit(
        conn,
        now,
        &AuditRecord {
            actor: if b.paper_upload.is_some() {
                "agent"
            } else {
                &actor
            },
            action,
            application_id: Some(application_id),
            case_number: None,
            sub_item_id: None,
            detail: Some(&format!("assisted:{}", b.assisted_id)),
        },
    )
    .await?;
    Ok(())
}

/// The confirmation `code` addressed to the caller: only the account holding the citizen's ID
/// number; the agent who filled it gets 403, anyone else 404.
async fn confirmation_for(state: &AppState, caller: &Caller, code: &str) -> Result<AssistedRow> {
    let not_found = || ApiError::not_found(ErrorCode::AssistedNotFound);
    let code = normalize_consent_code(code).ok_or_else(not_found)?;
    let mut conn = state.db.acquire().await?;
    let row = db::by_code(&mut conn, &state.keys, &code)
        .await?
        .ok_or_else(not_found)?;
    if row.agent_id == caller.account_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AssistedOwnCase,
            "the agent who filled the case cannot confirm it; the citizen must",
        ));
    }
    let account = store::accounts::get(&state.db, &state.keys, &caller.account_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    if !db::is_citizen(&state.keys, &row, &account.id_number) {
        return Err(not_found());
    }
    Ok(row)
}

/// How a material was given, in both languages.
fn how(choice: &MaterialChoice) -> (String, String) {
    match choice {
        MaterialChoice::Upload { upload_ids } => (
            format!("照片 {} 张", upload_ids.len()),
            format!(
                "{} photo{}",
                upload_ids.len(),
                if upload_ids.len() == 1 { "" } else { "s" }
            ),
        ),
        MaterialChoice::ELicence { .. } => ("电子证照".into(), "e-licence".into()),
        MaterialChoice::Commitment { .. } => ("告知承诺".into(), "written commitment".into()),
        MaterialChoice::Deferred => ("容缺后补".into(), "to be supplied later".into()),
        MaterialChoice::AtWindow => ("窗口提交".into(), "at the window".into()),
    }
}

/// The plain summary the citizen confirms.
async fn view_confirmation(state: &AppState, row: &AssistedRow) -> Result<AssistedConfirmation> {
    let def = service(state, &row.service_id)?;
    let app: Application =
        serde_json::from_str(row.body.as_deref().unwrap_or("{}")).map_err(ApiError::internal)?;
    let today = Date::from_days(state.clock.today_in_china());
    // The engine's projection says which sub-items are applied for (mandatory ones included);
    // the application itself when the rules moved since (the submission will say why).
    let (sub_item_ids, materials) = match onething_core::check_submission(def, &app, today) {
        Ok(p) => (p.sub_items, p.materials),
        Err(_) => (app.sub_items.clone(), app.materials.clone()),
    };
    let sub_items: Vec<&onething_core::definition::SubItem> = sub_item_ids
        .iter()
        .filter_map(|id| def.sub_items.iter().find(|s| &s.id == id))
        .collect();
    let mut recipients: Vec<AssistedRecipient> = Vec::new();
    for s in &sub_items {
        if let Some(r) = recipients.iter_mut().find(|r| r.department == s.department) {
            r.sub_items.push(s.title.clone());
        } else {
            recipients.push(AssistedRecipient {
                department: s.department.clone(),
                sub_items: vec![s.title.clone()],
            });
        }
    }
    let documents = materials
        .iter()
        .filter_map(|(id, choice)| {
            let m = def.materials.iter().find(|m| &m.id == id)?;
            let (zh, en) = how(choice);
            Some(text(
                &format!("{}（{zh}）", m.title.zh),
                &format!("{} ({en})", m.title.en),
            ))
        })
        .collect();
    let mut conn = state.db.acquire().await?;
    let agent = db::agent(&mut conn, &row.agent_id).await?;
    let case_number = match &row.application_id {
        Some(a) => db::case_number(&mut conn, a).await?,
        None => None,
    };
    Ok(AssistedConfirmation {
        code: row.code.clone().unwrap_or_default(),
        status: row.status_at(state.clock.now()),
        agent_name: agent.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
        agent_organisation: agent.map(|a| a.organisation).unwrap_or_default(),
        service_id: def.id.clone(),
        service_title: def.title.clone(),
        sub_items: sub_items.iter().map(|s| s.title.clone()).collect(),
        documents,
        recipients,
        expires_at: row.expires_at.map(rfc3339).unwrap_or_default(),
        answered_at: row.answered_at.map(rfc3339),
        application_id: row.application_id.clone(),
        case_number,
    })
}

/// The confirmation addressed to the caller: who helped, what is applied for, which documents,
/// which departments receive what, and until when.
#[utoipa::path(get, path = "/api/assisted/confirmations/{code}", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    params(("code" = String, Path, description = "The confirmation code (8 characters; case, spaces and dashes ignored)")),
    responses(
        (status = 200, body = AssistedConfirmation),
        (status = 403, description = "`assisted_own_case`: the agent who filled it", body = ApiErrorBody),
        (status = 404, description = "`assisted_not_found` (also when it is addressed to someone else)", body = ApiErrorBody),
    ))]
pub async fn get_confirmation(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<AssistedConfirmation>> {
    let row = confirmation_for(&state, &caller, &code).await?;
    Ok(Json(view_confirmation(&state, &row).await?))
}

/// Confirms (the application is submitted under the caller's identity, exactly once) or
/// refuses (nothing reaches the departments; the agent's photos go with the next sweep).
#[utoipa::path(post, path = "/api/assisted/confirmations/{code}", tag = "assisted",
    security(("bearer" = []), ("cookie" = [])),
    params(("code" = String, Path, description = "The confirmation code")),
    request_body = AssistedAnswer,
    responses(
        (status = 200, description = "Answered; the confirmation now (with the case number once confirmed). Confirming again answers the same", body = AssistedConfirmation),
        (status = 403, description = "`assisted_own_case`", body = ApiErrorBody),
        (status = 404, description = "`assisted_not_found`", body = ApiErrorBody),
        (status = 409, description = "`assisted_already_answered`", body = ApiErrorBody),
        (status = 410, description = "`assisted_expired`: nothing reached the departments", body = ApiErrorBody),
        (status = 422, description = "`validation_failed`: the application no longer passes the rules (e.g. a date limit passed); nothing was submitted", body = ApiErrorBody),
    ))]
pub async fn answer_confirmation(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(answer): JsonBody<AssistedAnswer>,
) -> Result<Json<AssistedConfirmation>> {
    let row = confirmation_for(&state, &caller, &code).await?;
    let now = state.clock.now();
    match (row.status_at(now), answer.decision) {
        (AssistedStatus::Pending, _) => {}
        // Confirming twice (a double tap, a retry after a lost answer) answers the same.
        (AssistedStatus::Confirmed, AssistedDecision::Confirm)
        | (AssistedStatus::Refused, AssistedDecision::Refuse) => {
            return Ok(Json(view_confirmation(&state, &row).await?));
        }
        (AssistedStatus::Expired, _) => {
            return Err(ApiError::new(
                StatusCode::GONE,
                ErrorCode::AssistedExpired,
                "the confirmation was not answered in time",
            ));
        }
        _ => {
            return Err(ApiError::conflict(
                ErrorCode::AssistedAlreadyAnswered,
                "this confirmation was answered already",
            ));
        }
    }
    let app: Application =
        serde_json::from_str(row.body.as_deref().unwrap_or("{}")).map_err(ApiError::internal)?;
    match answer.decision {
        AssistedDecision::Refuse => {
            let mut tx = store::begin_immediate(&state.db).await?;
            if !db::refuse(&mut tx, &row.id, &caller.account_id, now).await? {
                return Err(ApiError::conflict(
                    ErrorCode::AssistedAlreadyAnswered,
                    "this confirmation was answered already",
                ));
            }
            db::release_uploads(&mut tx, &upload_ids(&app), now).await?;
            log(
                &mut tx,
                now,
                &format!("citizen:{}", caller.account_id),
                "assisted_refused",
                &row,
                None,
            )
            .await?;
            tx.commit().await?;
        }
        AssistedDecision::Confirm => {
            let mut conn = state.db.acquire().await?;
            let agent = db::agent(&mut conn, &row.agent_id).await?;
            drop(conn);
            let (name, org) = agent.map(|a| (a.name, a.organisation)).unwrap_or_default();
            let note = format!(
                "帮办代办：{name}（{org}）协助填写，申请人本人于 {} 确认提交 / Filled with {name} ({org}), confirmed by the applicant on their own phone at {}",
                rfc3339(now + 8 * 3600)
                    .replace('T', " ")
                    .trim_end_matches('Z'),
                rfc3339(now),
            );
            let value = serde_json::to_value(&app).map_err(ApiError::internal)?;
            let on_behalf = OnBehalf {
                assisted_id: &row.id,
                agent_id: &row.agent_id,
                paper_upload: None,
                note,
            };
            let res = submit_once(
                &state,
                &caller.account_id,
                &submission_key(&row),
                value,
                Some(&on_behalf),
            )
            .await?;
            if !res.status().is_success() {
                return Err(ApiError::internal(
                    "the confirmed submission did not succeed",
                ));
            }
            let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024)
                .await
                .map_err(ApiError::internal)?;
            let created: ApplicationCreated =
                serde_json::from_slice(&bytes).map_err(ApiError::internal)?;
            tracing::info!(application = %created.id, "assisted application confirmed");
        }
    }
    let mut conn = state.db.acquire().await?;
    let row = db::get(&mut conn, &state.keys, &row.id)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::AssistedNotFound))?;
    Ok(Json(view_confirmation(&state, &row).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let c = confirmation_code();
            assert_eq!(normalize_consent_code(&c).as_deref(), Some(c.as_str()));
        }
    }
}
