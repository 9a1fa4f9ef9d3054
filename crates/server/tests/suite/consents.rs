//! Consent requests for the other parent's e-licence, and the ways a result is delivered:
//! who may answer (only the named holder; not the applicant; anyone else sees nothing), once,
//! before it expires; a refusal or an expiry becomes a supplement request; the list's badges
//! (`pending_consents`, `can_rate`) without reading each case.

use std::time::Duration;

use crate::common;
use crate::common::{
    admin_move, application, application_with_consent, ctx, get, jpeg, login, login_person, req,
    send, submit, upload,
};
use axum::http::{Method, StatusCode};
use onething_core::api::{
    ApplicationCreated, ApplicationDetail, ApplicationSummary, ConsentRequest, ConsentStatus,
    DeliveryMethod, SubItemStatus, TimelineKind,
};
use serde_json::json;

struct Case {
    applicant: String,
    holder: String,
    created: ApplicationCreated,
    code: String,
}

async fn case_with_consent(c: &common::Ctx) -> Case {
    let (applicant, _) = login_person(&c.state, "mother").await;
    let (holder, holder_id) = login_person(&c.state, "father").await;
    let up = upload(&c.state, &applicant, &jpeg(10, 10)).await;
    let r = submit(
        &c.state,
        &applicant,
        "k1",
        &application_with_consent(&up, &holder_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let d = detail(c, &applicant, &created.id).await;
    assert_eq!(d.consents.len(), 1);
    let code = d.consents[0].code.clone();
    Case {
        applicant,
        holder,
        created,
        code,
    }
}

async fn detail(c: &common::Ctx, token: &str, id: &str) -> ApplicationDetail {
    let r = get(&c.state, &format!("/api/applications/{id}"), Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

async fn answer(c: &common::Ctx, token: &str, code: &str, decision: &str) -> common::Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/consents/{code}"),
            Some(token),
            Some(json!({ "decision": decision })),
        ),
    )
    .await
}

#[tokio::test]
async fn the_named_other_parent_approves_once_and_the_case_shows_it() {
    let c = ctx().await;
    let sent = case_with_consent(&c).await;
    let d = detail(&c, &sent.applicant, &sent.created.id).await;
    let consent = &d.consents[0];
    assert_eq!(consent.status, ConsentStatus::Pending);
    assert_eq!(consent.material_id, "other_id_card");
    assert_eq!(consent.holder_name, "王强");
    assert_eq!(consent.holder_role.zh, "另一方");
    assert!(
        d.timeline
            .iter()
            .any(|e| e.kind == TimelineKind::ConsentRequested
                && e.material_id.as_deref() == Some("other_id_card"))
    );
    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&sent.applicant))
        .await
        .json();
    assert_eq!(list[0].pending_consents, 1, "the list badges it");

    // The holder sees who asks (masked), for what, which departments, for how long; the code
    // is read as people type it.
    let typed = format!("{}-{}", &sent.code[..4], &sent.code[4..]).to_lowercase();
    let r = get(
        &c.state,
        &format!("/api/consents/{typed}"),
        Some(&sent.holder),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let view: ConsentRequest = r.json();
    assert_eq!(view.status, ConsentStatus::Pending);
    assert!(
        view.requester_name.ends_with('*'),
        "{}",
        view.requester_name
    );
    assert_eq!(view.case_number, sent.created.case_number);
    assert_eq!(view.material_title.zh, "另一方身份证");
    assert_eq!(view.valid_days, 30);
    let depts: Vec<&str> = view.departments.iter().map(|d| d.zh.as_str()).collect();
    assert_eq!(depts, ["公安局", "医疗保障局"]);

    let r = answer(&c, &sent.holder, &sent.code, "approve").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let view: ConsentRequest = r.json();
    assert_eq!(view.status, ConsentStatus::Approved);
    assert!(view.valid_until.is_some());
    let r = answer(&c, &sent.holder, &sent.code, "decline").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "consent_already_answered"),
        "a code answers once"
    );

    let after = detail(&c, &sent.applicant, &sent.created.id).await;
    assert_eq!(after.consents[0].status, ConsentStatus::Approved);
    assert!(
        after.revision > d.revision,
        "a change the live stream sends"
    );
    assert!(
        after.supplements.len() == d.supplements.len(),
        "no supplement on approval"
    );
    let list: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&sent.applicant))
        .await
        .json();
    assert_eq!(list[0].pending_consents, 0);
}

