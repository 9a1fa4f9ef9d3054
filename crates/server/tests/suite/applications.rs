//! Submission exactly once, and tracking: idempotency, validation by the engine, upload checks,
//! ownership, every status transition, dependencies, supplements, ratings, live events, the
//! admin CLI and the demo timer.

use std::time::Duration;

use crate::common;
use crate::common::{
    ADMIN, Ctx, admin_move, application, create_upload, ctx, get, jpeg, login, req, send, submit,
    upload,
};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use onething_core::api::{
    ApplicationCreated, ApplicationDetail, ApplicationStatus, ApplicationSummary, SubItemStatus,
    TimelineKind,
};
use serde_json::json;
use tower::ServiceExt;

/// A signed-in citizen with one submitted case.
async fn submitted(c: &Ctx) -> (String, ApplicationCreated) {
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let r = submit(&c.state, &token, "key-1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (token, r.json())
}

async fn detail(c: &Ctx, token: &str, id: &str) -> ApplicationDetail {
    let r = get(&c.state, &format!("/api/applications/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

fn status_of(d: &ApplicationDetail, sub_item: &str) -> SubItemStatus {
    d.items
        .iter()
        .find(|i| i.sub_item_id == sub_item)
        .expect("sub-item")
        .status
}

#[tokio::test]
async fn a_submission_creates_a_case_with_tracking() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    assert!(
        created.case_number.starts_with("OT"),
        "{}",
        created.case_number
    );
    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&token))
        .await
        .json();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].case_number, created.case_number);
    assert_eq!(list[0].status, ApplicationStatus::InProgress);

    let d = detail(&c, &token, &created.id).await;
    let ids: Vec<&str> = d.items.iter().map(|i| i.sub_item_id.as_str()).collect();
    assert_eq!(ids, ["birth", "household", "insurance"]);
    assert!(d.items.iter().all(|i| i.status == SubItemStatus::Received));
    assert_eq!(
        d.items[1].waiting_for,
        ["birth"],
        "户口 waits for the birth certificate"
    );
    assert_eq!(d.items[2].waiting_for, ["household"], "医保 waits for 户口");
    assert_eq!(d.timeline[0].kind, TimelineKind::Submitted);
    // The deferred marriage certificate became a 补正 task (容缺受理).
    assert_eq!(d.supplements.len(), 1);
    assert_eq!(d.supplements[0].sub_item_id, "insurance");
    assert!(d.supplements[0].note.contains("结婚证"));
    assert!(!d.can_rate);
}

// ---------------------------------------------------------------------------------------------
// Idempotency

#[tokio::test]
async fn the_same_key_and_body_replays_the_stored_response() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let body = application(&up);
    let first = submit(&c.state, &token, "retry-me", &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.header("idempotent-replayed").is_none());
    // The same JSON with its keys in another order is the same body.
    let reordered: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&body).expect("json")).expect("json");
    let again = submit(&c.state, &token, "retry-me", &reordered).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&token))
        .await
        .json();
    assert_eq!(list.len(), 1, "exactly one case");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let body = application(&up);
    assert_eq!(
        submit(&c.state, &token, "k", &body).await.status,
        StatusCode::CREATED
    );
    let mut other = body.clone();
    other["answers"]["applicant_name"] = json!("李晓明");
    let r = submit(&c.state, &token, "k", &other).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "idempotency_key_reused");
}

#[tokio::test]
async fn a_missing_key_is_refused() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/applications",
            Some(&token),
            Some(application("x")),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "idempotency_key_missing");
    // Nor is a key the contract does not allow: blank, or with a tab in it.
    for bad in [" ", "a\tb"] {
        let r = submit(&c.state, &token, bad, &application("x")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(r.code(), "idempotency_key_missing", "{bad:?}");
    }
}

