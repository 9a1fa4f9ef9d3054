//! Sign-in through an app platform's ticket exchange: a stand-in for the platform on loopback
//! speaks the 浙里办 shape of docs/embedding.md (POST `{"ticket"}` with the app's secret in a
//! header; `{"result": 0, "data": {...}}`, or a non-zero result for a used or expired ticket).

use std::time::{Duration, Instant};

use axum::Json;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use onething_core::api::{SessionCreated, SessionInfo};
use serde_json::{Value, json};

use crate::common::{ctx_with, get, req, send};

const SECRET: &str = "app-secret-at-the-platform";

/// The platform's exchange on 127.0.0.1 with a free port; its base URL.
async fn platform() -> String {
    async fn ticket(headers: HeaderMap, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
        if headers.get("x-app-secret").and_then(|v| v.to_str().ok()) != Some(SECRET) {
            return (StatusCode::FORBIDDEN, Json(json!({"result": 403})));
        }
        match body["ticket"].as_str() {
            Some("good-ticket") => (
                StatusCode::OK,
                Json(json!({"result": 0, "errmsg": "成功", "data": {
                    "userId": 880_012_345,
                    "userName": "沈思远",
                    "mobile": "13800138000",
                    "idNum": "11010519491231002X",
                }})),
            ),
            // 浙里办 answers a used or expired ticket with 200 and an error inside.
            _ => (
                StatusCode::OK,
                Json(json!({"result": 6001, "errmsg": "ticket已失效"})),
            ),
        }
    }
    async fn slow() -> Json<Value> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Json(json!({}))
    }
    let router = axum::Router::new()
        .route("/zlb/ticket", post(ticket))
        .route("/slow/ticket", post(slow));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

async fn server(url: String, secret: &str) -> crate::common::Ctx {
    let header = format!("X-App-Secret: {secret}");
    ctx_with(move |c| {
        c.ticket_exchange_url = Some(url);
        c.ticket_exchange_header = Some(header);
        c.ticket_exchange_timeout = 1;
        c.ticket_exchange_fields = serde_json::from_value(json!({
            "subject": "/data/userId",
            "name": "/data/userName",
            "phone": "/data/mobile",
            "id_number": "/data/idNum",
        }))
        .expect("fields");
    })
    .await
}

async fn exchange(ctx: &crate::common::Ctx, ticket: &str) -> crate::common::Resp {
    send(
        &ctx.state,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": ticket })),
        ),
    )
    .await
}

#[tokio::test]
async fn a_platform_ticket_signs_in_with_the_identity_the_platform_vouches_for() {
    let base = platform().await;
    let ctx = server(format!("{base}/zlb/ticket"), SECRET).await;
    let r = exchange(&ctx, "good-ticket").await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: SessionCreated = r.json();
    assert_eq!(created.account.name, "沈思远");
    assert_eq!(created.account.phone, "13800138000");
    assert_eq!(created.account.id_number, "11010519491231002X");
    let info: SessionInfo = get(&ctx.state, "/api/session", Some(&created.token))
        .await
        .json();
    assert_eq!(info.account.id, created.account.id);
    // The same person again is the same account.
    let again: SessionCreated = exchange(&ctx, "good-ticket").await.json();
    assert_eq!(again.account.id, created.account.id);
    // Development tickets still work beside the platform's.
    crate::common::sign_in(&ctx.state, None).await;
}

#[tokio::test]
async fn a_refused_ticket_is_ticket_invalid() {
    let base = platform().await;
    let ctx = server(format!("{base}/zlb/ticket"), SECRET).await;
    let r = exchange(&ctx, "expired-ticket").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    assert_eq!(r.code(), "ticket_invalid");
    // A wrong credential (403 at the platform) refuses too, and tells the citizen nothing more.
    let ctx = server(format!("{base}/zlb/ticket"), "wrong").await;
    let r = exchange(&ctx, "good-ticket").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    assert_eq!(r.code(), "ticket_invalid");
}

#[tokio::test]
async fn a_platform_that_does_not_answer_is_a_502_not_a_hang() {
    let base = platform().await;
    let ctx = server(format!("{base}/slow/ticket"), SECRET).await;
    let started = Instant::now();
    let r = exchange(&ctx, "good-ticket").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{r:?}");
    assert_eq!(r.code(), "identity_provider_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Nothing listens there at all: the same.
    let ctx = server("http://127.0.0.1:9/ticket".into(), SECRET).await;
    let r = exchange(&ctx, "good-ticket").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{r:?}");
}

#[tokio::test]
async fn without_an_exchange_an_unknown_ticket_is_ticket_invalid() {
    let ctx = ctx_with(|c| c.ticket_exchange_url = None).await;
    let r = exchange(&ctx, "made-up").await;
    assert_eq!(r.code(), "ticket_invalid");
}

#[tokio::test]
async fn oidc_routes_are_off_without_an_issuer_and_refuse_a_forged_callback() {
    let ctx = ctx_with(|c| c.oidc_issuer = None).await;
    let r = get(&ctx.state, "/api/session/oidc/start", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = get(
        &ctx.state,
        "/api/session/oidc/callback?code=c&state=forged",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    assert_eq!(r.code(), "ticket_invalid");
    // A provider that does not answer its discovery: 502, typed.
    let ctx = ctx_with(|c| c.oidc_issuer = Some("http://127.0.0.1:9".into())).await;
    let r = get(&ctx.state, "/api/session/oidc/start", None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{r:?}");
    assert_eq!(r.code(), "identity_provider_unavailable");
}

#[tokio::test]
async fn wechat_jssdk_config_is_signed_with_the_ticket_services_jsapi_ticket() {
    use sha1::Digest as _;
    let router = axum::Router::new().route(
        "/jsapi-ticket",
        axum::routing::get(|| async { Json(json!({"ticket": "jsapi-ticket-of-today"})) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let off = ctx_with(|_| {}).await;
    let r = get(
        &off.state,
        "/api/wechat/jssdk-config?url=https%3A%2F%2Fa.example%2F",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let ctx = ctx_with(move |c| {
        c.wechat_app_id = Some("wx0123456789abcdef".into());
        c.wechat_jsapi_ticket_url = Some(format!("http://{addr}/jsapi-ticket"));
    })
    .await;
    let page = "https://onething.example/apply/newborn?x=1";
    let r = get(
        &ctx.state,
        "/api/wechat/jssdk-config?url=https%3A%2F%2Fonething.example%2Fapply%2Fnewborn%3Fx%3D1%23step",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let v: Value = r.json();
    assert_eq!(v["appId"], "wx0123456789abcdef");
    let plain = format!(
        "jsapi_ticket=jsapi-ticket-of-today&noncestr={}&timestamp={}&url={page}",
        v["nonceStr"].as_str().expect("nonce"),
        v["timestamp"].as_i64().expect("timestamp")
    );
    let want = onething_server::clock::hex(&sha1::Sha1::digest(plain.as_bytes()));
    assert_eq!(v["signature"], want.as_str());
    let r = get(
        &ctx.state,
        "/api/wechat/jssdk-config?url=javascript%3Aalert(1)",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
}
