//! 亮晒 and its 好差评: an enterprise's resolved problem is published, de-identified, only when
//! the enterprise consented, in the transaction of the move that completes the publication;
//! the public list (no sign-in) shows the choice facts by their labels and the department's
//! text, never the enterprise's own words; 20 a page, newest first, by cursor; never a
//! withdrawn case; retention leaves the entries. A signed-in person rates an entry once.
//! And two rules of the same seed stages: an escalation (四级响应) only goes up, and the demo
//! pays a subsidy's computed amount.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use onething_core::api::{
    ApplicationCreated, ApplicationDetail, PublicationRated, PublishedEntry, PublishedPage,
    SubItemStatus,
};
use serde_json::json;

use crate::common::*;

/// A server that also offers the definitions named, set to the day the enterprise example is
/// valid on, with a 30-day retention.
async fn server_with(ids: &[&str]) -> (Ctx, String) {
    let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    let c = ctx_with(move |cfg| {
        cfg.retention_days = 30;
        for id in &ids {
            let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../services/{id}.toml"));
            std::fs::copy(from, cfg.services_dir.join(format!("{id}.toml")))
                .expect("copy definition");
        }
    })
    .await;
    let day = example("enterprise-issue")["valid_on"]
        .as_str()
        .expect("valid_on")
        .to_owned();
    c.state
        .clock
        .set(onething_server::clock::parse_instant(&day).expect("instant"));
    (c, day)
}

fn example(id: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../services/examples/{id}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json")
}

