//! Serving the built SPA: files as they are, and `index.html` (status 200) for every other path
//! so that deep links such as `/services/newborn` work after a reload.
//!
//! `index.html` is served with a Content-Security-Policy carrying a fresh nonce, which is also
//! written into its `<script>` and `<style>` tags: Trunk's loader is an inline module script,
//! and a nonce lets exactly that script run without allowing inline scripts in general.
//!
//! Every other file is sent as the build precompressed it (`<file>.br`, quality 11, or
//! `<file>.gz`; `cargo xtask` writes them after Trunk's build), so a phone gets the smallest
//! bytes without the server compressing per request. Caching follows the names: a file whose
//! name carries Trunk's content hash, or that is asked for with the build id (`?v=`), never
//! changes and is cached for a year as immutable; everything else (`config.json`, the service
//! worker, the photo workers) is revalidated on each use.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tower_http::services::ServeDir;

use onething_core::Locale;

use crate::clock::random_bytes;

/// The static-file service with the SPA fallback: precompressed files, cached by their names.
pub fn service(dir: &Path, frame_ancestors: &str) -> Router {
    let index = index_handler(dir.to_path_buf(), frame_ancestors.to_owned());
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index.clone());
    // Pages always go through the handler (nonce, CSP), even when asked for by their file name.
    Router::new()
        .route_service("/services/{id}", index.clone())
        .route_service("/services/{id}/", index.clone())
        .route_service("/services/{id}/index.html", index.clone())
        .route_service("/accessibility/index.html", index.clone())
        .route_service("/apply/{id}/eligibility", index.clone())
        .route_service("/apply/{id}/eligibility/", index.clone())
        .route_service("/apply/{id}/eligibility/index.html", index.clone())
        .route_service("/shell.html", index.clone())
        // The build's model of the pages (see `src/bin/onething-prerender.rs`): never a page of
        // its own without the policy; whoever asks gets the shell.
        .route_service("/trunk.html", index)
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_control))
}

/// The page that answers `path`: the prerendered catalogue (`index.html`) at the root, a
/// one-thing's prerendered landing page (`services/<id>/index.html`) at its path, the prerendered
/// accessibility statement (`accessibility/index.html`) at `/accessibility`, a wizard's
/// prerendered first step (`apply/<id>/eligibility/index.html`) at its path, and the static
/// shell (`shell.html`) everywhere else, where the page's content is not known until the app
/// runs (the wizard's later steps, a case). A build without prerendered pages has `index.html`
/// only. A person who chose the other language (`language`, from [`chosen_language`]) gets the
/// page's copy prerendered in it (`index.en.html` beside `index.html`), where the build made one.
fn page_file(dir: &Path, path: &str, language: Option<Locale>) -> PathBuf {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let page = match segments.as_slice() {
        [] | ["index.html"] => Some(dir.join("index.html")),
        ["services", id] | ["services", id, "index.html"]
            if onething_core::definition::is_id(id) =>
        {
            Some(dir.join("services").join(id).join("index.html"))
        }
        ["accessibility"] | ["accessibility", "index.html"] => {
            Some(dir.join("accessibility").join("index.html"))
        }
        ["apply", id, "eligibility"] | ["apply", id, "eligibility", "index.html"]
            if onething_core::definition::is_id(id) =>
        {
            Some(
                dir.join("apply")
                    .join(id)
                    .join("eligibility")
                    .join("index.html"),
            )
        }
        _ => None,
    };
    let in_language = |p: &PathBuf| {
        let l = language?;
        Some(p.with_file_name(format!("index.{}.html", l.tag()))).filter(|p| p.is_file())
    };
    page.filter(|p| p.is_file())
        .map(|p| in_language(&p).unwrap_or(p))
        .or_else(|| Some(dir.join("shell.html")).filter(|p| p.is_file()))
        .unwrap_or_else(|| dir.join("index.html"))
}

/// The language the person chose in the app (`src/prefs.rs` keeps it in the `onething_locale`
/// cookie as well as in the browser's storage, so that a page's first paint can be in it), or
/// the one asked for by name (`?lang=`: the service worker, keeping a page for offline in the
/// language just chosen, does not wait for the cookie to reach the network).
fn chosen_language(headers: &axum::http::HeaderMap, query: Option<&str>) -> Option<Locale> {
    let asked = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|p| p.strip_prefix("lang="));
    asked
        .or_else(|| crate::headers::cookie(headers, "onething_locale"))
        .and_then(Locale::from_tag)
}

