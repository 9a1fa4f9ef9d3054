//! `/api/session`: exchange a platform ticket for a session, read it, end it.
//! A ticket that is not a development ticket goes to the app platform's exchange
//! ([`platform`]). `/api/dev/tickets` is the DEVELOPMENT-ONLY fake platform that issues tickets.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{
    ApiErrorBody, DevTicket, DevTicketRequest, ErrorCode, SessionCreated, SessionInfo,
    SessionRequest,
};

use crate::auth::{Caller, session_cookie};
use crate::clock::{hash_secret, new_id, rfc3339, secret_token};
use crate::error::JsonBody;
use crate::{ApiError, AppState, Result, identity, platform, store};

fn secs(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX / 4)
}

/// Exchanges a one-time ticket for a session. The token comes back in the body (for
/// `Authorization: Bearer`) and as an `HttpOnly` cookie.
///
/// With an `Idempotency-Key`, the same exchange may be asked again until the ticket expires,
/// when its answer was lost (a weak network, a page left while it ran): it signs in again, to
/// the same account, with a new session. A used ticket with another key, or none, is refused.
#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = SessionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Optional; random, 1-255 printable ASCII characters (a client may keep one for all its tickets), sent again with the same ticket when an exchange's answer was lost")),
    responses(
        (status = 201, description = "Signed in; `Set-Cookie` carries the same token", body = SessionCreated),
        (status = 400, description = "`idempotency_key_missing`: the `Idempotency-Key` sent is empty, longer than 255 characters or not printable ASCII", body = ApiErrorBody),
        (status = 401, description = "`ticket_invalid`: unknown, used (by an exchange with another key) or expired (here or at the platform's exchange)", body = ApiErrorBody),
        (status = 502, description = "`identity_provider_unavailable`: the platform's exchange timed out or failed", body = ApiErrorBody),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SessionRequest>,
) -> Result<Response> {
    let now = state.clock.now();
    let invalid = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TicketInvalid,
            "ticket unknown, used or expired",
        )
    };
    let key = exchange_key(&headers)?;
    let ticket = hash_secret(&req.ticket);
    // The same ticket's exchange asked again with its key (none without a key).
    let replayed = async || match &key {
        Some(k) => store::accounts::replayed_ticket(&state.db, &ticket, k, now).await,
        None => Ok(None),
    };
    // A development ticket first (unless every ticket is the platform's): it is ours, and
    // looking it up costs no call to the platform. Then the same exchange asked again.
    let local = if state.config.ticket_exchange_only {
        replayed().await?
    } else {
        store::accounts::consume_ticket(&state.db, &ticket, key.as_deref(), now).await?
    };
    let account_id = if let Some(id) = local {
        id
    } else {
        match platform::exchange(&state.config, &req.ticket).await? {
            Some(who) => {
                let id = account_for(&state, who, "platform", now).await?.id;
                if let Some(k) = &key {
                    let expires_at = now + secs(state.config.ticket_ttl);
                    store::accounts::record_used_ticket(
                        &state.db, &ticket, &id, k, now, expires_at,
                    )
                    .await?;
                }
                id
            }
            // Refused: used up meanwhile by the same exchange asked twice at once?
            None => replayed().await?.ok_or_else(invalid)?,
        }
    };
    let account = store::accounts::get(&state.db, &state.keys, &account_id)
        .await?
        .ok_or_else(invalid)?;
    start_session(&state, account, now).await
}

/// The hash of the exchange's `Idempotency-Key`, if it sent one: 1-255 printable ASCII characters,
/// as for a submission (`headers::idempotency_key`).
fn exchange_key(headers: &HeaderMap) -> Result<Option<String>> {
    let Some(key) = crate::headers::idempotency_key(headers) else {
        return Ok(None);
    };
    let Ok(key) = key else {
        return Err(ApiError::bad_request(
            ErrorCode::IdempotencyKeyMissing,
            "an Idempotency-Key is 1-255 printable ASCII characters",
        )
        .with_fields(["Idempotency-Key"]));
    };
    Ok(Some(hash_secret(key)))
}

