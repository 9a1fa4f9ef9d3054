//! A sub-item's own tracking stages and its result, as its definition names them: 联合踏勘 →
//! 协同接入 → 联合验收 with what each department recorded (the confirmed survey date), the stage
//! the item is at now, those still to come, and the result (接入完成 with the account number,
//! 补贴已拨付 with the amount and date, a filing number) once recorded.

use std::collections::BTreeMap;

use leptos::prelude::*;
use onething_core::api::{SubItemStatus, SubItemTrack};
use onething_core::definition::{Fact, FactKind};
use onething_core::engine::{AnswerValue, grouped};
use onething_core::{Locale, SubItem};

use crate::i18n::t;
use crate::pages::apply::shown;
use crate::prefs::locale;

/// One recorded value as read: amounts grouped by thousands with their unit, the rest as the
/// check page shows answers (option labels, dates in the language's form).
pub fn recorded(f: &Fact, v: &AnswerValue, l: Locale) -> String {
    match (f.kind, v) {
        (FactKind::Integer, AnswerValue::Integer(n)) => f
            .unit
            .as_ref()
            .map_or_else(|| grouped(*n), |u| format!("{} {}", grouped(*n), u.get(l))),
        _ => shown(f, Some(v), l),
    }
}

/// The recorded fields, in the definition's order: "label: value" lines.
fn lines(fields: &[Fact], record: &BTreeMap<String, AnswerValue>) -> Vec<String> {
    let l = locale();
    fields
        .iter()
        .filter_map(|f| {
            let v = record.get(&f.id)?;
            Some(super::pair(
                t().label_value,
                f.label.get(l),
                &recorded(f, v, l),
            ))
        })
        .collect()
}

/// The stages of `sub` and its result, for the tracked item `item`.
#[component]
pub fn StagesAndOutcome(
    /// The sub-item's definition.
    sub: SubItem,
    /// Its tracking.
    item: SubItemTrack,
) -> impl IntoView {
    let l = locale();
    let now = (item.status == SubItemStatus::InProgress)
        .then(|| item.stages.last().map(|e| e.stage.clone()))
        .flatten();
    let stages = (!sub.stages.is_empty()).then(|| {
        let rows = sub
            .stages
            .iter()
            .filter_map(|st| {
                // A repeatable stage shows every time it was entered (county → city → province);
                // another, its latest record (a rebooked date replaces the first).
                let entries: Vec<_> = item.stages.iter().filter(|e| e.stage == st.id).collect();
                let shown: &[_] = if st.repeatable { &entries } else { &entries[entries.len().saturating_sub(1)..] };
                let entry = entries.last();
                // An optional stage never entered is no step of this case.
                if entry.is_none() && st.optional {
                    return None;
                }
                let current = now.as_deref() == Some(st.id.as_str());
                let (class, state) = match (entry, current) {
                    (_, true) => ("stage stage-now", t().stage_now),
                    (Some(_), false) => ("stage stage-done", t().stage_done),
                    (None, _) => ("stage stage-todo", t().stage_todo),
                };
                let details: Vec<String> = shown.iter().flat_map(|e| lines(&st.record, &e.record)).collect();
                Some(view! {
                    <li class=class data-stage=st.id.clone() aria-current=current.then_some("step")>
                        <span class="stage-title">{st.title.get(l).to_owned()}</span>
                        " "<span class="stage-state">{state}</span>
                        {details.into_iter().map(|d| view! { <span class="stage-line">{d}</span> }).collect_view()}
                    </li>
                })
            })
            .collect_view();
        view! {
            <ol class="stages" aria-label=t().stages_label>{rows}</ol>
        }
    });
    let outcome = sub.outcome.clone().zip(item.outcome.clone()).map(|(o, r)| {
        view! {
            <div class=format!("outcome outcome-{}", onething_core::wire::name(&o.kind))>
                <p><strong class="outcome-title">{o.title.get(l).to_owned()}</strong></p>
                {lines(&o.record, &r.record).into_iter().map(|d| view! { <p class="outcome-line">{d}</p> }).collect_view()}
                // 亮晒 done: the public list, where anyone reads and rates it.
                {(o.kind == onething_core::definition::OutcomeKind::Publication).then(|| view! {
                    <p><a href=crate::router::href("/published") class="published-link">{t().pub_case_link}</a></p>
                })}
            </div>
        }
    });
    view! { {stages}{outcome} }
}
