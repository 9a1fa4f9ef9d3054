//! Health, split for orchestrators: `GET /api/health/live` (the process answers: restart it
//! when not), `GET /api/health/ready` (the database answers and the catalogue is loaded: send it
//! traffic only when so), and `GET /api/health`, the readiness check under its first name.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onething_core::api::{ApiErrorBody, ErrorCode, Health};

use crate::{ApiError, AppState, Result, store};

/// Readiness, under its first name: as [`get_ready`].
#[utoipa::path(get, path = "/api/health", tag = "catalogue",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "`not_ready`: the database does not answer", body = ApiErrorBody),
    ))]
pub async fn get_health(state: State<AppState>) -> Result<Json<Health>> {
    get_ready(state).await
}

/// Liveness: the process answers requests. Touches nothing else, so a slow database never
/// gets a live server restarted.
#[utoipa::path(get, path = "/api/health/live", tag = "catalogue",
    responses((status = 200, body = Health)))]
pub async fn get_live(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        services: state.catalogue.all().len(),
    })
}

/// Readiness: the database answers (the catalogue and the master keys were loaded at start,
/// or the server would not run).
#[utoipa::path(get, path = "/api/health/ready", tag = "catalogue",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "`not_ready`: the database does not answer", body = ApiErrorBody),
    ))]
pub async fn get_ready(State(state): State<AppState>) -> Result<Json<Health>> {
    if let Err(e) = store::ping(&state.db).await {
        tracing::error!(error = %e, "not ready: the database does not answer");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::NotReady,
            "the database does not answer",
        ));
    }
    Ok(Json(Health {
        status: "ok".into(),
        services: state.catalogue.all().len(),
    }))
}
