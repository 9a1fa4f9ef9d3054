//! `GET /api/applications/{id}/receipt.svg`: the QR code of a case's tracking link for its
//! printable receipt, as SVG, to its applicant only. Made here so the SPA carries no QR encoder
//! (the `qrcode` crate with its SVG renderer only: no image crates).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{ApiErrorBody, ErrorCode};
use serde::Deserialize;

use crate::auth::Caller;
use crate::{ApiError, AppState, Result, store};

/// Longest tracking link encoded.
const LINK_MAX: usize = 512;

/// Query of the endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// The tracking link to encode: an absolute `http(s)` URL of this case's page in the app
    /// (its path ends with `/applications/{id}`), as the app knows its own address.
    pub link: String,
}

/// Whether `link` is an absolute http(s) URL of case `id`'s page, of a sane length, in plain
/// printable ASCII.
fn link_ok(link: &str, id: &str) -> bool {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    link.len() <= LINK_MAX
        && link.bytes().all(|b| b.is_ascii_graphic())
        && rest.is_some_and(|r| r.split_once('/').is_some_and(|(host, _)| !host.is_empty()))
        && link.ends_with(&format!("/applications/{id}"))
}

/// The QR code (SVG) of the case's tracking link.
#[utoipa::path(get, path = "/api/applications/{id}/receipt.svg", tag = "applications",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Application id"), ReceiptQuery),
    responses(
        (status = 200, description = "`image/svg+xml`: the QR code of `link`", content_type = "image/svg+xml", body = String),
        (status = 400, description = "`invalid_body`: `link` is not this case's page (absolute http(s) URL ending in `/applications/{id}`, at most 512 characters)", body = ApiErrorBody),
        (status = 404, description = "`application_not_found` (also someone else's)", body = ApiErrorBody),
    ))]
pub async fn get_receipt_qr(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: std::result::Result<Query<ReceiptQuery>, QueryRejection>,
) -> Result<Response> {
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.body_text()))?;
    let mut conn = state.db.acquire().await?;
    if store::applications::owner(&mut conn, &id).await?.as_deref()
        != Some(caller.account_id.as_str())
    {
        return Err(ApiError::not_found(ErrorCode::ApplicationNotFound));
    }
    if !link_ok(&q.link, &id) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "link: an absolute http(s) URL of this case's page, at most 512 characters",
        )
        .with_fields(["link"]));
    }
    let code = qrcode::QrCode::with_error_correction_level(q.link.as_bytes(), qrcode::EcLevel::M)
        .map_err(ApiError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::link_ok;

    #[test]
    fn only_this_cases_page_is_encoded() {
        assert!(link_ok("https://app.example/applications/abc", "abc"));
        assert!(link_ok(
            "http://127.0.0.1:8080/onething/applications/abc",
            "abc"
        ));
        assert!(!link_ok("https://app.example/applications/abd", "abc"));
        assert!(!link_ok("javascript:alert(1)//applications/abc", "abc"));
        assert!(!link_ok("https:///applications/abc", "abc"));
        assert!(!link_ok("https://a b/applications/abc", "abc"));
        let long = format!("https://a/{}/applications/abc", "x".repeat(600));
        assert!(!link_ok(&long, "abc"));
    }
}
