//! `/api/drafts`: save and return across devices. Each write bumps `version`; the `ETag` is
//! `"<version>"`, and `PUT` needs `If-Match` with it, so a stale write gets 409
//! `draft_version_conflict` instead of overwriting newer answers from another device.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{ApiErrorBody, Draft, DraftCreate, DraftUpdate, ErrorCode};

use crate::auth::Caller;
use crate::clock::new_id;
use crate::error::JsonBody;
use crate::store::drafts::Update;
use crate::{ApiError, AppState, Result, store};

fn expiry(state: &AppState, now: i64) -> i64 {
    now + i64::try_from(state.config.draft_ttl_days)
        .unwrap_or(3650)
        .saturating_mul(86_400)
}

fn with_etag(status: StatusCode, draft: Draft) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", draft.version))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    (
        status,
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Json(draft),
    )
        .into_response()
}

/// The version in `If-Match` (`"3"`, `W/"3"` or `*` for any); `Err` when missing or malformed.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>> {
    let missing = || {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::PreconditionRequired,
            "send If-Match with the ETag of the version you are replacing",
        )
        .with_fields(["If-Match"])
    };
    let raw = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing)?
        .trim();
    if raw == "*" {
        return Ok(None);
    }
    let raw = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    match raw.parse() {
        Ok(v) => Ok(Some(v)),
        // Digits too many for any version there can be: well-formed but stale, so 409 (with the
        // current ETag) rather than "send If-Match".
        Err(_) if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(u64::MAX)),
        Err(_) => Err(missing()),
    }
}

fn check_service(state: &AppState, service_id: &str) -> Result<()> {
    if state.catalogue.get(service_id).is_none() {
        return Err(
            ApiError::unprocessable(ErrorCode::ServiceNotFound, "no service with this id")
                .with_fields(["service_id"]),
        );
    }
    Ok(())
}

/// Saves a new draft (version 1).
#[utoipa::path(post, path = "/api/drafts", tag = "drafts",
    security(("bearer" = []), ("cookie" = [])),
    request_body = DraftCreate,
    responses(
        (status = 201, description = "Created; `ETag: \"1\"`", body = Draft,
            headers(("ETag" = String, description = "The version, quoted: `\"1\"`"))),
        (status = 422, description = "`service_not_found`", body = ApiErrorBody),
    ))]
pub async fn create_draft(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<DraftCreate>,
) -> Result<Response> {
    check_service(&state, &req.service_id)?;
    let now = state.clock.now();
    let draft = store::drafts::insert(
        &state.db,
        &state.keys,
        &new_id(),
        &caller.account_id,
        &req.service_id,
        &req.data.to_string(),
        now,
        expiry(&state, now),
    )
    .await?;
    Ok(with_etag(StatusCode::CREATED, draft))
}

/// The caller's drafts, most recent first.
#[utoipa::path(get, path = "/api/drafts", tag = "drafts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Draft>)))]
pub async fn list_drafts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Draft>>> {
    let now = state.clock.now();
    Ok(Json(
        store::drafts::list(&state.db, &state.keys, &caller.account_id, now).await?,
    ))
}

/// One draft of the caller's.
#[utoipa::path(get, path = "/api/drafts/{id}", tag = "drafts",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Draft id")),
    responses(
        (status = 200, description = "`ETag` is the version", body = Draft,
            headers(("ETag" = String, description = "The version, quoted"))),
        (status = 404, description = "`draft_not_found` (also someone else's, or expired)", body = ApiErrorBody),
    ))]
pub async fn get_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response> {
    let now = state.clock.now();
    let draft = store::drafts::get(&state.db, &state.keys, &id, &caller.account_id, now)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::DraftNotFound))?;
    Ok(with_etag(StatusCode::OK, draft))
}

/// Replaces a draft's data if it is still at the version in `If-Match`.
#[utoipa::path(put, path = "/api/drafts/{id}", tag = "drafts",
    security(("bearer" = []), ("cookie" = [])),
    params(
        ("id" = String, Path, description = "Draft id"),
        ("If-Match" = String, Header, description = "`\"<version>\"` being replaced, or `*`"),
    ),
    request_body = DraftUpdate,
    responses(
        (status = 200, description = "Written; new `ETag`", body = Draft,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 404, description = "`draft_not_found`", body = ApiErrorBody),
        (status = 409, description = "`draft_version_conflict`: reload and merge", body = ApiErrorBody,
            headers(("ETag" = String, description = "The current version, quoted"))),
        (status = 428, description = "`precondition_required`: no If-Match", body = ApiErrorBody),
    ))]
pub async fn update_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<DraftUpdate>,
) -> Result<Response> {
    let expected = if_match(&headers)?;
    let now = state.clock.now();
    match store::drafts::update(
        &state.db,
        &state.keys,
        &id,
        &caller.account_id,
        expected,
        &req.data.to_string(),
        now,
        expiry(&state, now),
    )
    .await?
    {
        Update::Done(d) => Ok(with_etag(StatusCode::OK, d)),
        Update::NotFound => Err(ApiError::not_found(ErrorCode::DraftNotFound)),
        Update::Conflict(current) => {
            let etag = HeaderValue::from_str(&format!("\"{current}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
            Err(ApiError::conflict(
                ErrorCode::DraftVersionConflict,
                format!("the draft is at version {current}"),
            )
            .with_header(header::ETAG, etag))
        }
    }
}

/// Deletes a draft (e.g. after submission).
#[utoipa::path(delete, path = "/api/drafts/{id}", tag = "drafts",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Draft id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "`draft_not_found`", body = ApiErrorBody),
    ))]
pub async fn delete_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let now = state.clock.now();
    if store::drafts::delete(&state.db, &id, &caller.account_id, now).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(ErrorCode::DraftNotFound))
    }
}