#[tokio::test]
async fn a_key_in_flight_answers_409_until_it_finishes_or_is_abandoned() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let account: onething_core::api::SessionInfo =
        get(&c.state, "/api/session", Some(&token)).await.json();
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let body = application(&up);
    // Another request with this key holds it (as between its claim and its commit).
    let hash = {
        // Submitting with another key and reading its stored hash gives the canonical hash.
        let probe = submit(&c.state, &token, "probe", &body).await;
        assert_eq!(probe.status, StatusCode::CREATED);
        let h: String = sqlx::query_scalar(
            "SELECT request_hash FROM idempotency_keys WHERE idem_key = 'probe'",
        )
        .fetch_one(&c.state.db)
        .await
        .expect("hash");
        h
    };
    sqlx::query(
        "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, state, created_at)
         VALUES ($1, 'busy', $2, 'in_flight', $3)",
    )
    .bind(&account.account.id)
    .bind(&hash)
    .bind(c.state.clock.now())
    .execute(&c.state.db)
    .await
    .expect("insert");
    let r = submit(&c.state, &token, "busy", &body).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "idempotency_request_in_flight");
    // A claim whose process died is taken over after a while. (The session is renewed; the
    // upload, now used by the probe case, may be shared by a second case of the same person.)
    c.state.clock.advance(Duration::from_mins(3));
    let r = submit(&c.state, &token, "busy", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

#[tokio::test]
async fn a_failed_submission_releases_its_key() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = create_upload(&c.state, &token, 500).await; // never finished
    let body = application(&up);
    let r = submit(&c.state, &token, "k", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "upload_not_usable");
    assert!(
        r.json::<onething_core::api::ApiErrorBody>()
            .fields
            .contains(&"materials.id_card".to_owned())
    );
    // Fix the cause (a finished upload) and retry with the same key.
    let done = upload(&c.state, &token, &jpeg(50, 50)).await;
    let r = submit(&c.state, &token, "k", &application(&done)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// Validation: the engine, the uploads

#[tokio::test]
async fn the_engine_validates_the_whole_application() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let mut body = application(&up);
    body["answers"]["applicant_name"] = json!("");
    let r = submit(&c.state, &token, "v1", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    assert_eq!(r.code(), "validation_failed");
    let err: onething_core::api::ApiErrorBody = r.json();
    assert!(!err.errors.is_empty());
    assert!(
        err.fields.iter().any(|f| f.contains("applicant_name")),
        "{err:?}"
    );

    let mut unknown = application(&up);
    unknown["service_id"] = json!("nope");
    let r = submit(&c.state, &token, "v2", &unknown).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "service_not_found")
    );

    let r = submit(&c.state, &token, "v3", &json!({ "not": "an application" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn uploads_must_be_the_callers_and_of_an_accepted_type() {
    let c = ctx().await;
    let alice = login(&c.state).await;
    let bob = login(&c.state).await;
    let alices = upload(&c.state, &alice, &jpeg(100, 100)).await;
    let r = submit(&c.state, &bob, "b1", &application(&alices)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "upload_not_usable")
    );
    let r = submit(&c.state, &bob, "b2", &application("no-such-upload")).await;
    assert_eq!(r.code(), "upload_not_usable");
    // The ID card accepts JPEG and PNG (the default), not PDF.
    let pdf = upload(&c.state, &bob, b"%PDF-1.7\n%%EOF\n").await;
    let r = submit(&c.state, &bob, "b3", &application(&pdf)).await;
    assert_eq!(r.code(), "upload_not_usable");
    // An upload used by a case no longer expires and cannot be terminated.
    let (token, _) = submitted(&c).await;
    let list: Vec<String> =
        sqlx::query_scalar("SELECT id FROM uploads WHERE application_id IS NOT NULL")
            .fetch_all(&c.state.db)
            .await
            .expect("query");
    let used = list.last().expect("an attached upload").clone();
    let r = send(
        &c.state,
        common::tus(Method::DELETE, &format!("/api/uploads/{used}"), &token)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

// ---------------------------------------------------------------------------------------------
// Ownership

#[tokio::test]
async fn another_users_application_answers_404_everywhere() {
    let c = ctx().await;
    let (_, created) = submitted(&c).await;
    let bob = login(&c.state).await;
    let id = &created.id;
    for uri in [
        format!("/api/applications/{id}"),
        format!("/api/applications/{id}/events"),
    ] {
        let r = get(&c.state, &uri, Some(&bob)).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::NOT_FOUND, "application_not_found"),
            "{uri}"
        );
    }
    let d: ApplicationDetail = send(
        &c.state,
        req(
            Method::GET,
            &format!("/api/admin/applications/{}", created.case_number),
            Some(ADMIN),
            None,
        ),
    )
    .await
    .json();
    let sup = &d.supplements[0].id;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{id}/supplements/{sup}"),
            Some(&bob),
            Some(json!({ "text": "hijack" })),
        ),
    )
    .await;
    assert_eq!(r.code(), "application_not_found");
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{id}/rating"),
            Some(&bob),
            Some(json!({ "scores": { "overall": 1, "efficiency": 1, "guide_accuracy": 1, "convenience": 1, "usability": 1 } })),
        ),
    )
    .await;
    assert_eq!(r.code(), "application_not_found");
    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&bob)).await.json();
    assert!(list.is_empty());
    assert_eq!(
        get(&c.state, "/api/applications", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

// ---------------------------------------------------------------------------------------------
// Tracking

#[tokio::test]
async fn every_transition_is_allowed_or_forbidden_as_the_state_machine_says() {
    use SubItemStatus::*;
    let all = [
        Received,
        Accepted,
        InProgress,
        Completed,
        Delivered,
        Rejected,
        SupplementRequested,
    ];
    // The path that reaches each state for `birth` (no dependencies) from `received`.
    let path_to = |s: SubItemStatus| -> Vec<SubItemStatus> {
        match s {
            Received => vec![],
            Accepted => vec![Accepted],
            InProgress => vec![Accepted, InProgress],
            Completed => vec![Accepted, InProgress, Completed],
            Delivered => vec![Accepted, InProgress, Completed, Delivered],
            Rejected => vec![Rejected],
            SupplementRequested => vec![SupplementRequested],
            // Only the citizen withdraws (see `aftercare`); not a department's move.
            Withdrawn => unreachable!("not in `all`"),
        }
    };
    let c = ctx().await;
    for from in all {
        for to in all {
            let (token, created) = submitted(&c).await;
            for step in path_to(from) {
                let r = admin_move(
                    &c.state,
                    &created.case_number,
                    "birth",
                    json!({ "to": step, "note": "n", "delivery": { "method": "e_licence" } }),
                )
                .await;
                assert_eq!(r.status, StatusCode::OK, "setting up {from:?}: {r:?}");
            }
            let r = admin_move(
                &c.state,
                &created.id,
                "birth",
                json!({ "to": to, "note": "why", "delivery": { "method": "e_licence" } }),
            )
            .await;
            let expected = onething_server::workflow::allowed(from, to);
            if expected {
                assert_eq!(r.status, StatusCode::OK, "{from:?} -> {to:?}: {r:?}");
                assert_eq!(
                    status_of(&detail(&c, &token, &created.id).await, "birth"),
                    to
                );
            } else {
                assert_eq!(r.status, StatusCode::CONFLICT, "{from:?} -> {to:?}");
                assert_eq!(r.code(), "transition_not_allowed");
                assert_eq!(
                    status_of(&detail(&c, &token, &created.id).await, "birth"),
                    from
                );
            }
        }
    }
}

#[tokio::test]
async fn dependants_wait_for_their_dependencies_then_deliver_with_a_courier_number() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let case = created.case_number.as_str();
    assert_eq!(
        admin_move(&c.state, case, "household", json!({ "to": "accepted" }))
            .await
            .status,
        StatusCode::OK
    );
    let r = admin_move(&c.state, case, "household", json!({ "to": "in_progress" })).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "waiting_for_dependency");
    assert_eq!(
        r.json::<onething_core::api::ApiErrorBody>().fields,
        ["birth"]
    );
    for to in ["accepted", "in_progress", "completed"] {
        assert_eq!(
            admin_move(&c.state, case, "birth", json!({ "to": to }))
                .await
                .status,
            StatusCode::OK
        );
    }
    let d = detail(&c, &token, &created.id).await;
    assert!(d.items[1].waiting_for.is_empty(), "户口 may start now");
    assert_eq!(
        d.items[2].waiting_for,
        ["household"],
        "医保 still waits for 户口"
    );
    assert_eq!(
        admin_move(&c.state, case, "household", json!({ "to": "in_progress" }))
            .await
            .status,
        StatusCode::OK
    );
    let r = admin_move(
        &c.state,
        case,
        "birth",
        json!({ "to": "delivered", "delivery": { "method": "window", "pickup_code": "A1B2C3" } }),
    )
    .await;
    let d: ApplicationDetail = r.json();
    assert_eq!(d.items[0].status, SubItemStatus::Delivered);
    let window = d.items[0].delivery.as_ref().expect("delivery recorded");
    assert_eq!(window.pickup_code.as_deref(), Some("A1B2C3"));
    assert_eq!(
        window.office.as_ref().map(|o| o.zh.as_str()),
        Some("一号窗口"),
        "the window's details come from the definition"
    );
    let changes = d
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::StatusChanged)
        .count();
    assert_eq!(changes, 6);
    let r = admin_move(&c.state, case, "nope", json!({ "to": "accepted" })).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "sub_item_not_found")
    );
    let r = admin_move(&c.state, "OT-unknown", "birth", json!({ "to": "accepted" })).await;
    assert_eq!(r.code(), "application_not_found");
}

