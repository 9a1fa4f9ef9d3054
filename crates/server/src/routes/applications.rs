//! `/api/applications`: submission exactly once, and tracking.
//!
//! `POST` needs an `Idempotency-Key` (a fresh random string per submission attempt; reuse it on
//! retries). The same key with the same body replays the stored response; with another body it
//! is refused (422); while the first request is still running the second gets 409. A request
//! that fails releases its key, so the client may fix the cause and retry with it. The server
//! validates the whole application with the engine (`check_submission`), never the client's
//! word, checks every referenced upload, and writes the case, its sub-items, its timeline, the
//! use of its uploads and the idempotency record in one transaction.

use std::convert::Infallible;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use onething_core::api::{
    ApiErrorBody, ApplicationCreated, ApplicationDetail, ApplicationSummary, ConsentStatus,
    ErrorCode, FieldProblem, PrivacyConsent, Rating, SubItemStatus, SupplementAnswer, TimelineKind,
    WITHDRAW_REASON_MAX, WithdrawRequest,
};
use onething_core::{Application, Date, MaterialChoice, ServiceDefinition, check_submission, wire};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Caller;
use crate::clock::{hex, new_id, random_bytes, rfc3339};
use crate::error::JsonBody;
use crate::store::applications as db;
use crate::store::idempotency::{self, Begin};
use crate::{ApiError, AppState, Result, store, tracking};

/// A JSON value with object keys sorted at every level, serialized: equal bodies hash equal
/// however the client ordered its keys.
fn canonical(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        Value::String(k.clone()),
                        canonical(&map[k.as_str()])
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

fn created_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let location = serde_json::from_str::<ApplicationCreated>(&body)
        .ok()
        .and_then(|c| HeaderValue::from_str(&format!("/api/applications/{}", c.id)).ok());
    let mut res = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if let Some(l) = location {
        res.headers_mut().insert(header::LOCATION, l);
    }
    if replayed {
        res.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    res
}

/// Submits an application, exactly once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/applications", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("Idempotency-Key" = String, Header, description = "Random per submission attempt, reused on retries (≤ 255 characters)")),
    request_body(content = Object, description = "`onething_core::Application`: `{service_id, sub_items, eligibility, answers, materials}`, and `privacy_consent` (a `PrivacyConsent`, recorded with the case) when the person agreed to the privacy notice"),
    responses(
        (status = 201, description = "Received; `Location`. A replay carries `Idempotent-Replayed: true`", body = ApplicationCreated,
            headers(
                ("Location" = String, description = "`/api/applications/{id}`"),
                ("Idempotent-Replayed" = String, description = "`true` on the answer to a retry"),
            )),
        (status = 400, description = "`idempotency_key_missing`, `invalid_body`", body = ApiErrorBody),
        (status = 409, description = "`idempotency_request_in_flight`", body = ApiErrorBody),
        (status = 422, description = "`idempotency_key_reused`, `validation_failed` (see `errors`), `service_not_found`, `upload_not_usable`", body = ApiErrorBody),
    ))]
pub async fn create_application(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let key = crate::headers::idempotency_key(&headers)
        .and_then(Result::ok)
        .ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::IdempotencyKeyMissing,
                "send an Idempotency-Key header (1-255 printable ASCII characters)",
            )
            .with_fields(["Idempotency-Key"])
        })?
        .to_owned();
    let mut value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.to_string()))?;
    crate::error::integral_numbers(&mut value);
    // An agent's staff account never submits itself: the citizen confirms (帮办代办).
    if store::assisted::agent(&mut *state.db.acquire().await?, &caller.account_id)
        .await?
        .is_some()
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AgentCannotApply,
            "an agent submits for the citizen's confirmation (POST /api/assisted/{id}/submit)",
        ));
    }
    submit_once(&state, &caller.account_id, &key, value, None).await
}

