//! Regressions found by schemathesis (`cargo xtask soak`) running against `docs/openapi.json`:
//! requests the contract allows that the server refused, or the other way round.

use crate::common::{ctx, login, req, send};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

/// Regression: `4.0` for an integer (JSON and JSON Schema count it as the integer 4) was
/// refused with 400 `invalid_body`. Now it reaches the rating's own checks.
#[tokio::test]
async fn an_integer_written_with_a_zero_fraction_is_an_integer() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/applications/nope/rating",
            Some(&token),
            Some(json!({ "scores": { "overall": 4.0, "efficiency": 5.0, "guide_accuracy": 4, "convenience": 5, "usability": 3 } })),
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "application_not_found"),
        "parsed, then looked up"
    );
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/applications/nope/rating",
            Some(&token),
            Some(json!({ "scores": { "overall": 4.5, "efficiency": 5, "guide_accuracy": 4, "convenience": 5, "usability": 3 } })),
        ),
    )
    .await;
    assert_eq!(r.code(), "invalid_body", "a real fraction is still refused");
}

/// Regression: the development ticket issuer read `[null, null]` as a request (serde reads a
/// struct from an array) and refused `null`, which the contract allows.
#[tokio::test]
async fn the_ticket_request_is_an_object_null_or_nothing() {
    let c = ctx().await;
    for (body, want) in [
        ("", StatusCode::CREATED),
        ("null", StatusCode::CREATED),
        ("{}", StatusCode::CREATED),
        ("[null, null]", StatusCode::BAD_REQUEST),
        ("\"x\"", StatusCode::BAD_REQUEST),
    ] {
        let r = send(
            &c.state,
            Request::builder()
                .method(Method::POST)
                .uri("/api/dev/tickets")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("request"),
        )
        .await;
        assert_eq!(r.status, want, "{body:?}: {r:?}");
    }
}

/// Regression: an `If-Match` version with more digits than any version can have answered 428
/// "send If-Match"; it is well-formed and stale: 409 with the current `ETag`.
#[tokio::test]
async fn an_if_match_version_too_large_is_stale_not_missing() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&token),
            Some(json!({ "service_id": "newborn", "data": {} })),
        ),
    )
    .await;
    let id = r.json::<serde_json::Value>()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut put = req(
        Method::PUT,
        &format!("/api/drafts/{id}"),
        Some(&token),
        Some(json!({ "data": {} })),
    );
    put.headers_mut().insert(
        header::IF_MATCH,
        "W/\"319300400290614216615893\"".parse().expect("header"),
    );
    let r = send(&c.state, put).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "draft_version_conflict")
    );
    assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
}
