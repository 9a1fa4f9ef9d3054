//! Route tests through `app(state)`, without a network, on a temporary store: the catalogue,
//! errors, sessions, drafts, security headers and the OpenAPI document.

use std::path::PathBuf;
use std::time::Duration;

use crate::common;
use crate::common::{ADMIN, ctx, ctx_with, get, login, req, send, sign_in};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use onething_core::ServiceDefinition;
use onething_core::api::{Account, Draft, Health, ServiceSummary, SessionCreated, SessionInfo};
use serde_json::json;

#[tokio::test]
async fn health_reports_the_store_and_catalogue() {
    let c = ctx().await;
    let r = get(&c.state, "/api/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let health: Health = r.json();
    assert_eq!(health.status, "ok");
    assert!(health.services >= 1);
    if c.state.config.database_url.is_none() {
        assert!(
            c.data.path().join("onething.sqlite").exists(),
            "the store lives in the data directory"
        );
    }
}

#[tokio::test]
async fn services_list_and_detail_come_from_the_files() {
    let c = ctx().await;
    let r = get(&c.state, "/api/services", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let list: Vec<ServiceSummary> = r.json();
    let newborn = list
        .iter()
        .find(|s| s.id == "newborn")
        .expect("newborn listed");
    assert_eq!(newborn.title.zh, "新生儿出生一件事");

    let r = get(&c.state, "/api/services/newborn", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let def: ServiceDefinition = r.json();
    assert_eq!(def.sub_items.len(), newborn.sub_item_count);
}

#[tokio::test]
async fn unknown_service_and_route_answer_coded_json_404() {
    let c = ctx().await;
    for (uri, code) in [
        ("/api/services/nope", "service_not_found"),
        ("/api/nope", "route_not_found"),
    ] {
        let r = get(&c.state, uri, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.code(), code);
    }
}

#[tokio::test]
async fn malformed_and_oversized_json_answer_coded_errors() {
    let c = ctx().await;
    let r = send(
        &c.state,
        Request::post("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{not json"))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "invalid_body");

    let token = login(&c.state).await;
    let big = "x".repeat(1_100_000);
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "newborn", "data": big })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.code(), "body_too_large");
}

#[tokio::test]
async fn deep_links_fall_back_to_the_spa_shell_with_a_fresh_nonce() {
    let dist = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dist.path().join("index.html"),
        "<html><script type=\"module\">import init from '/a.js';</script></html>",
    )
    .expect("write");
    std::fs::write(dist.path().join("a.js"), "export default 1;").expect("write");
    let dist_path: PathBuf = dist.path().to_path_buf();
    let c = ctx_with(|cfg| {
        cfg.static_dir = Some(dist_path);
        cfg.frame_ancestors = "'self' https://host.example".into();
    })
    .await;
    let a = get(&c.state, "/services/newborn", None).await;
    assert_eq!(a.status, StatusCode::OK);
    let html = String::from_utf8(a.body.clone()).expect("utf-8");
    let csp = a
        .header("content-security-policy")
        .expect("CSP on the shell");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce in script-src");
    assert!(nonce.len() >= 22, "≥ 128 bits");
    assert!(html.contains(&format!("<script nonce=\"{nonce}\" type=\"module\">")));
    assert!(csp.contains("frame-ancestors 'self' https://host.example"));
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(!csp.contains("'unsafe-inline'; ") || csp.contains("style-src-attr"));
    let b = get(&c.state, "/", None).await;
    let csp_b = b.header("content-security-policy").expect("CSP");
    assert_ne!(csp, csp_b, "a fresh nonce per response");
    let js = get(&c.state, "/a.js", None).await;
    assert_eq!(js.body, b"export default 1;");
    assert!(
        a.header("strict-transport-security").is_none(),
        "no HSTS over http"
    );
}