/// `Cache-Control` of a static file by its request (see the module's comment). An answer that
/// set its own (the `index.html` fallback: `no-cache`) keeps it. HTML that is not a page (a
/// wizard's first step as a fragment, `apply/<id>/eligibility/entry.<language>.html`, which a
/// landing page's script reads) gets a policy that runs nothing, should it be opened as a page.
async fn cache_control(req: Request<Body>, next: Next) -> Response {
    let immutable = is_immutable(req.uri().path(), req.uri().query());
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html && !res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FRAGMENT_POLICY),
        );
    }
    if res.status() == StatusCode::OK && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
    }
    res
}

/// The policy of static HTML that is not a page: nothing runs, loads or frames it.
const FRAGMENT_POLICY: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Whether `path` (with `query`) names bytes that can never change: Trunk's content-hashed
/// names (`onething-<16 hex>.js`, `onething-<16 hex>_bg.wasm`, `main-<16 hex>.css`), or any
/// file asked for with the build id (`?v=…`), which a new build changes.
fn is_immutable(path: &str, query: Option<&str>) -> bool {
    if query.is_some_and(|q| q.split('&').any(|p| p.starts_with("v="))) {
        return true;
    }
    // Only the file name: a snippet's folder (`snippets/<crate>-<hash>/`) is named after the
    // crate, not after its content, and its files keep their names from build to build.
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(i, _)| {
        let hash = &name.as_bytes()[i + 1..];
        hash.len() > 16
            && hash[..16].iter().all(u8::is_ascii_hexdigit)
            && matches!(hash[16], b'.' | b'_')
    })
}

/// The handler that renders the page for the request's path (see [`page_file`]) with a nonce
/// (also routed at `/` and `/index.html`).
pub fn index_handler(
    dir: PathBuf,
    frame_ancestors: String,
) -> MethodRouter<(), std::convert::Infallible> {
    get(move |req: Request<Body>| {
        let page = (!missing_file(req.uri().path())).then(|| {
            let language = chosen_language(req.headers(), req.uri().query());
            page_file(&dir, req.uri().path(), language)
        });
        let frame_ancestors = frame_ancestors.clone();
        async move {
            match page {
                Some(page) => render_index(&page, &frame_ancestors).await,
                None => (StatusCode::NOT_FOUND, "not found").into_response(),
            }
        }
    })
}

/// A file the build does not have, asked for by a name of a file type that is never a page:
/// `404`, not the shell. Browsers ask for some on their own (`/favicon.ico`,
/// `/apple-touch-icon.png`): answered with the shell, each cost a first load 11 KB of HTML
/// beside the wasm.
fn missing_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.').is_some_and(|(_, kind)| {
        matches!(
            kind.to_ascii_lowercase().as_str(),
            "ico"
                | "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "svg"
                | "webp"
                | "js"
                | "mjs"
                | "css"
                | "wasm"
                | "json"
                | "map"
                | "txt"
                | "xml"
                | "webmanifest"
                | "woff"
                | "woff2"
        )
    })
}

