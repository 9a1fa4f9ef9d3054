//! OneThing's reference API server, as a library: [`app`] builds the whole router from an
//! [`AppState`], so tests drive it without a network and `main.rs` only parses configuration.

pub mod catalogue;
pub mod config;
pub mod error;
mod headers;
pub mod routes;
mod spa;
pub mod state;

use axum::Router;
use tower_http::compression::CompressionLayer;

pub use config::Config;
pub use error::{ApiError, Result};
pub use state::AppState;

/// The whole application: the API under `/api`, and the SPA (when a build directory is
/// configured) everywhere else, with an `index.html` fallback so deep links work.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new().nest("/api", routes::router());
    if let Some(dir) = state.static_dir.clone() {
        router = router.fallback_service(spa::service(&dir));
    }
    headers::layer(router.with_state(state)).layer(CompressionLayer::new().br(true).gzip(true))
}