/// The submission path with its idempotency, for `account_id`: a citizen's own request, or an
/// assisted case confirmed by its citizen (`on_behalf`, written in the same transaction).
pub(crate) async fn submit_once(
    state: &AppState,
    account_id: &str,
    key: &str,
    value: serde_json::Value,
    on_behalf: Option<&OnBehalf<'_>>,
) -> Result<Response> {
    let hash = hex(&Sha256::digest(canonical(&value).as_bytes()));
    let now = state.clock.now();
    match idempotency::begin(&state.db, account_id, key, &hash, now, &state.instance).await? {
        Begin::Started => {}
        Begin::Replay(status, body) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(created_response(status, body, true));
        }
        Begin::Mismatch => {
            return Err(ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with another body",
            )
            .with_fields(["Idempotency-Key"]));
        }
        Begin::InFlight => {
            return Err(ApiError::conflict(
                ErrorCode::IdempotencyRequestInFlight,
                "a request with this Idempotency-Key is being processed; retry shortly",
            )
            .with_fields(["Idempotency-Key"]));
        }
    }
    let result = submit(state, account_id, key, value, on_behalf).await;
    if result.is_err() {
        idempotency::release(&state.db, account_id, key, &state.instance).await?;
    }
    result
}

/// What an assisted case (帮办代办) adds to its submission under the citizen's identity.
pub(crate) struct OnBehalf<'a> {
    /// The assisted case.
    pub assisted_id: &'a str,
    /// The agent whose uploads the application names (handed over to the citizen).
    pub agent_id: &'a str,
    /// The signed paper authorisation's upload, on the paper path; none when the citizen
    /// confirmed on their phone.
    pub paper_upload: Option<&'a str>,
    /// The note on the `submitted` event (who helped, how the citizen agreed).
    pub note: String,
}

/// The `privacy_consent` member of a submission (the person's consent to the privacy notice,
/// given on the device before anything left it), recorded with the case; absent from clients
/// that do not show the notice.
fn privacy_consent(value: &serde_json::Value) -> Result<Option<PrivacyConsent>> {
    let Some(raw) = value.get("privacy_consent").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let bad = |why: &str| {
        ApiError::bad_request(ErrorCode::InvalidBody, format!("privacy_consent: {why}"))
            .with_fields(["privacy_consent"])
    };
    let c: PrivacyConsent = serde_json::from_value(raw.clone()).map_err(|e| bad(&e.to_string()))?;
    let fits = |s: &str| !s.trim().is_empty() && s.len() <= 64;
    if !fits(&c.version) || !fits(&c.agreed_at) {
        return Err(bad("version and agreed_at: 1 to 64 characters"));
    }
    Ok(Some(c))
}

/// Whether a material accepts this media type (`image/*` style wildcards allowed).
fn accepts(accept: &[String], content_type: &str) -> bool {
    accept.iter().any(|a| {
        a == content_type
            || a.strip_suffix("/*")
                .is_some_and(|major| content_type.split('/').next() == Some(major))
    })
}

