//! 水电气网联合报装: one form for four utilities and the road works permit.

use onething_core::reduction;
use serde_json::{Value, json};

use crate::common::Scenarios;

pub(crate) fn base() -> Value {
    json!({
        "service_id": "utility-connection",
        "sub_items": ["water", "power", "gas", "network"],
        "eligibility": { "applicant_type": "enterprise", "project_type": "existing", "needs_road_works": false },
        "answers": {
            "applicant_name": "湖州某某食品有限公司",
            "credit_code": "91330502MA2B3C4D58",
            "contact_name": "李明",
            "contact_phone": "13800138000",
            "site_address": { "region": ["330000", "330500", "330502"], "detail": "八里店镇工业园区6号" },
            "building_use": "industrial",
            "floor_area_m2": 3200,
            "survey_date": "2026-12-03",
            "water_daily_m3": 40,
            "water_pipe": "dn50",
            "power_capacity_kva": 80,
            "power_voltage": "v380",
            "gas_uses": ["cooking"],
            "network_bandwidth": "g1"
        },
        "materials": {
            "business_licence": { "kind": "e_licence", "consent": true },
            "property_proof": { "kind": "commitment", "accepted": true },
            "site_plan": { "kind": "upload", "upload_ids": ["sp1"] }
        }
    })
}

#[test]
fn every_decision_of_utility_connection_is_exercised_both_ways() {
    let mut s = Scenarios::new("utility-connection", base());
    s.ok(&json!({}), "an existing factory");
    let p = s.ok(
        &json!({ "answers": { "gas_uses": ["industrial", "cooking"], "gas_hourly_m3": 120 } }),
        "industrial gas needs the peak use",
    );
    assert!(p.answers.contains_key("gas_hourly_m3"));
    let new_build = json!({
        "eligibility": { "project_type": "new_build", "has_planning_permit": true },
        "materials": { "property_proof": null, "planning_permit": { "kind": "e_licence", "consent": true } }
    });
    s.ok(&new_build, "a new building with its permit");
    s.fails(
        &json!({ "eligibility": { "project_type": "new_build", "has_planning_permit": false }, "materials": { "planning_permit": { "kind": "upload", "upload_ids": ["pp"] } } }),
        &[("not_eligible", "eligibility")],
        "planning permit first",
    );
    let p = s.ok(
        &json!({ "eligibility": { "applicant_type": "individual" }, "answers": { "credit_code": null, "applicant_name": "李明" },
                 "materials": { "business_licence": null, "applicant_id": { "kind": "upload", "upload_ids": ["i1", "i2"] } } }),
        "a private person",
    );
    assert!(!p.answers.contains_key("credit_code"));
    let p = s.ok(
        &json!({ "eligibility": { "needs_road_works": true },
                 "sub_items": ["water", "power", "gas", "network", "road_excavation"],
                 "answers": { "road_works_length_m": 30, "road_works_days": 5 },
                 "materials": { "road_works_plan": { "kind": "deferred" } } }),
        "with road works",
    );
    assert_eq!(
        p.departments.last().map(|d| d.sub_item.as_str()),
        Some("road_excavation")
    );
    s.fails(
        &json!({ "eligibility": { "needs_road_works": true } }),
        &[("sub_item_required", "sub_items.road_excavation")],
        "road works are not optional when needed",
    );
    s.fails(
        &json!({ "answers": { "power_voltage": "v220", "power_capacity_kva": 20 } }),
        &[("power_voltage_capacity", "answers.power_voltage")],
        "single phase is for small loads",
    );
    s.ok(
        &json!({ "answers": { "power_voltage": "v220", "power_capacity_kva": 8 } }),
        "a small single-phase load",
    );
    s.fails(
        &json!({ "answers": { "power_voltage": "kv10", "power_capacity_kva": 50 } }),
        &[("power_voltage_capacity", "answers.power_voltage")],
        "10 kV is for large loads",
    );
    s.ok(
        &json!({ "answers": { "power_voltage": "kv10", "power_capacity_kva": 630 } }),
        "a large load at 10 kV",
    );
    s.fails(
        &json!({ "answers": { "survey_date": "2026-11-29" } }),
        &[("date_too_early", "answers.survey_date")],
        "two days' notice for the joint survey",
    );
    s.fails(
        &json!({ "answers": { "survey_date": "2027-03-01" } }),
        &[("date_too_late", "answers.survey_date")],
        "within three months",
    );
    let p = s.ok(&json!({ "sub_items": ["network"] }), "broadband only");
    assert!(!p.answers.contains_key("water_daily_m3"));
    assert!(
        !p.materials.contains_key("property_proof"),
        "the network operator does not ask for it"
    );
    s.fails(
        &json!({ "sub_items": [] }),
        &[("no_sub_items", "sub_items")],
        "something to connect",
    );
    s.assert_every_decision_both_ways();
}

#[test]
fn parallel_handling_shortens_the_time_limit() {
    let r = reduction(&crate::common::load("utility-connection"));
    assert_eq!((r.time_limit_days_before, r.time_limit_days_after), (23, 5));
    assert_eq!(r.departments, 5);
}

#[test]
fn every_provider_surveys_connects_and_accepts_jointly_and_ends_connected() {
    use onething_core::engine::{StageRefusal, sample_record, stage_move, stages_missing};
    let def = crate::common::load("utility-connection");
    let stages = ["joint_survey", "coordinated_connection", "joint_acceptance"];
    for id in ["water", "power", "gas", "network"] {
        let item = def.sub_item(id).expect("provider");
        let ids: Vec<&str> = item.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, stages, "{id}");
        assert_eq!(
            item.outcome.as_ref().map(|o| o.kind),
            Some(onething_core::definition::OutcomeKind::Connection)
        );
        assert!(!item.delivers(), "{id}: a connection is not a parcel");
        assert_eq!(
            stage_move(item, &[], "joint_acceptance"),
            Err(StageRefusal::Waiting(vec![
                "joint_survey".into(),
                "coordinated_connection".into()
            ]))
        );
        let all: Vec<String> = stages.iter().map(|s| (*s).to_owned()).collect();
        assert!(stages_missing(item, &all).is_empty());
        assert_eq!(
            stage_move(item, &all, "joint_survey"),
            Err(StageRefusal::Passed)
        );
        for fields in item
            .stages
            .iter()
            .map(|s| &s.record)
            .chain(item.outcome.as_ref().map(|o| &o.record))
        {
            let sample = sample_record(fields, crate::common::today());
            assert!(
                onething_core::engine::check_record(fields, &sample, crate::common::today())
                    .is_ok(),
                "{id}"
            );
        }
    }
    // The road permit is a document: delivered as before.
    assert!(def.sub_item("road_excavation").expect("permit").delivers());
}
