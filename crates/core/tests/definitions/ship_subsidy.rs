//! 新能源船舶补贴申领一件事: purchase and shore-power subsidies.

use serde_json::{Value, json};

use crate::common::Scenarios;

pub(crate) fn base() -> Value {
    json!({
        "service_id": "ship-subsidy",
        "sub_items": ["purchase_review", "shore_power_review", "payment"],
        "eligibility": { "owner_type": "enterprise", "registered_here": true, "power_type": "electric",
                         "delivery_date": "2026-03-18", "uses_shore_power": true },
        "answers": {
            "owner_name": "湖州某某航运有限公司",
            "credit_code": "91330500MA2X9Y8W7N",
            "contact_name": "沈涛",
            "contact_phone": "13800138000",
            "ship_name": "湖航电001",
            "ship_registration_no": "330526000123",
            "ship_identification_no": "CN20251234567",
            "ship_kind": "cargo",
            "gross_tonnage": 1200,
            "battery_kwh": 2400,
            "purchase_price": 980,
            "shore_power_hours": 3100,
            "bank_account_name": "湖州某某航运有限公司",
            "bank_account": "6228480012345678903",
            "bank_branch": "农业银行湖州分行"
        },
        "materials": {
            "nationality_certificate": { "kind": "e_licence", "consent": true },
            "inspection_certificate": { "kind": "e_licence", "consent": true },
            "purchase_invoice": { "kind": "upload", "upload_ids": ["inv1", "inv2"] },
            "business_licence": { "kind": "e_licence", "consent": true },
            "shore_power_records": { "kind": "deferred" },
            "no_double_claim": { "kind": "commitment", "accepted": true }
        }
    })
}

#[test]
fn every_decision_of_ship_subsidy_is_exercised_both_ways() {
    let mut s = Scenarios::new("ship-subsidy", base());
    let p = s.ok(&json!({}), "an electric cargo ship of a shipping company");
    let pay = p
        .departments
        .iter()
        .find(|d| d.sub_item == "payment")
        .expect("payment");
    assert_eq!(pay.depends_on, ["purchase_review"]);
    assert!(
        !pay.answers.contains_key("battery_kwh"),
        "finance needs the account, not the battery"
    );
    s.fails(
        &json!({ "answers": { "battery_kwh": 80 } }),
        &[("battery_too_small", "answers.battery_kwh")],
        "an electric ship needs real batteries",
    );
    s.ok(
        &json!({ "eligibility": { "power_type": "hybrid" }, "answers": { "battery_kwh": 80 } }),
        "a hybrid may have a small battery",
    );
    let p = s.ok(
        &json!({ "eligibility": { "power_type": "lng" }, "answers": { "battery_kwh": null, "lng_tank_m3": 30 } }),
        "an LNG ship",
    );
    assert!(p.answers.contains_key("lng_tank_m3"));
    let p = s.ok(
        &json!({ "eligibility": { "owner_type": "individual", "uses_shore_power": false },
                 "sub_items": ["purchase_review", "payment"],
                 "answers": { "owner_name": "沈涛", "owner_id_number": "330502199001010030", "bank_account_name": "沈涛" },
                 "materials": { "business_licence": null, "owner_id_card": { "kind": "upload", "upload_ids": ["o1", "o2"] } } }),
        "a private owner without shore power",
    );
    assert!(!p.answers.contains_key("credit_code"));
    assert!(!p.answers.contains_key("shore_power_hours"));
    s.fails(
        &json!({ "answers": { "bank_account_name": "沈涛" } }),
        &[("account_holder_not_owner", "answers.bank_account_name")],
        "paid to the owner only",
    );
    s.fails(
        &json!({ "eligibility": { "registered_here": false } }),
        &[("not_eligible", "eligibility")],
        "registered elsewhere",
    );
    s.fails(
        &json!({ "eligibility": { "power_type": "diesel" } }),
        &[("not_eligible", "eligibility")],
        "diesel",
    );
    s.fails(
        &json!({ "eligibility": { "delivery_date": "2024-11-27" } }),
        &[("not_eligible", "eligibility")],
        "too late to claim",
    );
    s.ok(
        &json!({ "eligibility": { "delivery_date": "2024-11-28" } }),
        "exactly two years: still in time",
    );
    s.fails(
        &json!({ "materials": { "no_double_claim": { "kind": "upload", "upload_ids": ["x"] } } }),
        &[("satisfier_not_allowed", "materials.no_double_claim")],
        "a declaration cannot be replaced by a photo",
    );
    s.assert_every_decision_both_ways();
}

