//! 新生儿出生一件事: every branch of the flagship definition.

use onething_core::{AnswerValue, EligibilityOutcome, MaterialChoice, eligibility};
use serde_json::{Value, json};

use crate::common::{Scenarios, codes, load, today};

const MOTHER_ID: &str = "330502199203150023";
const FATHER_ID: &str = "330502199001010030";
const GRANDMOTHER_ID: &str = "330522196507200044";

fn address(detail: &str) -> Value {
    json!({ "region": ["330000", "330500", "330502"], "detail": detail })
}

/// A married couple, both with resident ID cards, one baby, every sub-item, e-licences.
pub(crate) fn base() -> Value {
    json!({
        "service_id": "newborn",
        "sub_items": ["birth_certificate", "vaccination_certificate", "household_registration", "medical_insurance", "social_security_card", "maternity_benefit"],
        "eligibility": {
            "born_in_province_hospital": true,
            "birth_date": "2026-11-20",
            "first_application": true,
            "certificate_issued": false,
            "parents_hukou": "both_local",
            "mother_employee_insured": true
        },
        "answers": {
            "children": [{
                "name": "王小明", "sex": "male", "birth_datetime": "2026-11-20T08:30",
                "gestational_weeks": 39, "weight_g": 3300, "length_cm": 50,
                "hospital": "湖州市妇幼保健院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital", "hospital_record_no": "20261120001"
            }],
            "mother_id_type": "resident_id",
            "mother_name": "陈倩",
            "mother_id_number": MOTHER_ID,
            "mother_birth_date": "1992-03-15",
            "mother_ethnicity": "han",
            "mother_phone": "13800138000",
            "mother_hukou_address": address("小浦镇八都岕村12号"),
            "marital_status": "married",
            "marriage_cert_no": "J330502-2020-001234",
            "father_id_type": "resident_id",
            "father_name": "王强",
            "father_id_number": FATHER_ID,
            "father_birth_date": "1990-01-01",
            "father_ethnicity": "han",
            "father_phone": "13900139000",
            "father_hukou_address": address("小浦镇八都岕村12号"),
            "register_with": "father",
            "household_type": "family",
            "household_head_name": "王强",
            "household_head_relationship": "child",
            "registration_address": address("小浦镇八都岕村12号"),
            "insurance_place": "hukou",
            "insurance_payer": "mother",
            "card_bank": "huzhou_bank",
            "employer_name": "湖州某某纺织有限公司",
            "employer_credit_code": "91330502MA2C5D6E74",
            "delivery_mode": "natural",
            "leave_start": "2026-11-20",
            "bank_account_holder": "陈倩",
            "bank_card_number": "6228 4800 1234 5678 903",
            "bank_branch": "长兴支行",
            "residence_address": address("小浦镇八都岕村12号"),
            "delivery": "mail",
            "mailing_name": "陈倩",
            "mailing_phone": "13800138000",
            "mailing_address": address("小浦镇八都岕村12号"),
            "applicant_role": "mother",
            "applicant_id_type": "resident_id",
            "applicant_name": "陈倩",
            "applicant_id_number": MOTHER_ID,
            "applicant_phone": "13800138000"
        },
        "materials": {
            "mother_id_card": { "kind": "e_licence", "consent": true },
            "father_id_card": { "kind": "e_licence", "consent": true },
            "marriage_certificate": { "kind": "e_licence", "consent": true },
            "hukou_booklet": { "kind": "upload", "upload_ids": ["h1", "h2", "h3"] },
            "bank_card": { "kind": "upload", "upload_ids": ["b1"] }
        }
    })
}

fn foreign_mother() -> Value {
    json!({
        "answers": {
            "mother_id_type": "passport", "mother_name": "Anna  Schmidt", "mother_id_number": "c01x00t47",
            "mother_nationality": "德国", "mother_ethnicity": null, "mother_hukou_address": null,
            "bank_account_holder": "Anna Schmidt",
            "applicant_role": "father", "applicant_name": "王强", "applicant_id_number": FATHER_ID,
            "applicant_phone": "13900139000"
        },
        "materials": {
            "mother_id_card": null,
            "mother_foreign_id": { "kind": "upload", "upload_ids": ["p1"] }
        }
    })
}

fn foreign_father() -> Value {
    json!({
        "answers": {
            "father_id_type": "passport", "father_name": "John Smith", "father_id_number": "533380006",
            "father_nationality": "美国", "father_ethnicity": null, "father_hukou_address": null,
            "register_with": "mother"
        },
        "materials": { "father_id_card": null, "father_foreign_id": { "kind": "upload", "upload_ids": ["f1"] } }
    })
}

