//! The privacy notice's side on the server: `GET /api/privacy` states this server's own
//! retention figures and protection, and a submission's `privacy_consent` is recorded with the
//! case (a malformed one is refused, a submission without one still goes through).

use axum::http::StatusCode;
use onething_core::api::{ApplicationCreated, PRIVACY_NOTICE_VERSION, PrivacyFacts};

use crate::common::{self, ctx_with, get, login, submit, upload};

#[tokio::test]
async fn the_privacy_facts_are_this_servers_configuration() {
    let c = ctx_with(|cfg| {
        cfg.draft_ttl_days = 7;
        cfg.upload_ttl_hours = 12;
        cfg.retention_days = 90;
    })
    .await;
    let r = get(&c.state, "/api/privacy", None).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let f: PrivacyFacts = r.json();
    assert_eq!(f.notice_version, PRIVACY_NOTICE_VERSION);
    assert_eq!(
        (f.draft_ttl_days, f.upload_ttl_hours, f.retention_days),
        (7, 12, 90)
    );
    assert_eq!(f.encryption_at_rest, "AES-256-GCM");
}

#[tokio::test]
async fn a_submissions_privacy_consent_is_recorded_with_the_case() {
    let c = ctx_with(|_| {}).await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &common::jpeg(800, 600)).await;
    let mut body = common::application(&up);

    body["privacy_consent"] =
        serde_json::json!({ "version": "", "agreed_at": "x", "sensitive": true });
    let r = submit(&c.state, &token, "consent-bad", &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert_eq!(r.code(), "invalid_body");
    body["privacy_consent"] = serde_json::json!({ "version": PRIVACY_NOTICE_VERSION });
    let r = submit(&c.state, &token, "consent-bad-2", &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");

    body["privacy_consent"] = serde_json::json!({
        "version": PRIVACY_NOTICE_VERSION,
        "agreed_at": "2026-12-01T08:00:00.000Z",
        "sensitive": true,
    });
    let r = submit(&c.state, &token, "consent-ok", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let mut conn = c.state.db.acquire().await.expect("connection");
    let recorded = onething_server::store::privacy::get(&mut conn, &created.id)
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(recorded.version, PRIVACY_NOTICE_VERSION);
    assert_eq!(recorded.agreed_at, "2026-12-01T08:00:00.000Z");
    assert!(recorded.sensitive);

    // A client that does not show the notice (the admin CLI, an older app) still submits.
    let up2 = upload(&c.state, &token, &common::jpeg(800, 600)).await;
    let r = submit(&c.state, &token, "no-consent", &common::application(&up2)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let none = onething_server::store::privacy::get(&mut conn, &created.id)
        .await
        .expect("read");
    assert_eq!(none, None);
}