/// The enterprise example submitted by `who`, with or without consent to 亮晒.
async fn enterprise_case(c: &Ctx, who: &str, consent: bool) -> (String, ApplicationCreated) {
    let (token, _) = login_person(&c.state, who).await;
    let mut body = example("enterprise-issue")["application"].clone();
    body["eligibility"]["publish_consent"] = json!(consent);
    if !consent {
        body["sub_items"] = json!(["issue_handling"]);
    }
    let r = submit(&c.state, &token, &format!("{who}-{consent}"), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (token, r.json())
}

async fn ok(c: &Ctx, case: &str, item: &str, body: serde_json::Value) {
    let r = admin_move(&c.state, case, item, body).await;
    assert_eq!(r.status, StatusCode::OK, "{item}: {r:?}");
}

/// The handling through 交办 and 提级协调 to its reply.
async fn handle(c: &Ctx, case: &str, day: &str) {
    ok(c, case, "issue_handling", json!({ "to": "accepted" })).await;
    ok(c, case, "issue_handling", json!({ "to": "in_progress", "stage": "assigned", "record": { "level": "county", "handler": "吴兴区卫生健康局", "due_on": day } })).await;
    ok(c, case, "issue_handling", json!({ "to": "in_progress", "stage": "escalated", "record": { "level": "province", "handler": "浙江省涉企问题专班", "due_on": day } })).await;
    ok(c, case, "issue_handling", json!({ "to": "completed", "record": { "resolution": "solved", "reply": "本地三甲医院已可开展外国人健康检查。" } })).await;
}

const SUMMARY: &str = "某纺织企业反映外籍员工体检需往返杭州，经省级协调，本地医院已可开展。";

/// The publication completed with the department's public text.
async fn publish(c: &Ctx, case: &str, day: &str) {
    ok(c, case, "publication", json!({ "to": "accepted" })).await;
    ok(c, case, "publication", json!({ "to": "in_progress" })).await;
    ok(
        c,
        case,
        "publication",
        json!({ "to": "completed", "record": { "published_on": day, "summary": SUMMARY } }),
    )
    .await;
}

async fn list(c: &Ctx, query: &str) -> (Resp, PublishedPage) {
    let r = get(&c.state, &format!("/api/public/published{query}"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let page = r.json();
    (r, page)
}

async fn rate(c: &Ctx, token: Option<&str>, id: &str, body: serde_json::Value) -> Resp {
    send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/public/published/{id}/rating"),
            token,
            Some(body),
        ),
    )
    .await
}

#[tokio::test]
async fn a_resolved_problem_is_published_only_with_consent_and_never_in_the_enterprises_words() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    let (_, without) = enterprise_case(&c, "no-consent", false).await;
    handle(&c, &without.case_number, &day).await;
    let (token, with) = enterprise_case(&c, "consents", true).await;
    handle(&c, &with.case_number, &day).await;
    // Handled is not published: the publication is a step of its own.
    assert!(list(&c, "").await.1.entries.is_empty());
    publish(&c, &with.case_number, &day).await;

    let (r, page) = list(&c, "").await;
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("public, max-age=60")
    );
    assert_eq!(page.entries.len(), 1, "only the case that consented");
    assert!(page.next_cursor.is_none());
    let e = &page.entries[0];
    assert_eq!(e.service_id, "enterprise-issue");
    assert_eq!(e.published_on, day);
    assert_eq!(e.service_title.zh, "涉企问题“企呼我应”");
    let facts: Vec<(&str, &str, &str)> = e
        .facts
        .iter()
        .map(|l| {
            (
                l.label.zh.as_str(),
                l.value.zh.as_str(),
                l.value.en.as_str(),
            )
        })
        .collect();
    assert_eq!(facts, [("问题类别", "用工人才", "Staff and talent")]);
    assert!(e.outcome.iter().any(|l| l.value.zh == SUMMARY));
    assert_eq!((e.rating_count, e.rating_total), (0, 0));
    // Nothing the enterprise typed, nothing that opens the case.
    let body = String::from_utf8_lossy(&r.body);
    let answers = &example("enterprise-issue")["application"]["answers"];
    for field in [
        "title",
        "description",
        "company_name",
        "contact_name",
        "contact_phone",
        "credit_code",
    ] {
        let typed = answers[field].as_str().expect(field);
        assert!(!body.contains(typed), "{field} is published: {body}");
    }
    for private in [&with.id, &with.case_number] {
        assert!(
            !body.contains(private.as_str()),
            "the case is named: {body}"
        );
    }
    assert_ne!(e.id, with.id);
    // The case page still shows its own publication (the applicant's view).
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", with.id),
        Some(&token),
    )
    .await
    .json();
    let item = d
        .items
        .iter()
        .find(|i| i.sub_item_id == "publication")
        .expect("item");
    assert_eq!(item.status, SubItemStatus::Completed);
    // A filter by another service lists nothing; by this one, the entry.
    assert!(list(&c, "?service=newborn").await.1.entries.is_empty());
    assert_eq!(
        list(&c, "?service=enterprise-issue").await.1.entries.len(),
        1
    );
}

#[tokio::test]
async fn the_list_is_twenty_a_page_newest_first_by_cursor() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    let (_, case) = enterprise_case(&c, "pages", true).await;
    handle(&c, &case.case_number, &day).await;
    publish(&c, &case.case_number, &day).await;
    // 44 more entries, written straight into the store under the same case (other sub-items):
    // two at each second, so equal times are ordered by id too.
    let mut conn = c.state.db.acquire().await.expect("conn");
    let now = c.state.clock.now();
    for n in 0..44_i64 {
        let entry =
            json!({ "service_title": { "zh": "测试", "en": "Test" }, "facts": [], "outcome": [] });
        assert!(
            onething_server::store::publications::insert(
                &mut conn,
                &format!("entry{n:02}"),
                &case.id,
                &format!("p{n}"),
                "enterprise-issue",
                now - 100 + n / 2,
                &day,
                &entry.to_string(),
            )
            .await
            .expect("insert")
        );
    }
    drop(conn);
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = cursor
            .as_ref()
            .map_or(String::new(), |c| format!("?cursor={c}"));
        let (_, page) = list(&c, &query).await;
        pages += 1;
        assert!(page.entries.len() <= 20);
        seen.extend(page.entries.iter().map(|e| e.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 45, "each entry once");
    // The real publication is the newest; then the rest, newest first, ties by id descending.
    let mut expected: Vec<(i64, String)> = (0..44_i64)
        .map(|n| (n / 2, format!("entry{n:02}")))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        seen[1..],
        expected.into_iter().map(|(_, id)| id).collect::<Vec<_>>()[..]
    );
    let r = get(&c.state, "/api/public/published?cursor=nonsense", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "cursor_invalid".to_owned())
    );
}

