//! DEVELOPMENT ONLY (`--dev-tickets`): `GET /embed-demo`, a host page that embeds the SPA in an
//! iframe and plays an app platform through the postMessage protocol (`docs/embedding.md`): it
//! issues a login ticket with the development issuer, switches elder mode, language and theme,
//! sizes the iframe to the app's height, and lists every event the app sends.
//!
//! `?app=<url>` embeds the SPA from another origin (default: this server's `/`); the page's CSP
//! allows framing exactly that origin and nothing else.

use axum::extract::Query;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::clock::random_bytes;

const PAGE: &str = include_str!("../../static/embed-demo.html");

/// The query of `GET /embed-demo`.
#[derive(Debug, Deserialize)]
pub struct DemoQuery {
    /// The SPA's URL to embed.
    pub app: Option<String>,
}

/// `scheme://host[:port]` of an absolute http(s) URL, or `None` for anything else.
pub fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let valid = !authority.is_empty()
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    valid.then(|| &url[..scheme.len() + 3 + end])
}

/// The demo host page.
pub async fn get_embed_demo(Query(query): Query<DemoQuery>) -> Response {
    let frame_src = match query.app.as_deref().map(origin_of) {
        Some(Some(origin)) => format!("'self' {origin}"),
        // No app URL or an unusable one: the page embeds this server's own SPA.
        _ => "'self'".to_owned(),
    };
    let nonce = STANDARD.encode(random_bytes::<16>());
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         connect-src 'self'; frame-src {frame_src}; img-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    );
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        crate::spa::with_nonce(PAGE, &nonce),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_origins_are_framed() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://a.gov.cn/onething/?x=1"),
            Some("https://a.gov.cn")
        );
        assert_eq!(origin_of("http://[::1]:9000"), Some("http://[::1]:9000"));
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("http://a b/"), None);
        assert_eq!(origin_of("https://a.gov.cn;script-src *"), None);
        assert_eq!(origin_of("/relative"), None);
    }
}
