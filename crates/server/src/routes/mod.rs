//! The API's routes; modules mirror URL segments.
//!
//! Three groups with different limits: JSON endpoints (1 MiB bodies, the configured request
//! timeout), tus uploads (bodies bounded by `Upload-Length` and `Tus-Max-Size` instead, a long
//! timeout), and Server-Sent Event streams (no timeout: they are meant to stay open).

mod admin;
mod applications;
mod assisted;
mod consents;
pub(crate) mod department;
mod drafts;
pub mod embed_demo;
mod health;
mod messages;
mod oidc;
pub mod openapi;
mod privacy;
mod public;
mod qr;
mod receipt;
mod services;
mod session;
pub(crate) mod uploads;
mod wechat;
mod withdrawals;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onething_core::api::ErrorCode;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::error::ApiError;

/// Largest JSON body.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Everything under `/api`.
pub fn router(state: &AppState) -> Router<AppState> {
    let timeout = Duration::from_secs(state.config.request_timeout.max(1));
    let json = Router::new()
        .route("/health", get(health::get_health))
        .route("/health/live", get(health::get_live))
        .route("/health/ready", get(health::get_ready))
        .route("/services", get(services::list_services))
        .route("/services/{id}", get(services::get_service))
        .route(
            "/session",
            post(session::create_session)
                .get(session::get_session)
                .delete(session::delete_session),
        )
        .route("/session/oidc/start", get(oidc::start))
        .route("/session/oidc/callback", get(oidc::callback))
        .route("/wechat/jssdk-config", get(wechat::jssdk_config))
        .route("/dev/tickets", post(session::create_dev_ticket))
        .route("/openapi.json", get(openapi::get_openapi))
        .route("/privacy", get(privacy::get_privacy))
        .route("/public/published", get(public::list_published))
        .route(
            "/public/published/{id}/rating",
            post(public::rate_published),
        )
        .route(
            "/drafts",
            post(drafts::create_draft).get(drafts::list_drafts),
        )
        .route(
            "/drafts/{id}",
            get(drafts::get_draft)
                .put(drafts::update_draft)
                .delete(drafts::delete_draft),
        )
        .route(
            "/applications",
            post(applications::create_application).get(applications::list_applications),
        )
        .route("/applications/{id}", get(applications::get_application))
        .route(
            "/applications/{id}/receipt.svg",
            get(receipt::get_receipt_qr),
        )
        .route(
            "/applications/{id}/submission",
            get(applications::get_submission),
        )
        .route(
            "/applications/{id}/supplements/{supplement_id}",
            post(applications::answer_supplement),
        )
        .route(
            "/applications/{id}/withdraw",
            post(applications::withdraw_application),
        )
        .route(
            "/applications/{id}/rating",
            post(applications::rate_application),
        )
        .route(
            "/consents/{code}",
            get(consents::get_consent).post(consents::answer_consent),
        )
        .merge(assisted())
        .merge(after_submission())
        .merge(staff())
        .layer(middleware::from_fn_with_state(timeout, time_limit));

    // Streams stay open: no timeout.
    let streams = Router::new().route(
        "/applications/{id}/events",
        get(applications::application_events),
    );

    let uploads = tus().layer(middleware::from_fn_with_state(timeout * 20, time_limit));

    Router::new()
        .merge(json)
        .merge(uploads)
        .merge(streams)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .fallback(|| async { ApiError::not_found(ErrorCode::RouteNotFound) })
        .layer(middleware::from_fn(uniform_errors))
}

/// The tus 1.0 upload endpoints (their own, longer time limit is added by [`router`]).
fn tus() -> Router<AppState> {
    Router::new()
        .route(
            "/uploads",
            post(uploads::create_upload).options(uploads::options_uploads),
        )
        .route(
            "/uploads/",
            post(uploads::create_upload).options(uploads::options_uploads),
        )
        .route(
            "/uploads/{id}",
            get(uploads::get_upload)
                .head(uploads::head_upload)
                .patch(uploads::patch_upload)
                .delete(uploads::delete_upload)
                // tus 1.0 §"Core Protocol": X-HTTP-Method-Override, for clients that can only POST.
                .post(uploads::post_with_override)
                .options(uploads::options_uploads),
        )
        // tus 1.0 §Tus-Resumable: in every response.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("tus-resumable"),
            HeaderValue::from_static(uploads::TUS_VERSION),
        ))
}