#[tokio::test]
async fn hsts_is_sent_behind_https_and_api_responses_forbid_framing() {
    let c = ctx_with(|cfg| cfg.https = true).await;
    let r = get(&c.state, "/api/health", None).await;
    assert_eq!(
        r.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
    assert_eq!(
        r.header("content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let c = ctx_with(|cfg| cfg.cors_origins = vec!["https://app.example".into()]).await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/api/uploads/")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PATCH")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "upload-offset")
            .body(Body::empty())
            .expect("request")
    };
    let ok = send(&c.state, preflight("https://app.example")).await;
    assert_eq!(
        ok.header("access-control-allow-origin").as_deref(),
        Some("https://app.example")
    );
    let other = send(&c.state, preflight("https://evil.example")).await;
    assert!(other.header("access-control-allow-origin").is_none());
}

// ---------------------------------------------------------------------------------------------
// Sessions

#[tokio::test]
async fn a_ticket_signs_in_with_both_cookie_and_bearer() {
    let c = ctx().await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/dev/tickets",
            None,
            Some(json!({ "name": "王小红" })),
        ),
    )
    .await;
    let ticket: onething_core::api::DevTicket = r.json();
    assert_eq!(ticket.account.name, "王小红");
    assert_eq!(ticket.account.id_number.len(), 18);
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": ticket.ticket })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let cookie = r.header("set-cookie").expect("cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/api"), "{cookie}");
    let session: onething_core::api::SessionCreated = r.json();
    assert!(session.token.len() >= 22, "at least 128 bits");
    assert_eq!(session.account, ticket.account);

    let by_bearer = get(&c.state, "/api/session", Some(&session.token)).await;
    assert_eq!(by_bearer.status, StatusCode::OK);
    let info: SessionInfo = by_bearer.json();
    assert_eq!(info.account.name, "王小红");
    assert_eq!(info.account.phone.len(), 11);

    let cookie_pair = cookie.split(';').next().expect("pair").to_owned();
    let by_cookie = send(
        &c.state,
        Request::get("/api/session")
            .header(header::COOKIE, cookie_pair)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(by_cookie.status, StatusCode::OK);
    assert_eq!(by_cookie.json::<SessionInfo>().account, info.account);

    // The store keeps hashes only.
    let hashes: Vec<String> = sqlx::query_scalar("SELECT hash FROM sessions")
        .fetch_all(&c.state.db)
        .await
        .expect("query");
    assert!(!hashes.contains(&session.token));
    assert_eq!(hashes.len(), 1);
}

#[tokio::test]
async fn tickets_are_single_use_and_short_lived() {
    let c = ctx().await;
    let issue = || async {
        let r = send(&c.state, req(Method::POST, "/api/dev/tickets", None, None)).await;
        assert_eq!(r.status, StatusCode::CREATED, "an empty body is fine");
        r.json::<onething_core::api::DevTicket>().ticket
    };
    let exchange = async |t: String| common::exchange_ticket(&c.state, &t, None).await;
    let t = issue().await;
    assert_eq!(exchange(t.clone()).await.status, StatusCode::CREATED);
    let again = exchange(t).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.code(), "ticket_invalid");

    let late = issue().await;
    c.state.clock.advance(Duration::from_mins(10));
    let r = exchange(late).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "ticket_invalid");
    assert_eq!(exchange("made-up".into()).await.code(), "ticket_invalid");
}

