//! `GET /api/applications/{id}/receipt.svg`: the QR code of a case's tracking link for its
//! printable receipt, as SVG, to its applicant only.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use onething_core::api::{ApiErrorBody, ErrorCode};

use super::qr::{self, LinkQuery};
use crate::auth::Caller;
use crate::{ApiError, AppState, Result, store};

/// The QR code (SVG) of the case's tracking link.
#[utoipa::path(get, path = "/api/applications/{id}/receipt.svg", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id"), LinkQuery),
    responses(
        (status = 200, description = "`image/svg+xml`: the QR code of `link`", content_type = "image/svg+xml", body = String),
        (status = 400, description = "`invalid_body`: `link` is not this case's page (absolute http(s) URL ending in `/applications/{id}`, at most 512 characters)", body = ApiErrorBody),
        (status = 404, description = "`application_not_found` (also someone else's)", body = ApiErrorBody),
    ))]
pub async fn get_receipt_qr(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: std::result::Result<Query<LinkQuery>, QueryRejection>,
) -> Result<Response> {
    // Whose case it is comes first: someone else's case is not found, whatever the query says.
    let mut conn = state.db.acquire().await?;
    if store::applications::owner(&mut conn, &id).await?.as_deref()
        != Some(caller.account_id.as_str())
    {
        return Err(ApiError::not_found(ErrorCode::ApplicationNotFound));
    }
    qr::svg(query, &format!("/applications/{id}"), 160)
}
