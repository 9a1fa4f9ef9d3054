//! The engine's behaviour on a small definition built to exercise each mechanism: hidden
//! values, group fields, selection, eligibility, materials, projection, page status.

use proptest::prelude::*;
use serde_json::json;

use std::collections::BTreeMap;

use super::*;
use crate::definition::{Satisfier, ServiceDefinition};
use crate::errors::{EngineError, is_engine_code};
use crate::text::Locale;

const MINI: &str = r#"
id = "mini"
title = { zh = "小事", en = "Mini" }
summary = { zh = "测试", en = "Test" }
shared_facts = ["name"]

[[eligibility.questions]]
id = "adult"
label = { zh = "成年？", en = "Adult?" }
type = "yes_no"

[[eligibility.questions]]
id = "has_pet"
label = { zh = "有宠物？", en = "Pet?" }
type = "yes_no"
optional = true

[[eligibility.rules]]
id = "adults_only"
require = { equals = { fact = "adult", value = true } }
explanation = { zh = "仅限成年人。", en = "Adults only." }
fallback = { zh = "请监护人办理。", en = "Ask a guardian." }

[[facts]]
id = "name"
label = { zh = "姓名", en = "Name" }
type = "name"
prefill = "account_name"

[[facts]]
id = "id_number"
label = { zh = "身份证号", en = "ID" }
type = "id_number"
id_type = "resident_id"
prefill = "account_id_number"

[[facts]]
id = "married"
label = { zh = "已婚？", en = "Married?" }
type = "yes_no"

[[facts]]
id = "partner"
label = { zh = "配偶", en = "Partner" }
type = "name"
visible_if = { equals = { fact = "married", value = true } }

[[facts]]
id = "kids"
label = { zh = "子女", en = "Children" }
type = "group"
min_items = 1
max_items = 3

[[facts.fields]]
id = "age"
label = { zh = "年龄", en = "Age" }
type = "integer"
min = 0
max = 17

[[facts.fields]]
id = "school"
label = { zh = "学校", en = "School" }
type = "text"
visible_if = { compare = { fact = "age", op = "ge", value = 6 } }

[[facts]]
id = "pet_name"
label = { zh = "宠物名", en = "Pet's name" }
type = "text"

[[facts]]
id = "note"
label = { zh = "备注", en = "Note" }
type = "long_text"
optional = true

[[pages]]
id = "you"
title = { zh = "你", en = "You" }
facts = ["name", "id_number", "married", "partner"]

[[pages]]
id = "kids"
title = { zh = "子女", en = "Children" }
facts = ["kids"]

[[pages]]
id = "pet"
title = { zh = "宠物", en = "Pet" }
facts = ["pet_name"]
visible_if = { selected = "b" }

[[pages]]
id = "extra"
title = { zh = "其他", en = "Other" }
facts = ["note"]

[[materials]]
id = "id_card"
title = { zh = "身份证", en = "ID card" }
sub_items = ["a", "b"]
pages = [{ zh = "正面", en = "Front" }, { zh = "反面", en = "Back" }]
satisfiers = ["upload", "e_licence"]
e_licence = { consent = { zh = "同意", en = "I agree" }, available_if = { answered = "id_number" } }

[[materials]]
id = "marriage"
title = { zh = "结婚证", en = "Marriage certificate" }
sub_items = ["b"]
required_if = { equals = { fact = "married", value = true } }
satisfiers = ["commitment", "deferred"]
commitment = { zh = "承诺", en = "I promise" }
deferred_days = 5

[[materials]]
id = "form"
title = { zh = "表", en = "Form" }
sub_items = ["c"]
satisfiers = ["at_window"]

[[rules]]
id = "two_people"
code = "same_person"
message = { zh = "不能是同一人。", en = "Not the same person." }
check = { distinct = { facts = ["name", "partner"] } }

[[sub_items]]
id = "a"
title = { zh = "甲", en = "A" }
department = { zh = "甲局", en = "Bureau A" }
time_limit_days = 2
facts = ["id_number", "married", "partner", "kids"]