/// A ticket's exchange whose answer was lost (the page left while it ran, a weak network) is
/// asked again with the same `Idempotency-Key`: the person is signed in, not refused.
#[tokio::test]
async fn an_exchange_asked_again_with_its_key_signs_in_again_until_the_ticket_expires() {
    let c = ctx().await;
    let issue = || async {
        let r = send(&c.state, req(Method::POST, "/api/dev/tickets", None, None)).await;
        r.json::<onething_core::api::DevTicket>()
    };
    let exchange =
        async |t: String, key: Option<&str>| common::exchange_ticket(&c.state, &t, key).await;
    let issued = issue().await;
    let t = issued.ticket;
    let first = exchange(t.clone(), Some("key-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let first: SessionCreated = first.json();
    let again = exchange(t.clone(), Some("key-1")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    let again: SessionCreated = again.json();
    assert_eq!(again.account.id, issued.account.id);
    assert_eq!(first.account.id, issued.account.id);
    assert_ne!(again.token, first.token, "a new session each time");
    // Another key, or none, is someone else with the ticket: refused.
    for key in [Some("key-2"), None] {
        let r = exchange(t.clone(), key).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{key:?}");
        assert_eq!(r.code(), "ticket_invalid");
    }
    // Used without a key, a ticket is used up for every key.
    let plain = issue().await.ticket;
    assert_eq!(
        exchange(plain.clone(), None).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        exchange(plain, Some("key-1")).await.code(),
        "ticket_invalid"
    );
    // A key the contract does not allow (empty, with a tab, overlong) is refused before the
    // ticket is touched.
    let t2 = issue().await.ticket;
    let long = "k".repeat(256);
    for bad in ["", "a\tb", &long] {
        let r = exchange(t2.clone(), Some(bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(r.code(), "idempotency_key_missing", "{bad:?}");
    }
    assert_eq!(
        exchange(t2.clone(), Some("k")).await.status,
        StatusCode::CREATED
    );
    // The sweep keeps a used ticket until it expires, so the retry still works after one.
    onething_server::store::sweep(&c.state.db, c.state.clock.now())
        .await
        .expect("sweep");
    assert_eq!(
        exchange(t2.clone(), Some("k")).await.status,
        StatusCode::CREATED
    );
    // Once the ticket has expired, its key signs in no more.
    c.state.clock.advance(Duration::from_mins(10));
    assert_eq!(exchange(t, Some("key-1")).await.code(), "ticket_invalid");
    assert_eq!(exchange(t2, Some("k")).await.code(), "ticket_invalid");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(Method::DELETE, "/api/session", Some(&token), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(
        r.header("set-cookie")
            .expect("cleared")
            .contains("Max-Age=0")
    );
    let after = get(&c.state, "/api/session", Some(&token)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.code(), "unauthenticated");
}

#[tokio::test]
async fn sessions_expire() {
    let c = ctx().await;
    let token = login(&c.state).await;
    c.state.clock.advance(Duration::from_hours(13));
    assert_eq!(
        get(&c.state, "/api/session", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&c.state, "/api/session", None).await.code(),
        "unauthenticated"
    );
}

#[tokio::test]
async fn the_dev_issuer_is_off_unless_configured_and_keeps_subjects() {
    let off = ctx_with(|cfg| cfg.dev_tickets = false).await;
    let r = send(
        &off.state,
        req(Method::POST, "/api/dev/tickets", None, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "dev_tickets_disabled");

    let c = ctx().await;
    let mut accounts: Vec<Account> = Vec::new();
    for _ in 0..2 {
        let r = send(
            &c.state,
            req(
                Method::POST,
                "/api/dev/tickets",
                None,
                Some(json!({ "subject": "platform-user-1" })),
            ),
        )
        .await;
        accounts.push(r.json::<onething_core::api::DevTicket>().account);
    }
    assert_eq!(accounts[0], accounts[1], "same subject, same account");
}

#[tokio::test]
async fn the_admin_api_needs_its_token_and_is_absent_without_one() {
    let c = ctx().await;
    let citizen = login(&c.state).await;
    let r = get(&c.state, "/api/admin/applications", Some(&citizen)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "admin_unauthorized");
    assert_eq!(
        get(&c.state, "/api/admin/applications", Some(ADMIN))
            .await
            .status,
        StatusCode::OK
    );
    let off = ctx_with(|cfg| cfg.admin_token = None).await;
    assert_eq!(
        get(&off.state, "/api/admin/applications", Some(ADMIN))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

// ---------------------------------------------------------------------------------------------
// Drafts

async fn put_draft(
    c: &common::Ctx,
    token: &str,
    id: &str,
    if_match: Option<&str>,
    n: u32,
) -> common::Resp {
    let mut r = req(
        Method::PUT,
        &format!("/api/drafts/{id}"),
        Some(token),
        Some(json!({ "data": { "step": n } })),
    );
    if let Some(m) = if_match {
        r.headers_mut()
            .insert(header::IF_MATCH, m.parse().expect("header"));
    }
    send(&c.state, r).await
}

#[tokio::test]
async fn drafts_are_versioned_and_a_stale_write_conflicts() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "newborn", "data": { "step": 1 } })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
    let d: Draft = r.json();
    assert_eq!(d.version, 1);

    // Device A writes version 1 → 2.
    let device_a = put_draft(&c, &token, &d.id, Some("\"1\""), 2).await;
    assert_eq!(device_a.status, StatusCode::OK);
    assert_eq!(device_a.header("etag").as_deref(), Some("\"2\""));
    // Device B still holds version 1.
    let device_b = put_draft(&c, &token, &d.id, Some("\"1\""), 3).await;
    assert_eq!(device_b.status, StatusCode::CONFLICT);
    assert_eq!(device_b.code(), "draft_version_conflict");
    assert_eq!(device_b.header("etag").as_deref(), Some("\"2\""));
    // No precondition at all.
    let none = put_draft(&c, &token, &d.id, None, 4).await;
    assert_eq!(none.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(none.code(), "precondition_required");

    let r = get(&c.state, &format!("/api/drafts/{}", d.id), Some(&token)).await;
    let now: Draft = r.json();
    assert_eq!(now.version, 2);
    assert_eq!(now.data, json!({ "step": 2 }));

    let list: Vec<Draft> = get(&c.state, "/api/drafts", Some(&token)).await.json();
    assert_eq!(list.len(), 1);

    let del = send(
        &c.state,
        req(
            Method::DELETE,
            &format!("/api/drafts/{}", d.id),
            Some(&token),
            None,
        ),
    )
    .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = get(&c.state, &format!("/api/drafts/{}", d.id), Some(&token)).await;
    assert_eq!(gone.code(), "draft_not_found");
}

#[tokio::test]
async fn drafts_expire_after_the_configured_time() {
    let c = ctx_with(|cfg| cfg.draft_ttl_days = 2).await;
    let token = sign_in(&c.state, Some("returning-user")).await.token;
    let d: Draft = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "newborn", "data": {} })),
        ),
    )
    .await
    .json();
    c.state.clock.advance(Duration::from_hours(24));
    let token = sign_in(&c.state, Some("returning-user")).await.token;
    assert_eq!(
        get(&c.state, &format!("/api/drafts/{}", d.id), Some(&token))
            .await
            .status,
        StatusCode::OK
    );
    // The session would have expired too; sign in again after the long pause.
    c.state.clock.advance(Duration::from_hours(25));
    let token = sign_in(&c.state, Some("returning-user")).await.token;
    let r = get(&c.state, &format!("/api/drafts/{}", d.id), Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_users_draft_answers_404_to_every_verb() {
    let c = ctx().await;
    let alice = login(&c.state).await;
    let bob = login(&c.state).await;
    let d: Draft = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&alice),
            Some(json!({ "service_id": "newborn", "data": { "secret": 1 } })),
        ),
    )
    .await
    .json();
    let uri = format!("/api/drafts/{}", d.id);
    let r = get(&c.state, &uri, Some(&bob)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "draft_not_found")
    );
    let r = put_draft(&c, &bob, &d.id, Some("\"1\""), 9).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "draft_not_found")
    );
    let r = send(&c.state, req(Method::DELETE, &uri, Some(&bob), None)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "draft_not_found")
    );
    let list: Vec<Draft> = get(&c.state, "/api/drafts", Some(&bob)).await.json();
    assert!(list.is_empty());
    // Untouched for its owner.
    let mine: Draft = get(&c.state, &uri, Some(&alice)).await.json();
    assert_eq!(mine.version, 1);
}