#[tokio::test]
async fn a_withdrawn_case_is_never_listed() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    // Withdrawn before any acceptance: its publication never comes.
    let (token, gone) = enterprise_case(&c, "withdraws", true).await;
    let r = send(
        &c.state,
        req(
            Method::POST,
            &format!("/api/applications/{}/withdraw", gone.id),
            Some(&token),
            Some(json!({ "reason": "问题已自行解决" })),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert!(
        admin_move(
            &c.state,
            &gone.case_number,
            "publication",
            json!({ "to": "accepted" })
        )
        .await
        .status
        .is_client_error()
    );
    assert!(list(&c, "").await.1.entries.is_empty());
    // An entry whose sub-item is withdrawn (whatever made it so) leaves the list and takes no
    // rating.
    let (_, case) = enterprise_case(&c, "published", true).await;
    handle(&c, &case.case_number, &day).await;
    publish(&c, &case.case_number, &day).await;
    let id = list(&c, "").await.1.entries[0].id.clone();
    sqlx::query("UPDATE application_items SET status = 'withdrawn' WHERE application_id = $1")
        .bind(&case.id)
        .execute(&c.state.db)
        .await
        .expect("withdraw");
    assert!(list(&c, "").await.1.entries.is_empty());
    let (rater, _) = login_person(&c.state, "rater").await;
    let r = rate(&c, Some(&rater), &id, json!({ "score": 5 })).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "publication_not_found".to_owned())
    );
}

#[tokio::test]
async fn the_public_rates_an_entry_once_per_account_and_only_signed_in() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    let (owner, case) = enterprise_case(&c, "rated", true).await;
    handle(&c, &case.case_number, &day).await;
    publish(&c, &case.case_number, &day).await;
    let id = list(&c, "").await.1.entries[0].id.clone();

    let r = rate(&c, None, &id, json!({ "score": 4 })).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated".to_owned())
    );
    let (a, _) = login_person(&c.state, "citizen-a").await;
    let r = rate(&c, Some(&a), "no-such-entry", json!({ "score": 4 })).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::NOT_FOUND, "publication_not_found".to_owned())
    );
    for bad in [0, 6] {
        let r = rate(&c, Some(&a), &id, json!({ "score": bad })).await;
        assert_eq!(
            (r.status, r.code()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "rating_invalid".to_owned()
            )
        );
    }
    // A reason is one of the list's, never free text.
    let r = rate(
        &c,
        Some(&a),
        &id,
        json!({ "score": 2, "reason": "这家企业太差了" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_body".to_owned())
    );

    let r = rate(&c, Some(&a), &id, json!({ "score": 4, "reason": "quick" })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let rated: PublicationRated = r.json();
    assert_eq!(
        (
            rated.score,
            rated.entry.rating_count,
            rated.entry.rating_total
        ),
        (4, 1, 4)
    );
    let r = rate(&c, Some(&a), &id, json!({ "score": 1 })).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "publication_already_rated".to_owned())
    );
    // Another account (the enterprise itself too) rates once as well.
    let r = rate(&c, Some(&owner), &id, json!({ "score": 5 })).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let e: PublishedEntry = list(&c, "").await.1.entries[0].clone();
    assert_eq!((e.rating_count, e.rating_total), (2, 9));
}

#[tokio::test]
async fn retention_leaves_the_published_entries() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    let (_, case) = enterprise_case(&c, "kept", true).await;
    handle(&c, &case.case_number, &day).await;
    publish(&c, &case.case_number, &day).await;
    let before = list(&c, "").await.1.entries;
    assert_eq!(before.len(), 1);
    c.state.clock.advance(Duration::from_hours(31 * 24));
    let swept = onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    assert_eq!(swept.cases, 1, "the case's personal data went");
    assert_eq!(
        list(&c, "").await.1.entries,
        before,
        "the entry stayed as it was"
    );
}