#[tokio::test]
async fn only_the_named_holder_may_answer_never_the_applicant() {
    let c = ctx().await;
    let sent = case_with_consent(&c).await;
    let stranger = login(&c.state).await;
    for (token, want, code) in [
        (
            &sent.applicant,
            StatusCode::FORBIDDEN,
            "consent_own_request",
        ),
        (&stranger, StatusCode::NOT_FOUND, "consent_not_found"),
    ] {
        let r = get(
            &c.state,
            &format!("/api/consents/{}", sent.code),
            Some(token),
        )
        .await;
        assert_eq!((r.status, r.code().as_str()), (want, code));
        let r = answer(&c, token, &sent.code, "approve").await;
        assert_eq!((r.status, r.code().as_str()), (want, code));
    }
    for bad in ["NOPE0000", "short", "ABCD2345"] {
        let r = get(
            &c.state,
            &format!("/api/consents/{bad}"),
            Some(&sent.holder),
        )
        .await;
        assert_eq!(r.code(), "consent_not_found", "{bad}");
    }
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/consents/{}", sent.code),
            Some(&sent.holder),
            Some(json!({ "decision": "maybe" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get(&c.state, &format!("/api/consents/{}", sent.code), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let d = detail(&c, &sent.applicant, &sent.created.id).await;
    assert_eq!(
        d.consents[0].status,
        ConsentStatus::Pending,
        "still pending"
    );
}

#[tokio::test]
async fn a_refusal_asks_for_the_material_as_a_supplement() {
    let c = ctx().await;
    let sent = case_with_consent(&c).await;
    let before = detail(&c, &sent.applicant, &sent.created.id).await;
    let r = answer(&c, &sent.holder, &sent.code, "decline").await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = detail(&c, &sent.applicant, &sent.created.id).await;
    assert_eq!(d.consents[0].status, ConsentStatus::Declined);
    assert_eq!(d.supplements.len(), before.supplements.len() + 1);
    let s = d
        .supplements
        .iter()
        .find(|s| s.note.contains("另一方身份证"))
        .expect("a supplement for the material");
    assert_eq!(
        s.sub_item_id, "household",
        "the first sub-item that needs it"
    );
    assert!(s.note.contains("另一方身份证"), "{}", s.note);
    let household = d.items.iter().find(|i| i.sub_item_id == "household");
    assert_eq!(
        household.map(|i| i.status),
        Some(SubItemStatus::SupplementRequested)
    );
    assert!(
        d.timeline
            .iter()
            .any(|e| e.kind == TimelineKind::ConsentDeclined)
    );
}

#[tokio::test]
async fn an_unanswered_request_expires_and_cannot_be_answered_late() {
    let c = ctx().await;
    let sent = case_with_consent(&c).await;
    c.state.clock.advance(Duration::from_secs(3 * 86_400 + 1));
    // Sessions ended meanwhile: both sign in again (same accounts).
    let (holder, _) = login_person(&c.state, "father").await;
    let (applicant, _) = login_person(&c.state, "mother").await;
    let d = detail(&c, &applicant, &sent.created.id).await;
    assert_eq!(
        d.consents[0].status,
        ConsentStatus::Expired,
        "even before the sweep"
    );
    let r = answer(&c, &holder, &sent.code, "approve").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::GONE, "consent_expired")
    );
    assert_eq!(
        onething_server::tracking::expire_consents(&c.state)
            .await
            .expect("sweep"),
        1
    );
    let d = detail(&c, &applicant, &sent.created.id).await;
    assert!(
        d.timeline
            .iter()
            .any(|e| e.kind == TimelineKind::ConsentExpired)
    );
    assert!(
        d.supplements
            .iter()
            .any(|s| s.note.contains("另一方身份证"))
    );
    assert_eq!(
        onething_server::tracking::expire_consents(&c.state)
            .await
            .expect("sweep"),
        0,
        "once"
    );
}

#[tokio::test]
async fn an_applicants_own_e_licence_asks_nobody() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let created: ApplicationCreated = submit(&c.state, &token, "k", &application(&up))
        .await
        .json();
    assert!(detail(&c, &token, &created.id).await.consents.is_empty());
}

#[tokio::test]
async fn results_are_delivered_only_the_ways_the_definition_offers() {
    let c = ctx().await;
    let sent = case_with_consent(&c).await;
    let case = sent.created.case_number.as_str();
    for item in ["birth", "household"] {
        for to in ["accepted", "in_progress", "completed"] {
            let r = admin_move(&c.state, case, item, json!({ "to": to })).await;
            assert_eq!(r.status, StatusCode::OK, "{item} {to}: {r:?}");
        }
    }
    for (item, body, code) in [
        ("birth", json!({ "to": "delivered" }), "delivery_invalid"),
        (
            "birth",
            json!({ "to": "delivered", "delivery": { "method": "mail", "courier": "顺丰速运", "tracking_number": "SF1234567890" } }),
            "delivery_method_not_offered",
        ),
        (
            "household",
            json!({ "to": "delivered", "delivery": { "method": "mail", "tracking_number": "SF1234567890" } }),
            "delivery_invalid",
        ),
        (
            "household",
            json!({ "to": "delivered", "delivery": { "method": "mail", "courier": "顺丰速运", "tracking_number": "SF 12/34" } }),
            "delivery_invalid",
        ),
        (
            "birth",
            json!({ "to": "delivered", "delivery": { "method": "window", "pickup_code": "<b>" } }),
            "delivery_invalid",
        ),
    ] {
        let r = admin_move(&c.state, case, item, body.clone()).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}"
        );
    }
    let r = admin_move(
        &c.state,
        case,
        "household",
        json!({ "to": "delivered", "delivery": { "method": "mail", "courier": "中国邮政 EMS", "tracking_number": "EA123456789CN" } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let r = admin_move(
        &c.state,
        case,
        "birth",
        json!({ "to": "delivered", "delivery": { "method": "e_licence" } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let d = detail(&c, &sent.applicant, &sent.created.id).await;
    let mail = d.items[1].delivery.as_ref().expect("mail");
    assert_eq!(
        (
            mail.method,
            mail.courier.as_deref(),
            mail.tracking_number.as_deref()
        ),
        (
            DeliveryMethod::Mail,
            Some("中国邮政 EMS"),
            Some("EA123456789CN")
        )
    );
    assert_eq!(d.items[1].tracking_number.as_deref(), Some("EA123456789CN"));
    let e = d.items[0].delivery.as_ref().expect("e-licence");
    assert_eq!(e.method, DeliveryMethod::ELicence);
    assert_eq!(
        e.where_to_find.as_ref().map(|w| w.en.as_str()),
        Some("My e-licences")
    );
}

#[tokio::test]
async fn the_list_says_when_a_case_may_be_rated() {
    let c = ctx().await;
    let token = login(&c.state).await;
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let created: ApplicationCreated = submit(&c.state, &token, "k", &application(&up))
        .await
        .json();
    let list = |t: String| {
        let state = c.state.clone();
        async move {
            get(&state, "/api/applications", Some(&t))
                .await
                .json::<Vec<ApplicationSummary>>()
        }
    };
    assert!(!list(token.clone()).await[0].can_rate);
    for item in ["birth", "household", "insurance"] {
        let r = admin_move(&c.state, &created.id, item, json!({ "to": "rejected" })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    assert!(list(token.clone()).await[0].can_rate);
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/rating", created.id),
            Some(&token),
            Some(json!({ "scores": { "overall": 5, "efficiency": 5, "guide_accuracy": 5, "convenience": 5, "usability": 5 } })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(!list(token).await[0].can_rate, "rated: no badge");
}
