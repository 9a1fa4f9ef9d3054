//! `POST /api/applications/{id}/items/{sub_item_id}/withdraw`: once a department has accepted
//! part of a case, the whole case can no longer be withdrawn (`…/withdraw`); the citizen asks
//! the department of one sub-item to withdraw it instead, with a reason. The department answers
//! through its API (`routes::department::answer_withdrawal`); the timeline shows both.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::api::{
    ApiErrorBody, ApplicationDetail, ErrorCode, SubItemStatus, TimelineKind, WithdrawRequest,
};

use crate::auth::Caller;
use crate::error::JsonBody;
use crate::store::{self, applications as db};
use crate::{ApiError, AppState, Result};

/// Whether a sub-item in `status` can still be withdrawn (not decided, done or withdrawn).
pub fn may_ask(status: SubItemStatus) -> bool {
    matches!(
        status,
        SubItemStatus::Received
            | SubItemStatus::Accepted
            | SubItemStatus::InProgress
            | SubItemStatus::SupplementRequested
    )
}

/// Asks the department of one sub-item to withdraw it (撤回申请), with the citizen's reason.
#[utoipa::path(post, path = "/api/applications/{id}/items/{sub_item_id}/withdraw", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(
        ("id" = String, Path, description = "Application id"),
        ("sub_item_id" = String, Path, description = "The sub-item to withdraw"),
    ),
    request_body = WithdrawRequest,
    responses(
        (status = 200, description = "Asked; the case now (its timeline shows the request)", body = ApplicationDetail),
        (status = 404, description = "`application_not_found` (also someone else's), `sub_item_not_found`", body = ApiErrorBody),
        (status = 409, description = "`item_withdraw_not_allowed`: the sub-item is decided, done or withdrawn, or a request waits already", body = ApiErrorBody),
        (status = 422, description = "`withdraw_reason_invalid`: the reason is empty or longer than 200 characters", body = ApiErrorBody),
    ))]
pub async fn request_item_withdrawal(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sub_item_id)): Path<(String, String)>,
    JsonBody(request): JsonBody<WithdrawRequest>,
) -> Result<Json<ApplicationDetail>> {
    let reason = super::applications::withdraw_reason(&request)?;
    let now = state.clock.now();
    let mut tx = store::begin_immediate(&state.db).await?;
    if db::owner(&mut tx, &id).await?.as_deref() != Some(caller.account_id.as_str()) {
        return Err(ApiError::not_found(ErrorCode::ApplicationNotFound));
    }
    let item = db::items(&mut tx, &id)
        .await?
        .into_iter()
        .find(|i| i.sub_item_id == sub_item_id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::SubItemNotFound))?;
    let not_allowed =
        |why: &str| ApiError::conflict(ErrorCode::ItemWithdrawNotAllowed, why.to_owned());
    if !may_ask(item.status()) {
        return Err(not_allowed(
            "this sub-item is decided, done or withdrawn already",
        ));
    }
    if !store::item_withdrawals::insert(&mut tx, &state.keys, &id, &sub_item_id, reason, now)
        .await?
    {
        return Err(not_allowed(
            "a request to withdraw it waits for the department",
        ));
    }
    db::touch(&mut tx, &id, now).await?;
    db::insert_event(
        &mut tx,
        &id,
        now,
        TimelineKind::WithdrawalRequested,
        Some(&sub_item_id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(application = %id, sub_item = %sub_item_id, "withdrawal of a sub-item requested");
    state.notify(&id);
    let mut conn = state.db.acquire().await?;
    let detail = db::detail(&mut conn, &state.keys, &id, Some(&caller.account_id), now)
        .await?
        .ok_or_else(|| ApiError::not_found(ErrorCode::ApplicationNotFound))?;
    Ok(Json(detail))
}
