//! "What you submitted" on the case page: the answers and how each material was supplied, read
//! from the server (so another device shows them too), in a collapsed section. Values read as on
//! the check page: choices by label, dates in the language's form, ID numbers masked.

use leptos::prelude::*;
use onething_core::definition::FactKind;
use onething_core::engine::AnswerValue;
use onething_core::{Application, Date, Locale, ServiceDefinition};

use crate::api;
use crate::components::{LoadError, loaded};
use crate::i18n::{messages, tr};
use crate::pages::apply::{shown, supplied};
use crate::prefs::locale;

/// One group of rows: its heading and its (label, value) pairs.
type Group = (String, Vec<(String, String)>);

/// The submission in the groups the check page uses: situation, sub-items, each page that has
/// answers, the amounts the definition computes (as of `today`), materials. Only what was
/// submitted shows (the server keeps the visible answers).
pub fn groups(def: &ServiceDefinition, app: &Application, l: Locale, today: Date) -> Vec<Group> {
    let m = messages(l);
    let mut out = Vec::new();
    let situation: Vec<(String, String)> = def
        .eligibility
        .questions
        .iter()
        .filter_map(|q| {
            let v = app.eligibility.get(&q.id)?;
            Some((q.label.get(l).to_owned(), shown(q, Some(v), l)))
        })
        .collect();
    if !situation.is_empty() {
        out.push((m.check_situation.to_owned(), situation));
    }
    out.push((
        m.check_sub_items.to_owned(),
        app.sub_items
            .iter()
            .filter_map(|id| def.sub_item(id))
            .map(|s| (s.title.get(l).to_owned(), s.department.get(l).to_owned()))
            .collect(),
    ));
    for page in &def.pages {
        let rows: Vec<(String, String)> = page
            .facts
            .iter()
            .filter_map(|f| def.facts.iter().find(|x| &x.id == f))
            .flat_map(|fact| match (fact.kind, app.answers.get(&fact.id)) {
                (_, None) => Vec::new(),
                (FactKind::Group, Some(AnswerValue::Group(items))) => items
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| {
                        fact.fields.iter().map(move |f| {
                            (
                                format!("{} {} · {}", fact.label.get(l), i + 1, f.label.get(l)),
                                shown(f, item.get(&f.id), l),
                            )
                        })
                    })
                    .collect(),
                (_, value) => vec![(fact.label.get(l).to_owned(), shown(fact, value, l))],
            })
            .collect();
        if !rows.is_empty() {
            out.push((page.title.get(l).to_owned(), rows));
        }
    }
    // The amounts the definition computes from these answers (a subsidy claimed).
    let amounts: Vec<(String, String)> = onething_core::engine::amounts(def, app, today)
        .into_iter()
        .filter_map(|c| {
            let a = def.amounts.iter().find(|x| x.id == c.id)?;
            let n = onething_core::engine::grouped(c.value?);
            Some((a.label.get(l).to_owned(), format!("{n} {}", a.unit.get(l))))
        })
        .collect();
    if !amounts.is_empty() {
        out.push((m.amounts_heading.to_owned(), amounts));
    }
    let materials: Vec<(String, String)> = app
        .materials
        .iter()
        .filter_map(|(id, choice)| {
            let mat = def.material(id)?;
            Some((mat.title.get(l).to_owned(), supplied(mat, Some(choice), l)))
        })
        .collect();
    if !materials.is_empty() {
        out.push((m.materials_title.to_owned(), materials));
    }
    out
}

/// The collapsed section; what it shows is fetched once, when the page opens.
#[component]
pub fn SubmittedSection(
    /// The case id.
    id: String,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    let body = loaded(
        move || {
            let id = id.clone();
            async move { api::get_submission(&id).await }
        },
        |t| t.submitted_loading,
        move |answer, on_retry| match answer {
            Ok(app) => {
                let rows =
                    move || def.with_value(|d| groups(d, &app, locale(), crate::wizard::today()));
                view! {
                    {move || rows().into_iter().map(|(title, rows)| view! {
                        <h3>{title}</h3>
                        <dl class="summary-list">
                            {rows.into_iter().map(|(label, value)| view! {
                                <dt>{label}</dt><dd>{value}</dd>
                            }).collect_view()}
                        </dl>
                    }).collect_view()}
                }
                .into_any()
            }
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        },
    );
    view! {
        <details class="submitted summary-card">
            <summary class="details-title">{tr(|m| m.submitted_heading)}</summary>
            {body}
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submission_reads_as_the_check_page_shows_it() {
        let def = ServiceDefinition::from_toml(
            "shop-opening.toml",
            include_str!("../../../services/shop-opening.toml"),
        )
        .expect("definition");
        let app: Application = serde_json::from_value(serde_json::json!({
            "service_id": "shop-opening",
            "sub_items": ["business_licence"],
            "eligibility": { "entity_type": "individual" },
            "answers": {
                "shop_name": "织里小王甜品工作室",
                "operator_id_number": "330502199203150023",
                "premises_tenure": "owned",
            },
            "materials": { "premises_proof": { "kind": "commitment", "accepted": true } },
        }))
        .expect("application");
        let groups = groups(
            &def,
            &app,
            Locale::ZhCn,
            Date::new(2030, 6, 1).expect("date"),
        );
        let rows: Vec<&(String, String)> = groups.iter().flat_map(|(_, r)| r).collect();
        let value = |label: &str| {
            rows.iter()
                .find(|(l, _)| l == label)
                .map_or_else(|| panic!("{label} in {rows:?}"), |(_, v)| v.as_str())
        };
        assert_eq!(value("字号名称"), "织里小王甜品工作室");
        assert!(
            !value("以什么形式经营？").contains("individual"),
            "by its label"
        );
        assert_eq!(value("场所来源"), "自有", "a choice by its label");
        let id = value("经营者身份证号码");
        assert!(!id.contains("199203150"), "masked: {id}");
        assert!(
            groups
                .iter()
                .any(|(title, _)| title == messages(Locale::ZhCn).materials_title)
        );
        // Facts without an answer (hidden when submitted) are not listed.
        assert!(rows.iter().all(|(l, _)| l != "经营者手机号码"));
    }
}