#[tokio::test]
async fn drafts_need_a_session_and_a_known_service() {
    let c = ctx().await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            None,
            Some(json!({ "service_id": "newborn", "data": {} })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let token = sign_in(&c.state, None).await.token;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "nope", "data": {} })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "service_not_found");
}

// ---------------------------------------------------------------------------------------------
// The contract document

#[tokio::test]
async fn the_committed_openapi_matches_the_code() {
    let generated = onething_server::routes::openapi::document();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p onething-server --test suite api::` and commit it"
    );
    let c = ctx().await;
    let served: serde_json::Value = get(&c.state, "/api/openapi.json", None).await.json();
    let committed: serde_json::Value = serde_json::from_str(&committed).expect("json");
    assert!(
        served == committed,
        "the served document is the committed one"
    );
    assert_eq!(served["openapi"], "3.1.0");
}

#[test]
fn every_error_code_reads_on_the_wire_as_its_name() {
    let doc: serde_json::Value =
        serde_json::from_str(&onething_server::routes::openapi::document()).expect("json");
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode is listed");
    assert!(codes.len() >= 40);
    for wire in codes {
        let code: onething_core::api::ErrorCode =
            serde_json::from_value(wire.clone()).expect("a known code");
        assert_eq!(Some(code.as_str()), wire.as_str());
    }
}

#[tokio::test]
async fn the_embed_demo_exists_only_with_dev_tickets_and_frames_only_its_app() {
    let off = ctx_with(|cfg| cfg.dev_tickets = false).await;
    assert_ne!(
        get(&off.state, "/embed-demo", None).await.status,
        StatusCode::OK
    );

    let c = ctx().await;
    let r = get(
        &c.state,
        "/embed-demo?app=http%3A%2F%2F127.0.0.1%3A9000%2Fonething%2F",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(
        csp.contains("frame-src 'self' http://127.0.0.1:9000;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("a nonce");
    assert!(String::from_utf8_lossy(&r.body).contains(&format!("<script nonce=\"{nonce}\">")));

    let bad = get(&c.state, "/embed-demo?app=javascript%3Aalert(1)", None).await;
    let csp = bad.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("frame-src 'self';"), "{csp}");
}

/// The development clock moves "today" for every rule, and never runs without the development
/// ticket issuer (a production server cannot be started on a false date).
#[tokio::test]
async fn the_development_clock_sets_today_and_needs_the_dev_issuer() {
    let (example, day) = common::newborn_example();
    let at = onething_server::clock::parse_instant(&day).expect("valid_on");
    let c = ctx_with(|config| config.dev_clock = Some(at)).await;
    let valid_on = onething_core::Date::parse(&day).expect("date");
    assert_eq!(c.state.clock.today_in_china(), valid_on.to_days());
    let token = login(&c.state).await;
    let mut example = example;
    for m in example["materials"]
        .as_object_mut()
        .expect("materials")
        .values_mut()
    {
        if m["kind"] == "upload" {
            let mut ids = Vec::new();
            for _ in m["upload_ids"].as_array().expect("ids") {
                ids.push(common::upload(&c.state, &token, &common::jpeg(40, 30)).await);
            }
            m["upload_ids"] = json!(ids);
        }
    }
    // The baby born on the server's today, then on its tomorrow: only the second is "in the
    // future".
    let mut birth_errors = Vec::new();
    for (n, born) in [valid_on, valid_on.add_days(1)].into_iter().enumerate() {
        let mut app = example.clone();
        app["eligibility"]["birth_date"] = json!(born.to_string());
        app["answers"]["children"][0]["birth_datetime"] = json!(format!("{born}T08:30"));
        let r = common::submit(&c.state, &token, &format!("dev-clock-{n}"), &app).await;
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        birth_errors.push((
            r.status,
            body["errors"].as_array().map_or(0, |e| {
                e.iter()
                    .filter(|e| e["path"] == "eligibility.birth_date")
                    .count()
            }),
        ));
    }
    assert_eq!(
        birth_errors,
        [
            (StatusCode::CREATED, 0),
            (StatusCode::UNPROCESSABLE_ENTITY, 1)
        ],
        "born today is fine, tomorrow is not"
    );

    let data = tempfile::tempdir().expect("tempdir");
    let mut config =
        onething_server::Config::with_dirs(data.path(), PathBuf::from("../../services"));
    config.dev_clock = Some(at);
    config.dev_tickets = false;
    let refused = onething_server::AppState::open(&config).await.err();
    assert!(
        refused.is_some_and(|e| e.0.contains("--dev-tickets")),
        "a clock set without the development issuer is refused"
    );
}