async fn submit(
    state: &AppState,
    account_id: &str,
    key: &str,
    value: serde_json::Value,
    on_behalf: Option<&OnBehalf<'_>>,
) -> Result<Response> {
    let privacy_consent = privacy_consent(&value)?;
    let app: Application = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.to_string()))?;
    let def = state.catalogue.get(&app.service_id).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ServiceNotFound, "no service with this id")
            .with_fields(["service_id"])
    })?;
    let projection = checked(state, def, &app)?;
    let uploads: Vec<(String, String)> = projection
        .materials
        .iter()
        .flat_map(|(material, choice)| match choice {
            MaterialChoice::Upload { upload_ids } => upload_ids
                .iter()
                .map(|u| (material.clone(), u.clone()))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let body = serde_json::to_string(&projection).map_err(ApiError::internal)?;
    let now = state.clock.now();
    let id = new_id();
    for _ in 0..5 {
        let mut tx = store::begin_immediate(&state.db).await?;
        let case_number = case_number(now);
        if !db::insert(
            &mut tx,
            &state.keys,
            &id,
            account_id,
            &case_number,
            &def.id,
            &body,
            now,
        )
        .await?
        {
            continue;
        }
        db::set_definition_version(&mut tx, &id, &def.version).await?;
        let served = serde_json::to_string(def).map_err(ApiError::internal)?;
        db::remember_definition(&mut tx, &def.id, &def.version, &served, now).await?;
        write_tracking(&mut tx, def, &projection, &id, now).await?;
        if let Some(c) = &privacy_consent {
            store::privacy::record(&mut tx, &id, c, now).await?;
        }
        request_consents(&mut tx, &state.keys, def, &projection, &id, account_id, now).await?;
        let mut ids: Vec<String> = uploads.iter().map(|(_, u)| u.clone()).collect();
        if let Some(b) = on_behalf {
            ids.extend(b.paper_upload.map(str::to_owned));
            super::assisted::within_submission(&mut tx, b, &ids, account_id, &id, now).await?;
        }
        let bad = store::uploads::attach(&mut tx, &ids, account_id, &id, now).await?;
        if !bad.is_empty() {
            let fields: Vec<String> = uploads
                .iter()
                .filter(|(_, u)| bad.contains(u))
                .map(|(m, _)| format!("materials.{m}"))
                .collect();
            return Err(tracking::upload_not_usable(&bad, "upload_ids").with_fields(fields));
        }
        check_material_types(&mut tx, def, &uploads).await?;
        let created = ApplicationCreated {
            id: id.clone(),
            case_number,
            submitted_at: rfc3339(now),
        };
        let json = serde_json::to_string(&created).map_err(ApiError::internal)?;
        idempotency::finish(&mut tx, account_id, key, 201, &json, &state.instance).await?;
        tx.commit().await?;
        // Its notices (consent requests, to the applicant and the holders) go out now.
        state.outbox_wake.notify_one();
        tracing::info!(application = %id, service = %def.id, "application received");
        state.metrics.submission();
        return Ok(created_response(StatusCode::CREATED, json, false));
    }
    Err(ApiError::internal("no free case number after 5 draws"))
}

/// Each referenced upload is of a type and size its material accepts.
async fn check_material_types(
    conn: &mut store::Conn,
    def: &ServiceDefinition,
    uploads: &[(String, String)],
) -> Result<()> {
    let mut wrong = Vec::new();
    for (material, upload) in uploads {
        let Some(m) = def.materials.iter().find(|m| &m.id == material) else {
            continue;
        };
        let ok = store::uploads::describe(conn, upload)
            .await?
            .is_some_and(|(ct, len)| {
                accepts(&m.accept, &ct) && u64::try_from(len).unwrap_or(u64::MAX) <= m.max_bytes
            });
        if !ok {
            wrong.push(format!("materials.{material}"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            ErrorCode::UploadNotUsable,
            "an upload's type or size is not accepted for its material",
        )
        .with_fields(wrong))
    }
}

/// The sub-items in `received`, their dependencies (within the case), the first timeline
/// event, and a supplement request per deferred material (容缺受理 → 补正).
async fn write_tracking(
    conn: &mut store::Conn,
    def: &ServiceDefinition,
    projection: &onething_core::Projection,
    id: &str,
    now: i64,
) -> Result<()> {
    // Each sub-item's last day in working days of China's calendar, from the submission's
    // Beijing date: the departments' queues sort and filter by it.
    let ids: Vec<&str> = projection.sub_items.iter().map(String::as_str).collect();
    let dues = onething_core::engine::expected_dates(
        def,
        &ids,
        Date::from_days((now + 8 * 3600).div_euclid(86_400)),
    );
    for (pos, sub) in projection.sub_items.iter().enumerate() {
        let deps: Vec<String> = def
            .sub_items
            .iter()
            .find(|s| &s.id == sub)
            .map(|s| {
                s.depends_on
                    .iter()
                    .filter(|d| projection.sub_items.contains(d))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let due = dues.get(sub).map(|d| d.date.to_string());
        db::insert_item(conn, id, sub, pos, &deps, due.as_deref(), now).await?;
    }
    db::insert_event(conn, id, now, TimelineKind::Submitted, None, None, None).await?;
    for d in &projection.deferred {
        let Some(sub) = d.sub_items.first() else {
            continue;
        };
        let title = def
            .materials
            .iter()
            .find(|m| m.id == d.material)
            .map_or_else(|| d.material.clone(), |m| m.title.zh.clone());
        // The due date in working days of China's calendar, from the submission's Beijing date.
        let due = d.due(Date::from_days((now + 8 * 3600).div_euclid(86_400)));
        let by = if due.estimated {
            format!("{}（估算，未含节假日安排）", due.date)
        } else {
            due.date.to_string()
        };
        let note = format!(
            "容缺受理：请在 {} 个工作日内（{by} 前）补交「{title}」",
            d.due_days
        );
        let supplement_id = new_id();
        db::insert_supplement(conn, &supplement_id, id, sub, &note, now).await?;
        // Its material and last day, for the 3- and 1-working-day warnings of the sweeper.
        store::notifications::set_supplement_deadline(
            conn,
            &supplement_id,
            &d.material,
            &due.date.to_string(),
        )
        .await?;
    }
    Ok(())
}

/// A consent request per material provided by another person's e-licence (the definition names
/// the holder's name and ID number facts): only the account with that ID number may answer.
async fn request_consents(
    conn: &mut store::Conn,
    keys: &crate::crypto::Keys,
    def: &ServiceDefinition,
    projection: &onething_core::Projection,
    id: &str,
    requester: &str,
    now: i64,
) -> Result<()> {
    let text = |fact: &str| match projection.answers.get(fact) {
        Some(onething_core::AnswerValue::Text(t)) => Some(t.trim().to_owned()),
        _ => None,
    };
    for (material, choice) in &projection.materials {
        if !matches!(choice, MaterialChoice::ELicence { .. }) {
            continue;
        }
        let Some(holder) = def
            .materials
            .iter()
            .find(|m| &m.id == material)
            .and_then(|m| m.e_licence.as_ref())
            .and_then(|e| e.holder.as_ref())
        else {
            continue;
        };
        // The engine made both facts required wherever the material is: absent means a
        // definition without them, which the checks at start refuse.
        let (Some(name), Some(id_number)) = (text(&holder.name_fact), text(&holder.id_number_fact))
        else {
            return Err(ApiError::internal("consent holder facts missing"));
        };
        let mut row = store::consents::ConsentRow {
            code: String::new(),
            application_id: id.to_owned(),
            material_id: material.clone(),
            requester_id: requester.to_owned(),
            holder_role: serde_json::to_string(&holder.role).map_err(ApiError::internal)?,
            holder_name: name,
            holder_id_hash: crate::clock::hash_secret(&id_number.to_ascii_uppercase()),
            valid_days: i64::from(holder.valid_days),
            status: wire::name(&ConsentStatus::Pending).to_owned(),
            requested_at: now,
            expires_at: now + i64::from(holder.answer_days) * 86_400,
            answered_at: None,
        };
        loop {
            row.code = consent_code();
            if store::consents::insert(conn, keys, &row).await? {
                break;
            }
        }
        // The holder's own account, found by the blind index of the ID number entered, is told
        // now, in the submission's transaction (the same notice, under the same event key, as a
        // holder who signs up later gets when reading their messages: `notify`).
        for holder_account in
            store::accounts::with_id_number(conn, keys, &id_number, requester).await?
        {
            store::notifications::enqueue(
                conn,
                &store::notifications::NewNotice {
                    event_key: &format!("consent:{}:asked:{holder_account}", row.code),
                    account_id: &holder_account,
                    kind: onething_core::api::MessageKind::ConsentAsked,
                    application_id: id,
                    sub_item_id: None,
                    material_id: Some(material),
                    due_on: None,
                },
                now,
            )
            .await?;
        }
        store::notifications::enqueue_for_owner(
            conn,
            &format!("consent:{}:requested", row.code),
            onething_core::api::MessageKind::ConsentRequested,
            id,
            None,
            Some(material),
            None,
            now,
        )
        .await?;
        db::insert_material_event(
            conn,
            id,
            now,
            TimelineKind::ConsentRequested,
            None,
            None,
            None,
            Some(material),
        )
        .await?;
    }
    Ok(())
}

/// A fresh consent code: 8 characters of the unambiguous alphabet (about 40 bits; the code
/// alone grants nothing, the holder must also be signed in).
fn consent_code() -> String {
    let alphabet = onething_core::api::CONSENT_ALPHABET;
    let n = u8::try_from(alphabet.len()).unwrap_or(1);
    let mut out = String::with_capacity(8);
    while out.len() < 8 {
        for b in random_bytes::<16>() {
            // Rejection sampling: no bias toward the first letters.
            if b < (u8::MAX / n) * n && out.len() < 8 {
                out.push(char::from(alphabet[usize::from(b % n)]));
            }
        }
    }
    out
}

/// 办件编号: `OT`, the date in China, six random digits (e.g. `OT20261128042137`).
fn case_number(now: i64) -> String {
    let date: String = rfc3339(now + 8 * 3600)
        .chars()
        .take(10)
        .filter(char::is_ascii_digit)
        .collect();
    let n = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000;
    format!("OT{date}{n:06}")
}

/// The caller's applications, newest first.
#[utoipa::path(get, path = "/api/applications", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<ApplicationSummary>)))]
pub async fn list_applications(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApplicationSummary>>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(
        db::list(&mut conn, Some(&caller.account_id), state.clock.now()).await?,
    ))
}

async fn detail_of(state: &AppState, caller: &Caller, id: &str) -> Result<ApplicationDetail> {
    let mut conn = state.db.acquire().await?;
    db::detail(
        &mut conn,
        &state.keys,
        id,
        Some(&caller.account_id),
        state.clock.now(),
    )
    .await?
    .ok_or_else(|| ApiError::not_found(ErrorCode::ApplicationNotFound))
}

/// One of the caller's applications with its tracking.
#[utoipa::path(get, path = "/api/applications/{id}", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, body = ApplicationDetail),
        (status = 404, description = "`application_not_found` (also someone else's)", body = ApiErrorBody),
    ))]
