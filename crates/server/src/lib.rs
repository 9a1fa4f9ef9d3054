//! OneThing's reference API server, as a library: [`app`] builds the whole router from an
//! [`AppState`], so tests drive it without a network and `main.rs` only parses configuration.

pub mod admin_cli;
pub mod auth;
pub mod blob;
pub mod catalogue;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
mod headers;
pub mod identity;
pub mod maintenance;
pub mod media;
pub mod metrics;
pub mod notify;
pub mod platform;
pub mod publication;
pub mod request_log;
pub mod routes;
mod spa;
pub mod state;
pub mod store;
pub mod tracking;
pub mod tus;
pub mod workflow;

use axum::Router;
use tower_http::compression::CompressionLayer;

pub use config::Config;
pub use error::{ApiError, Result};
pub use state::AppState;

/// The whole application: the API under `/api`, and the SPA (when a build directory is
/// configured) everywhere else, with an `index.html` fallback so deep links work.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    let mut api = routes::router(&state).layer(headers::api_csp());
    if let Some(cors) = headers::cors(&config) {
        api = api.layer(cors);
    }
    let mut router = Router::new().nest("/api", api);
    if config.dev_tickets {
        // The demo host page signs in with development tickets, so it exists only with them.
        router = router.route(
            "/embed-demo",
            axum::routing::get(routes::embed_demo::get_embed_demo),
        );
    }
    if let Some(dir) = state.static_dir.clone() {
        let index = spa::index_handler(dir.clone(), config.frame_ancestors.clone());
        router = router
            .route_service("/", index.clone())
            .route_service("/index.html", index)
            .fallback_service(spa::service(&dir, &config.frame_ancestors));
    }
    let metrics = state.metrics.clone();
    let router = router
        .with_state(state)
        .layer(axum::middleware::from_fn(request_log::log_request))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ));
    // What is not precompressed (JSON answers, the per-request `index.html`) is compressed on
    // the fly at a cheap level: a few hundred bytes saved are not worth milliseconds of CPU per
    // answer. Responses that already carry an encoding (the build's `.br`/`.gz`) pass through.
    headers::layer(router, &config).layer(
        CompressionLayer::new()
            .br(true)
            .gzip(true)
            .quality(tower_http::CompressionLevel::Precise(4)),
    )
}