#[tokio::test]
async fn a_supplement_request_is_answered_and_the_item_resumes() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let case = created.case_number.as_str();
    admin_move(&c.state, case, "birth", json!({ "to": "accepted" })).await;
    let r = admin_move(
        &c.state,
        case,
        "birth",
        json!({ "to": "supplement_requested" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a note is needed"
    );
    let r = admin_move(
        &c.state,
        case,
        "birth",
        json!({ "to": "supplement_requested", "note": "请补充出生医学证明首页照片" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let d = detail(&c, &token, &created.id).await;
    assert_eq!(d.status, ApplicationStatus::ActionRequired);
    let sup = d
        .supplements
        .iter()
        .find(|s| s.sub_item_id == "birth")
        .expect("request")
        .id
        .clone();
    let uri = format!("/api/applications/{}/supplements/{sup}", created.id);
    let r = send(
        &c.state,
        req(
            Method::POST,
            &uri,
            Some(&token),
            Some(json!({ "text": "  " })),
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "supplement_answer_empty")
    );
    let photo = upload(&c.state, &token, &jpeg(20, 20)).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &uri,
            Some(&token),
            Some(json!({ "text": "已补充", "upload_ids": [photo] })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = r.json();
    assert_eq!(
        status_of(&d, "birth"),
        SubItemStatus::Accepted,
        "back where it was"
    );
    let answered = d.supplements.iter().find(|s| s.id == sup).expect("request");
    assert_eq!(
        answered.answer.as_ref().and_then(|a| a.text.as_deref()),
        Some("已补充")
    );
    let r = send(
        &c.state,
        req(
            Method::POST,
            &uri,
            Some(&token),
            Some(json!({ "text": "again" })),
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "supplement_already_answered")
    );
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/supplements/nope", created.id),
            Some(&token),
            Some(json!({ "text": "x" })),
        ),
    )
    .await;
    assert_eq!(r.code(), "supplement_not_found");
}

#[tokio::test]
async fn a_case_is_rated_once_after_completion() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let uri = format!("/api/applications/{}/rating", created.id);
    let scores = json!({ "scores": { "overall": 5, "efficiency": 5, "guide_accuracy": 4, "convenience": 5, "usability": 3 }, "comment": "很方便" });
    let r = send(
        &c.state,
        req(Method::POST, &uri, Some(&token), Some(scores.clone())),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "rating_not_allowed_yet")
    );
    for sub in ["birth", "household", "insurance"] {
        for to in ["accepted", "in_progress", "completed"] {
            let r = admin_move(&c.state, &created.id, sub, json!({ "to": to })).await;
            assert_eq!(r.status, StatusCode::OK, "{sub} {to}: {r:?}");
        }
    }
    let bad = json!({ "scores": { "overall": 6, "efficiency": 5, "guide_accuracy": 4, "convenience": 5, "usability": 0 } });
    let r = send(&c.state, req(Method::POST, &uri, Some(&token), Some(bad))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "rating_invalid")
    );
    assert!(detail(&c, &token, &created.id).await.can_rate);
    let r = send(
        &c.state,
        req(Method::POST, &uri, Some(&token), Some(scores.clone())),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = r.json();
    assert_eq!(d.rating.as_ref().map(|r| r.scores.guide_accuracy), Some(4));
    assert!(!d.can_rate);
    let r = send(
        &c.state,
        req(Method::POST, &uri, Some(&token), Some(scores)),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "rating_already_given")
    );
}

