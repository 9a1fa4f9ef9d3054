//! Stages, outcomes and computed amounts: the format's checks (each problem at its path), the
//! stage order a department must keep, what a record must hold, the demo's sample record, and
//! the amounts' integer arithmetic, branch by branch.

use std::collections::BTreeMap;

use super::*;
use crate::definition::{DefinitionError, Expr, ServiceDefinition};
use crate::value::{AnswerValue, Date};

const DEF: &str = r#"
id = "grant"
title = { zh = "补贴", en = "Grant" }
summary = { zh = "补贴", en = "Grant" }

[eligibility]
[[eligibility.questions]]
id = "kind"
label = { zh = "类型", en = "Kind" }
type = "choice"
options = [{ id = "a", label = { zh = "甲", en = "A" } }, { id = "b", label = { zh = "乙", en = "B" } }]

[[facts]]
id = "units"
label = { zh = "数量", en = "Units" }
type = "integer"
min = 1
max = 1000000000

[[facts]]
id = "price"
label = { zh = "价格", en = "Price" }
type = "integer"
min = 1
max = 1000000000

[[pages]]
id = "p"
title = { zh = "页", en = "Page" }
facts = ["units", "price"]

[[amounts]]
id = "base"
label = { zh = "补贴", en = "Grant" }
unit = { zh = "元", en = "yuan" }
sub_item = "review"

[amounts.value]
min = [
  { sum = [
    { if = { when = { equals = { fact = "kind", value = "a" } }, then = { product = [{ fact = "units" }, { value = 100 }] } } },
    { if = { when = { equals = { fact = "kind", value = "b" } }, then = { product = [{ fact = "units" }, { value = 50 }] }, else = { value = 0 } } },
  ] },
  { percent = { of = { fact = "price" }, percent = 30 } },
  { value = 5000 },
]

[[amounts]]
id = "extra"
label = { zh = "附加", en = "Extra" }
unit = { zh = "元", en = "yuan" }
sub_item = "bonus"
value = { value = 7 }

[[amounts]]
id = "total"
label = { zh = "合计", en = "Total" }
unit = { zh = "元", en = "yuan" }
value = { sum = [{ amount = "base" }, { amount = "extra" }] }

[[sub_items]]
id = "review"
title = { zh = "审核", en = "Review" }
department = { zh = "局", en = "Bureau" }
time_limit_days = 2
facts = ["kind", "units", "price"]

[[sub_items.stages]]
id = "survey"
title = { zh = "踏勘", en = "Survey" }

[[sub_items.stages.record]]
id = "on"
label = { zh = "日期", en = "Date" }
type = "date"

[[sub_items.stages.record]]
id = "slot"
label = { zh = "时段", en = "Slot" }
type = "choice"
options = [{ id = "am", label = { zh = "上午", en = "Morning" } }]

[[sub_items.stages]]
id = "chase"
title = { zh = "督办", en = "Chased" }
optional = true
repeatable = true

[[sub_items.stages]]
id = "works"
title = { zh = "施工", en = "Works" }

[[sub_items.stages]]
id = "accept"
title = { zh = "验收", en = "Acceptance" }

[sub_items.outcome]
kind = "payment"
title = { zh = "已拨付", en = "Paid" }

[[sub_items.outcome.record]]
id = "amount"
label = { zh = "金额", en = "Amount" }
type = "integer"
unit = { zh = "元", en = "yuan" }
min = 1
max = 100000

[[sub_items.outcome.record]]
id = "paid_on"
label = { zh = "日期", en = "Date" }
type = "date"

[[sub_items.outcome.record]]
id = "reference"
label = { zh = "凭证号", en = "Reference" }
type = "text"
mask = "PAY99999999"
optional = true

[[sub_items]]
id = "bonus"
title = { zh = "附加", en = "Bonus" }
department = { zh = "局", en = "Bureau" }
time_limit_days = 1
optional = true
"#;

/// Reads and checks a definition (as the loader does, without needing its `toml` feature).
fn load(src: &str) -> Result<ServiceDefinition, DefinitionError> {
    let d: ServiceDefinition =
        toml::from_str(src).map_err(|e| DefinitionError::at("", e.to_string()))?;
    d.check()?;
    Ok(d)
}

fn def() -> ServiceDefinition {
    load(DEF).expect("valid")
}

fn broken(from: &str, to: &str) -> String {
    assert!(DEF.contains(from), "{from}");
    load(&DEF.replacen(from, to, 1)).expect_err("refused").path
}