fn unmarried(father: &str) -> Value {
    let mut p = json!({
        "answers": { "marital_status": "unmarried", "father_details": father },
        "materials": { "non_marital_statement": { "kind": "commitment", "accepted": true } }
    });
    if father == "not_available" {
        p["answers"]["father_unavailable_reason"] = json!("父亲长期在国外，无法取得联系。");
        p["answers"]["register_with"] = json!("mother");
    }
    p
}

fn single_parent(child: &str) -> Value {
    json!({
        "answers": {
            "marital_status": "single_parent", "register_with": "mother", "household_head_name": "陈倩",
            "children": [{ "name": child, "sex": "female", "birth_datetime": "2026-11-20T08:30", "gestational_weeks": 39,
                           "weight_g": 3100, "length_cm": 49, "hospital": "湖州市妇幼保健院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital" }]
        },
        "materials": { "single_parent_application": { "kind": "commitment", "accepted": true } }
    })
}

fn with(a: &Value, b: &Value) -> Value {
    crate::common::merge(a.clone(), b)
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "the scenarios read best as one table"
)]
fn every_decision_of_newborn_is_exercised_both_ways() {
    let mut s = Scenarios::new("newborn", base());

    let p = s.ok(&json!({}), "married, resident IDs, every sub-item");
    assert_eq!(
        p.answers["bank_card_number"],
        AnswerValue::Text("6228480012345678903".into())
    );
    assert!(p.deferred.is_empty());

    // Foreign mother: passport, Latin name, no hukou address, upload instead of e-licence.
    let p = s.ok(&foreign_mother(), "foreign mother");
    assert_eq!(
        p.answers["mother_name"],
        AnswerValue::Text("Anna Schmidt".into())
    );
    assert_eq!(
        p.answers["mother_id_number"],
        AnswerValue::Text("C01X00T47".into())
    );
    assert!(!p.answers.contains_key("mother_ethnicity"));
    assert!(
        !p.materials.contains_key("power_of_attorney"),
        "the father applies for the family without a power of attorney"
    );
    s.fails(
        &with(
            &foreign_mother(),
            &json!({ "answers": { "register_with": "mother" } }),
        ),
        &[("register_with_foreign_parent", "answers.register_with")],
        "a passport holder has no hukou to join",
    );
    s.fails(
        &with(
            &foreign_mother(),
            &json!({ "answers": { "mother_name": "安娜2" } }),
        ),
        &[("name_invalid_characters", "answers.mother_name")],
        "no digits in names",
    );

    // Foreign father.
    s.ok(&foreign_father(), "foreign father");
    s.fails(
        &with(
            &foreign_father(),
            &json!({ "answers": { "register_with": "father" } }),
        ),
        &[("register_with_foreign_parent", "answers.register_with")],
        "foreign father's household",
    );

    // Unmarried, father known, registering with him: statement, paternity test (deferred).
    let p = s.ok(
        &with(
            &unmarried("provided"),
            &json!({ "materials": { "paternity_test": { "kind": "deferred" } } }),
        ),
        "unmarried with the father's details",
    );
    assert!(
        !p.answers.contains_key("marriage_cert_no"),
        "hidden answer dropped"
    );
    assert!(
        !p.materials.contains_key("marriage_certificate"),
        "unneeded material dropped"
    );
    assert_eq!(p.deferred[0].material, "paternity_test");
    assert_eq!(p.deferred[0].due_days, 30);
    s.fails(
        &unmarried("provided"),
        &[("material_missing", "materials.paternity_test")],
        "the paternity test is needed",
    );
    // Unmarried, father unknown: with the mother; the father's old answers are not sent.
    let p = s.ok(&unmarried("not_available"), "unmarried without the father");
    assert!(!p.answers.contains_key("father_name"));
    assert!(!p.materials.contains_key("father_id_card"));
    s.fails(
        &with(&unmarried("not_available"), &json!({ "answers": { "register_with": "father" }, "materials": { "paternity_test": { "kind": "deferred" } } })),
        &[("register_with_father_unavailable", "answers.register_with")],
        "no father, no father's household",
    );

    // Single parent: no father page, the mother's surname.
    let p = s.ok(&single_parent("陈小雨"), "single parent");
    assert!(!p.answers.contains_key("father_id_number"));
    let eval = onething_core::evaluate(&s.def, &s.app(&single_parent("陈小雨")), today());
    assert!(!eval.pages.iter().any(|pg| pg.id == "father" && pg.visible));
    s.fails(
        &single_parent("王小雨"),
        &[("child_surname_single_parent", "answers.children[0].name")],
        "the baby takes the mother's surname",
    );
    s.fails(
        &with(
            &single_parent("陈小雨"),
            &json!({ "answers": { "register_with": "father" } }),
        ),
        &[("register_with_father_unavailable", "answers.register_with")],
        "single parent cannot register with the father",
    );

    // Collective household, collection at the window.
    let p = s.ok(
        &json!({ "answers": { "household_type": "collective", "delivery": "window" },
                 "materials": { "hukou_booklet": null, "collective_consent": { "kind": "deferred" } } }),
        "collective household, no mailing",
    );
    assert!(!p.answers.contains_key("household_head_name"));
    assert!(!p.answers.contains_key("mailing_address"));

    // Someone else applies: relationship, their own ID, a power of attorney.
    let proxy = json!({
        "answers": { "applicant_role": "other", "applicant_relationship": "外婆", "applicant_name": "张兰",
                     "applicant_id_number": GRANDMOTHER_ID },
        "materials": { "power_of_attorney": { "kind": "upload", "upload_ids": ["a1"] } }
    });
    s.ok(&proxy, "grandmother applies");
    s.fails(
        &with(
            &proxy,
            &json!({ "answers": { "applicant_id_number": MOTHER_ID } }),
        ),
        &[("id_numbers_not_distinct", "answers.applicant_id_number")],
        "the proxy is another person",
    );
    s.fails(
        &with(
            &proxy,
            &json!({ "materials": { "power_of_attorney": null } }),
        ),
        &[("material_missing", "materials.power_of_attorney")],
        "a proxy needs the power of attorney",
    );

    // A parent who is a soldier, abroad or in a student collective household cannot take the
    // baby into their household.
    s.ok(
        &json!({ "answers": { "parent_circumstances": ["father_abroad"], "register_with": "mother" } }),
        "father abroad: with the mother",
    );
    s.fails(
        &json!({ "answers": { "parent_circumstances": ["father_soldier"] } }),
        &[("register_with_parent_unavailable", "answers.register_with")],
        "not with a soldier father",
    );
    s.ok(
        &json!({ "answers": { "parent_circumstances": ["mother_student_collective"] } }),
        "mother in a student collective: with the father",
    );
    s.fails(
        &json!({ "answers": { "parent_circumstances": ["mother_abroad", "father_abroad"], "register_with": "mother" } }),
        &[("register_with_parent_unavailable", "answers.register_with")],
        "both abroad: a grandparent",
    );
    s.ok(
        &json!({ "answers": { "parent_circumstances": ["mother_abroad", "father_abroad"], "register_with": "grandparent", "household_head_relationship": "grandchild", "household_head_name": "王建国" } }),
        "both abroad, with the grandparents",
    );

    // No document type yet: the number cannot be checked, the household rule waits.
    s.fails(
        &json!({ "answers": { "mother_id_type": null }, "materials": { "mother_id_card": null } }),
        &[
            ("required", "answers.mother_id_type"),
            ("id_type_required", "answers.mother_id_number"),
        ],
        "the document type comes first",
    );

    // Birth dates against ID numbers, and distinct people.
    s.fails(
        &json!({ "answers": { "mother_birth_date": "1992-03-16" } }),
        &[("id_birth_date_mismatch", "answers.mother_birth_date")],
        "mother's birth date against her ID",
    );
    s.fails(
        &json!({ "answers": { "father_birth_date": "1990-01-02" } }),
        &[("id_birth_date_mismatch", "answers.father_birth_date")],
        "father's birth date against his ID",
    );
    s.fails(
        &json!({ "answers": { "father_id_number": MOTHER_ID, "father_birth_date": "1992-03-15" } }),
        &[("id_numbers_not_distinct", "answers.father_id_number")],
        "two parents, two ID numbers",
    );

    // Parents born after the baby: only reachable outside the bundle's age limit, where the
    // rules still guard the data.
    s.fails(
        &json!({
            "eligibility": { "birth_date": "2010-01-01" },
            "answers": {
                "children": [{ "name": "王小明", "sex": "male", "birth_datetime": "2010-01-01T09:00", "gestational_weeks": 39,
                               "weight_g": 3300, "length_cm": 50, "hospital": "湖州市妇幼保健院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital" }],
                "mother_birth_date": "2012-05-01", "father_birth_date": "2011-05-01", "leave_start": "2009-12-25"
            }
        }),
        &[
            ("not_eligible", "eligibility"),
            ("parent_born_after_child", "answers.children[0].birth_datetime"),
            ("id_birth_date_mismatch", "answers.mother_birth_date"),
            ("id_birth_date_mismatch", "answers.father_birth_date"),
        ],
        "parents born after the baby",
    );

    // The pre-screen, each rule on its own.
    for (patch, rule) in [
        (
            json!({ "eligibility": { "born_in_province_hospital": false } }),
            "born_in_hospital",
        ),
        (
            json!({ "eligibility": { "first_application": false } }),
            "first_issue",
        ),
    ] {
        s.fails(&patch, &[("not_eligible", "eligibility")], rule);
        let outcome = eligibility(&s.def, &s.app(&patch).eligibility, today());
        let EligibilityOutcome::NotEligible { reasons } = outcome else {
            panic!("{rule}")
        };
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].rule, rule);
    }

    // Neither parent with a Zhejiang hukou: not the bundle, but not a dead end either. The
    // hospital's and the employer's items go on here; the rest are handled where a parent is
    // registered (a link to that single-item service).
    let neither = json!({ "eligibility": { "parents_hukou": "neither" } });
    s.fails(
        &neither,
        &[
            ("sub_item_not_available", "sub_items.household_registration"),
            ("sub_item_not_available", "sub_items.medical_insurance"),
            ("sub_item_not_available", "sub_items.social_security_card"),
        ],
        "local_parent: only the fallback's sub-items",
    );
    let outcome = eligibility(&s.def, &s.app(&neither).eligibility, today());
    let EligibilityOutcome::Partial { reasons, sub_items } = outcome else {
        panic!("local_parent: {outcome:?}")
    };
    assert_eq!(reasons[0].rule, "local_parent");
    assert!(
        reasons[0]
            .single_item
            .as_ref()
            .is_some_and(|l| l.href.starts_with("https://"))
    );
    assert_eq!(
        sub_items,
        [
            "birth_certificate",
            "vaccination_certificate",
            "maternity_benefit"
        ]
    );
    assert_eq!(
        onething_core::available_sub_items(&s.def, &s.app(&neither).eligibility, today()),
        sub_items
    );
    let p = s.ok(
        &json!({ "eligibility": { "parents_hukou": "neither" },
                 "sub_items": ["birth_certificate", "vaccination_certificate", "maternity_benefit"],
                 "answers": { "register_with": null, "household_type": null, "household_head_name": null,
                              "household_head_relationship": null, "registration_address": null,
                              "insurance_place": null, "insurance_payer": null, "card_bank": null },
                 "materials": { "hukou_booklet": null } }),
        "local_parent: the rest goes on",
    );
    assert!(
        p.departments
            .iter()
            .all(|d| d.sub_item != "household_registration")
    );
    // With a second failed rule that leaves nothing to go on with, it is a plain "no".
    let outcome = eligibility(
        &s.def,
        &s.app(
            &json!({ "eligibility": { "parents_hukou": "neither", "first_application": false } }),
        )
        .eligibility,
        today(),
    );
    assert!(
        matches!(outcome, EligibilityOutcome::NotEligible { ref reasons } if reasons.len() == 2)
    );

    // No employee maternity insurance: no maternity benefit, no bank card.
    let p = s.ok(
        &json!({ "eligibility": { "mother_employee_insured": false },
                 "sub_items": ["birth_certificate", "vaccination_certificate", "household_registration", "medical_insurance", "social_security_card"] }),
        "no maternity benefit",
    );
    assert!(!p.answers.contains_key("bank_card_number"));
    assert!(!p.materials.contains_key("bank_card"));
    s.fails(
        &json!({ "eligibility": { "mother_employee_insured": false } }),
        &[("sub_item_not_available", "sub_items.maternity_benefit")],
        "maternity benefit needs employee insurance",
    );

    s.fails(
        &json!({ "answers": { "father_ethnicity": "hui", "children": [child_with(&json!({ "ethnicity": "zang" }))] } }),
        &[("child_ethnicity_not_a_parents", "answers.children[0].ethnicity")],
        "the baby's 民族 is a parent's",
    );
    s.ok(
        &json!({ "answers": { "father_ethnicity": "hui", "children": [child_with(&json!({ "ethnicity": "hui" }))] } }),
        "the father's 民族",
    );
    s.fails(
        &json!({ "answers": { "children": [child_with(&json!({ "birthplace_class": "home" }))] } }),
        &[(
            "birthplace_not_a_hospital",
            "answers.children[0].birthplace_class",
        )],
        "born at home is outside the bundle",
    );
    s.fails(
        &json!({ "answers": { "bank_account_holder": "王强" } }),
        &[("bank_account_not_the_mother", "answers.bank_account_holder")],
        "the benefit goes to the mother's own account",
    );
    s.fails(
        &json!({ "answers": { "leave_start": "2026-11-04" } }),
        &[("date_too_early", "answers.leave_start")],
        "leave starts at most 15 days before the birth",
    );
    s.fails(
        &json!({ "answers": { "employer_credit_code": "91330502MA2C5D6E7X" } }),
        &[("credit_code_checksum", "answers.employer_credit_code")],
        "the employer's credit code is checked",
    );

    // The certificate is already issued: that sub-item is dropped, its number is asked instead.
    let p = s.ok(&issued(), "certificate already issued");
    assert!(!p.sub_items.contains(&"birth_certificate".to_owned()));
    let AnswerValue::Group(kids) = &p.answers["children"] else {
        panic!("children")
    };
    assert_eq!(
        kids[0]["birth_cert_no"],
        AnswerValue::Text("X330100123".into())
    );
    assert!(
        !kids[0].contains_key("health"),
        "only the certificate needs it"
    );
    assert!(p.materials.contains_key("birth_medical_certificate"));
    s.fails(
        &with(&issued(), &json!({ "answers": { "children": [child_with(&json!({ "birth_cert_no": "X33010012" }))] } })),
        &[("text_format", "answers.children[0].birth_cert_no")],
        "the number as printed: a letter and nine digits",
    );
    s.fails(
        &with(&issued(), &json!({ "sub_items": ["birth_certificate", "household_registration", "medical_insurance", "social_security_card"] })),
        &[("sub_item_not_available", "sub_items.birth_certificate")],
        "an issued certificate is not applied for again",
    );
    s.fails(
        &with(
            &issued(),
            &json!({ "materials": { "birth_medical_certificate": null } }),
        ),
        &[("material_missing", "materials.birth_medical_certificate")],
        "the issued certificate by e-licence or photo",
    );

    // Either parent applies without a power of attorney; a parent applies as himself or herself.
    let p = s.ok(&father_applies(), "the father applies");
    assert!(!p.materials.contains_key("power_of_attorney"));
    s.fails(
        &with(
            &father_applies(),
            &json!({ "answers": { "applicant_id_number": GRANDMOTHER_ID } }),
        ),
        &[("applicant_not_the_parent", "answers.applicant_id_number")],
        "the father applying is the father",
    );
    s.fails(
        &json!({ "answers": { "applicant_id_number": FATHER_ID } }),
        &[("applicant_not_the_parent", "answers.applicant_id_number")],
        "the mother applying is the mother",
    );
    s.fails(
        &with(&single_parent("陈小雨"), &father_applies()),
        &[("applicant_father_unavailable", "answers.applicant_role")],
        "no father's details, no father applying",
    );
    // A third person with a passport: the power of attorney, a Latin name.
    let p = s.ok(
        &passport_proxy(),
        "a passport holder on the parents' behalf",
    );
    assert_eq!(
        p.answers["applicant_id_number"],
        AnswerValue::Text("E12345678".into())
    );
    assert!(p.materials.contains_key("power_of_attorney"));

    s.assert_every_decision_both_ways();
}

