//! `/api/messages`: the message centre (消息中心). The caller's own notices (补正, consent
//! requests and answers, requests to the caller as the holder of an e-licence, withdrawal
//! answers, rating follow-ups, 容缺 deadlines, results ready), newest first, with the unread count;
//! marking one or all read. Another person's notice is 404, as if it did not exist.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::api::{ApiErrorBody, ErrorCode, Message, MessageKind, MessageList};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::store::notifications as store;
use crate::{ApiError, AppState, Result, notify};

/// How many notices the list shows.
const LIST_LIMIT: u32 = 100;

async fn list_of(state: &AppState, caller: &Caller) -> Result<MessageList> {
    notify::notice_consents_asked(state, &caller.account_id).await?;
    let mut conn = state.db.acquire().await?;
    let rows = store::list(&mut conn, &caller.account_id, LIST_LIMIT).await?;
    let unread = store::unread(&mut conn, &caller.account_id).await?;
    let messages = rows
        .iter()
        .filter_map(|r| {
            let kind = MessageKind::parse(&r.kind)?;
            // The holder of a consent request is not the case's owner: the notice opens the
            // consent page, not the case.
            let consent_code = notify::asked_code(&r.event_key).map(str::to_owned);
            Some(Message {
                id: u64::try_from(r.id).ok()?,
                kind,
                application_id: r
                    .application_id
                    .clone()
                    .filter(|_| kind != MessageKind::ConsentAsked),
                consent_code,
                case_number: r.case_number.clone(),
                service_id: r.service_id.clone(),
                sub_item_id: r.sub_item_id.clone(),
                due_on: r.due_on.clone(),
                text: notify::text(&state.catalogue, r),
                created_at: rfc3339(r.created_at),
                read: r.read_at.is_some(),
            })
        })
        .collect();
    Ok(MessageList { messages, unread })
}

/// The caller's notices, newest first (the latest 100), and how many are unread.
#[utoipa::path(get, path = "/api/messages", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = MessageList)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MessageList>> {
    Ok(Json(list_of(&state, &caller).await?))
}

/// Marks one of the caller's notices read (again is fine); answers the list as it is now.
#[utoipa::path(post, path = "/api/messages/{id}/read", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = u64, Path, description = "Message id")),
    responses(
        (status = 200, description = "Read; the list now", body = MessageList),
        (status = 404, description = "`message_not_found` (also someone else's)", body = ApiErrorBody),
    ))]
pub async fn read_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MessageList>> {
    let not_found = || ApiError::not_found(ErrorCode::MessageNotFound);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let mut conn = state.db.acquire().await?;
    if !store::mark_read(&mut conn, &caller.account_id, id, state.clock.now()).await? {
        return Err(not_found());
    }
    drop(conn);
    Ok(Json(list_of(&state, &caller).await?))
}

/// Marks every notice of the caller read; answers the list as it is now.
#[utoipa::path(post, path = "/api/messages/read-all", tag = "messages",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "All read; the list now", body = MessageList)))]
pub async fn read_all_messages(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MessageList>> {
    let mut conn = state.db.acquire().await?;
    store::mark_all_read(&mut conn, &caller.account_id, state.clock.now()).await?;
    drop(conn);
    Ok(Json(list_of(&state, &caller).await?))
}
