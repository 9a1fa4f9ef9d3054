//! Loading definitions: the minimal one, a rich one using every part of the format, and that
//! one broken a piece at a time, each break reported with its path.

use super::*;

const MINIMAL: &str = r#"
id = "newborn"
title = { zh = "新生儿出生一件事", en = "Newborn" }
summary = { zh = "一次办好", en = "All at once" }

[[sub_items]]
id = "birth_certificate"
title = { zh = "出生医学证明", en = "Birth medical certificate" }
department = { zh = "卫生健康委员会", en = "Health Commission" }
time_limit_days = 1
"#;

#[test]
fn minimal_definition_loads() {
    let d = ServiceDefinition::from_toml("newborn.toml", MINIMAL).expect("valid");
    assert_eq!(d.sub_items.len(), 1);
    assert!(!d.sub_items[0].optional);
}

#[test]
fn missing_english_is_reported_with_its_path() {
    let src = MINIMAL.replace("en = \"Birth medical certificate\"", "en = \"\"");
    let e = ServiceDefinition::from_toml("newborn.toml", &src).unwrap_err();
    assert_eq!(e.path, "sub_items[0].title.en");
    assert!(
        e.to_string()
            .starts_with("newborn.toml: at `sub_items[0].title.en`")
    );
}

#[test]
fn duplicate_sub_item_ids_are_rejected() {
    let dup = format!(
        "{MINIMAL}\n{}",
        &MINIMAL[MINIMAL.find("[[sub_items]]").unwrap()..]
    );
    let e = ServiceDefinition::from_toml("x.toml", &dup).unwrap_err();
    assert_eq!(e.path, "sub_items[1].id");
}

#[test]
fn unknown_keys_and_bad_ids_are_rejected() {
    let typo = MINIMAL.replace("time_limit_days", "time_limit_dayz");
    assert!(
        ServiceDefinition::from_toml("x.toml", &typo)
            .unwrap_err()
            .message
            .contains("time_limit_dayz")
    );
    let bad = MINIMAL.replace("id = \"newborn\"", "id = \"New Born\"");
    assert_eq!(
        ServiceDefinition::from_toml("x.toml", &bad)
            .unwrap_err()
            .path,
        "id"
    );
    let zero = MINIMAL.replace("time_limit_days = 1", "time_limit_days = 0");
    assert_eq!(
        ServiceDefinition::from_toml("x.toml", &zero)
            .unwrap_err()
            .path,
        "sub_items[0].time_limit_days"
    );
}

/// A definition using every part of the format, to break one piece at a time.
const RICH: &str = r#"
id = "rich"
title = { zh = "全", en = "Rich" }
summary = { zh = "全部", en = "Everything" }
shared_facts = ["name"]

[[eligibility.questions]]
id = "local"
label = { zh = "本地？", en = "Local?" }
type = "yes_no"

[[eligibility.rules]]
id = "must_be_local"
require = { equals = { fact = "local", value = true } }
explanation = { zh = "仅限本地。", en = "Local only." }
fallback = { zh = "回原籍。", en = "Go home." }

[[facts]]
id = "doc_type"
label = { zh = "证件", en = "Document" }
type = "choice"
options = [{ id = "resident_id", label = { zh = "身份证", en = "ID card" } }, { id = "passport", label = { zh = "护照", en = "Passport" } }]

[[facts]]
id = "name"
label = { zh = "姓名", en = "Name" }
type = "name"
id_type_fact = "doc_type"

[[facts]]
id = "number"
label = { zh = "号码", en = "Number" }
type = "id_number"
id_type_fact = "doc_type"
visible_if = { answered = "doc_type" }

[[facts]]
id = "born"
label = { zh = "出生", en = "Born" }
type = "date"
latest = { days = 0 }

[[facts]]
id = "kids"
label = { zh = "子女", en = "Children" }
type = "group"

[[facts.fields]]
id = "age"
label = { zh = "年龄", en = "Age" }
type = "integer"

[[facts.fields]]
id = "school"
label = { zh = "学校", en = "School" }
type = "text"
visible_if = { compare = { fact = "age", op = "ge", value = 6 } }

[[pages]]
id = "one"
title = { zh = "一", en = "One" }
facts = ["doc_type", "name", "number", "born"]

[[pages]]
id = "two"
title = { zh = "二", en = "Two" }
facts = ["kids"]
visible_if = { selected = "b" }

[[materials]]
id = "card"
title = { zh = "卡", en = "Card" }
sub_items = ["a"]
satisfiers = ["upload", "e_licence", "deferred", "commitment"]
e_licence = { consent = { zh = "同意", en = "Agree" } }
deferred_days = 5
commitment = { zh = "承诺", en = "Promise" }

