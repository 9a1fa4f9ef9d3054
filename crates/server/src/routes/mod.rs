//! The API's routes; modules mirror URL segments.

mod health;
mod services;

use axum::Router;
use axum::routing::get;

use crate::AppState;
use crate::error::ApiError;

/// Everything under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::get_health))
        .route("/services", get(services::list_services))
        .route("/services/{id}", get(services::get_service))
        .fallback(|| async { ApiError::NotFound("route_not_found") })
}
