//! `GET /api/health`: the store answers and the catalogue is loaded.

use axum::Json;
use axum::extract::State;
use onething_core::api::Health;

use crate::{AppState, Result, store};

/// Reports liveness; fails (500) when the database does not answer.
#[utoipa::path(get, path = "/api/health", tag = "catalogue",
    responses((status = 200, body = Health), (status = 500, description = "`internal`", body = onething_core::api::ApiErrorBody)))]
pub async fn get_health(State(state): State<AppState>) -> Result<Json<Health>> {
    store::ping(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        services: state.catalogue.all().len(),
    }))
}