/// The base baby with some fields changed.
fn child_with(patch: &Value) -> Value {
    crate::common::merge(base()["answers"]["children"][0].clone(), patch)
}

/// The hospital has already issued the certificate.
fn issued() -> Value {
    json!({
        "eligibility": { "certificate_issued": true },
        "sub_items": ["vaccination_certificate", "household_registration", "medical_insurance", "social_security_card", "maternity_benefit"],
        "answers": { "children": [child_with(&json!({ "birth_cert_no": "x 330100123" }))] },
        "materials": { "birth_medical_certificate": { "kind": "e_licence", "consent": true } }
    })
}

fn father_applies() -> Value {
    json!({ "answers": { "applicant_role": "father", "applicant_name": "王强", "applicant_id_number": FATHER_ID, "applicant_phone": "13900139000" } })
}

fn passport_proxy() -> Value {
    json!({
        "answers": { "applicant_role": "other", "applicant_relationship": "姨妈", "applicant_id_type": "passport",
                     "applicant_name": "Maria Lopez", "applicant_id_number": "e12345678" },
        "materials": { "power_of_attorney": { "kind": "upload", "upload_ids": ["a1"] } }
    })
}

#[test]
fn each_department_receives_only_what_it_needs() {
    let s = Scenarios::new("newborn", base());
    let p = s.valid(&json!({}), "base");
    let packet = |id: &str| p.departments.iter().find(|d| d.sub_item == id).expect(id);
    let insurance = packet("medical_insurance");
    assert!(!insurance.answers.contains_key("bank_card_number"));
    assert!(!insurance.answers.contains_key("father_id_number"));
    assert!(
        insurance.answers.contains_key("applicant_name"),
        "shared facts go to everyone"
    );
    let AnswerValue::Group(kids) = &insurance.answers["children"] else {
        panic!("children")
    };
    assert!(
        !kids[0].contains_key("weight_g"),
        "insurance does not need the weight"
    );
    assert_eq!(insurance.depends_on, ["household_registration"]);
    assert!(insurance.materials.contains_key("mother_id_card"));
    assert!(!insurance.materials.contains_key("hukou_booklet"));
    let benefit = packet("maternity_benefit");
    assert!(benefit.answers.contains_key("bank_card_number"));
    assert!(benefit.materials.contains_key("bank_card"));
    let birth = packet("birth_certificate");
    assert_eq!(
        birth.answers["birth_date"],
        AnswerValue::Text("2026-11-20".into()),
        "an eligibility answer it lists"
    );
    assert!(!birth.answers.contains_key("registration_address"));
}

