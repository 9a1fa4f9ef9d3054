//! `/api/admin/`: the departments' side, for running and testing the product. Every route needs
//! `Authorization: Bearer <admin token>`; without a configured token the routes do not exist.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::api::{
    AdminTransition, ApiErrorBody, ApplicationDetail, ApplicationSummary, ErrorCode,
};

use crate::auth::Admin;
use crate::error::JsonBody;
use crate::store::applications as db;
use crate::{ApiError, AppState, Result, tracking};

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
    db::detail(&mut conn, &id, None, state.clock.now())
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
    Ok(Json(resolve(&state, &case).await?))
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
    tracking::transition(&state, &app.id, &sub_item_id, &req).await?;
    Ok(Json(resolve(&state, &app.id).await?))
}
