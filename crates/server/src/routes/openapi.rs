//! The contract as OpenAPI 3.1, generated from the handlers' annotations and the types of
//! `onething_core::api`; served at `/api/openapi.json` and committed as `docs/openapi.json`
//! (a test fails when the two differ).

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, applications, drafts, health, services, session, uploads};
use onething_core::api;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "OneThing API",
        description = "The contract between the OneThing SPA and its backend: sessions, drafts, tus 1.0 uploads, exactly-once submission and tracking. Every error is `{code, message, fields}` with a stable `code` (see the ErrorCode schema). Times are RFC 3339 UTC.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        health::get_health,
        services::list_services,
        services::get_service,
        session::create_session,
        session::get_session,
        session::delete_session,
        session::create_dev_ticket,
        drafts::create_draft,
        drafts::list_drafts,
        drafts::get_draft,
        drafts::update_draft,
        drafts::delete_draft,
        uploads::options_uploads,
        uploads::create_upload,
        uploads::head_upload,
        uploads::patch_upload,
        uploads::delete_upload,
        uploads::post_with_override,
        uploads::get_upload,
        applications::create_application,
        applications::list_applications,
        applications::get_application,
        applications::application_events,
        applications::answer_supplement,
        applications::rate_application,
        admin::list_all,
        admin::get_one,
        admin::move_item,
        get_openapi,
    ),
    components(schemas(api::ErrorCode, api::ApiErrorBody, api::FieldProblem)),
    modifiers(&Security),
    tags(
        (name = "catalogue", description = "Service definitions"),
        (name = "session", description = "Sign-in with a platform ticket; cookie or bearer token"),
        (name = "development", description = "DEVELOPMENT ONLY: the fake platform's ticket issuer (`--dev-tickets`)"),
        (name = "drafts", description = "Save and return, with optimistic concurrency (ETag / If-Match)"),
        (name = "uploads", description = "tus 1.0.0: creation, creation-with-upload, termination, expiration, checksum (sha1, sha256)"),
        (name = "applications", description = "Submission exactly once (Idempotency-Key) and tracking"),
        (name = "admin", description = "Departments' side, behind the admin token"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The session token from `POST /api/session`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The same token as an HttpOnly cookie (Path=/api)",
            ))),
        );
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The admin token (`--admin-token`)"))
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline (the committed file's form).
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "catalogue",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
#[allow(clippy::unused_async)] // axum handlers are async
pub async fn get_openapi() -> Json<serde_json::Value> {
    Json(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}