[[sub_items]]
id = "b"
title = { zh = "乙", en = "B" }
department = { zh = "乙局", en = "Bureau B" }
time_limit_days = 3
optional = true
depends_on = ["a"]
enabled_if = { equals = { fact = "has_pet", value = true } }
facts = ["kids.age", "pet_name", "married"]

[[sub_items]]
id = "c"
title = { zh = "丙", en = "C" }
department = { zh = "甲局", en = "Bureau A" }
time_limit_days = 1
optional = true
facts = ["note"]
"#;

fn mini() -> ServiceDefinition {
    let def: ServiceDefinition = toml::from_str(MINI).expect("parses");
    def.check().expect("checks");
    def
}

fn today() -> Date {
    Date::parse("2026-11-28").expect("date")
}

fn app(v: serde_json::Value) -> Application {
    serde_json::from_value(v).expect("application JSON")
}

/// A complete, valid application for `mini` with sub-items a and b.
fn valid() -> serde_json::Value {
    json!({
        "service_id": "mini",
        "sub_items": ["a", "b"],
        "eligibility": { "adult": true, "has_pet": true },
        "answers": {
            "name": "王芳",
            "id_number": "33050219920315002 3",
            "married": true,
            "partner": "李强",
            "kids": [ { "age": 4 }, { "age": 9, "school": "实验小学" } ],
            "pet_name": "旺财"
        },
        "materials": {
            "id_card": { "kind": "upload", "upload_ids": ["u1", "u2"] },
            "marriage": { "kind": "commitment", "accepted": true }
        }
    })
}

fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|e| (e.code.as_str(), e.path.as_str()))
        .collect()
}

fn with(mut v: serde_json::Value, pointer: &str, value: serde_json::Value) -> serde_json::Value {
    *v.pointer_mut(pointer).expect(pointer) = value;
    v
}

fn without(mut v: serde_json::Value, section: &str, key: &str) -> serde_json::Value {
    v[section].as_object_mut().expect(section).remove(key);
    v
}

#[test]
fn a_valid_application_projects_per_department() {
    let def = mini();
    let p = check_submission(&def, &app(valid()), today()).expect("valid");
    assert_eq!(p.sub_items, ["a", "b"]);
    // Normalised: the space typed inside the ID number is gone.
    assert_eq!(
        p.answers["id_number"],
        AnswerValue::Text("330502199203150023".into())
    );
    let a = &p.departments[0];
    assert_eq!(a.sub_item, "a");
    assert_eq!(
        a.answers.keys().collect::<Vec<_>>(),
        ["id_number", "kids", "married", "name", "partner"]
    );
    assert_eq!(a.materials.keys().collect::<Vec<_>>(), ["id_card"]);
    // Data minimisation: department b receives the children's ages, not their schools.
    let b = &p.departments[1];
    assert_eq!(b.depends_on, ["a"]);
    assert_eq!(
        b.answers["kids"],
        AnswerValue::Group(vec![
            [("age".to_owned(), AnswerValue::Integer(4))].into(),
            [("age".to_owned(), AnswerValue::Integer(9))].into(),
        ])
    );
    assert!(!b.answers.contains_key("id_number"));
    assert_eq!(
        b.materials.keys().collect::<Vec<_>>(),
        ["id_card", "marriage"]
    );
    assert!(p.deferred.is_empty());
}

