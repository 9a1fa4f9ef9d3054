//! The access-control matrix: user B against every operation of the contract that takes an id
//! (read from `docs/openapi.json`, so a new endpoint is covered the day it is added), with
//! user A's ids, every verb, plausible bodies and headers → 0 successes, and A's resources
//! unchanged afterwards. Also B naming A's uploads inside B's own requests, B reusing A's
//! idempotency key, and B's token on the admin API.

use crate::common;
use crate::common::{
    ADMIN, application, application_with_consent, create_upload, ctx, get, jpeg, login,
    login_person, req, send, submit, upload,
};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use onething_core::api::{ApplicationCreated, ApplicationDetail, Draft};
use serde_json::json;

/// A's resources.
struct Owned {
    draft: String,
    upload: String,
    partial_upload: String,
    application: ApplicationCreated,
    supplement: String,
    consent: String,
    /// A case an agent filled for A, pending A's confirmation (帮办代办).
    assisted: String,
    assisted_code: String,
    /// A notice of A's message centre (the consent request of A's case).
    message: String,
}

fn operations() -> Vec<(Method, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../../docs/openapi.json"))
            .expect("the committed contract parses");
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for verb in ops.as_object().expect("operations").keys() {
            if let Ok(m) = verb.to_ascii_uppercase().parse::<Method>() {
                out.push((m, path.clone()));
            }
        }
    }
    out
}

fn fill(path: &str, a: &Owned) -> String {
    let app = &a.application;
    let id = if path.starts_with("/api/drafts/") {
        a.draft.as_str()
    } else if path.starts_with("/api/assisted/") {
        a.assisted.as_str()
    } else if path.starts_with("/api/uploads/") {
        a.upload.as_str()
    } else if path.starts_with("/api/messages/") {
        a.message.as_str()
    } else {
        app.id.as_str()
    };
    let code = if path.starts_with("/api/assisted/") {
        &a.assisted_code
    } else {
        &a.consent
    };
    path.replace("{id}", id)
        .replace("{supplement_id}", &a.supplement)
        .replace("{code}", code)
        .replace("{case}", &app.case_number)
        .replace("{sub_item_id}", "birth")
}

