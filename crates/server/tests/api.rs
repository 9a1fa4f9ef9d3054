//! Route tests through `app(state)`, without a network, on a temporary store.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use onething_core::ServiceDefinition;
use onething_core::api::{ApiErrorBody, Health, ServiceSummary};
use onething_server::{AppState, Config, app};
use tower::ServiceExt;

async fn state(data: &tempfile::TempDir, static_dir: Option<PathBuf>) -> AppState {
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data.path().to_path_buf(),
        services_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../services"),
        static_dir,
    };
    AppState::open(&config).await.expect("state opens")
}

async fn get(state: AppState, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = app(state)
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn health_reports_the_store_and_catalogue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (status, headers, body) = get(state(&dir, None).await, "/api/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let health: Health = serde_json::from_slice(&body).expect("json");
    assert_eq!(health.status, "ok");
    assert!(health.services >= 1);
    assert!(
        dir.path().join("onething.sqlite").exists(),
        "the store lives in the data directory"
    );
}

#[tokio::test]
async fn services_list_and_detail_come_from_the_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = state(&dir, None).await;
    let (status, _, body) = get(st.clone(), "/api/services").await;
    assert_eq!(status, StatusCode::OK);
    let list: Vec<ServiceSummary> = serde_json::from_slice(&body).expect("json");
    let newborn = list
        .iter()
        .find(|s| s.id == "newborn")
        .expect("newborn listed");
    assert_eq!(newborn.title.zh, "新生儿出生一件事");

    let (status, _, body) = get(st, "/api/services/newborn").await;
    assert_eq!(status, StatusCode::OK);
    let def: ServiceDefinition = serde_json::from_slice(&body).expect("json");
    assert_eq!(def.sub_items.len(), newborn.sub_item_count);
    assert_eq!(def.sub_items[0].id, "birth_certificate");
}

#[tokio::test]
async fn unknown_service_and_route_answer_coded_json_404() {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = state(&dir, None).await;
    for (uri, code) in [
        ("/api/services/nope", "service_not_found"),
        ("/api/nope", "route_not_found"),
    ] {
        let (status, _, body) = get(st.clone(), uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        let err: ApiErrorBody = serde_json::from_slice(&body).expect("json");
        assert_eq!(err.code, code);
    }
}

#[tokio::test]
async fn deep_links_fall_back_to_the_spa_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dist = tempfile::tempdir().expect("tempdir");
    std::fs::write(dist.path().join("index.html"), "<html>shell</html>").expect("write");
    let st = state(&dir, Some(dist.path().to_path_buf())).await;
    let (status, _, body) = get(st, "/services/newborn").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"<html>shell</html>");
}