#[test]
fn hidden_answers_stay_in_the_draft_but_are_never_submitted() {
    let def = mini();
    // Married switched off: the partner's answer (even an invalid one) is neither validated
    // nor submitted, but the draft keeps it for when the branch comes back.
    let draft = app(with(
        with(valid(), "/answers/married", json!(false)),
        "/answers/partner",
        json!("R2D2"),
    ));
    let p = check_submission(&def, &draft, today()).expect("hidden value is ignored");
    assert!(!p.answers.contains_key("partner"));
    assert!(
        p.departments
            .iter()
            .all(|d| !d.answers.contains_key("partner"))
    );
    assert!(draft.answers.contains_key("partner"));
    // A hidden page's answers too: without sub-item b the pet page is hidden.
    let no_b = app(with(valid(), "/sub_items", json!(["a"])));
    let p = check_submission(&def, &no_b, today()).expect("valid without b");
    assert!(!p.answers.contains_key("pet_name"));
    assert!(!p.materials.contains_key("marriage"), "needed by b only");
    // And answers to facts no definition declares.
    let mut stray = valid();
    stray["answers"]["shoe_size"] = json!(42);
    let stray = app(stray);
    assert!(
        !check_submission(&def, &stray, today())
            .expect("valid")
            .answers
            .contains_key("shoe_size")
    );
}

#[test]
fn group_fields_see_their_siblings() {
    let def = mini();
    let v = with(
        valid(),
        "/answers/kids",
        json!([{ "age": 4, "school": "幼儿园" }, { "age": 9 }]),
    );
    let errs = check_submission(&def, &app(v), today()).unwrap_err();
    assert_eq!(codes(&errs), [("required", "answers.kids[1].school")]);
    let eval = evaluate(&def, &app(valid()), today());
    assert!(eval.visible_paths.contains("answers.kids[1].school"));
    assert!(!eval.visible_paths.contains("answers.kids[0].school"));
    let v = with(
        valid(),
        "/answers/kids",
        json!([{ "age": 18 }, { "age": "9" }]),
    );
    let errs = check_submission(&def, &app(v), today()).unwrap_err();
    assert_eq!(
        codes(&errs),
        [
            ("too_large", "answers.kids[0].age"),
            ("wrong_type", "answers.kids[1].age")
        ]
    );
}

#[test]
fn group_sizes_are_bounded() {
    let def = mini();
    let four = json!([{ "age": 1 }, { "age": 2 }, { "age": 3 }, { "age": 4 }]);
    let errs =
        check_submission(&def, &app(with(valid(), "/answers/kids", four)), today()).unwrap_err();
    assert_eq!(codes(&errs), [("too_many_items", "answers.kids")]);
    let errs = check_submission(
        &def,
        &app(with(valid(), "/answers/kids", json!([]))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), [("required", "answers.kids")]);
    let errs = check_submission(
        &def,
        &app(with(valid(), "/answers/kids", json!("two"))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), [("wrong_type", "answers.kids")]);
}

#[test]
fn the_selection_is_checked() {
    let def = mini();
    let errs = check_submission(
        &def,
        &app(with(valid(), "/sub_items", json!(["b", "x"]))),
        today(),
    )
    .unwrap_err();
    assert_eq!(
        codes(&errs),
        [
            ("sub_item_unknown", "sub_items[1]"),
            ("sub_item_required", "sub_items.a"),
            ("sub_item_dependency", "sub_items.b")
        ]
    );
    let errs = check_submission(
        &def,
        &app(with(valid(), "/eligibility/has_pet", json!(false))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), [("sub_item_not_available", "sub_items.b")]);
    let errs =
        check_submission(&def, &app(with(valid(), "/sub_items", json!([]))), today()).unwrap_err();
    assert!(codes(&errs).contains(&("no_sub_items", "sub_items")));
    assert_eq!(
        available_sub_items(&def, &app(valid()).eligibility, today()),
        ["a", "b", "c"]
    );
    assert_eq!(
        available_sub_items(&def, &Answers::new(), today()),
        ["a", "c"]
    );
}

