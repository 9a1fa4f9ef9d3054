//! After submission: the applicant reads back what was submitted, and may withdraw the case
//! while no department has accepted any of its sub-items; once one has, asks a department to
//! withdraw its sub-item (the department answers). A withdrawn case takes no supplement answer;
//! a low rating (差评) needs its reason, and the department's follow-up (整改, 回访) shows on
//! the case.

use crate::common::{
    ADMIN, Ctx, admin_move, application, ctx, get, jpeg, login, req, send, submit, upload,
};
use axum::http::{Method, StatusCode};
use onething_core::api::{
    ApplicationCreated, ApplicationDetail, ApplicationStatus, ApplicationSummary,
    DepartmentTokenCreated, QueuePage, SubItemStatus, TimelineKind,
};
use onething_core::{AnswerValue, Application, MaterialChoice};
use serde_json::json;

/// A signed-in citizen with one submitted case.
async fn submitted(c: &Ctx) -> (String, ApplicationCreated) {
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let r = submit(&c.state, &token, "key-1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (token, r.json())
}

async fn withdraw(c: &Ctx, token: &str, id: &str, reason: &str) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{id}/withdraw"),
            Some(token),
            Some(json!({ "reason": reason })),
        ),
    )
    .await
}

#[tokio::test]
async fn the_applicant_reads_back_what_was_submitted_and_nobody_else_does() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(100, 100)).await;
    let r = submit(&c.state, &token, "key-1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let id = r.json::<onething_core::api::ApplicationCreated>().id;
    let uri = format!("/api/applications/{id}/submission");

    let r = get(&c.state, &uri, Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let s: Application = r.json();
    assert_eq!(s.service_id, "test-bundle");
    assert_eq!(s.sub_items, ["birth", "household", "insurance"]);
    assert_eq!(
        s.answers.get("applicant_name"),
        Some(&AnswerValue::Text("王小红".into()))
    );
    assert_eq!(
        s.materials.get("id_card"),
        Some(&MaterialChoice::Upload {
            upload_ids: vec![up.clone()]
        })
    );
    assert_eq!(
        s.materials.get("marriage_certificate"),
        Some(&MaterialChoice::Deferred)
    );

    // Another citizen, and nobody at all, learn nothing: not even that the case exists.
    let bob = login(&c.state).await;
    let r = get(&c.state, &uri, Some(&bob)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "application_not_found")
    );
    let r = get(&c.state, "/api/applications/nope/submission", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(&c.state, &uri, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_fresh_case_is_withdrawn_with_a_reason_everywhere_it_shows() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let id = &created.id;

    // The reason is required and short; nobody else may withdraw the case.
    for bad in ["", "   ", &"很".repeat(201)] {
        let r = withdraw(&c, &token, id, bad).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "withdraw_reason_invalid"),
            "{bad:?}"
        );
    }
    let bob = login(&c.state).await;
    let r = withdraw(&c, &bob, id, "不是我的").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "application_not_found")
    );

    let reason = "信息填错了，重新申请";
    let r = withdraw(&c, &token, id, &format!("  {reason}  ")).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = r.json();
    assert_eq!(d.status, ApplicationStatus::Withdrawn);
    assert!(d.items.iter().all(|i| i.status == SubItemStatus::Withdrawn));
    assert!(
        d.items.iter().all(|i| i.waiting_for.is_empty()),
        "a withdrawn item waits for nothing"
    );
    assert!(!d.can_rate);
    let events: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Withdrawn)
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].note.as_deref(), Some(reason));

    // A retry answers the case as it is, with no second event.
    let r = withdraw(&c, &token, id, "再点一次").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let again: ApplicationDetail = r.json();
    assert_eq!(
        again
            .timeline
            .iter()
            .filter(|e| e.kind == TimelineKind::Withdrawn)
            .count(),
        1
    );

    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&token))
        .await
        .json();
    assert_eq!(list[0].status, ApplicationStatus::Withdrawn);

    // The departments see it withdrawn and may no longer move it; they never see the reason.
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/departments/tokens",
            Some(ADMIN),
            Some(json!({ "department": "公安局", "label": "desk 1" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let desk: DepartmentTokenCreated = r.json();
    let queue: QueuePage = get(&c.state, "/api/department/cases", Some(&desk.token))
        .await
        .json();
    let entry = queue
        .entries
        .iter()
        .find(|e| e.case_number == created.case_number)
        .expect("in the queue");
    assert_eq!(entry.status, SubItemStatus::Withdrawn);
    let r = get(
        &c.state,
        &format!(
            "/api/department/cases/{}/items/{}",
            created.case_number, entry.sub_item_id
        ),
        Some(&desk.token),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(
        !String::from_utf8_lossy(&r.body).contains(reason),
        "the reason is the applicant's"
    );
    let r = admin_move(
        &c.state,
        &created.case_number,
        "household",
        json!({ "to": "accepted" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
}

#[tokio::test]
async fn a_case_cannot_be_withdrawn_once_a_sub_item_is_accepted() {
    let c = ctx().await;
    let (token, created) = submitted(&c).await;
    let r = admin_move(
        &c.state,
        &created.case_number,
        "birth",
        json!({ "to": "accepted" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = withdraw(&c, &token, &created.id, "不想办了").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "withdraw_not_allowed")
    );
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(d.status, ApplicationStatus::InProgress);
    assert!(d.timeline.iter().all(|e| e.kind != TimelineKind::Withdrawn));
}

#[tokio::test]
async fn a_withdrawn_case_takes_no_supplement_answer() {
    let c = ctx().await;
    let (token, case) = submitted(&c).await;
    let r = admin_move(
        &c.state,
        &case.case_number,
        "birth",
        json!({ "to": "supplement_requested", "note": "请补交出生医学证明" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    let supplement = d
        .supplements
        .iter()
        .find(|s| s.sub_item_id == "birth")
        .expect("the request")
        .id
        .clone();
    let r = withdraw(&c, &token, &case.id, "不办了").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    let up = upload(&c.state, &token, &jpeg(20, 20)).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/supplements/{supplement}", case.id),
            Some(&token),
            Some(json!({ "text": "补上了", "upload_ids": [up] })),
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "supplement_withdrawn"),
        "{r:?}"
    );
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    assert!(
        d.supplements.iter().all(|s| s.answer.is_none()),
        "nothing recorded"
    );
    assert_eq!(d.status, ApplicationStatus::Withdrawn);
}

async fn desk(c: &Ctx, department: &str) -> String {
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/departments/tokens",
            Some(ADMIN),
            Some(json!({ "department": department, "label": "desk 2" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.json::<DepartmentTokenCreated>().token
}

async fn ask_withdraw_item(
    c: &Ctx,
    token: &str,
    id: &str,
    item: &str,
    reason: &str,
) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{id}/items/{item}/withdraw"),
            Some(token),
            Some(json!({ "reason": reason })),
        ),
    )
    .await
}

async fn answer_withdrawal(
    c: &Ctx,
    desk: &str,
    case: &str,
    item: &str,
    body: serde_json::Value,
) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/department/cases/{case}/items/{item}/withdrawal"),
            Some(desk),
            Some(body),
        ),
    )
    .await
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn a_partly_accepted_case_asks_the_department_to_withdraw_one_sub_item() {
    let c = ctx().await;
    let (token, case) = submitted(&c).await;
    let r = admin_move(
        &c.state,
        &case.case_number,
        "birth",
        json!({ "to": "accepted" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    // The whole case can no longer be withdrawn; one sub-item can be asked for.
    let r = withdraw(&c, &token, &case.id, "不办了").await;
    assert_eq!(r.code(), "withdraw_not_allowed");
    let reason = "孩子户口改到外婆家落户";
    let r = ask_withdraw_item(&c, &token, &case.id, "household", "  ").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "withdraw_reason_invalid")
    );
    let bob = login(&c.state).await;
    let r = ask_withdraw_item(&c, &bob, &case.id, "household", reason).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "application_not_found")
    );
    let r = ask_withdraw_item(&c, &token, &case.id, "nope", reason).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "sub_item_not_found")
    );
    let r = ask_withdraw_item(&c, &token, &case.id, "household", reason).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = r.json();
    let last = d.timeline.last().expect("event");
    assert_eq!(
        (last.kind, last.sub_item_id.as_deref()),
        (TimelineKind::WithdrawalRequested, Some("household"))
    );
    let r = ask_withdraw_item(&c, &token, &case.id, "household", reason).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "item_withdraw_not_allowed"),
        "one pending at a time"
    );

    // Sealed at rest.
    let raw: Vec<Vec<u8>> = sqlx::query_scalar("SELECT reason FROM item_withdrawals")
        .fetch_all(&c.state.db)
        .await
        .expect("rows");
    assert!(
        raw.iter()
            .all(|r| !r.windows(reason.len()).any(|w| w == reason.as_bytes()))
    );

    // The police desk sees the request with the reason; the health desk cannot answer it.
    let police = desk(&c, "公安局").await;
    let health = desk(&c, "卫生健康委员会").await;
    let seen: onething_core::api::DepartmentCase = get(
        &c.state,
        &format!("/api/department/cases/{}/items/household", case.case_number),
        Some(&police),
    )
    .await
    .json();
    let w = seen.withdrawal.expect("the request");
    assert_eq!(
        (w.reason.as_str(), w.status),
        (reason, onething_core::api::ItemWithdrawalStatus::Pending)
    );
    assert!(
        seen.timeline
            .iter()
            .any(|e| e.kind == TimelineKind::WithdrawalRequested)
    );
    let r = answer_withdrawal(
        &c,
        &health,
        &case.case_number,
        "household",
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    // Declined (with a reason), asked again, approved.
    let r = answer_withdrawal(
        &c,
        &police,
        &case.case_number,
        "household",
        json!({ "approve": false }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
    let r = answer_withdrawal(
        &c,
        &police,
        &case.case_number,
        "household",
        json!({ "approve": false, "note": "已办理过半，请到窗口说明" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    let last = d.timeline.last().expect("event");
    assert_eq!(last.kind, TimelineKind::WithdrawalDeclined);
    assert_eq!(last.note.as_deref(), Some("已办理过半，请到窗口说明"));
    assert_eq!(last.department.as_deref(), Some("公安局"));
    let item = d
        .items
        .iter()
        .find(|s| s.sub_item_id == "household")
        .expect("item");
    assert_eq!(item.status, SubItemStatus::Received);

    let r = ask_withdraw_item(&c, &token, &case.id, "household", reason).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "asked again after a refusal: {r:?}"
    );
    let r = answer_withdrawal(
        &c,
        &police,
        &case.case_number,
        "household",
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = answer_withdrawal(
        &c,
        &police,
        &case.case_number,
        "household",
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "withdrawal_not_found")
    );
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(
        d.timeline.last().map(|e| e.kind),
        Some(TimelineKind::WithdrawalApproved)
    );
    let status = |id: &str| {
        d.items
            .iter()
            .find(|s| s.sub_item_id == id)
            .map(|s| s.status)
    };
    assert_eq!(status("household"), Some(SubItemStatus::Withdrawn));
    assert_eq!(status("birth"), Some(SubItemStatus::Accepted));
    assert_ne!(d.status, ApplicationStatus::Withdrawn, "the rest goes on");
    // A withdrawn sub-item cannot be asked for again.
    let r = ask_withdraw_item(&c, &token, &case.id, "household", reason).await;
    assert_eq!(r.code(), "item_withdraw_not_allowed");
}

async fn rate(c: &Ctx, token: &str, id: &str, body: serde_json::Value) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{id}/rating"),
            Some(token),
            Some(body),
        ),
    )
    .await
}

async fn follow_up(
    c: &Ctx,
    desk: &str,
    case: &str,
    body: serde_json::Value,
) -> crate::common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/department/cases/{case}/items/birth/follow-ups"),
            Some(desk),
            Some(body),
        ),
    )
    .await
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn a_low_rating_needs_its_reason_and_the_departments_follow_up_shows_on_the_case() {
    let c = ctx().await;
    let (token, case) = submitted(&c).await;
    let health = desk(&c, "卫生健康委员会").await;
    let r = follow_up(
        &c,
        &health,
        &case.case_number,
        json!({ "kind": "revisit", "note": "电话回访" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "follow_up_not_allowed"),
        "not rated yet"
    );
    for item in ["birth", "household", "insurance"] {
        for to in ["accepted", "in_progress", "completed"] {
            let r = admin_move(&c.state, &case.case_number, item, json!({ "to": to })).await;
            assert_eq!(r.status, StatusCode::OK, "{item} {to}: {r:?}");
        }
    }
    let low = json!({ "overall": 2, "efficiency": 4, "guide_accuracy": 4, "convenience": 4, "usability": 4 });
    let r = rate(
        &c,
        &token,
        &case.id,
        json!({ "scores": low, "comment": "  " }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "rating_reason_required")
    );
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    assert!(
        d.rating.is_none() && d.can_rate,
        "nothing stored; still open"
    );
    let r = rate(
        &c,
        &token,
        &case.id,
        json!({ "scores": low, "comment": "窗口让我跑了两次" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");

    // The department records its 整改 and 回访; the police cannot for the health sub-item.
    let police = desk(&c, "公安局").await;
    let r = follow_up(
        &c,
        &police,
        &case.case_number,
        json!({ "kind": "rectification", "note": "x" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = follow_up(
        &c,
        &health,
        &case.case_number,
        json!({ "kind": "rectification", "note": "" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
    let r = follow_up(
        &c,
        &health,
        &case.case_number,
        json!({ "kind": "rectification", "note": "已调整窗口流程，材料一次收齐" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = follow_up(
        &c,
        &health,
        &case.case_number,
        json!({ "kind": "revisit", "note": "已电话回访，群众表示认可" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", case.id),
        Some(&token),
    )
    .await
    .json();
    let follow: Vec<_> = d
        .timeline
        .iter()
        .filter(|e| matches!(e.kind, TimelineKind::Rectified | TimelineKind::Revisited))
        .map(|e| (e.kind, e.note.as_deref(), e.department.as_deref()))
        .collect();
    assert_eq!(
        follow,
        [
            (
                TimelineKind::Rectified,
                Some("已调整窗口流程，材料一次收齐"),
                Some("卫生健康委员会")
            ),
            (
                TimelineKind::Revisited,
                Some("已电话回访，群众表示认可"),
                Some("卫生健康委员会")
            ),
        ]
    );
}
