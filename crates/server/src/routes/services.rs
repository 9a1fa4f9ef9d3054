//! `GET /api/services` and `GET /api/services/{id}`: the catalogue and one definition.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::ServiceDefinition;
use onething_core::api::ServiceSummary;

use crate::{ApiError, AppState, Result};

/// The catalogue, sorted by id.
#[utoipa::path(get, path = "/api/services", tag = "catalogue",
    responses((status = 200, body = Vec<ServiceSummary>)))]
pub async fn list_services(State(state): State<AppState>) -> Json<Vec<ServiceSummary>> {
    Json(
        state
            .catalogue
            .all()
            .iter()
            .map(|d| ServiceSummary::from(*d))
            .collect(),
    )
}

/// One whole definition; `service_not_found` when no such id.
#[utoipa::path(get, path = "/api/services/{id}", tag = "catalogue",
    params(("id" = String, Path, description = "Service id, e.g. `newborn`")),
    responses(
        (status = 200, description = "The definition (`onething_core::ServiceDefinition`)", body = Object),
        (status = 404, description = "`service_not_found`", body = onething_core::api::ApiErrorBody),
    ))]
pub async fn get_service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ServiceDefinition>> {
    state
        .catalogue
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::not_found(
            onething_core::api::ErrorCode::ServiceNotFound,
        ))
}
