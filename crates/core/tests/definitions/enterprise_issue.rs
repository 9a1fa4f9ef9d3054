//! 涉企问题 (企呼我应): one sub-item with a category, description and attachments.

use onething_core::reduction;
use serde_json::{Value, json};

use crate::common::Scenarios;

pub(crate) fn base() -> Value {
    json!({
        "service_id": "enterprise-issue",
        "sub_items": ["issue_handling", "publication"],
        "eligibility": { "reporter_is_enterprise": true, "publish_consent": true },
        "answers": {
            "company_name": "湖州某某纺织有限公司",
            "credit_code": "91330502MA2A1B2C3C",
            "contact_name": "钱进",
            "contact_phone": "13800138000",
            "category": "labour",
            "urgency": "normal",
            "title": "外籍员工体检难",
            "description": "我司外籍技术人员需办理工作许可，本地没有可开展外国人健康检查的医院，需往返杭州。",
            "previously_reported": false,
            "has_attachments": false
        },
        "materials": {}
    })
}

#[test]
fn every_decision_of_enterprise_issue_is_exercised_both_ways() {
    let mut s = Scenarios::new("enterprise-issue", base());
    let p = s.ok(&json!({}), "a problem without attachments");
    assert!(p.materials.is_empty());
    let p = s.ok(
        &json!({ "answers": { "previously_reported": true, "previous_case_no": "QHWY-2026-0815", "has_attachments": true },
                 "materials": { "attachments": { "kind": "upload", "upload_ids": ["a1", "a2", "a3"] } } }),
        "reported before, with photos",
    );
    assert!(p.answers.contains_key("previous_case_no"));
    s.fails(
        &json!({ "answers": { "has_attachments": true } }),
        &[("material_missing", "materials.attachments")],
        "promised attachments",
    );
    s.fails(
        &json!({ "answers": { "urgency": "urgent" } }),
        &[("urgent_needs_outcome", "answers.expected_outcome")],
        "an urgent problem says what it needs",
    );
    s.ok(
        &json!({ "answers": { "urgency": "urgent", "expected_outcome": "希望本地指定医院开展外国人体检。" } }),
        "urgent with the outcome wanted",
    );
    s.fails(
        &json!({ "answers": { "description": "体检难" } }),
        &[("too_short", "answers.description")],
        "a description says enough",
    );
    s.fails(
        &json!({ "answers": { "credit_code": "91330502MA2A1B2C3D" } }),
        &[("credit_code_checksum", "answers.credit_code")],
        "a credit code with a wrong check character (GB 32100-2015)",
    );
    let p = s.ok(
        &json!({ "answers": { "credit_code": "91330502ma2a1b2c3c" } }),
        "a credit code typed in lower case",
    );
    assert_eq!(
        p.answers["credit_code"],
        onething_core::AnswerValue::Text("91330502MA2A1B2C3C".into())
    );
    // 亮晒 only with the enterprise's consent: without it there is no publication to select.
    s.ok(
        &json!({ "eligibility": { "publish_consent": false }, "sub_items": ["issue_handling"] }),
        "no consent to publish: handled, never published",
    );
    s.fails(
        &json!({ "eligibility": { "publish_consent": false } }),
        &[("sub_item_not_available", "sub_items.publication")],
        "no publication without consent",
    );
    s.fails(
        &json!({ "sub_items": ["issue_handling"] }),
        &[("sub_item_required", "sub_items.publication")],
        "consented: the publication is part of the case",
    );
    s.fails(
        &json!({ "eligibility": { "reporter_is_enterprise": false } }),
        &[("not_eligible", "eligibility")],
        "personal matters go to 12345",
    );
    s.assert_every_decision_both_ways();
}

#[test]
fn handling_and_publication_are_one_form_for_one_team() {
    let r = reduction(&crate::common::load("enterprise-issue"));
    assert_eq!((r.forms_before, r.forms_after, r.departments), (2, 1, 1));
}

#[test]
fn four_level_response_escalates_again_and_again_and_ends_in_a_reply() {
    use onething_core::engine::{stage_move, stages_missing};
    let def = crate::common::load("enterprise-issue");
    let item = def.sub_item("issue_handling").expect("handling");
    let r = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    // 交办 first; 督办 and 提级协调 only when needed, and as often as needed, in any order.
    assert!(stage_move(item, &[], "escalated").is_err());
    assert_eq!(
        stage_move(item, &r(&["assigned", "escalated"]), "escalated"),
        Ok(())
    );
    assert_eq!(
        stage_move(
            item,
            &r(&["assigned", "escalated", "escalated"]),
            "supervised"
        ),
        Ok(())
    );
    assert!(stages_missing(item, &r(&["assigned"])).is_empty());
    let reply = item.outcome.as_ref().expect("reply");
    assert!(
        reply
            .record
            .iter()
            .any(|f| f.id == "generalisation" && f.optional),
        "举一反三"
    );
    assert!(!item.delivers());
    let publication = def.sub_item("publication").expect("亮晒");
    assert_eq!(publication.depends_on, ["issue_handling"]);
    assert!(
        !publication
            .facts
            .iter()
            .any(|f| f == "company_name" || f == "credit_code"),
        "de-identified"
    );
}

#[test]
fn escalation_goes_up_the_four_levels_never_down_or_sideways() {
    use std::collections::BTreeMap;

    use onething_core::AnswerValue;
    use onething_core::engine::rising_problems;
    let def = crate::common::load("enterprise-issue");
    let item = def.sub_item("issue_handling").expect("handling");
    let escalated = item.stage("escalated").expect("提级协调");
    let level = |l: &str| BTreeMap::from([("level".to_owned(), AnswerValue::Text(l.to_owned()))]);
    let codes = |earlier: &[&str], to: &str| -> Vec<(String, String)> {
        let earlier: Vec<BTreeMap<String, AnswerValue>> =
            earlier.iter().map(|l| level(l)).collect();
        let refs: Vec<&BTreeMap<String, AnswerValue>> = earlier.iter().collect();
        rising_problems(escalated, &refs, &level(to))
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    };
    let refused = vec![("record.level".to_owned(), "not_rising".to_owned())];
    // 交办 at the county: the city, then the province.
    assert!(codes(&["county"], "city").is_empty());
    assert!(codes(&["county", "city"], "province").is_empty());
    assert!(
        codes(&["county"], "province").is_empty(),
        "a level may be skipped"
    );
    // A township's problem goes to the county (the township is below every escalation level).
    assert!(codes(&["township"], "county").is_empty());
    // Sideways and down are refused, against the last level recorded.
    assert_eq!(codes(&["county"], "county"), refused);
    assert_eq!(codes(&["county", "province"], "city"), refused);
    assert_eq!(codes(&["city", "province"], "province"), refused);
    // A record without a level before (none recorded yet) has nothing to rise above.
    assert!(codes(&[], "county").is_empty());
}