/// The account of the person a platform (or an OIDC provider) named, made on their first
/// visit. The subject is namespaced by where it comes from (`platform`, `oidc`) so it can never
/// meet a development subject or another source's.
pub(crate) async fn account_for(
    state: &AppState,
    who: platform::PlatformIdentity,
    source: &str,
    now: i64,
) -> Result<onething_core::api::Account> {
    let fresh = onething_core::api::Account {
        id: new_id(),
        name: who.name.unwrap_or_default(),
        phone: who.phone.unwrap_or_default(),
        id_number: who.id_number.unwrap_or_default(),
    };
    let subject = format!("{source}:{}", who.subject);
    // The provider vouches at every sign-in: the account follows a changed name or phone.
    Ok(store::accounts::refresh_by_subject(&state.db, &state.keys, &subject, &fresh, now).await?)
}

/// Opens a session for `account`: `201` with the token in the body and in the cookie.
async fn start_session(
    state: &AppState,
    account: onething_core::api::Account,
    now: i64,
) -> Result<Response> {
    let token = secret_token();
    let expires_at = now + secs(state.config.session_ttl);
    store::accounts::insert_session(
        &state.db,
        &hash_secret(&token),
        &account.id,
        now,
        expires_at,
    )
    .await?;
    let cookie = session_cookie(state, &token, state.config.session_ttl);
    let body = SessionCreated {
        token,
        expires_at: rfc3339(expires_at),
        account,
    };
    Ok((
        StatusCode::CREATED,
        [(header::SET_COOKIE, cookie), no_store()],
        Json(body),
    )
        .into_response())
}

/// The current session and its account (the prefill data the platform vouched for).
#[utoipa::path(get, path = "/api/session", tag = "session",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, description = "`unauthenticated`", body = ApiErrorBody),
    ))]
pub async fn get_session(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    let account = store::accounts::get(&state.db, &state.keys, &caller.account_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let body = SessionInfo {
        expires_at: rfc3339(caller.expires_at),
        account,
    };
    Ok(([no_store()], Json(body)).into_response())
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(delete, path = "/api/session", tag = "session",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated`", body = ApiErrorBody),
    ))]
pub async fn delete_session(State(state): State<AppState>, caller: Caller) -> Result<Response> {
    store::accounts::delete_session(&state.db, &caller.session_hash).await?;
    let cookie = session_cookie(&state, "", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// DEVELOPMENT ONLY (`--dev-tickets`): plays the app platform. Issues a single-use ticket for
/// an account with a generated, valid-looking but fake identity (or the fields given).
#[utoipa::path(post, path = "/api/dev/tickets", tag = "development",
    request_body(content = Option<DevTicketRequest>, description = "Optional; so is each field"),
    responses(
        (status = 201, body = DevTicket),
        (status = 404, description = "`dev_tickets_disabled`", body = ApiErrorBody),
    ))]
pub async fn create_dev_ticket(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Response> {
    if !state.config.dev_tickets {
        return Err(ApiError::not_found(ErrorCode::DevTicketsDisabled));
    }
    let invalid =
        |e: serde_json::Error| ApiError::bad_request(ErrorCode::InvalidBody, e.to_string());
    // No body and `null` both mean "all defaults"; anything else must be the object (serde
    // alone would also read a struct from an array such as `[null, null]`).
    let req: DevTicketRequest = if body.iter().all(u8::is_ascii_whitespace) {
        DevTicketRequest::default()
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body).map_err(invalid)? {
            serde_json::Value::Null => DevTicketRequest::default(),
            v @ serde_json::Value::Object(_) => serde_json::from_value(v).map_err(invalid)?,
            _ => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidBody,
                    "the body is a JSON object (or empty)",
                ));
            }
        }
    };
    let now = state.clock.now();
    let mut fresh = identity::fake_account();
    fresh.id = new_id();
    if let Some(n) = req.name {
        fresh.name = n;
    }
    if let Some(p) = req.phone {
        fresh.phone = p;
    }
    if let Some(i) = req.id_number {
        fresh.id_number = i;
    }
    let subject = req.subject.unwrap_or_else(|| format!("dev-{}", new_id()));
    let account =
        store::accounts::upsert_by_subject(&state.db, &state.keys, &subject, &fresh, now).await?;
    let ticket = secret_token();
    let expires_at = now + secs(state.config.ticket_ttl);
    store::accounts::insert_ticket(&state.db, &hash_secret(&ticket), &account.id, expires_at)
        .await?;
    let body = DevTicket {
        ticket,
        expires_at: rfc3339(expires_at),
        account,
    };
    Ok((StatusCode::CREATED, [no_store()], Json(body)).into_response())
}

/// Responses with secrets or personal data must not be cached anywhere.
fn no_store() -> (header::HeaderName, header::HeaderValue) {
    (
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    )
}