fn today() -> Date {
    Date::parse("2026-12-02").expect("date")
}

fn app(kind: &str, units: i64, price: i64, subs: &[&str]) -> Application {
    serde_json::from_value(serde_json::json!({
        "service_id": "grant",
        "sub_items": subs,
        "eligibility": { "kind": kind },
        "answers": { "units": units, "price": price },
        "materials": {}
    }))
    .expect("application")
}

fn values(d: &ServiceDefinition, a: &Application) -> Vec<(String, Option<i64>)> {
    amounts(d, a, today())
        .into_iter()
        .map(|c| (c.id, c.value))
        .collect()
}

#[test]
fn an_amount_follows_its_branch_its_caps_and_the_selected_sub_items() {
    let d = def();
    // A: 10 units × 100 = 1 000, under 30 % of 10 000 and under 5 000.
    assert_eq!(
        values(&d, &app("a", 10, 10_000, &["review"])),
        [("base".into(), Some(1000)), ("total".into(), Some(1000))]
    );
    // B: 10 × 50 = 500; the bonus selected adds 7 to the total.
    assert_eq!(
        values(&d, &app("b", 10, 10_000, &["review", "bonus"])),
        [
            ("base".into(), Some(500)),
            ("extra".into(), Some(7)),
            ("total".into(), Some(507))
        ]
    );
    // Capped at 30 % of the price (rounded down), then at 5 000.
    assert_eq!(
        values(&d, &app("a", 10, 3_001, &["review"]))[0].1,
        Some(900)
    );
    assert_eq!(
        values(&d, &app("a", 1_000, 1_000_000, &["review"]))[0].1,
        Some(5000)
    );
}

#[test]
fn an_amount_waits_for_its_answers_and_never_overflows() {
    let d = def();
    let mut a = app("a", 10, 10_000, &["review"]);
    a.answers.remove("units");
    assert_eq!(
        values(&d, &a),
        [("base".into(), None), ("total".into(), None)]
    );
    // An invalid answer is no answer: 0 units is below the fact's minimum.
    assert_eq!(values(&d, &app("a", 0, 10_000, &["review"]))[0].1, None);
    let big = Expr::Product(vec![Expr::Value(i64::MAX), Expr::Value(2)]);
    assert_eq!(amounts::eval(&big, &Today(today()), &BTreeMap::new()), None);
    assert_eq!(grouped(2_062_000), "2,062,000");
    assert_eq!(grouped(-1500), "-1,500");
    assert_eq!(grouped(999), "999");
}

struct Today(Date);

impl crate::condition::Scope for Today {
    fn value(&self, _: &str) -> Option<&AnswerValue> {
        None
    }
    fn selected(&self, _: &str) -> bool {
        false
    }
    fn today(&self) -> Date {
        self.0
    }
}