#[test]
fn eligibility_decides_early_and_explains() {
    let def = mini();
    let mut answers = Answers::new();
    assert_eq!(
        eligibility(&def, &answers, today()),
        EligibilityOutcome::Incomplete {
            missing: vec!["adult".into()]
        }
    );
    answers.insert("adult".into(), AnswerValue::Bool(false));
    let EligibilityOutcome::NotEligible { reasons } = eligibility(&def, &answers, today()) else {
        panic!("not eligible");
    };
    assert_eq!(reasons[0].rule, "adults_only");
    assert_eq!(reasons[0].fallback.en, "Ask a guardian.");
    answers.insert("adult".into(), AnswerValue::Bool(true));
    assert_eq!(
        eligibility(&def, &answers, today()),
        EligibilityOutcome::Eligible
    );
    let errs = check_submission(
        &def,
        &app(with(valid(), "/eligibility/adult", json!(false))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs)[0], ("not_eligible", "eligibility"));
    let errs = check_submission(
        &def,
        &app(with(valid(), "/eligibility/adult", json!("yes"))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), [("wrong_type", "eligibility.adult")]);
    let draft = app(without(valid(), "eligibility", "adult"));
    assert_eq!(
        codes(&validate_eligibility(&def, &draft, today())),
        [("required", "eligibility.adult")]
    );
}

#[test]
fn materials_are_asked_once_with_their_satisfiers() {
    let def = mini();
    let needs = materials_needed(&def, &app(valid()), today());
    assert_eq!(needs.len(), 2);
    assert_eq!(needs[0].id, "id_card");
    assert_eq!(needs[0].sub_items, ["a", "b"]);
    assert_eq!(
        needs[0].satisfiers,
        [Satisfier::Upload, Satisfier::ELicence]
    );
    // No ID number answered: no e-licence to fetch.
    let v = without(valid(), "answers", "id_number");
    let needs = materials_needed(&def, &app(v), today());
    assert_eq!(needs[0].satisfiers, [Satisfier::Upload]);
    // Unmarried: no marriage certificate.
    let v = with(valid(), "/answers/married", json!(false));
    assert_eq!(materials_needed(&def, &app(v), today()).len(), 1);
}

#[test]
fn each_material_choice_is_checked() {
    let def = mini();
    let cases = [
        (json!(null), "material_missing"),
        (json!({ "kind": "at_window" }), "satisfier_not_allowed"),
        (
            json!({ "kind": "upload", "upload_ids": [] }),
            "upload_missing",
        ),
        (
            json!({ "kind": "upload", "upload_ids": ["u1"] }),
            "upload_count",
        ),
        (
            json!({ "kind": "upload", "upload_ids": ["u1", "u1"] }),
            "upload_count",
        ),
        (
            json!({ "kind": "e_licence", "consent": false }),
            "consent_required",
        ),
    ];
    for (choice, code) in cases {
        let v = if choice.is_null() {
            let mut v = valid();
            v["materials"]
                .as_object_mut()
                .expect("materials")
                .remove("id_card");
            v
        } else {
            with(valid(), "/materials/id_card", choice)
        };
        let errs = check_submission(&def, &app(v), today()).unwrap_err();
        assert_eq!(codes(&errs), [(code, "materials.id_card")], "{code}");
    }
    let v = with(
        valid(),
        "/materials/marriage",
        json!({ "kind": "commitment", "accepted": false }),
    );
    let errs = check_submission(&def, &app(v), today()).unwrap_err();
    assert_eq!(
        codes(&errs),
        [("commitment_not_accepted", "materials.marriage")]
    );
    let ok = with(
        valid(),
        "/materials/id_card",
        json!({ "kind": "e_licence", "consent": true }),
    );
    assert!(check_submission(&def, &app(ok), today()).is_ok());
}

#[test]
fn deferred_materials_become_supplement_tasks() {
    let def = mini();
    let v = with(
        valid(),
        "/materials/marriage",
        json!({ "kind": "deferred" }),
    );
    let p = check_submission(&def, &app(v), today()).expect("valid");
    assert_eq!(
        p.deferred,
        [DeferredMaterial {
            material: "marriage".into(),
            due_days: 5,
            sub_items: vec!["b".into()]
        }]
    );
}

