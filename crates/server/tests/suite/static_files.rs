//! The built SPA's files as a phone receives them: the build's precompressed siblings
//! (`<file>.br`, `<file>.gz`) chosen by `Accept-Encoding`, and caching by name: content-hashed
//! files and build-id URLs immutable for a year, everything else revalidated.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use onething_server::{AppState, Config, app};

use crate::common;
use tower::ServiceExt as _;

struct Answer {
    status: StatusCode,
    encoding: Option<String>,
    cache: Option<String>,
    body: Vec<u8>,
}

async fn fetch(state: &AppState, uri: &str, accept: Option<&str>) -> Answer {
    let mut req = Request::builder().uri(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT_ENCODING, a);
    }
    let res = app(state.clone())
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let header = |name| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (encoding, cache) = (
        header(header::CONTENT_ENCODING),
        header(header::CACHE_CONTROL),
    );
    Answer {
        status: res.status(),
        encoding,
        cache,
        body: res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec(),
    }
}

/// The server with its data in `data`, serving the build in `dist`.
async fn serving(dist: &Path, data: &Path) -> AppState {
    let services = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services");
    let mut config = Config::with_dirs(data, services);
    config.database_url = common::database_for(data).await;
    config.static_dir = Some(dist.to_path_buf());
    AppState::open(&config).await.expect("state opens")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

#[tokio::test]
async fn static_files_come_precompressed_and_cached_by_their_names() {
    let dist = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let d = dist.path();
    write(
        d,
        "index.html",
        b"<html><script type=\"module\"></script></html>",
    );
    // What the build writes: the file, and its brotli and gzip siblings (stand-ins here, so a
    // test can tell which one was sent).
    let wasm = "onething-8f3c2a1b9d0e4f56_bg.wasm";
    write(d, wasm, b"raw wasm");
    write(d, &format!("{wasm}.br"), b"brotli wasm");
    write(d, &format!("{wasm}.gz"), b"gzip wasm");
    write(d, "config.json", b"{\"api_base\":\"/api\"}");
    write(d, "onething-full.js", b"export default 1;");

    let state = serving(d, data.path()).await;

    let path = format!("/{wasm}");
    let br = fetch(&state, &path, Some("gzip, deflate, br")).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.encoding.as_deref(), Some("br"));
    assert_eq!(br.body, b"brotli wasm");
    assert_eq!(
        br.cache.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let gz = fetch(&state, &path, Some("gzip")).await;
    assert_eq!(
        (gz.encoding.as_deref(), gz.body.as_slice()),
        (Some("gzip"), &b"gzip wasm"[..])
    );
    let plain = fetch(&state, &path, None).await;
    assert_eq!(
        (plain.encoding, plain.body.as_slice()),
        (None, &b"raw wasm"[..])
    );

    // Edited per deployment, or fixed names: revalidated on each use.
    for uri in [
        "/config.json",
        "/onething-full.js",
        "/services/newborn",
        "/",
    ] {
        let a = fetch(&state, uri, Some("br")).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}");
        assert_eq!(a.cache.as_deref(), Some("no-cache"), "{uri}");
    }
    // The whole app asked for with the build id: that URL's bytes never change.
    let versioned = fetch(&state, "/onething-full.js?v=b1d", None).await;
    assert_eq!(
        versioned.cache.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    // Every page goes through the page handler and carries the policy, even when asked for by
    // its file name.
    write(d, "trunk.html", b"<html>the build's model</html>");
    let model = app(state.clone())
        .oneshot(
            Request::builder()
                .uri("/trunk.html")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert!(
        model
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    );
    // Static HTML that is not a page (a wizard's first step as a fragment, read by a landing
    // page's script) comes as the build wrote it, under a policy that runs nothing.
    std::fs::create_dir_all(d.join("apply/newborn/eligibility")).expect("dir");
    write(
        &d.join("apply/newborn/eligibility"),
        "entry.zh-CN.html",
        b"<title>t</title><div id=\"app\"></div><script>1</script>",
    );
    let fragment = app(state.clone())
        .oneshot(
            Request::builder()
                .uri("/apply/newborn/eligibility/entry.zh-CN.html?v=b1d")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(fragment.status(), StatusCode::OK);
    assert_eq!(
        fragment
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok()),
        Some("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    );
    let body = fragment
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(body.ends_with(b"<script>1</script>"), "no nonce added");
    // The page itself is rewritten per request (its nonce), then compressed on the fly.
    let index = fetch(&state, "/services/newborn", Some("br")).await;
    assert_eq!(index.encoding.as_deref(), Some("br"));
}

/// A page of the app the build did not prerender gets the shell; a file the build does not
/// have, asked for by a file type's name (as browsers ask for their icons themselves), is not
/// found: not the shell's HTML under that name.
#[tokio::test]
async fn a_missing_file_is_not_found_where_a_missing_page_gets_the_shell() {
    let dist = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let d = dist.path();
    write(d, "index.html", b"<html>catalogue</html>");
    write(d, "shell.html", b"<html>shell</html>");
    let state = serving(d, data.path()).await;

    let step = fetch(&state, "/apply/newborn/page/baby", None).await;
    assert_eq!(step.status, StatusCode::OK);
    assert_eq!(step.body, b"<html>shell</html>");
    for uri in [
        "/favicon.ico",
        "/apple-touch-icon-precomposed.png",
        "/onething-0000000000000000_bg.wasm",
        "/robots.txt",
    ] {
        let a = fetch(&state, uri, Some("br")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!a.body.starts_with(b"<"), "{uri}");
    }
}
