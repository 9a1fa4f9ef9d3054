//! The request log: one line per request with its method, the route it matched (the template,
//! `/api/uploads/{id}`, never the values in the path), the status and the latency; and, for a
//! server fault, the detail the response left for it ([`ServerFault`]), which the client never
//! sees.
//!
//! What it leaves out is deliberate (PIPL): no query string, no body and no header, since
//! cookies, bearer tokens, upload metadata and bodies carry secrets and personal data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use onething_core::api::ErrorCode;

/// What a 5xx response carries for the log, as a response extension (extensions stay in the
/// process: nothing of it is sent).
#[derive(Debug, Clone)]
pub struct ServerFault {
    /// The code the client got.
    pub code: ErrorCode,
    /// What went wrong; may name files, SQL or data, so it goes to the log only.
    pub detail: String,
}

/// The middleware: logs each request once its response is ready.
pub async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    // Requests no route matched (static files, unknown paths) are logged without a template.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let res = next.run(req).await;
    let latency_ms = (start.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let status = res.status().as_u16();
    if res.status().is_server_error() {
        if let Some(fault) = res.extensions().get::<ServerFault>() {
            tracing::error!(
                %method, %route, status, code = %fault.code, detail = %fault.detail,
                "server error"
            );
        } else {
            tracing::error!(%method, %route, status, "server error");
        }
    }
    tracing::info!(%method, %route, status, latency_ms, "request");
    res
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, PoisonError};

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::*;
    use crate::ApiError;

    /// Everything logged while it is the thread's subscriber.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn requests_are_logged_by_route_template_and_faults_with_their_detail() {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new()
            .route("/things/{id}", get(|| async { "ok" }))
            .route(
                "/broken/{id}",
                get(|| async { ApiError::internal("disk full at /srv/secret-path") }),
            )
            .layer(axum::middleware::from_fn(log_request));
        for (uri, want) in [
            ("/things/330502199001010031", StatusCode::OK),
            ("/broken/13800138000", StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let res = app
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
                .await
                .expect("infallible");
            assert_eq!(res.status(), want);
            let body = axum::body::to_bytes(res.into_body(), 1 << 16)
                .await
                .expect("body");
            assert!(!String::from_utf8_lossy(&body).contains("secret-path"));
        }
        let log = String::from_utf8(capture.0.lock().expect("log").clone()).expect("utf-8");
        assert!(
            log.contains("method=GET route=/things/{id} status=200"),
            "{log}"
        );
        assert!(
            log.contains("route=/broken/{id} status=500 code=internal"),
            "{log}"
        );
        assert!(log.contains("disk full at /srv/secret-path"), "{log}");
        assert!(
            !log.contains("330502199001010031") && !log.contains("13800138000"),
            "path values stay out of the log: {log}"
        );
    }
}
