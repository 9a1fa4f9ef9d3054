//! Operations: health split into liveness and readiness, the Prometheus metrics behind the
//! admin token, and JSON log lines.

use axum::http::StatusCode;

use crate::common::live::LiveServer;
use crate::common::{self, ADMIN, get};

#[tokio::test]
async fn liveness_and_readiness_answer_apart() {
    let c = common::ctx().await;
    for uri in ["/api/health/live", "/api/health/ready", "/api/health"] {
        let r = get(&c.state, uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {r:?}");
        let v: serde_json::Value = r.json();
        assert_eq!(v["status"], "ok", "{uri}");
    }
    // The database gone: not ready (503), still alive.
    c.state.db.close().await;
    let r = get(&c.state, "/api/health/ready", None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    );
    assert_eq!(
        get(&c.state, "/api/health/live", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn metrics_are_prometheus_text_behind_the_admin_token() {
    let c = common::ctx().await;
    let token = common::login(&c.state).await;
    get(&c.state, "/api/health/live", None).await;
    let id = common::upload(&c.state, &token, &common::jpeg(8, 8)).await;
    let r = get(&c.state, "/api/admin/metrics", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = get(&c.state, "/api/admin/metrics", Some(ADMIN)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{r:?}"
    );
    let text = String::from_utf8(r.body.clone()).expect("utf-8");
    for want in [
        "onething_http_requests_total{route=\"/api/health/live\",method=\"GET\",status=\"200\"} 1",
        "# TYPE onething_http_request_duration_seconds histogram",
        "onething_http_request_duration_seconds_count{route=\"/api/uploads/{id}\"}",
        "onething_uploads_completed_total 1",
        "onething_submissions_total 0",
        "onething_sse_connections 0",
        "onething_retention_cases_total 0",
        "# TYPE onething_orphan_files_deleted_total counter",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    assert!(!text.contains(&id), "route templates, never path values");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_a_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let log = dir.path().join("server.log");
    let mut server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &log,
        &["--log-format", "json"],
    )
    .await;
    server.sign_in().await;
    server.kill().await;
    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "request" && l["fields"]["route"] == "/api/session"),
        "{text}"
    );
}