/// The request B sends: the body and headers A would send for this operation.
fn request_as(method: &Method, uri: &str, token: &str) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header(header::IF_MATCH, "\"1\"")
        .header("idempotency-key", "b-tries");
    let body = if uri.starts_with("/api/uploads/") {
        b = b
            .header("upload-offset", "0")
            .header(header::CONTENT_TYPE, "application/offset+octet-stream");
        if *method == Method::POST {
            b = b.header("x-http-method-override", "PATCH");
        }
        Body::from(vec![0u8; 16])
    } else {
        b = b.header(header::CONTENT_TYPE, "application/json");
        let v = if uri.contains("/rating") {
            json!({ "scores": { "overall": 1, "efficiency": 1, "guide_accuracy": 1, "convenience": 1, "usability": 1 } })
        } else if uri.contains("/supplements/") {
            json!({ "text": "hijack" })
        } else if uri.ends_with("/withdraw") {
            json!({ "reason": "hijack" })
        } else if uri.starts_with("/api/consents/") {
            json!({ "decision": "approve" })
        } else if uri.starts_with("/api/assisted/confirmations/") {
            json!({ "decision": "confirm" })
        } else if uri.starts_with("/api/assisted/") {
            json!({ "application": { "service_id": "test-bundle", "sub_items": [], "answers": {}, "materials": {} } })
        } else if uri.contains("/items/") {
            json!({ "to": "accepted" })
        } else {
            json!({ "service_id": "newborn", "data": { "stolen": true } })
        };
        Body::from(v.to_string())
    };
    b.body(body).expect("request")
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn user_b_with_user_as_ids_succeeds_nowhere() {
    let c = ctx().await;
    let alice_session = common::sign_in(&c.state, None).await;
    let alice = alice_session.token.clone();
    let bob = login(&c.state).await;
    // Agents: one helped A (帮办代办), the other did not; both are staff accounts of their own.
    let helper = agent_session(&c.state, "access-helper").await;
    let agent_c = agent_session(&c.state, "access-other-agent").await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/drafts",
            Some(&alice),
            Some(json!({ "service_id": "newborn", "data": { "step": 1 } })),
        ),
    )
    .await;
    let draft: Draft = r.json();
    let up = upload(&c.state, &alice, &jpeg(10, 10)).await;
    let partial_upload = create_upload(&c.state, &alice, 100).await;
    // The other parent of A's case exists too; B is neither A nor him.
    let (_other, other_id) = login_person(&c.state, "access-other").await;
    let created: ApplicationCreated = submit(
        &c.state,
        &alice,
        "a-key",
        &application_with_consent(&up, &other_id),
    )
    .await
    .json();
    let detail: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(&alice),
    )
    .await
    .json();
    let (assisted, assisted_code) =
        assisted_case_for(&c.state, &helper, &alice_session.account).await;
    let a = Owned {
        draft: draft.id,
        upload: up.clone(),
        partial_upload,
        application: created,
        supplement: detail.supplements[0].id.clone(),
        consent: detail.consents[0].code.clone(),
        assisted,
        assisted_code,
        message: {
            let list: onething_core::api::MessageList =
                get(&c.state, "/api/messages", Some(&alice)).await.json();
            list.messages[0].id.to_string()
        },
    };

    let mut tried = 0;
    let mut succeeded = Vec::new();
    let mut operations_with_ids = 0;
    for (method, path) in operations() {
        if !path.contains('{') {
            continue;
        }
        operations_with_ids += 1;
        let mut uris = vec![fill(&path, &a)];
        if path.starts_with("/api/uploads/") {
            uris.push(path.replace("{id}", &a.partial_upload));
        }
        // Citizen B, and agent C (who did not help A): neither reaches anything of A's.
        for (who, token) in [("B", &bob), ("agent C", &agent_c)] {
            for uri in &uris {
                tried += 1;
                let r = send(&c.state, request_as(&method, uri, token)).await;
                let agents_only = path.starts_with("/api/assisted/")
                    && !path.starts_with("/api/assisted/confirmations/");
                if r.status.is_success() || r.status.is_server_error() {
                    succeeded.push(format!("{who}: {method} {uri} → {}", r.status));
                } else if agents_only && who == "B" {
                    // A citizen cannot act as an agent: the token itself is refused.
                    assert_eq!(r.code(), "agent_required", "{method} {uri}: {r:?}");
                } else if !path.starts_with("/api/admin/")
                    && !path.starts_with("/api/department")
                    && !path.starts_with("/api/services/")
                    && !path.starts_with("/api/public/")
                {
                    // Someone else's resource is "not found", never "forbidden": nothing leaks.
                    // (The staff's APIs refuse a citizen's token itself: 401. The public 亮晒
                    // list belongs to nobody: anyone signed in may rate an entry.)
                    assert_eq!(
                        r.status,
                        StatusCode::NOT_FOUND,
                        "{who}: {method} {uri}: {r:?}"
                    );
                }
            }
        }
    }

    // B names A's upload in B's own submission, and A's idempotency key with A's exact body.
    for key in ["b-own-key", "a-key"] {
        tried += 1;
        let r = submit(&c.state, &bob, key, &application(&a.upload)).await;
        // (A's key with A's body is refused for the upload, so the consent half is not needed.)
        if r.status.is_success() {
            succeeded.push(format!("submission with A's upload and key {key}"));
        }
        assert_eq!(r.code(), "upload_not_usable", "{r:?}");
    }
    // B's token on the admin and the departments' APIs.
    for uri in [
        "/api/admin/applications",
        "/api/admin/audit",
        "/api/department",
        "/api/department/cases",
    ] {
        tried += 1;
        let r = get(&c.state, uri, Some(&bob)).await;
        if r.status.is_success() {
            succeeded.push(format!("GET {uri} with B's token"));
        }
    }
    // The agent who helped A reads none of A's applications, and cannot confirm for A.
    for suffix in ["", "/submission", "/events"] {
        tried += 1;
        let uri = format!("/api/applications/{}{suffix}", a.application.id);
        let r = get(&c.state, &uri, Some(&helper)).await;
        if r.status.is_success() {
            succeeded.push(format!("helping agent: GET {uri}"));
        }
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {r:?}");
    }
    tried += 1;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/assisted/confirmations/{}", a.assisted_code),
            Some(&helper),
            Some(json!({ "decision": "confirm" })),
        ),
    )
    .await;
    assert_eq!(r.code(), "assisted_own_case", "{r:?}");
    let agents_list: Vec<serde_json::Value> = get(&c.state, "/api/applications", Some(&helper))
        .await
        .json();
    assert!(agents_list.is_empty());
    // B's lists show nothing of A's.
    let drafts: Vec<Draft> = get(&c.state, "/api/drafts", Some(&bob)).await.json();
    assert!(drafts.is_empty());
    let apps: Vec<serde_json::Value> = get(&c.state, "/api/applications", Some(&bob)).await.json();
    assert!(apps.is_empty());

    println!(
        "figure: access control: {tried} requests by user B on user A's ids over {operations_with_ids} operations, {} succeeded",
        succeeded.len()
    );
    assert!(succeeded.is_empty(), "{succeeded:#?}");
    assert!(
        operations_with_ids >= 12,
        "the contract's id operations were found"
    );

    // A's things are as A left them.
    let r = get(&c.state, &format!("/api/drafts/{}", a.draft), Some(&alice)).await;
    assert_eq!(r.json::<Draft>().version, 1);
    let (status, offset) = common::head_offset(&c.state, &a.partial_upload, &alice).await;
    assert_eq!((status, offset), (StatusCode::OK, Some(0)));
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", a.application.id),
        Some(&alice),
    )
    .await
    .json();
    assert!(d.rating.is_none());
    assert!(d.supplements[0].answer.is_none());
    assert_eq!(d.revision, 1, "no change to A's case");
    assert_eq!(d.timeline.len(), 2, "submitted, consent requested");
    let r = get(
        &c.state,
        &format!("/api/assisted/{}", a.assisted),
        Some(&helper),
    )
    .await;
    assert_eq!(
        r.json::<onething_core::api::AssistedCase>().status,
        onething_core::api::AssistedStatus::Pending,
        "nobody but A could confirm A's assisted case"
    );
    assert_eq!(
        d.consents[0].status,
        onething_core::api::ConsentStatus::Pending,
        "B could not answer the other parent's consent"
    );
    let r = get(
        &c.state,
        &format!("/api/admin/applications/{}", a.application.case_number),
        Some(ADMIN),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// An agent's session (development issuer, then an ordinary sign-in with the ticket).
async fn agent_session(state: &onething_server::AppState, label: &str) -> String {
    let r = send(
        state,
        req(
            Method::POST,
            "/api/dev/agent-tickets",
            None,
            Some(json!({ "label": label, "name": "李代办", "organisation": "某村便民服务中心" })),
        ),
    )
    .await;
    let ticket: onething_core::api::AgentTicket = r.json();
    let r = send(
        state,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": ticket.ticket })),
        ),
    )
    .await;
    r.json::<onething_core::api::SessionCreated>().token
}

/// A case `agent` filled for `citizen`, pending the citizen's confirmation: its id and code.
async fn assisted_case_for(
    state: &onething_server::AppState,
    agent: &str,
    citizen: &onething_core::api::Account,
) -> (String, String) {
    let r = send(
        state,
        req(
            Method::POST,
            "/api/assisted",
            Some(agent),
            Some(json!({ "service_id": "test-bundle", "citizen_name": citizen.name, "citizen_id_number": citizen.id_number })),
        ),
    )
    .await;
    let case: onething_core::api::AssistedCase = r.json();
    let photo = upload(state, agent, &jpeg(10, 10)).await;
    let r = send(
        state,
        req(
            Method::POST,
            &format!("/api/assisted/{}/submit", case.id),
            Some(agent),
            Some(json!({ "application": application(&photo) })),
        ),
    )
    .await;
    let case: onething_core::api::AssistedCase = r.json();
    (case.id, case.code.expect("pending, with a code"))
}
