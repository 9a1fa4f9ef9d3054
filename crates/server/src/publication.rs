//! 亮晒: what a published entry shows, made de-identified when it is written (in the
//! transaction of the move that completes a sub-item whose outcome is of kind `publication`).
//!
//! Only two things go in, both chosen by the definition: the CHOICE facts the publication's
//! department receives (its `facts` and `shared_facts`), shown by their options' labels — never
//! a text the applicant typed (a title, a description, a name) — and what the department
//! recorded in the outcome, which it writes for the public. Labels are copied in both languages,
//! so the entry reads the same after the definition changes, and nothing in it needs the case.

use std::collections::BTreeSet;

use onething_core::api::{OutcomeKind, PublishedLine};
use onething_core::{
    AnswerValue, Answers, Fact, FactKind, Locale, ServiceDefinition, SubItem, Text,
};
use serde::{Deserialize, Serialize};

/// The stored part of an entry (the `entry` column): what it shows besides its id, service and
/// date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Content {
    /// The service's name when it was written.
    pub service_title: Text,
    /// The choice facts, by label.
    #[serde(default)]
    pub facts: Vec<PublishedLine>,
    /// The department's record for the public.
    #[serde(default)]
    pub outcome: Vec<PublishedLine>,
}

/// Whether completing `sub` publishes something.
pub fn publishes(sub: &SubItem) -> bool {
    sub.outcome
        .as_ref()
        .is_some_and(|o| o.kind == OutcomeKind::Publication)
}

fn same(s: &str) -> Text {
    Text {
        zh: s.to_owned(),
        en: s.to_owned(),
    }
}

/// A choice answer (one option or several) as its options' labels; none for anything else.
fn choice_label(fact: &Fact, value: &AnswerValue) -> Option<Text> {
    let label = |id: &str| fact.options.iter().find(|o| o.id == id).map(|o| &o.label);
    match (fact.kind, value) {
        (FactKind::Choice, AnswerValue::Text(id)) => label(id).cloned(),
        (FactKind::MultiChoice, AnswerValue::Choices(ids)) if !ids.is_empty() => {
            let labels: Option<Vec<&Text>> = ids.iter().map(|id| label(id)).collect();
            let labels = labels?;
            Some(Text {
                zh: labels
                    .iter()
                    .map(|l| l.zh.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                en: labels
                    .iter()
                    .map(|l| l.en.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        _ => None,
    }
}

/// One value of the department's record as the public reads it: a choice or yes/no by its
/// label, an integer with its unit, a text or a date as written.
fn record_value(fact: &Fact, value: &AnswerValue) -> Option<Text> {
    match (fact.kind, value) {
        (FactKind::Choice | FactKind::MultiChoice, v) => choice_label(fact, v),
        (FactKind::YesNo, AnswerValue::Bool(b)) => Some(if *b {
            Text {
                zh: "是".into(),
                en: "Yes".into(),
            }
        } else {
            Text {
                zh: "否".into(),
                en: "No".into(),
            }
        }),
        (FactKind::Integer, AnswerValue::Integer(n)) => Some(match &fact.unit {
            Some(u) => Text {
                zh: format!("{n} {}", u.zh),
                en: format!("{n} {}", u.en),
            },
            None => same(&n.to_string()),
        }),
        (FactKind::Date, AnswerValue::Text(t)) => Some(date_words(t).unwrap_or_else(|| same(t))),
        (_, AnswerValue::Text(t)) => Some(same(t)),
        _ => None,
    }
}

/// A date (`2026-12-03`) as each language writes it: `2026年12月3日`, `3 December 2026`; `None`
/// when it is not a real date.
fn date_words(iso: &str) -> Option<Text> {
    let d: onething_core::Date = iso.parse().ok()?;
    let day = d.to_string();
    let day = day.get(..10)?;
    Some(Text {
        zh: onething_core::date_text(day, Locale::ZhCn)?,
        en: onething_core::date_text(day, Locale::En)?,
    })
}

/// The entry of `sub` (a publication) of a case of `def`: `packet` is what the sub-item's
/// department received (the case's answers for it), `record` what the department recorded on
/// completing it.
pub fn content(
    def: &ServiceDefinition,
    sub: &SubItem,
    packet: &Answers,
    record: &std::collections::BTreeMap<String, AnswerValue>,
) -> Content {
    let mut seen = BTreeSet::new();
    let facts = sub
        .facts
        .iter()
        .chain(&def.shared_facts)
        .filter(|id| seen.insert(id.as_str()))
        // A group's field (`children.name`) is never a fact of its own here.
        .filter_map(|id| def.fact(id))
        .filter(|f| matches!(f.kind, FactKind::Choice | FactKind::MultiChoice))
        .filter_map(|f| {
            Some(PublishedLine {
                label: f.label.clone(),
                value: choice_label(f, packet.get(&f.id)?)?,
            })
        })
        .collect();
    let outcome = sub
        .outcome
        .iter()
        .flat_map(|o| &o.record)
        .filter_map(|f| {
            Some(PublishedLine {
                label: f.label.clone(),
                value: record_value(f, record.get(&f.id)?)?,
            })
        })
        .collect();
    Content {
        service_title: def.title.clone(),
        facts,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enterprise() -> ServiceDefinition {
        let text = include_str!("../../../services/enterprise-issue.toml");
        ServiceDefinition::from_toml("enterprise-issue.toml", text).expect("definition")
    }

    #[test]
    fn only_choices_by_label_and_the_departments_record_are_published() {
        let def = enterprise();
        let sub = def.sub_item("publication").expect("亮晒");
        assert!(publishes(sub));
        assert!(!publishes(
            def.sub_item("issue_handling").expect("handling")
        ));
        let packet: Answers = serde_json::from_value(serde_json::json!({
            "publish_consent": true,
            "description": "我司外籍技术人员需往返杭州体检，湖州某某纺织有限公司",
            "category": "labour",
            "title": "外籍员工体检难",
        }))
        .expect("answers");
        let record = serde_json::from_value(serde_json::json!({
            "published_on": "2026-12-03",
            "summary": "某企业反映外籍员工体检需往返杭州，现本地医院已可开展。",
        }))
        .expect("record");
        let c = content(&def, sub, &packet, &record);
        let json = serde_json::to_string(&c).expect("json");
        for typed in ["外籍员工体检难", "湖州某某纺织有限公司", "我司"] {
            assert!(!json.contains(typed), "{typed} is the applicant's own text");
        }
        assert_eq!(c.facts.len(), 1, "{:?}", c.facts);
        assert_eq!(c.facts[0].value.zh, "用工人才");
        assert_eq!(c.facts[0].value.en, "Staff and talent");
        assert_eq!(c.facts[0].label.zh, "问题类别");
        let outcome: Vec<(&str, &str)> = c
            .outcome
            .iter()
            .map(|l| (l.label.zh.as_str(), l.value.zh.as_str()))
            .collect();
        assert_eq!(
            outcome,
            [
                ("公开日期", "2026年12月3日"),
                (
                    "公开内容（已脱敏）",
                    "某企业反映外籍员工体检需往返杭州，现本地医院已可开展。"
                ),
            ]
        );
        assert_eq!(c.outcome[0].value.en, "3 December 2026");
        assert_eq!(c.service_title, def.title);
    }
}
