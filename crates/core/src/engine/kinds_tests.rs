//! The credit-code kind, masked text, code-list choices and the group-sum rule, on a small
//! definition of their own.

use serde_json::json;

use super::*;
use crate::definition::ServiceDefinition;

const DEF: &str = r#"
id = "firm"
title = { zh = "开办", en = "Firm" }
summary = { zh = "测试", en = "Test" }

[[facts]]
id = "credit_code"
label = { zh = "统一社会信用代码", en = "Credit code" }
type = "credit_code"

[[facts]]
id = "cert_no"
label = { zh = "出生医学证明编号", en = "Certificate number" }
type = "text"
mask = "A999999999"

[[facts]]
id = "ethnicity"
label = { zh = "民族", en = "Ethnicity" }
type = "choice"
options_from = "ethnicity"

[[facts]]
id = "holders"
label = { zh = "股东", en = "Shareholders" }
type = "group"

[[facts.fields]]
id = "share"
label = { zh = "出资比例", en = "Share" }
type = "integer"
min = 1
max = 100

[[pages]]
id = "p"
title = { zh = "页", en = "Page" }
facts = ["credit_code", "cert_no", "ethnicity", "holders"]

[[rules]]
id = "shares_make_100"
code = "shares_not_100"
message = { zh = "出资比例合计应为100%。", en = "The shares must add up to 100 %." }
check = { sum = { field = "holders.share", equals = 100 } }

[[sub_items]]
id = "licence"
title = { zh = "执照", en = "Licence" }
department = { zh = "市场监管局", en = "Market regulation" }
time_limit_days = 1
facts = ["credit_code", "cert_no", "ethnicity", "holders"]
"#;

fn def() -> ServiceDefinition {
    let mut def: ServiceDefinition = toml::from_str(DEF).expect("parses");
    def.fill_option_sources();
    def.check().expect("checks");
    def
}

fn errors(answers: &serde_json::Value) -> Vec<(String, String)> {
    let app: Application = serde_json::from_value(json!({
        "service_id": "firm",
        "sub_items": ["licence"],
        "answers": answers,
    }))
    .expect("application");
    let today = Date::parse("2026-11-28").expect("date");
    match check_submission(&def(), &app, today) {
        Ok(_) => Vec::new(),
        Err(es) => es.into_iter().map(|e| (e.code, e.path)).collect(),
    }
}

fn base() -> serde_json::Value {
    json!({
        "credit_code": "91350100M000100Y43",
        "cert_no": "P440123456",
        "ethnicity": "han",
        "holders": [{ "share": 60 }, { "share": 40 }],
    })
}

fn with(key: &str, v: serde_json::Value) -> serde_json::Value {
    let mut b = base();
    b[key] = v;
    b
}

#[test]
fn a_valid_firm_passes_and_normalises() {
    assert!(errors(&base()).is_empty());
    assert!(errors(&with("credit_code", json!("91350100m000100y43"))).is_empty());
}

#[test]
fn credit_codes_are_checked_as_a_kind() {
    let e = |c: &str| errors(&with("credit_code", json!(c)));
    assert_eq!(
        e("91350100M000100Y44"),
        [("credit_code_checksum".into(), "answers.credit_code".into())]
    );
    assert_eq!(
        e("91350100M000100Y4"),
        [("credit_code_format".into(), "answers.credit_code".into())]
    );
}

#[test]
fn masked_text_follows_the_printed_form() {
    assert_eq!(
        errors(&with("cert_no", json!("P44012345"))),
        [("text_format".into(), "answers.cert_no".into())]
    );
}

#[test]
fn code_list_choices_offer_the_whole_list() {
    let d = def();
    let f = d.fact("ethnicity").expect("fact");
    assert_eq!(f.options.len(), 56);
    assert_eq!(f.options[3].id, "zang");
    assert!(errors(&with("ethnicity", json!("jino"))).is_empty());
    assert_eq!(
        errors(&with("ethnicity", json!("klingon"))),
        [("unknown_option".into(), "answers.ethnicity".into())]
    );
    // Served as JSON, the definition carries the options, and checks again as it is.
    let back: ServiceDefinition =
        serde_json::from_str(&serde_json::to_string(&d).expect("json")).expect("back");
    assert!(back.check().is_ok());
}

#[test]
fn shares_must_add_up_to_the_total() {
    assert_eq!(
        errors(&with("holders", json!([{ "share": 60 }, { "share": 30 }]))),
        [("shares_not_100".into(), "answers.holders[1].share".into())]
    );
    assert_eq!(
        errors(&with(
            "holders",
            json!([{ "share": 60 }, { "share": 50 }, { "share": 1 }])
        )),
        [("shares_not_100".into(), "answers.holders[2].share".into())]
    );
    assert!(errors(&with("holders", json!([{ "share": 100 }]))).is_empty());
    // An invalid share has its own error; the sum is not checked over an incomplete column.
    assert_eq!(
        errors(&with("holders", json!([{ "share": 0 }, { "share": 40 }]))),
        [("too_small".into(), "answers.holders[0].share".into())]
    );
}

#[test]
fn the_new_parameters_are_checked_when_a_definition_loads() {
    for (from, to, path) in [
        (
            "options_from = \"ethnicity\"",
            "options_from = \"ethnicity\"\noptions = [{ id = \"han\", label = { zh = \"汉族\", en = \"Han\" } }]",
            "facts[2].options",
        ),
        (
            "type = \"credit_code\"",
            "type = \"credit_code\"\noptions_from = \"ethnicity\"",
            "facts[0].options_from",
        ),
        ("mask = \"A999999999\"", "mask = \"A99 9\"", "facts[1].mask"),
        (
            "type = \"credit_code\"",
            "type = \"credit_code\"\nmask = \"A9\"",
            "facts[0].mask",
        ),
        (
            "equals = 100 } }",
            "equals = 100 } }\nfield = \"holders\"",
            "rules[0].field",
        ),
        (
            "field = \"holders.share\"",
            "field = \"credit_code\"",
            "rules[0].check",
        ),
    ] {
        let src = DEF.replacen(from, to, 1);
        let mut d: ServiceDefinition = match toml::from_str(&src) {
            Ok(d) => d,
            Err(e) => panic!("{to}: {e}"),
        };
        d.fill_option_sources();
        let e = d.check().expect_err(to);
        assert_eq!(e.path, path, "{to}: {e}");
    }
}