pub async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetail>> {
    Ok(Json(detail_of(&state, &caller, &id).await?))
}

/// What the caller submitted: the answers and how each material was supplied, as the server
/// validated and stored them (the engine's projection, without what departments receive). Only
/// the applicant sees it; departments have their own projection.
#[utoipa::path(get, path = "/api/applications/{id}/submission", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "`onething_core::Application`: `{service_id, sub_items, eligibility, answers, materials}`", body = Object),
        (status = 404, description = "`application_not_found` (also someone else's)", body = ApiErrorBody),
        (status = 410, description = "`personal_data_deleted`: the case finished and its personal data was deleted after the retention period", body = ApiErrorBody),
    ))]
pub async fn get_submission(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Application>> {
    let mut conn = state.db.acquire().await?;
    let not_found = || ApiError::not_found(ErrorCode::ApplicationNotFound);
    if db::owner(&mut conn, &id).await?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(not_found());
    }
    if crate::store::retention::deleted_at(&mut conn, &id)
        .await?
        .is_some()
    {
        return Err(crate::maintenance::personal_data_deleted());
    }
    let body = db::body(&mut conn, &state.keys, &id)
        .await?
        .ok_or_else(not_found)?;
    let p: onething_core::Projection = serde_json::from_str(&body).map_err(ApiError::internal)?;
    Ok(Json(Application {
        service_id: p.service_id,
        sub_items: p.sub_items,
        eligibility: p.eligibility,
        answers: p.answers,
        materials: p.materials,
    }))
}