#[test]
fn the_format_refuses_what_it_cannot_do_at_its_path() {
    assert_eq!(
        broken(
            "{ fact = \"price\" }, percent = 30",
            "{ fact = \"kind\" }, percent = 30"
        ),
        "amounts[0].value"
    );
    assert_eq!(broken("percent = 30", "percent = 130"), "amounts[0].value");
    assert_eq!(
        broken("{ amount = \"base\" }", "{ amount = \"total\" }"),
        "amounts[2].value"
    );
    assert_eq!(
        broken("sub_item = \"bonus\"", "sub_item = \"nope\""),
        "amounts[1].sub_item"
    );
    assert_eq!(
        broken("value = { value = 7 }", "value = { sum = [] }"),
        "amounts[1].value"
    );
    assert_eq!(
        broken("id = \"chase\"", "id = \"survey\""),
        "sub_items[0].stages[1].id"
    );
    assert_eq!(
        broken(
            "id = \"slot\"\nlabel = { zh = \"时段\", en = \"Slot\" }\ntype = \"choice\"",
            "id = \"slot\"\nlabel = { zh = \"时段\", en = \"Slot\" }\ntype = \"address\""
        ),
        "sub_items[0].stages[0].record[1].type"
    );
    // A payment records its amount and its date.
    assert_eq!(
        broken(
            "id = \"paid_on\"\nlabel = { zh = \"日期\", en = \"Date\" }\ntype = \"date\"",
            "id = \"paid_on\"\nlabel = { zh = \"日期\", en = \"Date\" }\ntype = \"text\""
        ),
        "sub_items[0].outcome.record"
    );
    assert_eq!(
        broken(
            "title = { zh = \"已拨付\", en = \"Paid\" }",
            "title = { zh = \"已拨付\", en = \"\" }"
        ),
        "sub_items[0].outcome.title.en"
    );
    // `rising` names a choice of the stage's record; `pays` an amount into an integer field of
    // a payment's record.
    let chase = "id = \"chase\"\ntitle = { zh = \"督办\", en = \"Chased\" }";
    assert_eq!(
        broken(chase, &format!("{chase}\nrising = [\"slot\"]")),
        "sub_items[0].stages[1].rising[0]"
    );
    let survey = "id = \"survey\"\ntitle = { zh = \"踏勘\", en = \"Survey\" }";
    assert_eq!(
        broken(survey, &format!("{survey}\nrising = [\"on\"]")),
        "sub_items[0].stages[0].rising[0]"
    );
    let paid = "title = { zh = \"已拨付\", en = \"Paid\" }";
    for (pays, path) in [
        ("{ amount = \"nope\", record = \"amount\" }", "pays.amount"),
        (
            "{ amount = \"total\", record = \"paid_on\" }",
            "pays.record",
        ),
    ] {
        assert_eq!(
            broken(paid, &format!("{paid}\npays = {pays}")),
            format!("sub_items[0].outcome.{path}")
        );
    }
    let fine = DEF.replacen(
        paid,
        &format!("{paid}\npays = {{ amount = \"total\", record = \"amount\" }}"),
        1,
    );
    let fine = fine.replacen(survey, &format!("{survey}\nrising = [\"slot\"]"), 1);
    assert!(load(&fine).is_ok());
}

#[test]
fn stages_go_in_order_and_a_repeatable_one_comes_back() {
    let d = def();
    let item = d.sub_item("review").expect("review");
    let r = |xs: &[&str]| xs.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    assert_eq!(stage_move(item, &[], "survey"), Ok(()));
    assert_eq!(stage_move(item, &[], "nope"), Err(StageRefusal::Unknown));
    assert_eq!(
        stage_move(item, &[], "accept"),
        Err(StageRefusal::Waiting(r(&["survey", "works"])))
    );
    // The optional stage may be skipped, and a stage recorded again while it is current.
    assert_eq!(stage_move(item, &r(&["survey"]), "works"), Ok(()));
    assert_eq!(stage_move(item, &r(&["survey"]), "survey"), Ok(()));
    assert_eq!(
        stage_move(item, &r(&["survey", "works"]), "survey"),
        Err(StageRefusal::Passed)
    );
    assert_eq!(stage_move(item, &r(&["survey", "works"]), "chase"), Ok(()));
    assert_eq!(
        stages_missing(item, &r(&["survey", "chase"])),
        r(&["works", "accept"])
    );
    assert!(stages_missing(item, &r(&["survey", "works", "accept"])).is_empty());
}

#[test]
fn a_record_holds_every_required_field_valid_and_nothing_else() {
    let d = def();
    let item = d.sub_item("review").expect("review");
    let fields = &item.outcome.as_ref().expect("outcome").record;
    let rec = |v: serde_json::Value| -> BTreeMap<String, AnswerValue> {
        serde_json::from_value(v).expect("record")
    };
    let ok = check_record(
        fields,
        &rec(serde_json::json!({ "amount": 1500, "paid_on": "2026-12-01", "reference": "pay 12345678" })),
        today(),
    )
    .expect("valid");
    assert_eq!(ok["reference"], AnswerValue::Text("PAY12345678".into()));
    let errs = check_record(
        fields,
        &rec(serde_json::json!({ "amount": 0, "paid": "2026-12-01" })),
        today(),
    )
    .expect_err("invalid");
    let codes: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.path.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("record.paid", "unknown_field"),
            ("record.amount", "too_small"),
            ("record.paid_on", "required")
        ]
    );
    // The demo's sample fits every stage and the outcome.
    for fields in item.stages.iter().map(|s| &s.record).chain([fields]) {
        assert!(check_record(fields, &sample_record(fields, today()), today()).is_ok());
    }
}

#[test]
fn a_result_without_delivery_ends_at_completion() {
    let d = def();
    assert!(!d.sub_item("review").expect("review").delivers());
    assert!(d.sub_item("bonus").expect("bonus").delivers());
    let json = serde_json::to_string(&d).expect("json");
    let back: ServiceDefinition = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, d);
}