#[tokio::test]
async fn live_updates_arrive_as_server_sent_events() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let res = onething_server::app(c.state.clone())
        .oneshot(
            Request::get(format!("/api/applications/{}/events", created.id))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/event-stream")
    );
    let mut body = res.into_body();
    let mut next_event = async || -> ApplicationDetail {
        let (detail, text) = common::next_sse(&mut body).await;
        assert!(text.contains("event: application"), "{text}");
        detail
    };
    let first = next_event().await;
    assert_eq!(status_of(&first, "birth"), SubItemStatus::Received);
    admin_move(&c.state, &created.id, "birth", json!({ "to": "accepted" })).await;
    let second = next_event().await;
    assert_eq!(status_of(&second, "birth"), SubItemStatus::Accepted);
    assert!(second.revision > first.revision);
}

/// The admin CLI against this test's server, served on a loopback port for the length of
/// the test (the CLI speaks HTTP to the admin API).
#[tokio::test]
async fn the_admin_cli_moves_sub_items_through_the_admin_api() {
    use onething_server::config::{AdminArgs, AdminCommand};
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let server = format!("http://{}", listener.local_addr().expect("address"));
    let app = onething_server::app(c.state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = (*c.state.config).clone();
    let args = |command| AdminArgs {
        server: Some(server.clone()),
        admin_token: Some(ADMIN.into()),
        department_token: None,
        command,
    };
    onething_server::admin_cli::run(
        &config,
        args(AdminCommand::Move {
            case: created.case_number.clone(),
            sub_item: "birth".into(),
            status: "accepted".into(),
            note: None,
            stage: None,
            record: None,
        }),
    )
    .await
    .expect("move");
    onething_server::admin_cli::run(
        &config,
        args(AdminCommand::Supplement {
            case: created.case_number.clone(),
            sub_item: "birth".into(),
            note: "请补充材料".into(),
        }),
    )
    .await
    .expect("supplement");
    let d = detail(&c, &token, &created.id).await;
    assert_eq!(status_of(&d, "birth"), SubItemStatus::SupplementRequested);
    let err = onething_server::admin_cli::run(
        &config,
        args(AdminCommand::Deliver {
            case: created.case_number.clone(),
            sub_item: "birth".into(),
            method: "e_licence".into(),
            courier: None,
            tracking_number: None,
            pickup_code: None,
        }),
    )
    .await;
    assert!(err.is_err(), "cannot deliver what is not completed");
}

#[tokio::test]
async fn demo_mode_advances_open_items_one_step_honouring_dependencies() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    for _ in 0..3 {
        onething_server::tracking::advance_all(&c.state)
            .await
            .expect("advance");
    }
    let d = detail(&c, &token, &created.id).await;
    assert_eq!(status_of(&d, "birth"), SubItemStatus::Completed);
    assert_eq!(
        status_of(&d, "household"),
        SubItemStatus::Accepted,
        "waited for birth"
    );
    for _ in 0..10 {
        onething_server::tracking::advance_all(&c.state)
            .await
            .expect("advance");
    }
    let d = detail(&c, &token, &created.id).await;
    assert!(d.items.iter().all(|i| i.status == SubItemStatus::Delivered));
    assert!(d.items.iter().all(|i| i.delivery.is_some()));
    assert_eq!(
        d.items[0].delivery.as_ref().map(|x| x.method),
        Some(onething_core::api::DeliveryMethod::ELicence),
        "the first way the definition offers"
    );
    assert!(d.items[1].tracking_number.is_some(), "mail by default");
    assert!(d.can_rate);
}