[[rules]]
id = "r"
code = "rule_code"
message = { zh = "错", en = "Wrong" }
check = { holds = { answered = "born" } }
field = "born"

[[sub_items]]
id = "a"
title = { zh = "甲", en = "A" }
department = { zh = "甲局", en = "Bureau A" }
time_limit_days = 1
facts = ["doc_type", "number", "born"]

[[sub_items]]
id = "b"
title = { zh = "乙", en = "B" }
department = { zh = "乙局", en = "Bureau B" }
time_limit_days = 1
optional = true
depends_on = ["a"]
enabled_if = { equals = { fact = "local", value = true } }
facts = ["kids"]
"#;

fn broken(from: &str, to: &str) -> DefinitionError {
    assert!(RICH.contains(from), "the base has `{from}`");
    ServiceDefinition::from_toml("rich.toml", &RICH.replacen(from, to, 1)).expect_err(to)
}

#[test]
fn the_rich_definition_loads() {
    let d = ServiceDefinition::from_toml("rich.toml", RICH).expect("valid");
    assert_eq!(d.decision_points().len(), 6);
    assert_eq!(
        d.resolve("kids.school").map(|f| f.kind),
        Some(FactKind::Text)
    );
    assert!(d.resolve("kids.nothing").is_none());
    assert!(d.resolve("name.x").is_none());
}

