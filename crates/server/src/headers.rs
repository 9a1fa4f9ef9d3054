//! Security headers on every response, CORS for the configured origins, and the strict CSP of
//! API responses (the SPA's HTML gets its own, with a per-request nonce: see `spa.rs`).

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The idempotency header (IETF draft-ietf-httpapi-idempotency-key-header).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The request's `Idempotency-Key`, if it sent one: `Ok` when it is as the contract states it,
/// 1-255 printable ASCII characters (spaces inside it, none around it: HTTP drops those; no tab
/// or control character), `Err` otherwise.
pub fn idempotency_key(headers: &HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(IDEMPOTENCY_KEY)?;
    Some(
        value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| {
                (1..=255).contains(&k.len()) && k.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
            })
            .ok_or(()),
    )
}

/// Adds the headers every response carries; HSTS when served over https.
pub fn layer(router: Router, config: &Config) -> Router {
    let fixed: [(HeaderName, &'static str); 3] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("permissions-policy"),
            "geolocation=(), microphone=(), payment=(), usb=()",
        ),
    ];
    let mut router = fixed.into_iter().fold(router, |r, (name, value)| {
        r.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    });
    if config.https {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    router
}

/// The API's own CSP: its responses are data, never documents to render or frame.
pub fn api_csp() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    )
}

/// CORS for the configured origins (none: same-origin only, no CORS headers at all).
pub fn cors(config: &Config) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let names = |list: &[&'static str]| -> Vec<HeaderName> {
        list.iter().map(|n| HeaderName::from_static(n)).collect()
    };
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::HEAD,
                Method::OPTIONS,
            ])
            .allow_headers(names(&[
                "authorization",
                "content-type",
                "if-match",
                IDEMPOTENCY_KEY,
                "tus-resumable",
                "upload-length",
                "upload-offset",
                "upload-metadata",
                "upload-checksum",
                "upload-defer-length",
            ]))
            .expose_headers(names(&[
                "etag",
                "location",
                "upload-offset",
                "upload-length",
                "upload-expires",
                "upload-metadata",
                "tus-resumable",
                "tus-version",
                "tus-extension",
                "tus-max-size",
                "tus-checksum-algorithm",
                "idempotent-replayed",
                "retry-after",
            ]))
            .max_age(Duration::from_mins(10)),
    )
}