#[test]
fn cross_field_rules_report_on_the_second_fact() {
    let def = mini();
    let v = with(valid(), "/answers/partner", json!("王芳"));
    let errs = check_submission(&def, &app(v), today()).unwrap_err();
    assert_eq!(codes(&errs), [("same_person", "answers.partner")]);
    assert_eq!(
        def.error_text("same_person", Locale::En),
        "Not the same person."
    );
}

#[test]
fn pages_show_in_order_with_their_status() {
    let def = mini();
    let ids = |d: &Application| {
        visible_pages(&def, d, today())
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&app(valid())), ["you", "kids", "pet"]);
    let with_c = app(with(valid(), "/sub_items", json!(["a", "c"])));
    assert_eq!(ids(&with_c), ["you", "kids", "extra"]);
    let facts: Vec<_> = visible_facts(&def, &app(valid()), "you", today())
        .iter()
        .map(|f| f.id.clone())
        .collect();
    assert_eq!(facts, ["name", "id_number", "married", "partner"]);

    let status = |v: serde_json::Value| {
        page_statuses(&def, &app(v), today())
            .into_iter()
            .map(|p| (p.id, p.status))
            .collect::<BTreeMap<_, _>>()
    };
    let s = status(valid());
    assert_eq!(s["you"], PageStatus::Complete);
    assert_eq!(s["kids"], PageStatus::Complete);
    let s = status(with(valid(), "/answers", json!({ "name": "王芳" })));
    assert_eq!(s["you"], PageStatus::InProgress);
    assert_eq!(s["kids"], PageStatus::NotStarted);
    let s = status(with(
        valid(),
        "/answers/id_number",
        json!("330502199203150024"),
    ));
    assert_eq!(s["you"], PageStatus::HasErrors);
    let s = status(with(valid(), "/answers/kids", json!([{ "age": 40 }])));
    assert_eq!(s["kids"], PageStatus::HasErrors);
    // A cleared answer (`null`) is unanswered.
    let errs = validate_page(
        &def,
        &app(with(valid(), "/answers/married", json!(null))),
        "you",
        today(),
    );
    assert_eq!(codes(&errs), [("required", "answers.married")]);
    let errs = validate_page(
        &def,
        &app(with(valid(), "/answers/married", json!("no"))),
        "you",
        today(),
    );
    assert_eq!(codes(&errs), [("wrong_type", "answers.married")]);
}

#[test]
fn prefill_fills_only_blanks() {
    let def = mini();
    let account = PrefillData {
        name: Some("王芳".into()),
        id_number: Some("330502199203150023".into()),
        mobile: None,
    };
    let mut answers = Answers::new();
    answers.insert("name".into(), AnswerValue::Text("李强".into()));
    prefill(&def, &account, &mut answers);
    assert_eq!(answers["name"], AnswerValue::Text("李强".into()));
    assert_eq!(
        answers["id_number"],
        AnswerValue::Text("330502199203150023".into())
    );
}

#[test]
fn reduction_counts_forms_materials_and_the_dependency_chain() {
    let r = reduction(&mini());
    assert_eq!((r.forms_before, r.forms_after), (3, 1));
    assert_eq!((r.material_requests_before, r.materials_after), (4, 3));
    assert_eq!(r.departments, 2);
    assert_eq!((r.time_limit_days_before, r.time_limit_days_after), (6, 5));
}