#[test]
#[expect(clippy::too_many_lines, reason = "one table of broken definitions")]
fn broken_references_are_reported_with_their_path() {
    let cases = [
        // A fact on no page, a page showing an unknown fact.
        (
            r#"facts = ["doc_type", "name", "number", "born"]"#,
            r#"facts = ["doc_type", "name", "number"]"#,
            "facts[3]",
            "on no page",
        ),
        (
            r#"facts = ["kids"]"#,
            r#"facts = ["kids", "ghost"]"#,
            "pages[1].facts[1]",
            "no fact `ghost`",
        ),
        // Conditions read earlier answers only, and known ones.
        (
            r#"visible_if = { answered = "doc_type" }"#,
            r#"visible_if = { answered = "born" }"#,
            "facts[2].visible_if",
            "not asked before",
        ),
        (
            r#"visible_if = { answered = "doc_type" }"#,
            r#"visible_if = { answered = "nobody" }"#,
            "facts[2].visible_if",
            "no fact `nobody`",
        ),
        (
            r#"visible_if = { compare = { fact = "age""#,
            r#"visible_if = { compare = { fact = "school""#,
            "facts[4].fields[1].visible_if",
            "asked after",
        ),
        (
            r#"visible_if = { selected = "b" }"#,
            r#"visible_if = { selected = "z" }"#,
            "pages[1].visible_if",
            "no sub-item `z`",
        ),
        (
            r#"visible_if = { selected = "b" }"#,
            r#"visible_if = { answered = "kids" }"#,
            "pages[1].visible_if",
            "not asked before",
        ),
        (
            r#"enabled_if = { equals = { fact = "local""#,
            r#"enabled_if = { equals = { fact = "born""#,
            "sub_items[1].enabled_if",
            "not an eligibility question",
        ),
        (
            r#"require = { equals = { fact = "local""#,
            r#"require = { equals = { fact = "born""#,
            "eligibility.rules[0].require",
            "not an eligibility question",
        ),
        // Dependencies exist and do not loop.
        (
            r#"depends_on = ["a"]"#,
            r#"depends_on = ["b"]"#,
            "sub_items[1].depends_on[0]",
            "no other sub-item",
        ),
        (
            "time_limit_days = 1\nfacts = [\"doc_type\"",
            "time_limit_days = 1\ndepends_on = [\"b\"]\nfacts = [\"doc_type\"",
            "sub_items[0].depends_on",
            "cycle",
        ),
        // Data minimisation.
        (
            "value = true } }\nfacts = [\"kids\"]",
            "value = true } }\nfacts = [\"kids.age\"]",
            "facts[4].fields[1]",
            "kids.school",
        ),
        (
            r#"facts = ["doc_type", "number", "born"]"#,
            r#"facts = ["doc_type", "number"]"#,
            "facts[3]",
            "no sub-item receives `born`",
        ),
        (
            r#"facts = ["doc_type", "number", "born"]"#,
            r#"facts = ["doc_type", "number", "born.x"]"#,
            "sub_items[0].facts[2]",
            "group.field",
        ),
        // Satisfiers come with their texts.
        (
            "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
            "",
            "materials[0].e_licence",
            "consent",
        ),
        (
            "deferred_days = 5",
            "deferred_days = 0",
            "materials[0].deferred_days",
            "deferred",
        ),
        // Another person's e-licence names facts of the right kinds and positive periods.
        (
            "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
            "e_licence = { consent = { zh = \"同意\", en = \"Agree\" }, holder = { role = { zh = \"父亲\", en = \"the father\" }, name_fact = \"born\", id_number_fact = \"number\", valid_days = 90, answer_days = 7 } }\n",
            "materials[0].e_licence.holder.name_fact",
            "Name",
        ),
        (
            "e_licence = { consent = { zh = \"同意\", en = \"Agree\" } }\n",
            "e_licence = { consent = { zh = \"同意\", en = \"Agree\" }, holder = { role = { zh = \"父亲\", en = \"the father\" }, name_fact = \"name\", id_number_fact = \"number\", valid_days = 0, answer_days = 7 } }\n",
            "materials[0].e_licence.holder.valid_days",
            "at least 1",
        ),
        // Result delivery: each method with what it needs.
        (
            "time_limit_days = 1\nfacts = [\"doc_type\"",
            "time_limit_days = 1\nresults = { methods = [\"window\"] }\nfacts = [\"doc_type\"",
            "sub_items[0].results.window",
            "office",
        ),
        (
            "time_limit_days = 1\nfacts = [\"doc_type\"",
            "time_limit_days = 1\nresults = { methods = [\"mail\", \"mail\"] }\nfacts = [\"doc_type\"",
            "sub_items[0].results.methods",
            "twice",
        ),
        (
            "time_limit_days = 1\nfacts = [\"doc_type\"",
            "time_limit_days = 1\nresults = { methods = [\"mail\"], e_licence = { zh = \"我的证照\", en = \"My licences\" } }\nfacts = [\"doc_type\"",
            "sub_items[0].results.e_licence",
            "e_licence method",
        ),
        (
            "commitment = { zh = \"承诺\", en = \"Promise\" }",
            "commitment = { zh = \"承诺\", en = \"\" }",
            "materials[0].commitment.en",
            "missing",
        ),
        (
            r#"satisfiers = ["upload", "e_licence""#,
            r#"satisfiers = ["upload", "upload", "e_licence""#,
            "materials[0].satisfiers",
            "twice",
        ),
        (
            r#"sub_items = ["a"]"#,
            r#"sub_items = ["x"]"#,
            "materials[0].sub_items[0]",
            "no sub-item `x`",
        ),
        // Rules.
        ("field = \"born\"", "", "rules[0].field", "names the field"),
        (
            "code = \"rule_code\"",
            "code = \"Rule Code\"",
            "rules[0].code",
            "snake_case",
        ),
        // Parameters fit the type.
        (
            "type = \"yes_no\"",
            "type = \"choice\"",
            "eligibility.questions[0].options",
            "options",
        ),
        (
            "id_type_fact = \"doc_type\"\nvisible_if",
            "visible_if",
            "facts[2].id_type",
            "either id_type or id_type_fact",
        ),
        (
            "id_type_fact = \"doc_type\"\nvisible_if",
            "id_type_fact = \"born\"\nvisible_if",
            "facts[2].id_type_fact",
            "is not a fact asked before",
        ),
        (
            r#"{ id = "passport", label"#,
            r#"{ id = "visa", label"#,
            "facts[1].id_type_fact",
            "ID types",
        ),
        (
            "latest = { days = 0 }",
            "latest = { fact = \"kids\" }",
            "facts[3].latest",
            "not a date fact",
        ),
        (
            "type = \"date\"\nlatest",
            "type = \"text\"\nlatest",
            "facts[3].latest",
            "apply to date",
        ),
        (
            "type = \"integer\"",
            "type = \"group\"",
            "facts[4].fields[0].fields",
            "group facts (only) have fields",
        ),
        (
            "type = \"name\"\nid_type_fact",
            "type = \"name\"\nprefill = \"account_mobile\"\nid_type_fact",
            "facts[1].prefill",
            "does not fit",
        ),
        (
            r#"id = "born""#,
            r#"id = "local""#,
            "facts[3].id",
            "duplicate fact id",
        ),
    ];
    for (from, to, path, message) in cases {
        let e = broken(from, to);
        assert_eq!(e.path, path, "{to}: {e}");
        assert!(e.message.contains(message), "{to}: {e}");
        assert_eq!(e.file, "rich.toml");
    }
}

