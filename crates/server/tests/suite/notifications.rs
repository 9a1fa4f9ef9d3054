//! Notices that find the person: the message centre (`/api/messages`) shows a 补正, a consent
//! request and its answer, a 容缺 deadline coming close (3 and 1 working days before, by the
//! server's clock) and a result ready, each once, to its owner only; and the outbox's sender
//! calls the configured endpoint exactly once per event, retrying a failure, through a kill and
//! a restart of the server.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use onething_client::Client;
use onething_core::api::{
    AdminTransition, ApplicationCreated, DepartmentTokenRequest, MessageKind, MessageList,
    SubItemStatus,
};
use serde_json::json;

use crate::common::live::{ADMIN, LiveServer};
use crate::common::{
    self, admin_move, application, application_with_consent, ctx, get, jpeg, login, login_person,
    req, send, submit, upload,
};

async fn id_card2(citizen: &Client) -> String {
    citizen
        .upload(&jpeg(30, 20), 1 << 20, &[])
        .await
        .expect("upload")
}

async fn messages(c: &common::Ctx, token: &str) -> MessageList {
    let r = get(&c.state, "/api/messages", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json()
}

fn kinds(list: &MessageList) -> Vec<MessageKind> {
    list.messages.iter().map(|m| m.kind).collect()
}

#[tokio::test]
async fn a_departments_supplement_request_reaches_its_owners_message_centre_once() {
    let c = ctx().await;
    let (token, id_number) = login_person(&c.state, "parent").await;
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let r = submit(&c.state, &token, "k1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let case: ApplicationCreated = r.json();
    assert_eq!(messages(&c, &token).await.unread, 0, "nothing to say yet");

    let r = admin_move(
        &c.state,
        &case.case_number,
        "birth",
        json!({ "to": "supplement_requested", "note": "请补交王小红的出生医学证明" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let list = messages(&c, &token).await;
    assert_eq!(list.unread, 1);
    assert_eq!(kinds(&list), [MessageKind::SupplementRequested]);
    let m = &list.messages[0];
    assert_eq!(m.case_number.as_deref(), Some(case.case_number.as_str()));
    assert_eq!(m.application_id.as_deref(), Some(case.id.as_str()));
    assert_eq!(m.sub_item_id.as_deref(), Some("birth"));
    assert!(!m.read);
    for text in [&m.text.zh, &m.text.en] {
        assert!(text.contains(&case.case_number), "{text}");
        // Neither the department's free text nor anything personal is in a notice.
        assert!(!text.contains("王小红"), "{text}");
        assert!(!text.contains(&id_number), "{text}");
    }

    // Somebody else sees nothing, and cannot mark it read.
    let other = login(&c.state).await;
    assert!(messages(&c, &other).await.messages.is_empty());
    let uri = format!("/api/messages/{}/read", m.id);
    let r = send(&c.state, req(Method::POST, &uri, Some(&other), None)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "message_not_found")
    );
    let r = send(
        &c.state,
        req(Method::POST, "/api/messages/x/read", Some(&token), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(&c.state, "/api/messages", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let r = send(&c.state, req(Method::POST, &uri, Some(&token), None)).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let list: MessageList = r.json();
    assert_eq!(list.unread, 0);
    assert!(list.messages[0].read);

    // A result ready (another case), once per step that makes one; read-all clears the count.
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let r = submit(&c.state, &token, "k2", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let second: ApplicationCreated = r.json();
    for to in ["accepted", "in_progress"] {
        let r = admin_move(&c.state, &second.case_number, "birth", json!({ "to": to })).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
    assert_eq!(messages(&c, &token).await.unread, 0, "progress is not news");
    let r = admin_move(
        &c.state,
        &second.case_number,
        "birth",
        json!({ "to": "completed" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let list = messages(&c, &token).await;
    assert_eq!(
        kinds(&list),
        [MessageKind::ResultReady, MessageKind::SupplementRequested]
    );
    assert_eq!(list.unread, 1);
    let r = send(
        &c.state,
        req(Method::POST, "/api/messages/read-all", Some(&token), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.json::<MessageList>().unread, 0);
}

#[tokio::test]
async fn consent_requests_and_their_answers_are_noticed_to_the_applicant() {
    let c = ctx().await;
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
    let list = messages(&c, &applicant).await;
    assert_eq!(kinds(&list), [MessageKind::ConsentRequested]);
    assert!(
        !list.messages[0].text.zh.contains(&holder_id)
            && !list.messages[0].text.zh.contains("王强"),
        "{:?}",
        list.messages[0].text
    );
    let d: onething_core::api::ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(&applicant),
    )
    .await
    .json();
    let code = d.consents[0].code.clone();
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/consents/{code}"),
            Some(&holder),
            Some(json!({ "decision": "decline" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let list = messages(&c, &applicant).await;
    assert_eq!(
        kinds(&list),
        [MessageKind::ConsentDeclined, MessageKind::ConsentRequested]
    );
    // The holder (an account already) was asked when the request was made; their own answer
    // adds nothing for them.
    assert_eq!(
        kinds(&messages(&c, &holder).await),
        [MessageKind::ConsentAsked]
    );
}

#[tokio::test]
async fn a_consent_request_reaches_the_holders_message_centre_once_and_opens_its_page() {
    let c = ctx().await;
    let (applicant, _) = login_person(&c.state, "mother").await;
    let (holder, holder_id) = login_person(&c.state, "father").await;
    let stranger = login(&c.state).await;
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
    let d: onething_core::api::ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(&applicant),
    )
    .await
    .json();
    let code = d.consents[0].code.clone();

    // The holder is asked, once however often they look; nobody else is.
    for _ in 0..2 {
        let list = messages(&c, &holder).await;
        assert_eq!(kinds(&list), [MessageKind::ConsentAsked]);
        assert_eq!(list.unread, 1);
        let m = &list.messages[0];
        assert_eq!(m.consent_code.as_deref(), Some(code.as_str()));
        assert_eq!(m.application_id, None, "not the holder's case to open");
        assert_eq!(m.case_number.as_deref(), Some(created.case_number.as_str()));
        for text in [&m.text.zh, &m.text.en] {
            assert!(
                !text.contains(&holder_id) && !text.contains("王强"),
                "{text}"
            );
        }
    }
    assert!(messages(&c, &stranger).await.messages.is_empty());
    assert_eq!(
        kinds(&messages(&c, &applicant).await),
        [MessageKind::ConsentRequested],
        "the applicant is not asked their own request"
    );
    // It went to the outbox like any other notice.
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'consent_asked'")
            .fetch_one(&c.state.db)
            .await
            .expect("count");
    assert_eq!(queued, 1);

    // Answered: nothing new for the holder; the applicant hears of the answer.
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/consents/{code}"),
            Some(&holder),
            Some(json!({ "decision": "approve" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        kinds(&messages(&c, &holder).await),
        [MessageKind::ConsentAsked]
    );
    assert_eq!(
        kinds(&messages(&c, &applicant).await),
        [MessageKind::ConsentApproved, MessageKind::ConsentRequested]
    );
}

/// The holder's notices as queued (account, event key), read from the outbox directly: nothing
/// here reads `/api/messages` (which would also match the holder).
async fn queued_asks(c: &common::Ctx) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT account_id, event_key FROM notifications WHERE kind = 'consent_asked' ORDER BY id",
    )
    .fetch_all(&c.state.db)
    .await
    .expect("outbox")
}

/// Submits a newborn case asking `holder_id`'s consent; its consent code.
async fn ask_consent(c: &common::Ctx, applicant: &str, key: &str, holder_id: &str) -> String {
    let up = upload(&c.state, applicant, &jpeg(10, 10)).await;
    let r = submit(
        &c.state,
        applicant,
        key,
        &application_with_consent(&up, holder_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let d: onething_core::api::ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(applicant),
    )
    .await
    .json();
    d.consents[0].code.clone()
}

#[tokio::test]
async fn a_holder_with_an_account_is_noticed_when_asked_before_opening_the_app() {
    let c = ctx().await;
    let (applicant, _) = login_person(&c.state, "mother").await;
    let holder = common::sign_in(&c.state, Some("father")).await;
    let holder_id = holder.account.id_number.clone();
    assert!(queued_asks(&c).await.is_empty());
    // The applicant types the number as people do: lower-case check character, spaces.
    let typed = format!(" {} ", holder_id.to_ascii_lowercase());
    let code = ask_consent(&c, &applicant, "k1", &typed).await;
    // Queued in the submission itself, for the holder's account: the holder never read their
    // messages (nor opened the app) since.
    assert_eq!(
        queued_asks(&c).await,
        [(
            holder.account.id.clone(),
            format!("consent:{code}:asked:{}", holder.account.id)
        )]
    );
    // Reading the messages later finds the same notice, once.
    let list = messages(&c, &holder.token).await;
    assert_eq!(kinds(&list), [MessageKind::ConsentAsked]);
    assert_eq!(
        list.messages[0].consent_code.as_deref(),
        Some(code.as_str())
    );
    assert_eq!(queued_asks(&c).await.len(), 1);
}

#[tokio::test]
async fn the_id_index_is_neither_the_number_nor_its_hash_and_matches_after_rotation() {
    use onething_server::clock::hash_secret;
    let c = ctx().await;
    let (applicant, _) = login_person(&c.state, "mother").await;
    let holder = common::sign_in(&c.state, Some("father")).await;
    let holder_id = holder.account.id_number.clone();
    let index_of = async |account: &str| -> (String, String) {
        sqlx::query_as("SELECT id_index, id_index_key FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_one(&c.state.db)
            .await
            .expect("account")
    };
    let (before, key) = index_of(&holder.account.id).await;
    assert_eq!(key, c.state.keys.active_id());
    assert!(
        before.len() == 64 && before.bytes().all(|b| b.is_ascii_hexdigit()),
        "{before}"
    );
    let rows: Vec<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id_index, id_index_key FROM accounts")
            .fetch_all(&c.state.db)
            .await
            .expect("accounts");
    for id in [
        holder_id.clone(),
        holder_id.to_ascii_uppercase(),
        holder_id.to_ascii_lowercase(),
    ] {
        for (index, key) in &rows {
            for v in [index, key].into_iter().flatten() {
                assert!(!v.contains(&id), "the number itself");
                assert!(!v.contains(&hash_secret(&id)), "its bare SHA-256");
            }
        }
    }

    // Rotation: the index is recomputed under the new key, and a request finds the holder.
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/keys/rotate",
            Some(common::ADMIN),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let (after, key) = index_of(&holder.account.id).await;
    assert_eq!(key, c.state.keys.active_id());
    assert_eq!(c.state.keys.ids().len(), 2, "the old key stays loaded here");
    assert_ne!(after, before, "under the new key");
    let code = ask_consent(&c, &applicant, "k1", &holder_id).await;
    assert_eq!(
        queued_asks(&c).await,
        [(
            holder.account.id.clone(),
            format!("consent:{code}:asked:{}", holder.account.id)
        )]
    );

    // An account from before the index (or indexed under a key since rotated away) is indexed
    // again from its sealed number, as at every start.
    sqlx::query("UPDATE accounts SET id_index = NULL, id_index_key = NULL WHERE id = $1")
        .bind(&holder.account.id)
        .execute(&c.state.db)
        .await
        .expect("as before");
    let n = onething_server::store::keys::reindex(&c.state.db, &c.state.keys)
        .await
        .expect("reindex");
    assert_eq!(n, 1);
    assert_eq!(index_of(&holder.account.id).await.0, after);
}

async fn desk(c: &common::Ctx, department: &str) -> String {
    let r = send(
        &c.state,
        req(
            Method::POST,
            "/api/admin/departments/tokens",
            Some(common::ADMIN),
            Some(json!({ "department": department, "label": "desk 9" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.json::<onething_core::api::DepartmentTokenCreated>().token
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn withdrawal_answers_and_rating_follow_ups_are_noticed_to_the_applicant() {
    let c = ctx().await;
    let (token, id_number) = login_person(&c.state, "parent").await;
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let r = submit(&c.state, &token, "k1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let case: ApplicationCreated = r.json();
    let r = admin_move(
        &c.state,
        &case.case_number,
        "birth",
        json!({ "to": "accepted" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let police = desk(&c, "公安局").await;
    let ask = || async {
        let r = send(
            &c.state,
            req(
                Method::POST,
                &format!("/api/applications/{}/items/household/withdraw", case.id),
                Some(&token),
                Some(json!({ "reason": "户口改到外婆家落户" })),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    };
    let answer = |body: serde_json::Value| {
        let uri = format!(
            "/api/department/cases/{}/items/household/withdrawal",
            case.case_number
        );
        let police = police.clone();
        let state = c.state.clone();
        async move {
            let r = send(&state, req(Method::POST, &uri, Some(&police), Some(body))).await;
            assert_eq!(r.status, StatusCode::OK, "{r:?}");
        }
    };
    ask().await;
    assert!(
        messages(&c, &token).await.messages.is_empty(),
        "asking is not news"
    );
    answer(json!({ "approve": false, "note": "已办理过半，请到窗口说明" })).await;
    let list = messages(&c, &token).await;
    assert_eq!(kinds(&list), [MessageKind::WithdrawalAnswered]);
    let m = &list.messages[0];
    assert_eq!(m.sub_item_id.as_deref(), Some("household"));
    assert_eq!(m.application_id.as_deref(), Some(case.id.as_str()));
    assert!(m.text.en.contains("goes on"), "{:?}", m.text);
    // The department's own words stay on the case page.
    assert!(!m.text.zh.contains("窗口说明"), "{:?}", m.text);
    ask().await;
    answer(json!({ "approve": true })).await;
    let list = messages(&c, &token).await;
    assert_eq!(
        kinds(&list),
        [
            MessageKind::WithdrawalAnswered,
            MessageKind::WithdrawalAnswered
        ]
    );
    assert!(
        list.messages[0].text.en.contains("agreed"),
        "{:?}",
        list.messages[0].text
    );

    // A low rating (another case, all done), then the department's 整改 and 回访: one notice
    // each.
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let r = submit(&c.state, &token, "k2", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let case: ApplicationCreated = r.json();
    for item in ["birth", "household", "insurance"] {
        for to in ["accepted", "in_progress", "completed"] {
            let r = admin_move(&c.state, &case.case_number, item, json!({ "to": to })).await;
            assert_eq!(r.status, StatusCode::OK, "{item} {to}: {r:?}");
        }
    }
    let low = json!({ "overall": 2, "efficiency": 4, "guide_accuracy": 4, "convenience": 4, "usability": 4 });
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/rating", case.id),
            Some(&token),
            Some(json!({ "scores": low, "comment": "窗口让我跑了两次" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let health = desk(&c, "卫生健康委员会").await;
    for (kind, word) in [("rectification", "整改"), ("revisit", "回访")] {
        let r = send(
            &c.state,
            req(
                Method::POST,
                &format!(
                    "/api/department/cases/{}/items/birth/follow-ups",
                    case.case_number
                ),
                Some(&health),
                Some(json!({ "kind": kind, "note": "已电话联系王女士" })),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
        let list = messages(&c, &token).await;
        let m = &list.messages[0];
        assert_eq!(m.kind, MessageKind::RatingFollowUp);
        assert!(m.text.zh.contains(word), "{:?}", m.text);
        for text in [&m.text.zh, &m.text.en] {
            assert!(
                !text.contains("王女士") && !text.contains(&id_number),
                "{text}"
            );
        }
    }
    let follow_ups = kinds(&messages(&c, &token).await)
        .into_iter()
        .filter(|k| *k == MessageKind::RatingFollowUp)
        .count();
    assert_eq!(follow_ups, 2);
}

#[tokio::test]
async fn deferred_materials_are_warned_of_three_and_one_working_days_before() {
    let c = ctx().await;
    let at = |day: &str| onething_server::clock::parse_instant(day).expect("instant");
    // Monday: the marriage certificate (容缺, 5 working days) is due Monday 2026-12-14.
    c.state.clock.set(at("2026-12-07"));
    let (token, _) = login_person(&c.state, "parent").await;
    let up = upload(&c.state, &token, &jpeg(10, 10)).await;
    let r = submit(&c.state, &token, "k1", &application(&up)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let sweep = || onething_server::maintenance::sweep(&c.state);

    sweep().await.expect("sweep");
    assert!(
        messages(&c, &login_person(&c.state, "parent").await.0)
            .await
            .messages
            .is_empty(),
        "5 days left"
    );
    c.state.clock.set(at("2026-12-08"));
    sweep().await.expect("sweep");
    assert!(
        messages(&c, &login_person(&c.state, "parent").await.0)
            .await
            .messages
            .is_empty(),
        "4 days left"
    );
    // Wednesday: Thursday, Friday and Monday are left.
    c.state.clock.set(at("2026-12-09"));
    sweep().await.expect("sweep");
    sweep().await.expect("sweep");
    let list = messages(&c, &login_person(&c.state, "parent").await.0).await;
    assert_eq!(kinds(&list), [MessageKind::DeadlineApproaching]);
    assert_eq!(list.messages[0].due_on.as_deref(), Some("2026-12-14"));
    assert!(
        list.messages[0].text.en.contains("3 working days"),
        "{:?}",
        list.messages[0].text
    );
    c.state.clock.set(at("2026-12-10"));
    sweep().await.expect("sweep");
    assert_eq!(
        messages(&c, &login_person(&c.state, "parent").await.0)
            .await
            .messages
            .len(),
        1,
        "once per warning"
    );
    // Friday: the weekend does not count, Monday is the one day left.
    c.state.clock.set(at("2026-12-11"));
    sweep().await.expect("sweep");
    let list = messages(&c, &login_person(&c.state, "parent").await.0).await;
    assert_eq!(list.messages.len(), 2);
    assert!(
        list.messages[0].text.en.contains("1 working day left"),
        "{:?}",
        list.messages[0].text
    );
    // After the last day, nothing more.
    c.state.clock.set(at("2026-12-15"));
    sweep().await.expect("sweep");
    assert_eq!(
        messages(&c, &login_person(&c.state, "parent").await.0)
            .await
            .messages
            .len(),
        2
    );
}

/// A loopback endpoint that records every notice it is sent, and answers 503 while told to.
#[derive(Clone, Default)]
struct Receiver {
    accepted: Arc<Mutex<Vec<serde_json::Value>>>,
    refused: Arc<Mutex<u32>>,
    failing: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/notify",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::Json<serde_json::Value>| {
                    let me = me.clone();
                    async move {
                        if *me.failing.lock().expect("lock") {
                            *me.refused.lock().expect("lock") += 1;
                            return StatusCode::SERVICE_UNAVAILABLE;
                        }
                        let key = headers
                            .get("idempotency-key")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        assert_eq!(Some(key.as_str()), body.0["event_key"].as_str());
                        me.accepted.lock().expect("lock").push(body.0);
                        StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}/notify")
    }

    fn per_key(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for n in self.accepted.lock().expect("lock").iter() {
            *out.entry(n["event_key"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
        }
        out
    }

    async fn wait_for(&self, n: usize) {
        for _ in 0..200 {
            if self.accepted.lock().expect("lock").len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {:?}, not {n} notices", self.per_key());
    }
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn the_sender_is_called_exactly_once_per_event_through_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let mut server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        &["--notify-url", &url, "--notify-retry-secs", "1"],
    )
    .await;
    let base = |s: &LiveServer| Client::new(&format!("http://{}", s.addr)).expect("client");
    let admin = base(&server).with_bearer(ADMIN);
    let dept_token = admin
        .admin_department_token(&DepartmentTokenRequest {
            department: "卫生健康委员会".into(),
            label: "desk 1".into(),
            ttl_days: None,
        })
        .await
        .expect("token")
        .token;
    let (citizen, _) = server.sign_in().await;
    let session = citizen.session().await.expect("session");
    let id_card = citizen
        .upload(&jpeg(20, 20), 1 << 20, &[])
        .await
        .expect("upload");
    let case = citizen
        .submit(&application(&id_card), "n-1")
        .await
        .expect("submitted")
        .created;

    // Event 1: the department asks for a supplement; the endpoint gets it once.
    let dept = base(&server).with_bearer(&dept_token);
    dept.department_supplement(&case.case_number, "birth", "请带原件到窗口核验")
        .await
        .expect("supplement requested");
    receiver.wait_for(1).await;
    let first = receiver.accepted.lock().expect("lock")[0].clone();
    assert_eq!(first["kind"], "supplement_requested");
    assert_eq!(first["case_number"], case.case_number.as_str());
    assert_eq!(
        first["recipient"]["account_id"],
        session.account.id.as_str()
    );
    assert!(
        first["recipient"]["subject"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(first["text"]["zh"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(first["text"]["en"].as_str().is_some_and(|t| !t.is_empty()));
    let raw = first.to_string();
    assert!(!raw.contains(&session.account.id_number), "{raw}");
    assert!(
        !raw.contains("原件到窗口"),
        "no department free text: {raw}"
    );

    // Killed and started again: what was sent (and recorded so: the kill may otherwise fall
    // between the endpoint's answer and the record, and the notice is then sent again, at
    // least once) is not sent again.
    let db = server.db().await;
    for _ in 0..100 {
        let unsent: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE sent_at IS NULL")
                .fetch_one(&db)
                .await
                .expect("outbox");
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.close().await;
    server.restart().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.per_key().len(), 1);

    // Event 2 while the endpoint fails: retried, the server killed before it recovers, and
    // sent once after the restart.
    *receiver.failing.lock().expect("lock") = true;
    let (citizen, _) = server.sign_in().await;
    let second = citizen
        .submit(&application(&id_card2(&citizen).await), "n-2")
        .await
        .expect("submitted")
        .created;
    let admin = base(&server).with_bearer(ADMIN);
    for to in [
        SubItemStatus::Accepted,
        SubItemStatus::InProgress,
        SubItemStatus::Completed,
    ] {
        let t = AdminTransition {
            to,
            note: None,
            delivery: None,
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        admin
            .admin_move(&second.case_number, "birth", &t)
            .await
            .expect("moved");
    }
    for _ in 0..100 {
        if *receiver.refused.lock().expect("lock") >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(*receiver.refused.lock().expect("lock") >= 2, "retried");
    server.kill().await;
    *receiver.failing.lock().expect("lock") = false;
    server.restart().await;
    receiver.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let per_key = receiver.per_key();
    assert_eq!(per_key.len(), 2, "{per_key:?}");
    assert!(per_key.values().all(|n| *n == 1), "{per_key:?}");

    // The outbox is empty, and the metrics say so.
    let metrics = reqwest::Client::new()
        .get(format!("http://{}/api/admin/metrics", server.addr))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l == "onething_notification_outbox_depth 0"),
        "{metrics}"
    );
}
