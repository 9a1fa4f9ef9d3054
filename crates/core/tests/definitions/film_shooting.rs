//! 影视拍摄一件事: the production licence and the shoot's approvals.

use onething_core::{AnswerValue, reduction};
use serde_json::{Value, json};

use crate::common::Scenarios;

fn location(place: &str, date: &str, public_space: bool) -> Value {
    let mut l = json!({
        "place": place,
        "address": { "region": ["330000", "330500", "330503"], "detail": "南浔古镇百间楼" },
        "date": date,
        "crew_size": 60,
        "public_space": public_space
    });
    if public_space {
        l["venue_contact"] = json!("13700137000");
    }
    l
}

pub(crate) fn base() -> Value {
    json!({
        "service_id": "film-shooting",
        "sub_items": ["shooting_filing", "production_licence", "location_permit", "road_filming", "drone_flight", "fire_safety"],
        "eligibility": { "is_company": true, "uses_roads": true, "uses_drones": true, "uses_pyrotechnics": true },
        "answers": {
            "company_name": "湖州朗星影业有限公司",
            "credit_code": "91330503MA2D7E8F9E",
            "legal_rep_name": "何明",
            "legal_rep_id_number": "330502199001010030",
            "registered_capital": 500,
            "professional_staff": 8,
            "contact_name": "何明",
            "contact_phone": "13800138000",
            "production_title": "水乡往事",
            "production_type": "tv_series",
            "episodes": 36,
            "synopsis": "一个江南水乡家族三代人在丝绸产业兴衰中的故事。",
            "shooting_start": "2026-12-01",
            "shooting_end": "2026-12-20",
            "locations": [location("百间楼", "2026-12-02", true), location("影视基地", "2026-12-10", false)],
            "road_sections": "南浔古镇适园路，12月5日6:00至9:00",
            "drone_registration": "UAS-2026-001",
            "drone_pilot_licence": "CAAC-12345",
            "pyrotechnics_plan": "第20集码头火灾戏，使用冷焰火，现场配备灭火器材。"
        },
        "materials": {
            "business_licence": { "kind": "e_licence", "consent": true },
            "legal_rep_id": { "kind": "e_licence", "consent": true },
            "staff_qualifications": { "kind": "deferred" },
            "premises_proof": { "kind": "commitment", "accepted": true },
            "venue_consent": { "kind": "upload", "upload_ids": ["v1"] },
            "traffic_plan": { "kind": "upload", "upload_ids": ["t1"] },
            "drone_documents": { "kind": "upload", "upload_ids": ["d1", "d2"] },
            "fire_safety_plan": { "kind": "upload", "upload_ids": ["fs1"] },
            "project_filing": { "kind": "deferred" }
        }
    })
}

#[test]
fn every_decision_of_film_shooting_is_exercised_both_ways() {
    let mut s = Scenarios::new("film-shooting", base());
    let p = s.ok(&json!({}), "a TV series with every approval");
    let AnswerValue::Group(locations) = &p.answers["locations"] else {
        panic!("locations")
    };
    assert!(locations[0].contains_key("venue_contact"));
    assert!(!locations[1].contains_key("venue_contact"));
    // The traffic police get the places, dates and crew sizes, not the addresses.
    let road = p
        .departments
        .iter()
        .find(|d| d.sub_item == "road_filming")
        .expect("road");
    let AnswerValue::Group(places) = &road.answers["locations"] else {
        panic!("places")
    };
    assert!(!places[0].contains_key("address") && places[0].contains_key("crew_size"));

    let p = s.ok(
        &json!({ "answers": { "production_type": "film" } }),
        "a feature film has no episodes",
    );
    assert!(!p.answers.contains_key("episodes"));
    // The filing needs the national filing of a film or a series, not of a documentary.
    s.fails(
        &json!({ "materials": { "project_filing": null } }),
        &[("material_missing", "materials.project_filing")],
        "a series files with its national filing notice",
    );
    s.ok(
        &json!({ "answers": { "production_type": "documentary" }, "materials": { "project_filing": null } }),
        "a documentary files without it",
    );
    s.fails(
        &json!({ "answers": { "locations": [location("百间楼", "2026-12-02", true), { "place": "码头", "address": { "region": ["330000"], "detail": "x" }, "date": "2026-12-02", "crew_size": 10, "public_space": true }] } }),
        &[("required", "answers.locations[1].venue_contact")],
        "a public space needs the venue's contact",
    );
    s.fails(
        &json!({ "answers": { "locations": [location("百间楼", "2026-12-25", false)] } }),
        &[("date_too_late", "answers.locations[0].date")],
        "locations within the shooting period",
    );
    s.fails(
        &json!({ "answers": { "shooting_end": "2026-11-30" } }),
        &[("date_too_early", "answers.shooting_end")],
        "the end before the start (an invalid bound does not cascade)",
    );
    s.fails(
        &json!({ "answers": { "registered_capital": 100, "professional_staff": 2 } }),
        &[
            ("registered_capital_too_low", "answers.registered_capital"),
            ("professional_staff_too_few", "answers.professional_staff"),
        ],
        "licence thresholds",
    );
    let p = s.ok(
        &json!({ "eligibility": { "uses_roads": false, "uses_drones": false, "uses_pyrotechnics": false },
                 "sub_items": ["shooting_filing", "location_permit"], "answers": { "registered_capital": 100, "professional_staff": 2 } }),
        "already licensed: the filing and the location permit, thresholds do not apply",
    );
    assert!(!p.answers.contains_key("registered_capital"));
    assert!(!p.answers.contains_key("drone_registration"));
    s.fails(
        &json!({ "eligibility": { "is_company": false } }),
        &[("not_eligible", "eligibility")],
        "companies only",
    );
    s.assert_every_decision_both_ways();
}

#[test]
fn reported_figures_are_served() {
    let r = reduction(&crate::common::load("film-shooting"));
    assert_eq!(r.reported.len(), 2);
    assert_eq!(
        (r.reported[0].before, r.reported[0].after),
        (Some(9), Some(3))
    );
    assert_eq!(
        (r.reported[1].before, r.reported[1].after),
        (Some(25), Some(18))
    );
}