#[test]
fn unknown_keys_in_nested_tables_are_rejected() {
    let e = broken("type = \"date\"", "type = \"date\"\nmaximum = 3");
    assert!(e.message.contains("maximum"), "{e}");
    let e = broken("type = \"date\"", "type = \"datum\"");
    assert!(e.message.contains("datum"), "{e}");
    let e = broken("check = { holds", "check = { eval = \"1\" }\nx = { holds");
    assert!(e.message.contains("eval"), "{e}");
}

/// Two sub-items and a form asking how the results should come: the first can mail or be
/// collected, the second only collected, and says so for mail.
const DELIVERY: &str = r#"
id = "d"
title = { zh = "寄递", en = "Delivery" }
summary = { zh = "寄递", en = "Delivery" }
delivery_fact = "how"
time_limit_days = 3

[[facts]]
id = "how"
label = { zh = "如何领取", en = "How" }
type = "choice"
options = [
  { id = "mail", label = { zh = "邮寄", en = "Mail" } },
  { id = "window", label = { zh = "窗口", en = "Window" } },
]

[[pages]]
id = "p"
title = { zh = "领取", en = "Receiving" }
facts = ["how"]

[[sub_items]]
id = "a"
title = { zh = "甲", en = "A" }
department = { zh = "部门", en = "Dept" }
time_limit_days = 1
facts = ["how"]
results = { methods = ["mail", "window"], window = { office = { zh = "窗口", en = "Window" }, address = { zh = "地址", en = "Address" }, hours = { zh = "工作日", en = "Working days" } } }

[[sub_items]]
id = "b"
title = { zh = "乙", en = "B" }
department = { zh = "部门", en = "Dept" }
time_limit_days = 2
depends_on = ["a"]
results = { methods = ["window"], window = { office = { zh = "窗口", en = "Window" }, address = { zh = "地址", en = "Address" }, hours = { zh = "工作日", en = "Working days" } }, unavailable = { mail = { zh = "只能当面领取。", en = "Collected in person only." } } }
"#;

#[test]
fn a_delivery_the_form_offers_is_one_every_sub_item_can_do_or_declares_it_cannot() {
    ServiceDefinition::from_toml("d.toml", DELIVERY).expect("valid");
    let broken = |from: &str, to: &str| {
        assert!(DELIVERY.contains(from), "{from}");
        ServiceDefinition::from_toml("d.toml", &DELIVERY.replace(from, to)).unwrap_err()
    };
    let cases = [
        // b cannot mail and does not say so.
        (
            ", unavailable = { mail = { zh = \"只能当面领取。\", en = \"Collected in person only.\" } }",
            "",
            "sub_items[1].results",
            "cannot deliver that way",
        ),
        // The form offers an e-licence that neither can issue.
        (
            "{ id = \"window\", label = { zh = \"窗口\", en = \"Window\" } },",
            "{ id = \"window\", label = { zh = \"窗口\", en = \"Window\" } },\n  { id = \"e_licence\", label = { zh = \"电子证照\", en = \"E-licence\" } },",
            "sub_items[0].results",
            "`e_licence`",
        ),
        (
            "{ id = \"mail\", label",
            "{ id = \"courier\", label",
            "delivery_fact.options[0]",
            "not a delivery method",
        ),
        (
            "delivery_fact = \"how\"",
            "delivery_fact = \"nope\"",
            "delivery_fact",
            "not a top-level choice",
        ),
        (
            "delivery_fact = \"how\"\n",
            "",
            "sub_items[1].results.unavailable",
            "delivery_fact",
        ),
        // A way it offers is not also unavailable.
        (
            "methods = [\"window\"], window",
            "methods = [\"window\", \"mail\"], window",
            "sub_items[1].results.unavailable.mail",
            "cannot also be unavailable",
        ),
        // The bundle's promised limit holds for the chain a (1) then b (2).
        (
            "time_limit_days = 3\n",
            "time_limit_days = 2\n",
            "time_limit_days",
            "takes 3",
        ),
    ];
    for (from, to, path, message) in cases {
        let e = broken(from, to);
        assert_eq!(e.path, path, "{to}: {e}");
        assert!(e.message.contains(message), "{to}: {e}");
    }
}

