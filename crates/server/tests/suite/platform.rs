//! Sign-in through an app platform's ticket exchange: a stand-in for the platform on loopback
//! speaks the 浙里办 shape of docs/embedding.md (POST `{"ticket"}` with the app's secret in a
//! header; `{"result": 0, "data": {...}}`, or a non-zero result for a used or expired ticket).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use onething_core::api::{SessionCreated, SessionInfo};
use serde_json::{Value, json};

use crate::common::{ctx_with, get, req, send};

const SECRET: &str = "app-secret-at-the-platform";

/// Whether the stand-in platform's `once-ticket` was used.
static ONCE_USED: AtomicBool = AtomicBool::new(false);

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
            // The same person later, renamed and with a new mobile number.
            Some("renamed-ticket") => (
                StatusCode::OK,
                Json(json!({"result": 0, "errmsg": "成功", "data": {
                    "userId": 880_012_345,
                    "userName": "沈思源",
                    "mobile": "13900139000",
                    "idNum": "11010519491231002X",
                }})),
            ),
            // A ticket the platform takes once, as a real one.
            Some("once-ticket") if !ONCE_USED.swap(true, Ordering::SeqCst) => (
                StatusCode::OK,
                Json(json!({"result": 0, "errmsg": "成功", "data": {
                    "userId": 880_067_890,
                    "userName": "顾念",
                    "mobile": "13700137000",
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
    crate::common::exchange_ticket(&ctx.state, ticket, None).await
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
    // The platform vouches at every sign-in: a new name and mobile number reach the account.
    let renamed: SessionCreated = exchange(&ctx, "renamed-ticket").await.json();
    assert_eq!(renamed.account.id, created.account.id);
    assert_eq!(
        (
            renamed.account.name.as_str(),
            renamed.account.phone.as_str()
        ),
        ("沈思源", "13900139000")
    );
    let info: SessionInfo = get(&ctx.state, "/api/session", Some(&renamed.token))
        .await
        .json();
    assert_eq!(info.account.name, "沈思源");
    // Development tickets still work beside the platform's.
    crate::common::sign_in(&ctx.state, None).await;
}

/// The platform's tickets are single use: an exchange whose answer was lost, asked again with
/// its `Idempotency-Key`, signs in from what this server recorded, without asking the platform.
#[tokio::test]
async fn a_platform_ticket_exchanged_again_with_its_key_signs_in_without_the_platform() {
    let base = platform().await;
    let ctx = server(format!("{base}/zlb/ticket"), SECRET).await;
    let exchange = async |key: Option<&str>| {
        crate::common::exchange_ticket(&ctx.state, "once-ticket", key).await
    };
    let first = exchange(Some("lost-answer")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let first: SessionCreated = first.json();
    assert!(ONCE_USED.load(Ordering::SeqCst));
    let again = exchange(Some("lost-answer")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    let again: SessionCreated = again.json();
    assert_eq!(again.account.id, first.account.id);
    assert_eq!(again.account.name, "顾念");
    // Anyone else with the ticket: the platform refuses it, and so does this server.
    for key in [Some("another"), None] {
        let r = exchange(key).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(r.code(), "ticket_invalid");
    }
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

/// A small `OpenID` provider on loopback for the native tests: discovery, its key set and a token
/// endpoint that checks the PKCE verifier and answers an ES256-signed ID token, signed by its
/// published key or, when `forge` is set, by another key claiming the same key id.
mod provider {
    use std::sync::{Arc, Mutex};

    use axum::Json;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
    use serde_json::{Value, json};
    use sha2::Digest as _;

    /// What the test sets between the requests.
    #[derive(Default)]
    pub struct Script {
        /// The nonce and PKCE challenge the server sent to the authorization endpoint.
        pub nonce: String,
        pub challenge: String,
        /// The name the provider vouches for.
        pub name: String,
        /// Sign with another key than the published one.
        pub forge: bool,
    }

    pub struct Provider {
        pub issuer: String,
        pub script: Arc<Mutex<Script>>,
    }

    fn key_pair() -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("generate");
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .expect("key pair")
    }

    struct Shared {
        issuer: String,
        key: EcdsaKeyPair,
        forger: EcdsaKeyPair,
        script: Arc<Mutex<Script>>,
    }

    async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
        Json(json!({
            "issuer": s.issuer,
            "authorization_endpoint": format!("{}/auth", s.issuer),
            "token_endpoint": format!("{}/token", s.issuer),
            "jwks_uri": format!("{}/jwks", s.issuer),
        }))
    }
    async fn jwks(State(s): State<Arc<Shared>>) -> Json<Value> {
        let point = s.key.public_key().as_ref();
        Json(json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "alg": "ES256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        }]}))
    }
    async fn token(State(s): State<Arc<Shared>>, body: String) -> (StatusCode, Json<Value>) {
        // The form body, read as a query (axum is built here without its form extractor).
        let form: std::collections::HashMap<String, String> =
            reqwest::Url::parse(&format!("http://form/?{body}"))
                .expect("form")
                .query_pairs()
                .into_owned()
                .collect();
        let (nonce, challenge, name, forge) = {
            let script = s.script.lock().expect("script");
            (
                script.nonce.clone(),
                script.challenge.clone(),
                script.name.clone(),
                script.forge,
            )
        };
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        if form.get("code").map(String::as_str) != Some("code-1")
            || URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes())) != challenge
        {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant"})),
            );
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs();
        let header = json!({"alg": "ES256", "kid": "k1", "typ": "JWT"});
        let claims = json!({
            "iss": s.issuer, "aud": "onething", "sub": "citizen-7", "nonce": nonce,
            "iat": now, "exp": now + 300, "name": name, "phone_number": "13800138000",
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let key = if forge { &s.forger } else { &s.key };
        let sig = key
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("sign");
        let id_token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()));
        (
            StatusCode::OK,
            Json(json!({"id_token": id_token, "token_type": "Bearer"})),
        )
    }

    pub async fn start() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let script = Arc::new(Mutex::new(Script {
            name: "沈思远".into(),
            ..Script::default()
        }));
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            key: key_pair(),
            forger: key_pair(),
            script: Arc::clone(&script),
        });
        let router = axum::Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(shared);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Provider { issuer, script }
    }
}

/// `start` on `state`: the state key (also the cookie's value), with the nonce and PKCE
/// challenge handed to the provider's script.
async fn oidc_start(state: &onething_server::AppState, p: &provider::Provider) -> String {
    let r = get(state, "/api/session/oidc/start?return=/applications", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{r:?}");
    let to = reqwest::Url::parse(&r.header("location").expect("Location")).expect("URL");
    assert!(to.as_str().starts_with(&p.issuer));
    let q = |k: &str| {
        to.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .expect("parameter")
    };
    let cookie = r.header("set-cookie").expect("cookie");
    assert!(cookie.starts_with(&format!("onething_oidc={};", q("state"))));
    let mut script = p.script.lock().expect("script");
    script.nonce = q("nonce");
    script.challenge = q("code_challenge");
    q("state")
}

async fn oidc_callback(state: &onething_server::AppState, key: &str) -> crate::common::Resp {
    send(
        state,
        axum::http::Request::builder()
            .uri(format!(
                "/api/session/oidc/callback?code=code-1&state={key}"
            ))
            .header("cookie", format!("onething_oidc={key}"))
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await
}

/// The ticket of a callback's redirect back into the app.
fn ticket_of(r: &crate::common::Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{r:?}");
    let to = r.header("location").expect("Location");
    let ticket = to
        .strip_prefix("/applications?ticket=")
        .unwrap_or_else(|| panic!("back into the app: {to}"));
    ticket.to_owned()
}

#[tokio::test]
async fn an_oidc_sign_in_started_on_one_instance_completes_on_another_with_a_verified_id_token() {
    let p = provider::start().await;
    let issuer = p.issuer.clone();
    let one = ctx_with(move |c| c.oidc_issuer = Some(issuer)).await;
    let key = oidc_start(&one.state, &p).await;
    // Another instance on the same database (or this one restarted): the pending sign-in is
    // in the database, not in the memory of the first.
    let other = onething_server::AppState::open(&one.state.config)
        .await
        .expect("second instance");
    let r = oidc_callback(&other, &key).await;
    let created: SessionCreated = send(
        &other,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": ticket_of(&r) })),
        ),
    )
    .await
    .json();
    assert_eq!(created.account.name, "沈思远");
    // A state completes once.
    let r = oidc_callback(&one.state, &key).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "ticket_invalid")
    );

    // An ID token signed by another key than the provider publishes is refused, with why.
    let key = oidc_start(&one.state, &p).await;
    p.script.lock().expect("script").forge = true;
    let r = oidc_callback(&one.state, &key).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "ticket_invalid"),
        "{r:?}"
    );
    let message = r.json::<onething_core::api::ApiErrorBody>().message;
    assert!(message.contains("ID token"), "{message}");

    // The provider vouches at every sign-in: a new name reaches the same account.
    let key = oidc_start(&one.state, &p).await;
    {
        let mut script = p.script.lock().expect("script");
        script.forge = false;
        script.name = "沈思源".into();
    }
    let r = oidc_callback(&one.state, &key).await;
    let again: SessionCreated = send(
        &one.state,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": ticket_of(&r) })),
        ),
    )
    .await
    .json();
    assert_eq!(again.account.id, created.account.id);
    assert_eq!(again.account.name, "沈思源");

    // A pending sign-in not completed in ten minutes is gone (and swept).
    let key = oidc_start(&one.state, &p).await;
    one.state.clock.advance(Duration::from_mins(11));
    onething_server::maintenance::sweep(&one.state)
        .await
        .expect("sweep");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM oidc_pending")
        .fetch_one(&one.state.db)
        .await
        .expect("count");
    assert_eq!(left, 0);
    let r = oidc_callback(&one.state, &key).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
}