#[test]
fn twins_get_one_entry_each() {
    let mut s = Scenarios::new("newborn", base());
    let twin = |name: &str, at: &str| {
        json!({ "name": name, "sex": "female", "birth_datetime": at, "gestational_weeks": 36,
                                              "weight_g": 2400, "length_cm": 46, "hospital": "湖州市妇幼保健院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital" })
    };
    let p = s.ok(&json!({ "answers": { "children": [twin("王一", "2026-11-20T23:50"), twin("王二", "2026-11-21T00:05")] } }), "twins across midnight");
    let AnswerValue::Group(kids) = &p.answers["children"] else {
        panic!("children")
    };
    assert_eq!(kids.len(), 2);
    s.fails(
        &json!({ "answers": { "children": [twin("王一", "2026-11-20T23:50"), twin("王二", "2026-11-19T23:00")] } }),
        &[("date_too_early", "answers.children[1].birth_datetime")],
        "before the birth date",
    );
    s.fails(
        &json!({ "answers": { "children": [twin("王一", "2026-11-20T23:50"), twin("王一", "2026-11-22T00:05")] } }),
        &[("date_too_late", "answers.children[1].birth_datetime")],
        "two days later is no twin",
    );
    s.fails(
        &json!({ "answers": { "children": [] } }),
        &[("required", "answers.children")],
        "at least one baby",
    );
}