/// Live tracking as Server-Sent Events: an `application` event with the whole
/// [`ApplicationDetail`] now and after every change (`id:` is the revision).
#[utoipa::path(get, path = "/api/applications/{id}/events", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "`text/event-stream`; each `application` event's data is an ApplicationDetail", content_type = "text/event-stream", body = ApplicationDetail),
        (status = 404, description = "`application_not_found`", body = ApiErrorBody),
    ))]
pub async fn application_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    detail_of(&state, &caller, &id).await?;
    let rx = state.changes.subscribe();
    // Counted as open while the stream lives (its state holds the guard).
    let open = state.metrics.stream_opened();
    let start = (state, caller, id, rx, None::<u64>, open);
    let stream = futures_util::stream::unfold(
        start,
        |(state, caller, id, mut rx, last, open)| async move {
            loop {
                if last.is_some() {
                    // Woken by a change in this process or told by another replica, or by the
                    // poll that catches a change whose notice was lost (`AppState::live_poll`).
                    tokio::select! {
                        r = rx.recv() => match r {
                            Ok(changed) if changed != id => continue,
                            Ok(_) | Err(RecvError::Lagged(_)) => {}
                            Err(RecvError::Closed) => return None,
                        },
                        () = tokio::time::sleep(state.live_poll) => {}
                    }
                }
                let detail = detail_of(&state, &caller, &id).await.ok()?;
                if Some(detail.revision) == last {
                    continue;
                }
                let event = Event::default()
                    .event("application")
                    .id(detail.revision.to_string())
                    .json_data(&detail)
                    .ok()?;
                let rev = Some(detail.revision);
                return Some((Ok(event), (state, caller, id, rx, rev, open)));
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Answers a supplement request (补正) with a text and/or completed uploads.
#[utoipa::path(post, path = "/api/applications/{id}/supplements/{supplement_id}", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id"), ("supplement_id" = String, Path, description = "Supplement request id")),
    request_body = SupplementAnswer,
    responses(
        (status = 200, description = "Answered; the case now", body = ApplicationDetail),
        (status = 404, description = "`application_not_found`, `supplement_not_found`", body = ApiErrorBody),
        (status = 409, description = "`supplement_already_answered`; `supplement_withdrawn`: the case or the sub-item was withdrawn", body = ApiErrorBody),
        (status = 422, description = "`supplement_answer_empty`, `upload_not_usable`", body = ApiErrorBody),
    ))]
pub async fn answer_supplement(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, supplement_id)): Path<(String, String)>,
    JsonBody(answer): JsonBody<SupplementAnswer>,
) -> Result<Json<ApplicationDetail>> {
    tracking::answer_supplement(&state, &caller, &id, &supplement_id, &answer).await?;
    Ok(Json(detail_of(&state, &caller, &id).await?))
}

