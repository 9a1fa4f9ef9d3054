//! `/api/privacy`: what this server does with personal data (how long drafts, unused uploads
//! and finished cases are kept, how they are protected), read by the SPA's privacy notice so
//! that what it tells a person is what this server's configuration does.

use axum::Json;
use axum::extract::State;
use onething_core::api::{PRIVACY_NOTICE_VERSION, PrivacyFacts};

use crate::AppState;

/// The figures the privacy notice states, from this server's configuration.
#[utoipa::path(get, path = "/api/privacy", tag = "catalogue",
    responses((status = 200, body = PrivacyFacts)))]
pub async fn get_privacy(State(state): State<AppState>) -> Json<PrivacyFacts> {
    Json(PrivacyFacts {
        notice_version: PRIVACY_NOTICE_VERSION.to_owned(),
        draft_ttl_days: state.config.draft_ttl_days,
        upload_ttl_hours: state.config.upload_ttl_hours,
        retention_days: state.config.retention_days,
        // Every sealed column and stored file (`crate::crypto`).
        encryption_at_rest: "AES-256-GCM".to_owned(),
    })
}