#[test]
fn validators_guard_the_form() {
    let mut s = Scenarios::new("newborn", base());
    for (patch, code, path) in [
        (
            json!({ "answers": { "mother_id_number": "330502199203150024" } }),
            "id_number_checksum",
            "answers.mother_id_number",
        ),
        (
            json!({ "answers": { "mother_id_number": "33050219920315002" } }),
            "id_number_format",
            "answers.mother_id_number",
        ),
        (
            json!({ "answers": { "mother_phone": "12345" } }),
            "mobile_format",
            "answers.mother_phone",
        ),
        (
            json!({ "answers": { "bank_card_number": "6228480012345678901" } }),
            "bank_card_checksum",
            "answers.bank_card_number",
        ),
        (
            json!({ "answers": { "mother_birth_date": "2020-01-01" } }),
            "date_too_late",
            "answers.mother_birth_date",
        ),
        (
            json!({ "answers": { "mother_hukou_address": { "region": ["330000", "320500"], "detail": "x" } } }),
            "address_region",
            "answers.mother_hukou_address",
        ),
        (
            json!({ "answers": { "marital_status": "divorced" } }),
            "unknown_option",
            "answers.marital_status",
        ),
        (
            json!({ "eligibility": { "birth_date": "2026-11-29" }, "answers": { "children": [{ "name": "王小明", "sex": "male", "birth_datetime": "2026-11-29T08:00", "gestational_weeks": 39, "weight_g": 3300, "length_cm": 50, "hospital": "医院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital" }] } }),
            "date_in_future",
            "eligibility.birth_date",
        ),
    ] {
        let errors = s.run(&patch).expect_err(code);
        assert!(
            codes(&errors).contains(&(code.to_owned(), path.to_owned())),
            "{code}: {:?}",
            codes(&errors)
        );
    }
    s.fails(
        &json!({ "answers": { "children": [{ "name": "王小明", "sex": "male", "birth_datetime": "2026-11-20T08:30", "gestational_weeks": 19,
                                             "weight_g": 8000, "length_cm": 50, "hospital": "医院", "ethnicity": "han", "health": "good", "birthplace_class": "mch_hospital" }] } }),
        &[("too_small", "answers.children[0].gestational_weeks"), ("too_large", "answers.children[0].weight_g")],
        "ranges with units",
    );
    s.fails(
        &json!({ "materials": { "father_id_card": { "kind": "e_licence", "consent": false } } }),
        &[("consent_required", "materials.father_id_card")],
        "the father's consent for his e-licence",
    );
    s.fails(
        &json!({ "materials": { "hukou_booklet": { "kind": "upload", "upload_ids": ["h1", "h2"] } } }),
        &[("upload_count", "materials.hukou_booklet")],
        "three pages of the booklet",
    );
    s.fails(
        &json!({ "sub_items": ["birth_certificate", "medical_insurance"] }),
        &[
            ("sub_item_required", "sub_items.household_registration"),
            ("sub_item_dependency", "sub_items.medical_insurance"),
            ("sub_item_required", "sub_items.social_security_card"),
        ],
        "mandatory items and dependencies",
    );
    let p = s.ok(
        &json!({ "sub_items": ["birth_certificate", "household_registration", "medical_insurance", "social_security_card", "maternity_benefit"] }),
        "the vaccination certificate is optional",
    );
    assert!(
        !p.answers.contains_key("residence_address")
            || p.departments
                .iter()
                .any(|d| d.answers.contains_key("residence_address"))
    );
    let choice = p.materials.get("mother_id_card").expect("mother's ID");
    assert_eq!(choice, &MaterialChoice::ELicence { consent: true });
}