/// Rates the case (好差评): five scores 1-5, once, after every sub-item is done.
#[utoipa::path(post, path = "/api/applications/{id}/rating", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = Rating,
    responses(
        (status = 200, description = "Rated; the case now", body = ApplicationDetail),
        (status = 404, description = "`application_not_found`", body = ApiErrorBody),
        (status = 409, description = "`rating_not_allowed_yet`, `rating_already_given`", body = ApiErrorBody),
        (status = 422, description = "`rating_invalid`; `rating_reason_required`: a score of 1 or 2 (差评) needs the reason in `comment`", body = ApiErrorBody),
    ))]
pub async fn rate_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(rating): JsonBody<Rating>,
) -> Result<Json<ApplicationDetail>> {
    tracking::rate(&state, &caller, &id, &rating).await?;
    Ok(Json(detail_of(&state, &caller, &id).await?))
}

/// Withdraws the case (撤回) with the citizen's reason, while no department has accepted any of
/// its sub-items: every sub-item becomes `withdrawn`. Retrying after success answers the case
/// as it is (no second timeline event), so no `Idempotency-Key` is needed.
#[utoipa::path(post, path = "/api/applications/{id}/withdraw", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = WithdrawRequest,
    responses(
        (status = 200, description = "Withdrawn; the case now", body = ApplicationDetail),
        (status = 404, description = "`application_not_found` (also someone else's)", body = ApiErrorBody),
        (status = 409, description = "`withdraw_not_allowed`: a sub-item was accepted (or decided) already", body = ApiErrorBody),
        (status = 422, description = "`withdraw_reason_invalid`: the reason is empty or longer than 200 characters", body = ApiErrorBody),
    ))]