#[test]
fn each_sub_item_delivers_the_chosen_way_or_says_why_not() {
    let def = ServiceDefinition::from_toml("d.toml", DELIVERY).expect("valid");
    let both = ["a".to_owned(), "b".to_owned()];
    let answers = |how: &str| -> crate::value::Answers {
        [(
            "how".to_owned(),
            crate::value::AnswerValue::Text(how.to_owned()),
        )]
        .into()
    };
    let mailed = crate::engine::deliveries(&def, &both, &answers("mail"));
    assert_eq!(mailed[0].method, DeliveryMethod::Mail);
    assert_eq!(mailed[0].instead, None);
    assert_eq!(mailed[1].method, DeliveryMethod::Window);
    assert_eq!(
        mailed[1].instead.as_ref().map(|t| t.zh.as_str()),
        Some("只能当面领取。")
    );
    let collected = crate::engine::deliveries(&def, &both, &answers("window"));
    assert!(
        collected
            .iter()
            .all(|d| d.method == DeliveryMethod::Window && d.instead.is_none())
    );
    // Not answered yet: each goes its first way, and there is nothing to explain.
    let open = crate::engine::deliveries(&def, &both, &crate::value::Answers::new());
    assert!(open.iter().all(|d| d.instead.is_none()));
}

#[test]
fn a_fallback_names_real_sub_items_and_a_safe_link() {
    let base = "fallback = { zh = \"回原籍。\", en = \"Go home.\" }\n";
    let fine = format!(
        "{base}continue_with = [\"a\"]\nsingle_item = {{ label = {{ zh = \"单项办理\", en = \"On its own\" }}, href = \"/services/a\" }}\n"
    );
    ServiceDefinition::from_toml("rich.toml", &RICH.replacen(base, &fine, 1)).expect("valid");
    let e = broken(base, &format!("{base}continue_with = [\"zz\"]\n"));
    assert_eq!(e.path, "eligibility.rules[0].continue_with[0]", "{e}");
    for href in [
        "http://example.org",
        "//evil",
        "javascript:alert(1)",
        "https://",
        "/a b",
    ] {
        let e = broken(
            base,
            &format!(
                "{base}single_item = {{ label = {{ zh = \"单项\", en = \"Single\" }}, href = \"{href}\" }}\n"
            ),
        );
        assert_eq!(
            e.path, "eligibility.rules[0].single_item.href",
            "{href}: {e}"
        );
    }
}

#[test]
fn a_declared_version_is_kept_and_checked() {
    let src = MINIMAL.replace("id = \"newborn\"", "id = \"newborn\"\nversion = \"2026.1\"");
    let d = ServiceDefinition::from_toml("x.toml", &src).expect("valid");
    assert_eq!(d.version, "2026.1");
    for bad in ["2026 1", "版本一", &"9".repeat(41)] {
        let src = MINIMAL.replace(
            "id = \"newborn\"",
            &format!("id = \"newborn\"\nversion = \"{bad}\""),
        );
        let e = ServiceDefinition::from_toml("x.toml", &src).unwrap_err();
        assert_eq!(e.path, "version", "{bad}: {e}");
    }
}

#[test]
fn an_undeclared_version_is_derived_from_the_content() {
    let a = ServiceDefinition::from_toml("x.toml", MINIMAL).expect("valid");
    let again = ServiceDefinition::from_toml("y.toml", MINIMAL).expect("valid");
    let edited = MINIMAL.replace("一次办好", "一次办好。");
    let b = ServiceDefinition::from_toml("x.toml", &edited).expect("valid");
    assert!(
        a.version.starts_with("d-") && a.version.len() == 18,
        "{}",
        a.version
    );
    assert_eq!(
        a.version, again.version,
        "the same text gives the same version"
    );
    assert_ne!(a.version, b.version, "an edit gives a new version");
    assert!(a.check().is_ok());
}

#[test]
fn a_draft_keeps_what_a_new_version_still_has() {
    use crate::value::{AnswerValue, Answers};
    let d = ServiceDefinition::from_toml("rich.toml", RICH).expect("valid");
    let fact = d.facts.first().expect("a fact").id.clone();
    let sub_item = d.sub_items[0].id.clone();
    let mut sub_items = vec![sub_item.clone(), "gone_item".to_owned()];
    let mut eligibility = Answers::new();
    eligibility.insert("gone_question".into(), AnswerValue::Bool(true));
    let mut answers = Answers::new();
    answers.insert(fact.clone(), AnswerValue::Text("kept".into()));
    answers.insert("gone_fact".into(), AnswerValue::Text("x".into()));
    let mut materials = std::collections::BTreeMap::from([("gone_material".to_owned(), 1_u8)]);
    assert!(d.retain_applicable(
        &mut sub_items,
        &mut eligibility,
        &mut answers,
        &mut materials
    ));
    assert_eq!(sub_items, [sub_item]);
    assert!(eligibility.is_empty() && materials.is_empty());
    assert_eq!(answers.keys().collect::<Vec<_>>(), [&fact]);
    // Nothing more to drop the second time.
    assert!(!d.retain_applicable(
        &mut sub_items,
        &mut eligibility,
        &mut answers,
        &mut materials
    ));
}