/// 帮办代办: the agent's side (an agent's staff session) and the citizen's confirmation.
fn assisted() -> Router<AppState> {
    Router::new()
        .route(
            "/assisted",
            get(assisted::list_cases).post(assisted::start_case),
        )
        .route("/assisted/{id}", get(assisted::get_case))
        .route("/assisted/{id}/submit", post(assisted::submit_case))
        .route("/assisted/{id}/qr.svg", get(assisted::get_qr))
        .route(
            "/assisted/confirmations/{code}",
            get(assisted::get_confirmation).post(assisted::answer_confirmation),
        )
        .route(
            "/dev/agent-tickets",
            post(assisted::create_dev_agent_ticket),
        )
}

/// The citizen's side after submission beyond the case itself: the message centre and the
/// request to withdraw one sub-item of a partly accepted case.
fn after_submission() -> Router<AppState> {
    Router::new()
        .route("/messages", get(messages::list_messages))
        .route("/messages/read-all", post(messages::read_all_messages))
        .route("/messages/{id}/read", post(messages::read_message))
        .route(
            "/applications/{id}/items/{sub_item_id}/withdraw",
            post(withdrawals::request_item_withdrawal),
        )
}

/// The staff's side: the operator's (`/admin/`, the admin token) and the departments'
/// (`/department/`, a department token).
fn staff() -> Router<AppState> {
    Router::new()
        .route("/admin/applications", get(admin::list_all))
        .route("/admin/applications/{case}", get(admin::get_one))
        .route(
            "/admin/applications/{case}/items/{sub_item_id}",
            post(admin::move_item),
        )
        .route("/admin/keys/rotate", post(admin::rotate_key))
        .route("/admin/departments", get(admin::list_departments))
        .route(
            "/admin/departments/tokens",
            post(admin::create_department_token),
        )
        .route("/admin/agents", post(admin::create_agent))
        .route("/admin/audit", get(admin::list_audit))
        .route("/admin/metrics", get(admin::get_metrics))
        .route("/admin/services/reload", post(admin::reload_services))
        .route("/department", get(department::get_department))
        .route("/department/cases", get(department::list_queue))
        .route(
            "/department/cases/{case}/items/{sub_item_id}",
            get(department::get_case).post(department::move_item),
        )
        .route(
            "/department/cases/{case}/items/{sub_item_id}/withdrawal",
            post(department::answer_withdrawal),
        )
        .route(
            "/department/cases/{case}/items/{sub_item_id}/follow-ups",
            post(department::add_follow_up),
        )
        .route(
            "/department/cases/{case}/items/{sub_item_id}/files/{id}",
            get(department::get_file),
        )
}

/// Every error of the API is `{code, message, fields}`: axum's own rejections (a body over the
/// limit read as bytes, a path that is not valid UTF-8, a method a route does not have) answer
/// plain text or nothing, so they are rewritten here with the code their status means.
async fn uniform_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::BodyTooLarge, "body too large"),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::RouteNotFound,
            "this method is not allowed on this path",
        ),
        StatusCode::REQUEST_TIMEOUT => (ErrorCode::RequestTimeout, "the request took too long"),
        StatusCode::NOT_FOUND => (ErrorCode::RouteNotFound, "not found"),
        s if s.is_server_error() => {
            return ApiError::internal(format_args!("unformatted {s} from a layer"))
                .into_response();
        }
        _ => (ErrorCode::InvalidBody, "the request is malformed"),
    };
    let mut out = ApiError::new(status, code, message).into_response();
    // Keep what the status needs, e.g. `Allow` on 405.
    if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

/// Answers 408 `request_timeout` when a handler takes longer than `limit`. Dropping the handler
/// is safe: every write commits in a transaction, and a cut upload keeps its durable offset.
async fn time_limit(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::RequestTimeout,
            "the request took too long",
        )
        .into_response(),
    }
}
