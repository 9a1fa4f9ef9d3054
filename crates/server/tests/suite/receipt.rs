//! The receipt's QR code: the tracking link of a case, as SVG, to its applicant only.

use axum::http::StatusCode;
use onething_core::api::ApplicationCreated;

use crate::common::{self, ctx, get, login, login_person, submit, upload};

#[tokio::test]
async fn the_receipt_qr_code_is_the_tracking_link_for_the_applicant_only() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &common::jpeg(800, 600)).await;
    let r = submit(&c.state, &token, "receipt-1", &common::application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let link = format!("https://app.example/onething/applications/{}", created.id);
    let uri = |link: &str| {
        format!(
            "/api/applications/{}/receipt.svg?link={}",
            created.id,
            link.replace(':', "%3A").replace('/', "%2F")
        )
    };

    let r = get(&c.state, &uri(&link), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    let svg = String::from_utf8(r.body.clone()).expect("text");
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    assert!(!svg.contains("<script"), "only shapes");

    // Another case's page, or anything else: refused.
    let r = get(
        &c.state,
        &uri("https://app.example/applications/other"),
        Some(&token),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
    assert_eq!(r.code(), "invalid_body");
    // Someone else, or no one: as if there were no such case.
    let (other, _) = login_person(&c.state, "dev-someone-else").await;
    let r = get(&c.state, &uri(&link), Some(&other)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = get(&c.state, &uri(&link), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
}