pub async fn withdraw_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<WithdrawRequest>,
) -> Result<Json<ApplicationDetail>> {
    let reason = withdraw_reason(&request)?;
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    if db::owner(&mut tx, &id).await?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(ApiError::not_found(ErrorCode::ApplicationNotFound));
    }
    let items: Vec<(SubItemStatus, Option<SubItemStatus>)> = db::items(&mut tx, &id)
        .await?
        .iter()
        .map(|r| {
            let resume = r.resume_status.as_deref().and_then(SubItemStatus::parse);
            (r.status(), resume)
        })
        .collect();
    let already = !items.is_empty() && items.iter().all(|(s, _)| *s == SubItemStatus::Withdrawn);
    if already {
        drop(tx);
    } else {
        if !crate::workflow::may_withdraw(&items) {
            return Err(ApiError::conflict(
                ErrorCode::WithdrawNotAllowed,
                "a department has accepted a sub-item already",
            ));
        }
        db::touch(&mut tx, &id, now).await?;
        db::withdraw_items(&mut tx, &id, now).await?;
        db::insert_withdrawal(&mut tx, &state.keys, &id, reason, now).await?;
        db::insert_event(&mut tx, &id, now, TimelineKind::Withdrawn, None, None, None).await?;
        tx.commit().await?;
        tracing::info!(application = %id, "application withdrawn");
        state.notify(&id);
    }
    Ok(Json(detail_of(&state, &caller, &id).await?))
}

/// The engine's verdict on a whole application, today in China (the one check of every
/// submission, whoever sends it): its projection, or `validation_failed` with each problem;
/// region codes checked against the full table the server carries.
///
/// # Errors
/// The application breaks the service's rules or names an unknown region.
pub(crate) fn checked(
    state: &AppState,
    def: &ServiceDefinition,
    app: &Application,
) -> Result<onething_core::Projection> {
    let today = Date::from_days(state.clock.today_in_china());
    let projection = check_submission(def, app, today).map_err(|errors| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "the application breaks the service's rules",
        )
        .with_problems(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    path: e.path,
                    code: e.code,
                })
                .collect(),
        )
    })?;
    crate::catalogue::check_regions(def, &projection.answers)?;
    Ok(projection)
}

/// A withdrawal's reason, trimmed, or `withdraw_reason_invalid` (1 to 200 characters).
///
/// # Errors
/// The reason is empty or too long.
pub(crate) fn withdraw_reason(request: &WithdrawRequest) -> Result<&str> {
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > WITHDRAW_REASON_MAX {
        return Err(ApiError::unprocessable(
            ErrorCode::WithdrawReasonInvalid,
            "give a reason of 1 to 200 characters",
        )
        .with_fields(["reason"]));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,{"q":2,"p":1}],"x":"s"}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"x":"s","y":[1,{"p":1,"q":2}]},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(
            canonical(&a),
            r#"{"a":{"x":"s","y":[1,{"p":1,"q":2}]},"b":1}"#
        );
    }

    #[test]
    fn case_numbers_carry_the_china_date() {
        // 2026-11-27T20:00:00Z is already the 28th in China.
        let n = case_number(1_795_809_600);
        assert!(n.starts_with("OT20261128"), "{n}");
        assert_eq!(n.len(), 16);
    }

    #[test]
    fn consent_codes_use_the_unambiguous_alphabet() {
        for _ in 0..200 {
            let c = consent_code();
            assert_eq!(
                onething_core::api::normalize_consent_code(&c).as_deref(),
                Some(c.as_str())
            );
        }
    }

    #[test]
    fn wildcard_accept_lists_match_major_types() {
        let accept = vec!["image/*".to_owned(), "application/pdf".to_owned()];
        assert!(accepts(&accept, "image/heic"));
        assert!(accepts(&accept, "application/pdf"));
        assert!(!accepts(&["image/jpeg".to_owned()], "image/png"));
    }
}
