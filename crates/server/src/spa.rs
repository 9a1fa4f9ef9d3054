//! Serving the built SPA: files as they are, and `index.html` (status 200) for every other path
//! so that deep links such as `/services/newborn` work after a reload.
//!
//! `index.html` is served with a Content-Security-Policy carrying a fresh nonce, which is also
//! written into its `<script>` and `<style>` tags: Trunk's loader is an inline module script,
//! and a nonce lets exactly that script run without allowing inline scripts in general.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tower_http::services::ServeDir;

use crate::clock::random_bytes;

/// The static-file service with the SPA fallback.
pub fn service(
    dir: &Path,
    frame_ancestors: &str,
) -> ServeDir<MethodRouter<(), std::convert::Infallible>> {
    let index = index_handler(dir.join("index.html"), frame_ancestors.to_owned());
    ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .fallback(index)
}

/// The handler that renders `index.html` with a nonce (also routed at `/` and `/index.html`).
pub fn index_handler(
    index: PathBuf,
    frame_ancestors: String,
) -> MethodRouter<(), std::convert::Infallible> {
    get(move |_req: Request<Body>| {
        let index = index.clone();
        let frame_ancestors = frame_ancestors.clone();
        async move { render_index(&index, &frame_ancestors).await }
    })
}

async fn render_index(index: &Path, frame_ancestors: &str) -> Response {
    let Ok(html) = tokio::fs::read_to_string(index).await else {
        return (StatusCode::NOT_FOUND, "index.html is missing").into_response();
    };
    let nonce = STANDARD.encode(random_bytes::<16>());
    let html = with_nonce(&html, &nonce);
    let csp = policy(&nonce, frame_ancestors);
    let mut res = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// The SPA's policy: scripts only from us or with this response's nonce, WebAssembly
/// compilation allowed (`wasm-unsafe-eval`, not `unsafe-eval`), embedding only by
/// `frame_ancestors`. `base-uri 'self'`: `index.html` names its own path in `<base href>`
/// (the deployment's sub-path), which must stay on this origin.
pub fn policy(nonce: &str, frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; \
         img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; \
         worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Adds `nonce="…"` to every `<script` and `<style` tag.
pub fn with_nonce(html: &str, nonce: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = ["<script", "<style"]
        .iter()
        .filter_map(|t| rest.find(t).map(|i| (i, t.len())))
        .min()
    {
        let (i, len) = at;
        let after = &rest[i + len..];
        out.push_str(&rest[..i + len]);
        // Only whole tag names: `<scripts>` or `<styles>` are not ours to touch.
        if after.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            out.push_str(" nonce=\"");
            out.push_str(nonce);
            out.push('"');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_and_style_tag_gets_the_nonce() {
        let html = r#"<head><style>a{}</style><script type="module">import init from '/a.js';</script><script>x</script><scripts></head>"#;
        let out = with_nonce(html, "N0");
        assert_eq!(out.matches("nonce=\"N0\"").count(), 3);
        assert!(out.contains(r#"<script nonce="N0" type="module">"#));
        assert!(out.contains("<scripts>"));
    }
}