#[test]
fn the_application_has_a_natural_json_shape() {
    let a = app(valid());
    assert_eq!(
        a.answers["kids"],
        AnswerValue::Group(vec![
            [("age".to_owned(), AnswerValue::Integer(4))].into(),
            [
                ("age".to_owned(), AnswerValue::Integer(9)),
                ("school".to_owned(), AnswerValue::Text("实验小学".into()))
            ]
            .into(),
        ])
    );
    let back: Application =
        serde_json::from_str(&serde_json::to_string(&a).expect("ser")).expect("de");
    assert_eq!(back, a);
    // An answer of no supported shape is a field error, not a rejected body.
    let odd = app(with(valid(), "/answers/married", json!(1.5)));
    assert_eq!(
        odd.answers["married"],
        AnswerValue::Unsupported(Unsupported)
    );
    let errs = check_submission(&mini(), &odd, today()).unwrap_err();
    assert_eq!(codes(&errs), [("wrong_type", "answers.married")]);
    let kids = app(with(valid(), "/answers/kids", json!([1, 2])));
    let errs = check_submission(&mini(), &kids, today()).unwrap_err();
    assert_eq!(codes(&errs), [("wrong_type", "answers.kids")]);
    let addr: AnswerValue =
        serde_json::from_value(json!({ "region": ["330000"], "detail": "1号" })).expect("address");
    assert!(matches!(addr, AnswerValue::Address(_)));
    assert_eq!(
        serde_json::to_value(MaterialChoice::AtWindow).expect("ser"),
        json!({ "kind": "at_window" })
    );
    assert_eq!(
        serde_json::to_value(EligibilityOutcome::Eligible).expect("ser"),
        json!({ "outcome": "eligible" })
    );
    let e = serde_json::to_value(FieldError::new(EngineError::Required, "answers.x")).expect("ser");
    assert_eq!(e, json!({ "code": "required", "path": "answers.x" }));
}

#[test]
fn a_wrong_service_is_refused() {
    let errs = check_submission(
        &mini(),
        &app(with(valid(), "/service_id", json!("newborn"))),
        today(),
    )
    .unwrap_err();
    assert_eq!(codes(&errs), [("service_mismatch", "service_id")]);
}

/// Arbitrary answer values, nested one level (groups of simple values).
fn any_value() -> impl Strategy<Value = AnswerValue> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(AnswerValue::Bool),
        any::<i64>().prop_map(AnswerValue::Integer),
        prop::sample::select(vec!["", " ", "王芳", "R2D2", "2026-01-01", "x"])
            .prop_map(|s| AnswerValue::Text(s.to_owned())),
        prop::collection::vec(prop::sample::select(vec!["a", "b"]), 0..3)
            .prop_map(|v| AnswerValue::Choices(v.into_iter().map(str::to_owned).collect())),
    ];
    leaf.prop_recursive(1, 6, 3, |inner| {
        prop::collection::vec(
            prop::collection::btree_map(
                prop::sample::select(vec!["age", "school"]).prop_map(str::to_owned),
                inner,
                0..3,
            ),
            0..3,
        )
        .prop_map(AnswerValue::Group)
    })
}

proptest! {
    /// Whatever a hidden fact holds, the verdict and the projection are those of a draft
    /// without it.
    #[test]
    fn hidden_values_never_change_the_verdict(partner in any_value(), pet in any_value(), school in any_value()) {
        let def = mini();
        let base = with(with(valid(), "/answers/married", json!(false)), "/sub_items", json!(["a"]));
        let mut noisy = app(base.clone());
        noisy.answers.insert("partner".into(), partner);
        noisy.answers.insert("pet_name".into(), pet);
        if let Some(AnswerValue::Group(kids)) = noisy.answers.get_mut("kids") {
            kids[0].insert("school".into(), school);
        }
        let clean = app(base);
        prop_assert_eq!(check_submission(&def, &noisy, today()), check_submission(&def, &clean, today()));
        let (e1, e2) = (evaluate(&def, &noisy, today()), evaluate(&def, &clean, today()));
        prop_assert_eq!(e1.errors, e2.errors);
        prop_assert_eq!(e1.materials, e2.materials);
    }

    /// Any answer to any fact yields only known codes and never panics.
    #[test]
    fn any_answer_gives_known_codes(fact in prop::sample::select(vec!["name", "id_number", "married", "partner", "kids", "pet_name", "note"]), value in any_value()) {
        let def = mini();
        let mut a = app(valid());
        a.sub_items.push("c".into());
        a.answers.insert(fact.to_owned(), value);
        for e in evaluate(&def, &a, today()).errors {
            prop_assert!(is_engine_code(&e.code) || e.code == "same_person", "{}", e.code);
        }
    }
}