/// The amounts claimed, by the definition's rule, for the base application and a patch of it.
fn claimed(patch: &Value) -> Vec<(String, Option<i64>)> {
    let def = crate::common::load("ship-subsidy");
    let app: onething_core::Application =
        serde_json::from_value(crate::common::merge(base(), patch)).expect("application");
    onething_core::engine::amounts(&def, &app, crate::common::today())
        .into_iter()
        .map(|a| (a.id, a.value))
        .collect()
}

fn amounts(xs: &[(&str, i64)]) -> Vec<(String, Option<i64>)> {
    xs.iter()
        .map(|(id, v)| ((*id).to_owned(), Some(*v)))
        .collect()
}

#[test]
fn the_claimed_amount_follows_the_rule_branch_by_branch() {
    // Electric, 2 400 kWh × 1 500 = 3 600 000, capped at 30 % of 980 万 (2 940 000) and at
    // 2 000 000; shore power 3 100 h × 20 = 62 000.
    assert_eq!(
        claimed(&json!({})),
        amounts(&[
            ("purchase_subsidy", 2_000_000),
            ("shore_power_subsidy", 62_000),
            ("total_claimed", 2_062_000)
        ])
    );
    // 30 % of the price binds: 1 000 kWh × 1 500 = 1 500 000 > 30 % of 300 万 = 900 000.
    assert_eq!(
        claimed(&json!({ "answers": { "battery_kwh": 1000, "purchase_price": 300 } }))[0].1,
        Some(900_000)
    );
    // A hybrid at 750 per kWh; an LNG ship by gross tonnage; shore power capped at 100 000.
    assert_eq!(
        claimed(
            &json!({ "eligibility": { "power_type": "hybrid" }, "answers": { "battery_kwh": 80 } })
        )[0]
        .1,
        Some(60_000)
    );
    assert_eq!(
        claimed(
            &json!({ "eligibility": { "power_type": "lng" }, "answers": { "battery_kwh": null, "lng_tank_m3": 30, "shore_power_hours": 8000 } })
        ),
        amounts(&[
            ("purchase_subsidy", 600_000),
            ("shore_power_subsidy", 100_000),
            ("total_claimed", 700_000)
        ])
    );
    // Without shore power the subsidy is not claimed, and the total is the purchase alone.
    assert_eq!(
        claimed(
            &json!({ "eligibility": { "uses_shore_power": false }, "sub_items": ["purchase_review", "payment"] })
        ),
        amounts(&[
            ("purchase_subsidy", 2_000_000),
            ("total_claimed", 2_000_000)
        ])
    );
    // Not computed while the battery is unanswered.
    assert_eq!(
        claimed(&json!({ "answers": { "battery_kwh": null } }))[0],
        ("purchase_subsidy".to_owned(), None)
    );
}

#[test]
fn the_payment_ends_in_the_amount_and_date_paid_not_a_parcel() {
    let def = crate::common::load("ship-subsidy");
    let pay = def.sub_item("payment").expect("payment");
    let outcome = pay.outcome.as_ref().expect("outcome");
    assert_eq!(
        outcome.kind,
        onething_core::definition::OutcomeKind::Payment
    );
    assert!(!pay.delivers());
    let ok: std::collections::BTreeMap<String, onething_core::AnswerValue> =
        serde_json::from_value(json!({ "amount_paid": 2_062_000, "paid_on": "2026-12-01" }))
            .expect("record");
    assert!(
        onething_core::engine::check_record(&outcome.record, &ok, crate::common::today()).is_ok()
    );
    let id = def.fact("ship_identification_no").expect("fact");
    assert_eq!(id.mask.as_deref(), Some("CN99999999999"));
}