#[test]
fn the_landing_page_test_can_read_the_sub_items() {
    // The end-to-end landing test splits newborn.toml on the literal sub-item table header and
    // reads each block's first `title = { zh = …, en = … }` line: keep that true.
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../services/newborn.toml"
    ))
    .expect("read");
    let blocks: Vec<&str> = src.split("[[sub_items]]").skip(1).collect();
    let def = load("newborn");
    assert_eq!(blocks.len(), 6);
    for (block, item) in blocks.iter().zip(&def.sub_items) {
        let line = block
            .lines()
            .find(|l| l.starts_with("title = { zh = \""))
            .expect("title line");
        assert_eq!(
            line,
            format!(
                "title = {{ zh = \"{}\", en = \"{}\" }}",
                item.title.zh, item.title.en
            )
        );
    }
}

mod hidden_values {
    use onething_core::{AnswerValue, check_submission, evaluate};
    use proptest::prelude::*;

    use super::{base, single_parent, with};
    use crate::common::{Scenarios, today};

    /// Facts hidden for a single parent who collects at the window.
    const HIDDEN: [&str; 10] = [
        "marriage_cert_no",
        "father_details",
        "father_unavailable_reason",
        "father_id_type",
        "father_name",
        "father_id_number",
        "father_birth_date",
        "mailing_name",
        "mailing_phone",
        "mailing_address",
    ];

