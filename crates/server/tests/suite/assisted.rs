//! 帮办代办: an agent (a staff account with the agent role) fills an application for a named
//! citizen and submits it for confirmation; the citizen, signed in as themselves, confirms
//! (exactly one application, under the citizen's identity) or refuses; an unanswered
//! confirmation expires; without a phone the agent submits on paper authority. Nothing reaches
//! the departments before the citizen (or the paper) agrees, and every step is audited.

use std::time::Duration;

use crate::common::{
    self, ADMIN, application, ctx, get, jpeg, login, login_person, newborn_example, req, send,
    submit, upload,
};
use axum::http::{Method, StatusCode};
use onething_core::api::{
    AgentTicket, ApplicationDetail, ApplicationSummary, AssistedCase, AssistedConfirmation,
    AssistedStatus, AuditEntry, SessionCreated,
};
use serde_json::json;

/// Signs in a new agent `label` (development issuer); returns the session token.
async fn agent(c: &common::Ctx, label: &str) -> String {
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/dev/agent-tickets",
            None,
            Some(json!({ "label": label, "name": "李代办", "organisation": "吴兴区八里店镇某村便民服务中心" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let t: AgentTicket = r.json();
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/session",
            None,
            Some(json!({ "ticket": t.ticket })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.json::<SessionCreated>().token
}

/// A citizen who signed in once: token, name and ID number.
async fn citizen(c: &common::Ctx, subject: &str) -> (String, String, String) {
    let s = common::sign_in(&c.state, Some(subject)).await;
    (s.token, s.account.name, s.account.id_number)
}

async fn post(c: &common::Ctx, uri: &str, token: &str, body: serde_json::Value) -> common::Resp {
    send(&c.state, req(Method::POST, uri, Some(token), Some(body))).await
}

/// The agent submits the case `id` with `body` (`{application, paper_authorisation?}`).
async fn submit_case(
    c: &common::Ctx,
    agent: &str,
    id: &str,
    body: serde_json::Value,
) -> common::Resp {
    post(c, &format!("/api/assisted/{id}/submit"), agent, body).await
}

/// The agent starts a case for the citizen and submits `test-bundle` with one photo for
/// confirmation; returns the case as the agent sees it and the photo's upload id.
async fn pending_case(
    c: &common::Ctx,
    agent: &str,
    name: &str,
    id: &str,
) -> (AssistedCase, String) {
    let r = post(
        c,
        "/api/assisted",
        agent,
        json!({ "service_id": "test-bundle", "citizen_name": name, "citizen_id_number": id }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let started: AssistedCase = r.json();
    assert_eq!(started.status, AssistedStatus::Filling);
    let up = upload(&c.state, agent, &jpeg(10, 10)).await;
    let r = submit_case(
        c,
        agent,
        &started.id,
        json!({ "application": application(&up) }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let case: AssistedCase = r.json();
    assert_eq!(case.status, AssistedStatus::Pending);
    assert!(case.code.is_some());
    (case, up)
}

async fn departments_have(c: &common::Ctx) -> Vec<ApplicationSummary> {
    let r = get(&c.state, "/api/admin/applications", Some(ADMIN)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

async fn agents_cases(c: &common::Ctx, agent: &str) -> Vec<AssistedCase> {
    let r = get(&c.state, "/api/assisted", Some(agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

async fn audit_actions(c: &common::Ctx) -> Vec<AuditEntry> {
    let r = get(&c.state, "/api/admin/audit?limit=500", Some(ADMIN)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

/// The citizen reads the summary by the code typed as people type it: who helped, what, which
/// documents, who receives it; not yet an application.
async fn read_summary(c: &common::Ctx, citizen: &str, code: &str) {
    // The code typed as people type it.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let r = get(
        &c.state,
        &format!("/api/assisted/confirmations/{typed}"),
        Some(citizen),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let summary: AssistedConfirmation = r.json();
    assert_eq!(summary.status, AssistedStatus::Pending);
    assert_eq!(summary.agent_name, "李代办");
    assert!(summary.agent_organisation.contains("便民服务中心"));
    assert_eq!(summary.sub_items.len(), 3, "{summary:?}");
    assert!(!summary.recipients.is_empty());
    assert!(
        summary.documents.iter().any(|d| d.zh.contains("照片 1 张")),
        "{summary:?}"
    );
    assert!(summary.application_id.is_none());
}

#[tokio::test]
async fn the_citizen_confirms_once_and_the_application_is_theirs() {
    let c = ctx().await;
    let agent = agent(&c, "A-0001").await;
    let (citizen, name, id) = citizen(&c, "grandmother").await;
    let (case, up) = pending_case(&c, &agent, &name, &id).await;
    assert_eq!(case.citizen_name.chars().count(), name.chars().count());
    assert!(
        case.citizen_name.chars().skip(1).all(|ch| ch == '*'),
        "masked: {case:?}"
    );
    // Submitted for confirmation: nothing is with the departments yet.
    assert!(departments_have(&c).await.is_empty());

    let code = case.code.clone().expect("code");
    read_summary(&c, &citizen, &code).await;

    // Two taps at once: one application.
    let uri = format!("/api/assisted/confirmations/{code}");
    let (a, b) = tokio::join!(
        post(&c, &uri, &citizen, json!({ "decision": "confirm" })),
        post(&c, &uri, &citizen, json!({ "decision": "confirm" })),
    );
    let ok: Vec<&common::Resp> = [&a, &b]
        .into_iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert!(!ok.is_empty(), "{a:?} {b:?}");
    for r in [&a, &b] {
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::CONFLICT,
            "{r:?}"
        );
    }
    let again = post(&c, &uri, &citizen, json!({ "decision": "confirm" })).await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    let confirmed: AssistedConfirmation = again.json();
    assert_eq!(confirmed.status, AssistedStatus::Confirmed);
    let application_id = confirmed.application_id.clone().expect("application");

    let all = departments_have(&c).await;
    assert_eq!(
        all.len(),
        1,
        "exactly one application reached the departments"
    );
    // Under the citizen's identity: in the citizen's own list, not the agent's.
    let mine: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&citizen))
        .await
        .json();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, application_id);
    let agents_own: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&agent))
        .await
        .json();
    assert!(agents_own.is_empty());
    let detail: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{application_id}"),
        Some(&citizen),
    )
    .await
    .json();
    let note = detail.timeline[0].note.clone().unwrap_or_default();
    assert!(
        note.contains("帮办代办") && note.contains("李代办") && note.contains("确认"),
        "{note}"
    );
    // The photo is the citizen's now, no longer the agent's.
    let r = get(&c.state, &format!("/api/uploads/{up}"), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");

    // The agent follows it: status and case number only.
    let cases = agents_cases(&c, &agent).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].status, AssistedStatus::Confirmed);
    assert_eq!(
        cases[0].case_number.as_deref(),
        Some(all[0].case_number.as_str())
    );
    assert!(cases[0].code.is_none());

    // Refusing after confirming is refused.
    let r = post(&c, &uri, &citizen, json!({ "decision": "refuse" })).await;
    assert_eq!(r.code(), "assisted_already_answered", "{r:?}");

    // Who filled, who confirmed, when.
    let log = audit_actions(&c).await;
    let find = |action: &str| {
        log.iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} in {log:?}"))
    };
    assert_eq!(find("assisted_started").actor, "agent:A-0001");
    assert_eq!(
        find("assisted_submitted_for_confirmation").actor,
        "agent:A-0001"
    );
    let confirmed_entry = find("assisted_confirmed");
    assert!(confirmed_entry.actor.starts_with("citizen:"));
    assert_eq!(
        confirmed_entry.application_id.as_deref(),
        Some(application_id.as_str())
    );
}

#[tokio::test]
async fn a_refusal_or_an_expiry_leaves_nothing_with_the_departments() {
    let c = ctx().await;
    let agent = agent(&c, "A-0002").await;
    let (citizen, name, id) = citizen(&c, "refuser").await;
    let (refused, _) = pending_case(&c, &agent, &name, &id).await;
    let uri = format!(
        "/api/assisted/confirmations/{}",
        refused.code.clone().expect("code")
    );
    let r = post(&c, &uri, &citizen, json!({ "decision": "refuse" })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        r.json::<AssistedConfirmation>().status,
        AssistedStatus::Refused
    );
    let r = post(&c, &uri, &citizen, json!({ "decision": "confirm" })).await;
    assert_eq!(r.code(), "assisted_already_answered", "{r:?}");

    let (expiring, up) = pending_case(&c, &agent, &name, &id).await;
    // The photos are kept while the citizen may still confirm (longer than unused uploads).
    c.state.clock.advance(Duration::from_hours(71));
    onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    // Sessions last 12 hours: both sign in again (the same accounts).
    let agent = self::agent(&c, "A-0002").await;
    let (citizen, _, _) = self::citizen(&c, "refuser").await;
    let r = get(&c.state, &format!("/api/uploads/{up}"), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "kept for the confirmation: {r:?}");
    c.state.clock.advance(Duration::from_secs(3600 + 1));
    let uri = format!(
        "/api/assisted/confirmations/{}",
        expiring.code.clone().expect("code")
    );
    let r = post(&c, &uri, &citizen, json!({ "decision": "confirm" })).await;
    assert_eq!(r.status, StatusCode::GONE, "{r:?}");
    assert_eq!(r.code(), "assisted_expired");

    assert!(departments_have(&c).await.is_empty());
    let mine: Vec<ApplicationSummary> = get(&c.state, "/api/applications", Some(&citizen))
        .await
        .json();
    assert!(mine.is_empty());
    // The agent sees why.
    let cases = agents_cases(&c, &agent).await;
    let status_of = |id: &str| cases.iter().find(|x| x.id == id).expect("case").status;
    assert_eq!(status_of(&refused.id), AssistedStatus::Refused);
    assert_eq!(status_of(&expiring.id), AssistedStatus::Expired);
    // The sweep records the expiry and lets the photos go.
    onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    let log = audit_actions(&c).await;
    assert!(log.iter().any(|e| e.action == "assisted_refused"));
    assert!(
        log.iter()
            .any(|e| e.action == "assisted_expired" && e.actor == "system")
    );
    let r = get(&c.state, &format!("/api/uploads/{up}"), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "swept: {r:?}");
}

#[tokio::test]
async fn only_the_named_citizen_may_open_the_confirmation() {
    let c = ctx().await;
    let agent_a = agent(&c, "A-0003").await;
    let agent_b = agent(&c, "B-0004").await;
    let (_citizen, name, id) = citizen(&c, "named").await;
    let stranger = login(&c.state).await;
    let (case, _) = pending_case(&c, &agent_a, &name, &id).await;
    let uri = format!(
        "/api/assisted/confirmations/{}",
        case.code.clone().expect("code")
    );
    let r = get(&c.state, &uri, Some(&stranger)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = post(&c, &uri, &stranger, json!({ "decision": "confirm" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    // The agent who filled it cannot confirm it.
    let r = post(&c, &uri, &agent_a, json!({ "decision": "confirm" })).await;
    assert_eq!(r.code(), "assisted_own_case", "{r:?}");
    // Another agent sees nothing of it.
    let r = get(
        &c.state,
        &format!("/api/assisted/{}", case.id),
        Some(&agent_b),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    assert!(agents_cases(&c, &agent_b).await.is_empty());
    assert!(departments_have(&c).await.is_empty());
}

#[tokio::test]
async fn a_citizen_cannot_act_as_an_agent_nor_an_agent_apply_or_read_a_citizens_cases() {
    let c = ctx().await;
    let agent = agent(&c, "A-0005").await;
    let (citizen, name, id) = citizen(&c, "applies-herself").await;
    // The citizen's own earlier application.
    let up = upload(&c.state, &citizen, &jpeg(10, 10)).await;
    let own = submit(&c.state, &citizen, "own", &application(&up)).await;
    assert_eq!(own.status, StatusCode::CREATED, "{own:?}");
    let own_id = own.json::<onething_core::api::ApplicationCreated>().id;

    for (method, uri) in [
        (Method::GET, "/api/assisted".to_owned()),
        (Method::POST, "/api/assisted".to_owned()),
        (Method::POST, "/api/assisted/any/submit".to_owned()),
        (Method::GET, "/api/assisted/any".to_owned()),
    ] {
        let body =
            json!({ "service_id": "test-bundle", "citizen_name": name, "citizen_id_number": id });
        let r = send(
            &c.state,
            req(method.clone(), &uri, Some(&citizen), Some(body)),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri}: {r:?}");
        assert_eq!(r.code(), "agent_required");
    }
    // An agent's staff account does not apply itself.
    let up = upload(&c.state, &agent, &jpeg(10, 10)).await;
    let r = submit(&c.state, &agent, "agent-self", &application(&up)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{r:?}");
    assert_eq!(r.code(), "agent_cannot_apply");
    // Even after helping this citizen, the agent reads none of the citizen's applications.
    let (case, _) = pending_case(&c, &agent, &name, &id).await;
    let uri = format!("/api/assisted/confirmations/{}", case.code.expect("code"));
    let r = post(&c, &uri, &citizen, json!({ "decision": "confirm" })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let helped = r.json::<AssistedConfirmation>().application_id.expect("id");
    for id in [&own_id, &helped] {
        for suffix in ["", "/submission", "/events"] {
            let r = get(
                &c.state,
                &format!("/api/applications/{id}{suffix}"),
                Some(&agent),
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}{suffix}: {r:?}");
        }
    }
    // Without a session at all: 401.
    let r = get(&c.state, "/api/assisted", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_citizen_is_checked_at_the_start_and_must_be_the_applicant() {
    let c = ctx().await;
    let agent = agent(&c, "A-0006").await;
    let r = post(
        &c,
        "/api/assisted",
        &agent,
        json!({ "service_id": "test-bundle", "citizen_name": "王", "citizen_id_number": "330502199403150021" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
    let body: onething_core::api::ApiErrorBody = r.json();
    assert_eq!(body.code, "assisted_citizen_invalid");
    assert!(
        body.fields.contains(&"citizen_id_number".to_owned()),
        "{body:?}"
    );
    assert!(
        body.errors.iter().any(|e| e.code == "id_number_checksum"),
        "{body:?}"
    );
    let r = post(
        &c,
        "/api/assisted",
        &agent,
        json!({ "service_id": "nope", "citizen_name": "王小红", "citizen_id_number": "330502199403150021" }),
    )
    .await;
    assert_eq!(r.code(), "service_not_found");

    // The newborn application names its applicant: it must be the citizen of the case.
    let (example, day) = newborn_example();
    c.state
        .clock
        .set(onething_server::clock::parse_instant(&day).expect("day"));
    let (_c, name, id) = citizen(&c, "not-the-applicant").await;
    let r = post(
        &c,
        "/api/assisted",
        &agent,
        json!({ "service_id": "newborn", "citizen_name": name, "citizen_id_number": id }),
    )
    .await;
    let case: AssistedCase = r.json();
    let r = submit_case(&c, &agent, &case.id, json!({ "application": example })).await;
    assert_eq!(r.code(), "assisted_applicant_mismatch", "{r:?}");
}

#[tokio::test]
async fn paper_authority_submits_at_once_and_says_so() {
    let c = ctx().await;
    let agent = agent(&c, "A-0007").await;
    // A citizen without a phone: never signed in.
    let (_, id) = login_person(&c.state, "throwaway-for-a-valid-id").await;
    let r = post(
        &c,
        "/api/assisted",
        &agent,
        json!({ "service_id": "test-bundle", "citizen_name": "张桂英", "citizen_id_number": id }),
    )
    .await;
    let started: AssistedCase = r.json();
    let photo = upload(&c.state, &agent, &jpeg(10, 10)).await;
    let paper = upload(&c.state, &agent, &jpeg(12, 12)).await;
    let r = submit_case(
        &c,
        &agent,
        &started.id,
        json!({ "application": application(&photo), "paper_authorisation": paper }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let case: AssistedCase = r.json();
    assert_eq!(case.status, AssistedStatus::PaperAuthority);
    let all = departments_have(&c).await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        case.case_number.as_deref(),
        Some(all[0].case_number.as_str())
    );
    let r = get(
        &c.state,
        &format!("/api/admin/applications/{}", all[0].case_number),
        Some(ADMIN),
    )
    .await;
    let detail: ApplicationDetail = r.json();
    let note = detail.timeline[0].note.clone().unwrap_or_default();
    assert!(note.contains("纸质授权书"), "{note}");
    // Submitting again changes nothing.
    let r = submit_case(
        &c,
        &agent,
        &started.id,
        json!({ "application": application(&photo), "paper_authorisation": paper }),
    )
    .await;
    assert_eq!(r.code(), "assisted_not_open", "{r:?}");
    assert_eq!(departments_have(&c).await.len(), 1);
    assert!(
        audit_actions(&c)
            .await
            .iter()
            .any(|e| e.action == "assisted_submitted_on_paper_authority")
    );
}

#[tokio::test]
async fn the_agent_shows_a_qr_code_of_the_confirmation_link_while_pending() {
    let c = ctx().await;
    let agent = agent(&c, "A-0008").await;
    let other_agent = self::agent(&c, "A-0009").await;
    let (citizen, name, id) = citizen(&c, "scans").await;
    let (case, _) = pending_case(&c, &agent, &name, &id).await;
    let code = case.code.clone().expect("code");
    let link = format!("http://127.0.0.1:8080/assisted/confirm/{code}");
    let uri = format!(
        "/api/assisted/{}/qr.svg?link={}",
        case.id,
        link.replace(':', "%3A").replace('/', "%2F")
    );
    let r = get(&c.state, &uri, Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.header("content-type").as_deref(), Some("image/svg+xml"));
    assert!(String::from_utf8_lossy(&r.body).contains("<svg"));
    // Only the agent's own pending case, only its confirmation page.
    let r = get(&c.state, &uri, Some(&other_agent)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:?}");
    let r = get(&c.state, &uri, Some(&citizen)).await;
    assert_eq!(r.code(), "agent_required");
    let wrong = format!(
        "/api/assisted/{}/qr.svg?link=https%3A%2F%2Fevil.example%2Fx",
        case.id
    );
    assert_eq!(
        get(&c.state, &wrong, Some(&agent)).await.status,
        StatusCode::BAD_REQUEST
    );
    let r = post(
        &c,
        &format!("/api/assisted/confirmations/{code}"),
        &citizen,
        json!({ "decision": "refuse" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get(&c.state, &uri, Some(&agent)).await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "no QR once answered: {r:?}"
    );
}

/// The admin CLI registers an agent over HTTP and prints the agent's sign-in ticket.
async fn agent_ticket_by_cli(url: &str) -> String {
    use std::process::Stdio;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_onething-server"))
        .args([
            "admin",
            "--server",
            url,
            "--admin-token",
            common::live::ADMIN,
        ])
        .args([
            "agent-ticket",
            "--label",
            "CLI-01",
            "--name",
            "王代办",
            "--organisation",
            "某街道便民服务中心",
        ])
        .env_remove("ONETHING_ADMIN_TOKEN")
        .env_remove("ONETHING_ADMIN_SERVER")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Over a running server with the typed client: the admin CLI registers an agent and prints a
/// sign-in ticket; the agent's client starts, submits and follows the case; the citizen's client
/// confirms; the departments (admin API) have exactly that one application, the citizen's.
#[tokio::test]
async fn the_typed_client_and_the_admin_cli_drive_the_whole_assisted_flow() {
    use onething_client::Client;
    use onething_core::api::{AssistedDecision, AssistedStart, AssistedSubmit, DevTicketRequest};
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let server = common::live::LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        &[],
    )
    .await;
    let url = format!("http://{}", server.addr);
    let ticket = agent_ticket_by_cli(&url).await;
    let base = Client::new(&url).expect("client");
    let agent = base.with_bearer(
        &base
            .create_session(&ticket)
            .await
            .expect("agent signs in")
            .token,
    );

    let citizen_session = base
        .dev_session(&DevTicketRequest {
            subject: Some("client-grandma".into()),
            ..DevTicketRequest::default()
        })
        .await
        .expect("citizen signs in");
    let citizen = base.with_bearer(&citizen_session.token);
    // The citizen is not an agent.
    let refused = citizen
        .assisted_cases()
        .await
        .expect_err("a citizen is no agent");
    assert_eq!(
        refused.code(),
        Some(onething_core::api::ErrorCode::AgentRequired)
    );

    let case = agent
        .start_assisted(&AssistedStart {
            service_id: "test-bundle".into(),
            citizen_name: citizen_session.account.name.clone(),
            citizen_id_number: citizen_session.account.id_number.clone(),
        })
        .await
        .expect("started");
    let photo = agent
        .upload(&jpeg(8, 8), 64, &[("filetype", "image/jpeg")])
        .await
        .expect("uploaded");
    let app: onething_core::Application =
        serde_json::from_value(application(&photo)).expect("application");
    let pending = agent
        .submit_assisted(
            &case.id,
            &AssistedSubmit {
                application: app,
                paper_authorisation: None,
            },
        )
        .await
        .expect("submitted for confirmation");
    let code = pending.code.expect("code");
    let admin = base.with_bearer(common::live::ADMIN);
    assert!(admin.admin_applications().await.expect("list").is_empty());
    let summary = citizen.assisted_confirmation(&code).await.expect("summary");
    assert_eq!(summary.agent_name, "王代办");
    let done = citizen
        .answer_assisted(&code, AssistedDecision::Confirm)
        .await
        .expect("confirmed");
    assert_eq!(done.status, AssistedStatus::Confirmed);
    let all = admin.admin_applications().await.expect("list");
    assert_eq!(all.len(), 1);
    let mine = citizen.applications().await.expect("mine");
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].case_number, all[0].case_number);
    let followed = agent.assisted_case(&case.id).await.expect("followed");
    assert_eq!(followed.status, AssistedStatus::Confirmed);
    assert_eq!(
        followed.case_number.as_deref(),
        Some(all[0].case_number.as_str())
    );
    assert_eq!(agent.assisted_cases().await.expect("list").len(), 1);
}

/// The stored index of a case's citizen: `(citizen_id_hash, citizen_id_index, its key)`.
async fn stored_index(c: &common::Ctx, case_id: &str) -> (String, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT citizen_id_hash, citizen_id_index, citizen_id_index_key FROM assisted_cases
         WHERE id = $1",
    )
    .bind(case_id)
    .fetch_one(&c.state.db)
    .await
    .expect("case row")
}

/// Every text the assisted cases and the accounts keep beside their sealed columns.
async fn plain_columns(c: &common::Ctx) -> Vec<String> {
    let cases: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT citizen_id_hash, citizen_id_index, citizen_id_index_key FROM assisted_cases",
    )
    .fetch_all(&c.state.db)
    .await
    .expect("cases");
    let accounts: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT subject, id_index, id_index_key FROM accounts")
            .fetch_all(&c.state.db)
            .await
            .expect("accounts");
    cases
        .into_iter()
        .chain(accounts)
        .flat_map(|(a, b, c)| [Some(a), b, c])
        .flatten()
        .collect()
}

/// Neither the ID number nor its bare SHA-256 (in any case of its check character) is kept
/// in the clear.
async fn assert_no_bare_id(c: &common::Ctx, id: &str) {
    use onething_server::clock::hash_secret;
    let stored = plain_columns(c).await;
    for form in [
        id.to_owned(),
        id.to_ascii_uppercase(),
        id.to_ascii_lowercase(),
    ] {
        for v in &stored {
            assert!(!v.contains(&form), "the number itself: {v}");
            assert!(!v.contains(&hash_secret(&form)), "its bare SHA-256: {v}");
        }
    }
}

async fn rotate(c: &common::Ctx) {
    let r = send(
        &c.state,
        req(Method::POST, "/api/admin/keys/rotate", Some(ADMIN), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
}

#[tokio::test]
async fn the_citizens_id_is_kept_as_a_keyed_index_that_survives_a_rotation() {
    let c = ctx().await;
    let agent = agent(&c, "A-0101").await;
    let (citizen, name, id) = citizen(&c, "keyed-grandmother").await;
    let stranger = login(&c.state).await;
    let (case, _) = pending_case(&c, &agent, &name, &id).await;
    let code = case.code.clone().expect("code");
    let (hash, before, key) = stored_index(&c, &case.id).await;
    let before = before.expect("indexed");
    assert_eq!(hash, "", "no bare digest");
    assert!(
        before.len() == 64 && before.bytes().all(|b| b.is_ascii_hexdigit()),
        "{before}"
    );
    assert_eq!(key.as_deref(), Some(c.state.keys.active_id().as_str()));
    assert_no_bare_id(&c, &id).await;
    let uri = format!("/api/assisted/confirmations/{code}");
    read_summary(&c, &citizen, &code).await;
    assert_eq!(
        get(&c.state, &uri, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );

    // Rotation: the index is recomputed under the new key; the citizen still opens it.
    let old_key = c.state.keys.active_id();
    rotate(&c).await;
    let (_, after, key) = stored_index(&c, &case.id).await;
    let after = after.expect("indexed");
    assert_eq!(key.as_deref(), Some(c.state.keys.active_id().as_str()));
    assert_ne!(key.as_deref(), Some(old_key.as_str()));
    assert_ne!(after, before, "under the new key");
    read_summary(&c, &citizen, &code).await;
    assert_eq!(
        get(&c.state, &uri, Some(&stranger)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_no_bare_id(&c, &id).await;

    // A case still indexed under the old key (the rotation not through yet) answers to its
    // citizen too, and the next pass indexes it under the new key.
    sqlx::query(
        "UPDATE assisted_cases SET citizen_id_index = $1, citizen_id_index_key = $2 WHERE id = $3",
    )
    .bind(&before)
    .bind(&old_key)
    .bind(&case.id)
    .execute(&c.state.db)
    .await
    .expect("as before the rotation");
    read_summary(&c, &citizen, &code).await;
    let n = onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    assert_eq!(n, 1);
    assert_eq!(stored_index(&c, &case.id).await.1, Some(after));

    // And it confirms.
    let r = post(&c, &uri, &citizen, json!({ "decision": "confirm" })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let done: AssistedConfirmation = r.json();
    assert!(done.application_id.is_some(), "{done:?}");
    assert_eq!(departments_have(&c).await.len(), 1);
}

#[tokio::test]
async fn the_applicant_is_matched_with_the_keyed_index() {
    let c = ctx().await;
    let agent = agent(&c, "A-0102").await;
    let (mut example, day) = newborn_example();
    c.state
        .clock
        .set(onething_server::clock::parse_instant(&day).expect("day"));
    let name = example["answers"]["applicant_name"]
        .as_str()
        .expect("name")
        .to_owned();
    let id = example["answers"]["applicant_id_number"]
        .as_str()
        .expect("id")
        .to_owned();
    // The example's photos, uploaded by the agent.
    for (_, choice) in example["materials"]
        .as_object_mut()
        .expect("materials")
        .iter_mut()
    {
        if let Some(ids) = choice.get_mut("upload_ids") {
            let n = ids.as_array().expect("ids").len();
            let mut fresh = Vec::new();
            for _ in 0..n {
                fresh.push(json!(upload(&c.state, &agent, &jpeg(10, 10)).await));
            }
            *ids = json!(fresh);
        }
    }
    let start = async |id: &str| -> AssistedCase {
        let r = post(
            &c,
            "/api/assisted",
            &agent,
            json!({ "service_id": "newborn", "citizen_name": name, "citizen_id_number": id }),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
        r.json()
    };
    // Another citizen: the applicant is not them.
    let (_, other) = login_person(&c.state, "someone-else").await;
    let wrong = start(&other).await;
    let r = submit_case(&c, &agent, &wrong.id, json!({ "application": example })).await;
    assert_eq!(r.code(), "assisted_applicant_mismatch", "{r:?}");
    // The applicant's own case, after a rotation of the key it was indexed under.
    let right = start(&id).await;
    rotate(&c).await;
    let r = submit_case(&c, &agent, &right.id, json!({ "application": example })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let case: AssistedCase = r.json();
    assert_eq!(case.status, AssistedStatus::Pending);
    assert_no_bare_id(&c, &id).await;
}

/// The data steps of migration 0016 (its `UPDATE`s), on a database whose columns are there
/// already: what the upgrade does to the rows an older version wrote.
async fn migration_0016_data_steps(c: &common::Ctx) {
    let migration = match onething_server::store::backend(&c.state.db) {
        onething_server::store::Backend::Sqlite => {
            include_str!("../../migrations/sqlite/0016_assisted_index.sql")
        }
        onething_server::store::Backend::Postgres => {
            include_str!("../../migrations/postgres/0016_assisted_index.sql")
        }
    };
    let code: String = migration
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    let steps: Vec<&str> = code
        .split(';')
        .map(str::trim)
        .filter(|s| s.starts_with("UPDATE"))
        .collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    for sql in steps {
        sqlx::query(sql)
            .execute(&c.state.db)
            .await
            .expect("data step");
    }
}

/// The agent submits a new `test-bundle` case for the citizen on paper authority; returns the
/// account the application was submitted under.
async fn on_paper(c: &common::Ctx, agent: &str, id: &str) -> String {
    let r = post(
        c,
        "/api/assisted",
        agent,
        json!({ "service_id": "test-bundle", "citizen_name": "张桂英", "citizen_id_number": id }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let started: AssistedCase = r.json();
    let photo = upload(&c.state, agent, &jpeg(10, 10)).await;
    let paper = upload(&c.state, agent, &jpeg(12, 12)).await;
    let r = submit_case(
        c,
        agent,
        &started.id,
        json!({ "application": application(&photo), "paper_authorisation": paper }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    sqlx::query_scalar("SELECT citizen_account_id FROM assisted_cases WHERE id = $1")
        .bind(&started.id)
        .fetch_one(&c.state.db)
        .await
        .expect("case")
}

/// The paper citizens' accounts: `(id, subject, id_index, id_index_key)`.
async fn paper_accounts(c: &common::Ctx) -> Vec<(String, String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT id, subject, id_index, id_index_key FROM accounts
         WHERE subject LIKE 'assisted-citizen:%' ORDER BY id",
    )
    .fetch_all(&c.state.db)
    .await
    .expect("accounts")
}

#[tokio::test]
async fn a_paper_citizen_is_one_account_across_cases_rotations_and_the_upgrade() {
    use onething_server::clock::hash_secret;
    let c = ctx().await;
    let agent = agent(&c, "A-0103").await;
    // A valid ID number of someone who never signed in through a paper case.
    let (_, id) = login_person(&c.state, "throwaway-for-a-paper-id").await;
    let first = on_paper(&c, &agent, &id).await;
    let second = on_paper(&c, &agent, &id).await;
    assert_eq!(first, second, "one account for one citizen");
    let accounts = paper_accounts(&c).await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let (account, subject, index, _) = &accounts[0];
    assert_eq!(account, &first);
    assert_eq!(
        subject,
        &format!("assisted-citizen:{}", index.clone().expect("indexed"))
    );
    assert_no_bare_id(&c, &id).await;

    // A rotation rewrites the subject with the index; the citizen is still that account.
    rotate(&c).await;
    let accounts = paper_accounts(&c).await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_ne!(&accounts[0].1, subject, "rewritten under the new key");
    assert_eq!(
        accounts[0].1,
        format!(
            "assisted-citizen:{}",
            accounts[0].2.clone().expect("indexed")
        )
    );
    assert_eq!(
        accounts[0].3.as_deref(),
        Some(c.state.keys.active_id().as_str())
    );
    assert_eq!(on_paper(&c, &agent, &id).await, first);
    assert_no_bare_id(&c, &id).await;

    // As an older version left it: the subject and the cases' bare SHA-256, no keyed index; a
    // case retention erased has an empty digest. The upgrade's data steps (the migration's
    // statements, then the start's reindex) leave no bare digest, and the same account.
    let bare = hash_secret(&id.to_ascii_uppercase());
    sqlx::query("UPDATE accounts SET subject = $1 WHERE id = $2")
        .bind(format!("assisted-citizen:{bare}"))
        .bind(&first)
        .execute(&c.state.db)
        .await
        .expect("old subject");
    sqlx::query(
        "UPDATE assisted_cases SET citizen_id_hash = $1, citizen_id_index = NULL,
         citizen_id_index_key = NULL",
    )
    .bind(&bare)
    .execute(&c.state.db)
    .await
    .expect("old cases");
    let erased: String = sqlx::query_scalar("SELECT MIN(id) FROM assisted_cases")
        .fetch_one(&c.state.db)
        .await
        .expect("a case");
    sqlx::query("UPDATE assisted_cases SET citizen_id_hash = '' WHERE id = $1")
        .bind(&erased)
        .execute(&c.state.db)
        .await
        .expect("erased case");
    migration_0016_data_steps(&c).await;
    assert_no_bare_id(&c, &id).await;
    onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    assert_no_bare_id(&c, &id).await;
    let accounts = paper_accounts(&c).await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(
        accounts[0].1,
        format!(
            "assisted-citizen:{}",
            accounts[0].2.clone().expect("indexed")
        )
    );
    let (_, index, _) = stored_index(&c, &erased).await;
    assert_eq!(index.as_deref(), Some(""), "an erased case stays erased");
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, citizen_id_index, citizen_id_index_key FROM assisted_cases WHERE id <> $1",
    )
    .bind(&erased)
    .fetch_all(&c.state.db)
    .await
    .expect("cases");
    assert_eq!(rows.len(), 2);
    for (_, index, key) in &rows {
        assert!(index.as_ref().is_some_and(|i| i.len() == 64), "{rows:?}");
        assert_eq!(key.as_deref(), Some(c.state.keys.active_id().as_str()));
    }
    assert_eq!(on_paper(&c, &agent, &id).await, first);
    assert_eq!(paper_accounts(&c).await.len(), 1);
}

#[tokio::test]
async fn a_second_paper_account_left_by_an_older_version_gets_a_neutral_subject() {
    use onething_server::clock::hash_secret;
    let c = ctx().await;
    let agent = agent(&c, "A-0104").await;
    let (_, id) = login_person(&c.state, "throwaway-for-a-second-paper-id").await;
    let first = on_paper(&c, &agent, &id).await;
    // (The agent's account, without an ID number, is marked as looked at by a first pass.)
    onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    // A replica of an older version, still running during a rolling start, made its own
    // account for the same citizen, under the bare digest.
    let bare = hash_secret(&id.to_ascii_uppercase());
    let older = onething_server::store::accounts::upsert_by_subject(
        &c.state.db,
        &c.state.keys,
        &format!("assisted-citizen:{bare}"),
        &onething_core::api::Account {
            id: "older-version-account".into(),
            name: "张桂英".into(),
            phone: String::new(),
            id_number: id.clone(),
        },
        c.state.clock.now() + 60,
    )
    .await
    .expect("older account");
    let n = onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    assert_eq!(n, 1, "the older version's account only");
    assert_no_bare_id(&c, &id).await;
    let subjects: Vec<(String, String)> = paper_accounts(&c)
        .await
        .into_iter()
        .map(|(id, subject, _, _)| (id, subject))
        .collect();
    assert!(
        subjects.contains(&(
            older.id.clone(),
            format!("assisted-citizen:account:{}", older.id)
        )),
        "{subjects:?}"
    );
    // Nothing left to do, and the citizen's paper cases still go to the first account.
    let n = onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    assert_eq!(n, 0);
    assert_eq!(on_paper(&c, &agent, &id).await, first);
    rotate(&c).await;
    assert_no_bare_id(&c, &id).await;
    assert_eq!(on_paper(&c, &agent, &id).await, first);
}
