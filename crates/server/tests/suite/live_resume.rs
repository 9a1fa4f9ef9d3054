//! Live tracking survives a lost connection: a browser's `EventSource` whose replica went away
//! connects again (to any replica, with `Last-Event-ID`), and the stream's first event is the
//! case as it is now, so nothing that changed while it was away is missed. `cargo xtask lb`
//! measures the same through nginx with the stream's replica killed (SIGKILL).

use crate::common::{admin_move, application, ctx, jpeg, login, next_sse, submit, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use onething_core::api::{ApplicationCreated, ApplicationDetail, SubItemStatus, TimelineKind};
use serde_json::json;
use tower::ServiceExt;

/// The first `application` event of a stream opened on case `id`, with `last_event_id` sent as
/// a reconnecting `EventSource` sends it.
async fn first_event(
    state: &onething_server::AppState,
    token: &str,
    id: &str,
    last_event_id: Option<&str>,
) -> ApplicationDetail {
    let mut request = Request::get(format!("/api/applications/{id}/events"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(last) = last_event_id {
        request = request.header("last-event-id", last);
    }
    let res = onething_server::app(state.clone())
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let (detail, text): (ApplicationDetail, String) = next_sse(&mut body).await;
    // `id:` is the revision: what the browser sends back as `Last-Event-ID`.
    assert!(text.contains(&format!("id: {}", detail.revision)), "{text}");
    detail
}

#[tokio::test]
async fn a_stream_opened_again_starts_with_every_change_made_while_it_was_closed() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let r = submit(&c.state, &token, "key-1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();

    let before = first_event(&c.state, &token, &created.id, None).await;
    // The connection is gone (the stream was dropped); two changes happen meanwhile.
    for to in [
        json!({ "to": "accepted" }),
        json!({ "to": "supplement_requested", "note": "请补充出生医学证明" }),
    ] {
        let r = admin_move(&c.state, &created.id, "birth", to).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    let last = before.revision.to_string();
    let after = first_event(&c.state, &token, &created.id, Some(&last)).await;
    assert!(after.revision >= before.revision + 2, "{after:?}");
    let birth = after
        .items
        .iter()
        .find(|i| i.sub_item_id == "birth")
        .expect("sub-item");
    assert_eq!(birth.status, SubItemStatus::SupplementRequested);
    // Both changes are on the timeline it carries, in order.
    let birth_events: Vec<TimelineKind> = after
        .timeline
        .iter()
        .filter(|e| e.sub_item_id.as_deref() == Some("birth"))
        .map(|e| e.kind)
        .collect();
    assert!(
        birth_events.ends_with(&[
            TimelineKind::StatusChanged,
            TimelineKind::SupplementRequested
        ]),
        "{birth_events:?}"
    );
}