async fn render_index(index: &Path, frame_ancestors: &str) -> Response {
    let Ok(html) = tokio::fs::read_to_string(index).await else {
        return (StatusCode::NOT_FOUND, "the page is missing").into_response();
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
            // The page's language follows the person's cookie.
            (header::VARY, HeaderValue::from_static("Cookie")),
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
    fn hashed_names_and_build_ids_are_immutable_the_rest_revalidates() {
        for path in [
            "/onething-8f3c2a1b9d0e4f56.js",
            "/onething-8f3c2a1b9d0e4f56_bg.wasm",
            "/main-0123456789abcdef.css",
        ] {
            assert!(is_immutable(path, None), "{path}");
        }
        assert!(is_immutable("/onething-full_bg.wasm", Some("v=abc")));
        for path in [
            "/config.json",
            "/sw.js",
            "/photo-worker.js",
            "/onething-full.js",
            "/services/newborn",
            "/main-0123.css",
            "/snippets/onething-8f3c2a1b9d0e4f56/src/lite.js",
        ] {
            assert!(!is_immutable(path, None), "{path}");
        }
        assert!(!is_immutable("/sw.js", Some("version=1")));
    }

    /// A build directory of this test process holding `files`, each containing its own name.
    fn build_with(name: &str, files: &[&str]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("onething-{name}-{}", std::process::id()));
        for f in files {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("dir");
            std::fs::write(path, f).expect("write");
        }
        dir
    }

    #[test]
    fn each_path_gets_its_prerendered_page_or_the_shell() {
        let dir = build_with(
            "pages",
            &[
                "index.html",
                "shell.html",
                "services/newborn/index.html",
                "apply/newborn/eligibility/index.html",
            ],
        );
        let page = |path: &str| {
            page_file(&dir, path, None)
                .strip_prefix(&dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(page("/"), "index.html");
        assert_eq!(page("/index.html"), "index.html");
        assert_eq!(page("/services/newborn"), "services/newborn/index.html");
        assert_eq!(page("/services/newborn/"), "services/newborn/index.html");
        assert_eq!(page("/services/unknown"), "shell.html");
        assert_eq!(page("/services/..%2Fx"), "shell.html");
        assert_eq!(
            page("/apply/newborn/eligibility"),
            "apply/newborn/eligibility/index.html"
        );
        assert_eq!(
            page("/apply/newborn/eligibility/"),
            "apply/newborn/eligibility/index.html"
        );
        // Another draft of it, a later step, a service the build did not know: the shell.
        assert_eq!(page("/apply/newborn~3f9a01c2/eligibility"), "shell.html");
        assert_eq!(page("/apply/newborn/page/baby"), "shell.html");
        assert_eq!(page("/apply/unknown/eligibility"), "shell.html");
        std::fs::remove_file(dir.join("shell.html")).expect("rm");
        assert_eq!(
            page("/applications"),
            "index.html",
            "a build without a shell"
        );
        std::fs::remove_dir_all(&dir).expect("clean");
    }

    #[test]
    fn a_person_who_chose_the_other_language_gets_its_prerendered_copy() {
        let dir = build_with(
            "languages",
            &[
                "index.html",
                "index.en.html",
                "shell.html",
                "services/newborn/index.html",
                "services/newborn/index.en.html",
                "services/shop/index.html",
            ],
        );
        let page = |path: &str, cookie: Option<&str>| {
            let mut headers = axum::http::HeaderMap::new();
            if let Some(c) = cookie {
                headers.insert(header::COOKIE, HeaderValue::from_str(c).expect("cookie"));
            }
            let (path, query) = path
                .split_once('?')
                .map_or((path, None), |(p, q)| (p, Some(q)));
            page_file(&dir, path, chosen_language(&headers, query))
                .strip_prefix(&dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(page("/", None), "index.html");
        assert_eq!(page("/", Some("onething_locale=en")), "index.en.html");
        assert_eq!(
            page("/services/newborn", Some("a=1; onething_locale=en; b=2")),
            "services/newborn/index.en.html"
        );
        assert_eq!(page("/", Some("onething_locale=zh-CN")), "index.html");
        assert_eq!(page("/", Some("onething_locale=fr")), "index.html");
        assert_eq!(page("/", Some("xonething_locale=en")), "index.html");
        // Asked for by name, over the cookie (the service worker, right after a change).
        assert_eq!(
            page("/?lang=en", Some("onething_locale=zh-CN")),
            "index.en.html"
        );
        assert_eq!(
            page("/?v=1&lang=zh-CN", Some("onething_locale=en")),
            "index.html"
        );
        assert_eq!(page("/?lang=fr", None), "index.html");
        // A page the build made in one language only, and the shell, stay as they are.
        assert_eq!(
            page("/services/shop", Some("onething_locale=en")),
            "services/shop/index.html"
        );
        assert_eq!(
            page("/applications", Some("onething_locale=en")),
            "shell.html"
        );
        std::fs::remove_dir_all(&dir).expect("clean");
    }

    #[test]
    fn every_script_and_style_tag_gets_the_nonce() {
        let html = r#"<head><style>a{}</style><script type="module">import init from '/a.js';</script><script>x</script><scripts></head>"#;
        let out = with_nonce(html, "N0");
        assert_eq!(out.matches("nonce=\"N0\"").count(), 3);
        assert!(out.contains(r#"<script nonce="N0" type="module">"#));
        assert!(out.contains("<scripts>"));
    }
}
