//! 青年入乡就业创业一件事: eleven items over three paths (employed, flexible, entrepreneur).

use onething_core::{available_sub_items, reduction};
use serde_json::{Value, json};

use crate::common::{Scenarios, today};

fn address(detail: &str) -> Value {
    json!({ "region": ["330000", "330500", "330522"], "detail": detail })
}

pub(crate) fn base() -> Value {
    json!({
        "service_id": "youth-rural",
        "sub_items": ["employment_registration", "pension_insurance", "medical_insurance", "housing_subsidy", "skills_training"],
        "eligibility": { "birth_date": "2000-05-04", "in_rural_area": true, "path": "employed", "graduate_recent": true },
        "answers": {
            "name": "李想",
            "id_number": "330502199203150023",
            "phone": "13800138000",
            "education": "bachelor",
            "graduation_date": "2023-06-30",
            "hukou_address": address("雉城街道1号"),
            "employer_name": "长兴某某农业科技有限公司",
            "employer_credit_code": "91330522MA2H1J2K37",
            "job_start": "2026-09-01",
            "work_address": address("水口乡顾渚村8号"),
            "bank_card_number": "6228480012345678903",
            "rental_address": address("水口乡顾渚村20号"),
            "monthly_rent": 800,
            "training_course": "ecommerce"
        },
        "materials": {
            "id_card": { "kind": "e_licence", "consent": true },
            "diploma": { "kind": "e_licence", "consent": true },
            "labour_contract": { "kind": "upload", "upload_ids": ["lc1"] },
            "lease_contract": { "kind": "upload", "upload_ids": ["l1"] },
            "no_property_commitment": { "kind": "commitment", "accepted": true }
        }
    })
}

fn entrepreneur(loan: i64, employees: i64) -> Value {
    json!({
        "eligibility": { "path": "entrepreneur" },
        "sub_items": ["pension_insurance", "medical_insurance", "business_registration", "startup_subsidy", "startup_loan", "agri_entrepreneur"],
        "answers": {
            "business_name": "长兴顾渚山茶合作社",
            "business_form": "cooperative",
            "business_scope": "茶叶种植、加工和网络销售",
            "employees": employees,
            "loan_amount": loan,
            "agri_project": "流转荒废茶园50亩，发展白茶种植和直播销售。"
        },
        "materials": { "business_plan": { "kind": "upload", "upload_ids": ["bp1"] } }
    })
}

#[test]
fn every_decision_of_youth_rural_is_exercised_both_ways() {
    let mut s = Scenarios::new("youth-rural", base());
    let p = s.ok(&json!({}), "employed in a village, recent graduate");
    assert!(p.answers.contains_key("employer_name"));
    s.ok(&entrepreneur(30, 2), "a cooperative with a 300,000 loan");
    s.ok(&entrepreneur(50, 3), "three employees allow 500,000");
    s.fails(
        &entrepreneur(40, 2),
        &[("loan_amount_over_limit", "answers.loan_amount")],
        "loan limit",
    );
    let p = s.ok(
        &json!({ "eligibility": { "path": "flexible" },
                 "sub_items": ["flexible_employment", "pension_insurance", "medical_insurance", "social_insurance_subsidy"],
                 "answers": { "flexible_work": "live_streaming" } }),
        "flexible work with the social insurance subsidy",
    );
    assert!(!p.answers.contains_key("employer_name"));
    s.fails(
        &json!({ "sub_items": ["employment_registration", "pension_insurance", "medical_insurance", "startup_subsidy"] }),
        &[("sub_item_not_available", "sub_items.startup_subsidy")],
        "start-up subsidy is for entrepreneurs",
    );
    let p = s.ok(
        &json!({ "eligibility": { "graduate_recent": false },
                 "sub_items": ["employment_registration", "pension_insurance", "medical_insurance", "housing_subsidy"] }),
        "not a recent graduate: no graduation date, no diploma",
    );
    assert!(!p.answers.contains_key("graduation_date"));
    assert!(!p.materials.contains_key("diploma"));
    s.fails(
        &json!({ "eligibility": { "birth_date": "1985-01-01" } }),
        &[("not_eligible", "eligibility")],
        "over 35",
    );
    s.fails(
        &json!({ "eligibility": { "in_rural_area": false } }),
        &[("not_eligible", "eligibility")],
        "in town",
    );
    s.fails(
        &json!({ "eligibility": { "birth_date": "2026-01-01" }, "answers": { "job_start": "2025-12-01" } }),
        &[("not_eligible", "eligibility"), ("job_before_birth", "answers.job_start")],
        "a job before birth",
    );
    s.assert_every_decision_both_ways();
}

#[test]
fn the_path_decides_the_items_offered() {
    let def = crate::common::load("youth-rural");
    let offered = |path: &str| {
        let answers = serde_json::from_value(json!({ "birth_date": "2000-05-04", "in_rural_area": true, "path": path, "graduate_recent": true })).expect("answers");
        available_sub_items(&def, &answers, today())
    };
    assert_eq!(offered("employed").len(), 5);
    assert_eq!(offered("flexible").len(), 6);
    assert_eq!(offered("entrepreneur").len(), 8);
    assert_eq!(reduction(&def).forms_before, 11);
}
