//! 开办小店一件事: a dessert shop, as a sole trader or a company.

use onething_core::{AnswerValue, reduction};
use serde_json::{Value, json};

use crate::common::Scenarios;

pub(crate) fn base() -> Value {
    json!({
        "service_id": "shop-opening",
        "sub_items": ["business_licence", "food_business_licence", "seal_engraving", "invoice_application"],
        "eligibility": { "entity_type": "individual", "premises_in_city": true, "sells_food": true },
        "answers": {
            "shop_name": "湖州市吴兴区织里晨晨甜品店",
            "business_scope": ["drinks", "pastry"],
            "operator_name": "朱晨晨",
            "operator_id_number": "330502199203150023",
            "operator_phone": "13800138000",
            "premises_address": { "region": ["330000", "330500", "330502"], "detail": "织里镇珍贝路88号" },
            "premises_area_m2": 45,
            "premises_tenure": "rented",
            "lease_end": "2028-06-30",
            "staff_count": 3,
            "food_safety_manager": "朱晨晨",
            "seal_count": 2,
            "invoice_kind": "e_invoice"
        },
        "materials": {
            "operator_id_card": { "kind": "e_licence", "consent": true },
            "premises_proof": { "kind": "commitment", "accepted": true },
            "floor_plan": { "kind": "upload", "upload_ids": ["fp1"] },
            "food_safety_rules": { "kind": "commitment", "accepted": true },
            "health_certificates": { "kind": "deferred" }
        }
    })
}

fn company() -> Value {
    json!({
        "eligibility": { "entity_type": "company" },
        "answers": {
            "registered_capital": 10,
            "shareholders": [
                { "name": "朱晨晨", "id_number": "330502199203150023", "share_percent": 60 },
                { "name": "王强", "id_number": "330502199001010030", "share_percent": 40 }
            ]
        },
        "materials": { "articles_of_association": { "kind": "upload", "upload_ids": ["aa1"] } }
    })
}

#[test]
fn every_decision_of_shop_opening_is_exercised_both_ways() {
    let mut s = Scenarios::new("shop-opening", base());
    let p = s.ok(&json!({}), "a sole trader's dessert shop");
    // Multiple choices come back in the definition's order.
    assert_eq!(
        p.answers["business_scope"],
        AnswerValue::Choices(vec!["pastry".into(), "drinks".into()])
    );
    assert_eq!(p.deferred[0].material, "health_certificates");
    let p = s.ok(&company(), "a limited company");
    assert!(p.answers.contains_key("shareholders"));
    s.fails(
        &crate::common::merge(
            company(),
            &json!({ "answers": { "shareholders": [
            { "name": "朱晨晨", "id_number": "330502199203150023", "share_percent": 60 },
            { "name": "朱晨", "id_number": "330502199203150023", "share_percent": 40 }
        ] } }),
        ),
        &[(
            "id_numbers_not_distinct",
            "answers.shareholders[1].id_number",
        )],
        "two shareholders, one ID",
    );
    s.fails(
        &crate::common::merge(
            company(),
            &json!({ "answers": { "shareholders": [
            { "name": "朱晨晨", "id_number": "330502199203150023", "share_percent": 60 },
            { "name": "王强", "id_number": "330502199001010030", "share_percent": 30 }
        ] } }),
        ),
        &[("shares_not_100", "answers.shareholders[1].share_percent")],
        "shares that make 90 %",
    );
    s.fails(
        &json!({ "eligibility": { "entity_type": "company" }, "materials": { "articles_of_association": { "kind": "upload", "upload_ids": ["aa1"] } } }),
        &[("required", "answers.registered_capital"), ("required", "answers.shareholders")],
        "a company needs capital and shareholders",
    );
    let p = s.ok(
        &json!({ "answers": { "premises_tenure": "owned" } }),
        "own premises",
    );
    assert!(!p.answers.contains_key("lease_end"));
    s.fails(
        &json!({ "answers": { "lease_end": "2027-01-01" } }),
        &[("date_too_early", "answers.lease_end")],
        "a lease of at least six months",
    );
    s.fails(
        &json!({ "answers": { "shop_name": "甜品店" } }),
        &[("shop_name_too_generic", "answers.shop_name")],
        "a trade word alone",
    );
    s.fails(
        &json!({ "answers": { "shop_name": "甜" } }),
        &[("too_short", "answers.shop_name")],
        "one character",
    );
    s.fails(
        &json!({ "eligibility": { "premises_in_city": false } }),
        &[("not_eligible", "eligibility")],
        "premises elsewhere",
    );
    let p = s.ok(
        &json!({ "eligibility": { "sells_food": false }, "sub_items": ["business_licence"] }),
        "no food: business licence only",
    );
    assert!(!p.answers.contains_key("food_safety_manager"));
    assert!(!p.materials.contains_key("floor_plan"));
    s.fails(
        &json!({ "answers": { "business_scope": [] } }),
        &[("required", "answers.business_scope")],
        "at least one line of business",
    );
    s.assert_every_decision_both_ways();
}

#[test]
fn the_bundle_halves_the_paperwork() {
    let r = reduction(&crate::common::load("shop-opening"));
    assert_eq!((r.forms_before, r.forms_after), (4, 1));
    assert_eq!((r.material_requests_before, r.materials_after), (10, 6));
    assert_eq!((r.time_limit_days_before, r.time_limit_days_after), (4, 2));
}