#[tokio::test]
async fn an_escalation_goes_up_the_levels_never_down_or_sideways() {
    let (c, day) = server_with(&["enterprise-issue"]).await;
    let (_, case) = enterprise_case(&c, "escalates", false).await;
    let case = case.case_number.as_str();
    let escalate = |level: &str| json!({ "to": "in_progress", "stage": "escalated", "record": { "level": level, "handler": "协调专班", "due_on": day } });
    ok(&c, case, "issue_handling", json!({ "to": "accepted" })).await;
    ok(&c, case, "issue_handling", json!({ "to": "in_progress", "stage": "assigned", "record": { "level": "city", "handler": "湖州市经信局", "due_on": day } })).await;
    for refused in ["county", "city"] {
        let r = admin_move(&c.state, case, "issue_handling", escalate(refused)).await;
        assert_eq!(
            (r.status, r.code()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "record_invalid".to_owned()
            ),
            "{refused}"
        );
        let body: onething_core::api::ApiErrorBody = r.json();
        let problems: Vec<(String, String)> =
            body.errors.into_iter().map(|p| (p.path, p.code)).collect();
        assert_eq!(
            problems,
            [("record.level".to_owned(), "not_rising".to_owned())]
        );
    }
    ok(&c, case, "issue_handling", escalate("province")).await;
    let r = admin_move(&c.state, case, "issue_handling", escalate("province")).await;
    assert_eq!(r.code(), "record_invalid", "no further than the province");
    // The text the SPA and the admin tools show, in both languages.
    let code = onething_core::EngineError::parse("not_rising").expect("an engine code");
    assert_eq!(
        code.text(onething_core::Locale::ZhCn),
        "只能逐级提升，不能平级或降级。"
    );
    assert!(code.text(onething_core::Locale::En).contains("up a level"));
}

#[tokio::test]
async fn the_demo_pays_the_subsidys_computed_amount() {
    let (c, _) = server_with(&["ship-subsidy"]).await;
    let file = example("ship-subsidy");
    let day = file["valid_on"].as_str().expect("valid_on");
    c.state
        .clock
        .set(onething_server::clock::parse_instant(day).expect("instant"));
    let (token, _) = login_person(&c.state, "ship-owner").await;
    let mut body = file["application"].clone();
    let ups = [
        upload(&c.state, &token, &jpeg(20, 20)).await,
        upload(&c.state, &token, &jpeg(21, 21)).await,
    ];
    body["materials"]["purchase_invoice"]["upload_ids"] = json!(ups);
    let r = submit(&c.state, &token, "ship-1", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let created: ApplicationCreated = r.json();
    let def = c.state.catalogue.get("ship-subsidy").expect("definition");
    let app: onething_core::Application = serde_json::from_value(body).expect("application");
    let total = onething_core::engine::amounts(
        def,
        &app,
        onething_core::Date::from_days(c.state.clock.today_in_china()),
    )
    .into_iter()
    .find(|a| a.id == "total_claimed")
    .and_then(|a| a.value)
    .expect("a total");
    assert!(total > 1);
    for _ in 0..20 {
        onething_server::tracking::advance_all(&c.state)
            .await
            .expect("advance");
    }
    let d: ApplicationDetail = get(
        &c.state,
        &format!("/api/applications/{}", created.id),
        Some(&token),
    )
    .await
    .json();
    let payment = d
        .items
        .iter()
        .find(|i| i.sub_item_id == "payment")
        .expect("payment");
    assert_eq!(payment.status, SubItemStatus::Completed, "{d:?}");
    let paid = payment
        .outcome
        .as_ref()
        .expect("outcome")
        .record
        .get("amount_paid");
    assert_eq!(
        paid,
        Some(&onething_core::AnswerValue::Integer(total)),
        "not a sample figure"
    );
}
