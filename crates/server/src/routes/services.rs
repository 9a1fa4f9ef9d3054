//! `GET /api/services` and `GET /api/services/{id}`: the catalogue and one definition.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::ServiceDefinition;
use onething_core::api::ServiceSummary;

use crate::{ApiError, AppState, Result};

/// The catalogue, sorted by id.
pub async fn list_services(State(state): State<AppState>) -> Json<Vec<ServiceSummary>> {
    Json(
        state
            .catalogue
            .all()
            .iter()
            .map(ServiceSummary::from)
            .collect(),
    )
}

/// One whole definition; `service_not_found` when no such id.
pub async fn get_service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ServiceDefinition>> {
    state
        .catalogue
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound("service_not_found"))
}
