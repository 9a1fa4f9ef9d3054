//! QR codes of the app's own pages, drawn here as SVG so the SPA carries no QR encoder (the
//! `qrcode` crate with its SVG renderer only: no image crates). The app sends the link it
//! knows as its own address; only a link to the one page the caller may show is drawn.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::ErrorCode;
use serde::Deserialize;

use crate::{ApiError, Result};

/// Longest link encoded.
const LINK_MAX: usize = 512;

/// Query of a QR endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// The link to encode: an absolute `http(s)` URL of the app's page for this resource (for a
    /// receipt `…/applications/{id}`, for an assisted case `…/assisted/confirm/{code}`), as the
    /// app knows its own address; at most 512 characters.
    pub link: String,
}

/// Whether `link` is an absolute http(s) URL with a host whose path ends with `page`, of a sane
/// length, in plain printable ASCII.
pub fn link_ok(link: &str, page: &str) -> bool {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    link.len() <= LINK_MAX
        && link.bytes().all(|b| b.is_ascii_graphic())
        && rest.is_some_and(|r| r.split_once('/').is_some_and(|(host, _)| !host.is_empty()))
        && link.ends_with(page)
}

/// The SVG of the QR code of the query's link, when it is a link to `page` (after the caller's
/// right to the resource was checked: someone else's resource is not found, whatever the query).
///
/// # Errors
/// `invalid_body` when the query is missing or the link is not to `page`.
pub fn svg(
    query: std::result::Result<Query<LinkQuery>, QueryRejection>,
    page: &str,
    min_size: u32,
) -> Result<Response> {
    let Query(q) =
        query.map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.body_text()))?;
    if !link_ok(&q.link, page) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "link: an absolute http(s) URL of this resource's page in the app, at most 512 characters",
        )
        .with_fields(["link"]));
    }
    let code = qrcode::QrCode::with_error_correction_level(q.link.as_bytes(), qrcode::EcLevel::M)
        .map_err(ApiError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(min_size, min_size)
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
    fn only_the_named_page_is_encoded() {
        assert!(link_ok(
            "https://app.example/applications/abc",
            "/applications/abc"
        ));
        assert!(link_ok(
            "http://127.0.0.1:8080/onething/assisted/confirm/K7QM2XPD",
            "/assisted/confirm/K7QM2XPD"
        ));
        assert!(!link_ok(
            "https://app.example/applications/abd",
            "/applications/abc"
        ));
        assert!(!link_ok("/applications/abc", "/applications/abc"));
        assert!(!link_ok(
            "javascript:alert(1)//applications/abc",
            "/applications/abc"
        ));
        assert!(!link_ok("https:///applications/abc", "/applications/abc"));
        assert!(!link_ok(
            "https://a b/applications/abc",
            "/applications/abc"
        ));
        let long = format!("https://a/{}/applications/abc", "x".repeat(600));
        assert!(!link_ok(&long, "/applications/abc"));
    }
}