    fn any_value() -> impl Strategy<Value = AnswerValue> {
        prop_oneof![
            Just(AnswerValue::Null),
            any::<bool>().prop_map(AnswerValue::Bool),
            any::<i64>().prop_map(AnswerValue::Integer),
            prop::sample::select(vec![
                "王强",
                "resident_id",
                "330502199001010030",
                "x",
                "",
                "2030-01-01"
            ])
            .prop_map(|s| AnswerValue::Text(s.to_owned())),
            prop::collection::vec(prop::sample::select(vec!["a", "provided"]), 0..3)
                .prop_map(|v| AnswerValue::Choices(v.into_iter().map(str::to_owned).collect())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the draft still holds for hidden facts, the newborn verdict, the errors and
        /// the projection are those of a draft without them.
        #[test]
        fn hidden_newborn_answers_never_reach_a_department(values in prop::collection::vec(any_value(), HIDDEN.len())) {
            let s = Scenarios::new("newborn", base());
            let patch = with(&single_parent("陈小雨"), &serde_json::json!({ "answers": { "delivery": "window" } }));
            let mut clean = s.app(&patch);
            for f in HIDDEN {
                clean.answers.remove(f);
            }
            let mut noisy = clean.clone();
            for (f, v) in HIDDEN.iter().zip(values) {
                noisy.answers.insert((*f).to_owned(), v);
            }
            let verdict = check_submission(&s.def, &noisy, today());
            prop_assert!(verdict.is_ok());
            prop_assert_eq!(verdict, check_submission(&s.def, &clean, today()));
            prop_assert_eq!(evaluate(&s.def, &noisy, today()).errors, evaluate(&s.def, &clean, today()).errors);
        }
    }
}

#[test]
fn each_sub_item_honours_the_delivery_chosen_or_says_so_before_submission() {
    use onething_core::DeliveryMethod::{ELicence, Mail, Window};
    let def = load("newborn");
    let app: onething_core::Application = serde_json::from_value(base()).expect("application");
    let plan = |how: &str| {
        let mut answers = app.answers.clone();
        answers.insert("delivery".into(), AnswerValue::Text(how.into()));
        onething_core::engine::deliveries(&def, &app.sub_items, &answers)
            .into_iter()
            .map(|d| (d.sub_item, d.method, d.instead.is_some()))
            .collect::<Vec<_>>()
    };
    let expect = |rows: [(&str, onething_core::DeliveryMethod, bool); 6]| {
        rows.map(|(id, m, note)| (id.to_owned(), m, note)).to_vec()
    };
    // Mailed home: the birth certificate comes as an e-licence, the vaccination certificate at
    // the clinic, insurance and benefit have nothing to mail; each says so.
    assert_eq!(
        plan("mail"),
        expect([
            ("birth_certificate", ELicence, true),
            ("vaccination_certificate", Window, true),
            ("household_registration", Mail, false),
            ("medical_insurance", ELicence, true),
            ("social_security_card", Mail, false),
            ("maternity_benefit", ELicence, true),
        ])
    );
    assert_eq!(
        plan("e_licence"),
        expect([
            ("birth_certificate", ELicence, false),
            ("vaccination_certificate", Window, true),
            ("household_registration", ELicence, false),
            ("medical_insurance", ELicence, false),
            ("social_security_card", Window, true),
            ("maternity_benefit", ELicence, false),
        ])
    );
    assert_eq!(
        plan("window"),
        expect([
            ("birth_certificate", Window, false),
            ("vaccination_certificate", Window, false),
            ("household_registration", Window, false),
            ("medical_insurance", ELicence, true),
            ("social_security_card", Window, false),
            ("maternity_benefit", ELicence, true),
        ])
    );
}

#[test]
fn the_bundle_takes_the_huzhou_four_working_days_with_its_branches_in_parallel() {
    use onething_core::engine::{bundle_expected, expected_dates};
    let def = load("newborn");
    let r = onething_core::reduction(&def);
    assert_eq!(def.time_limit_days, Some(4));
    assert_eq!(r.time_limit_days_after, 4);
    assert!(r.time_limit_days_before > r.time_limit_days_after);
    // The seed's reported reductions are the figures shown.
    let percents: Vec<Option<u8>> = r.reported.iter().map(|f| f.reduced_percent).collect();
    assert_eq!(percents, [Some(73), Some(83), Some(90)]);
    assert_eq!(r.reported[0].figure(), "4（−73 %）");
    let ids: Vec<&str> = def.sub_items.iter().map(|s| s.id.as_str()).collect();
    // Monday 2026-11-23: four working days, no holiday, so Friday.
    let monday = onething_core::Date::parse("2026-11-23").expect("date");
    let dates = expected_dates(&def, &ids, monday);
    let bundle = bundle_expected(&dates).expect("a date");
    assert_eq!(bundle.date, monday.working_days_after(4).date);
    assert_eq!(bundle.date.to_string(), "2026-11-27");
    // Parallel after the hukou: insurance and the card finish together, the benefit too.
    assert_eq!(dates["medical_insurance"], dates["social_security_card"]);
    assert_eq!(dates["maternity_benefit"].date, bundle.date);
    assert!(dates["household_registration"].date < bundle.date);
    // Across 国庆 (1–7 October 2026 off, Saturday 10 October worked): the same four working days.
    let eve = onething_core::Date::parse("2026-09-30").expect("date");
    let dates = expected_dates(&def, &ids, eve);
    // 8, 9, Saturday 10 and Monday 12 October.
    assert_eq!(
        bundle_expected(&dates).expect("date").date.to_string(),
        "2026-10-12"
    );
}
