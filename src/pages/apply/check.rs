//! Check your answers: every visible answer grouped by section, each with a Change link that
//! returns to its page and, from there, back here.

use leptos::prelude::*;
use onething_core::Locale;
use onething_core::definition::{Fact, FactKind};
use onething_core::engine::AnswerValue;

use super::{back_url, guard, next_fn};
use crate::components::{BackLink, BottomBar, set_title};
use crate::dom::focus_heading;
use crate::i18n::t;
use crate::prefs::locale;
use crate::wizard::fields::mask;
use crate::wizard::{Step, Wizard};

/// The check-answers page.
#[component]
pub fn CheckPage() -> impl IntoView {
    let step = Step::Check;
    guard(&step);
    let w = expect_context::<Wizard>();
    Effect::new(move || set_title(t().check_title));
    focus_heading();
    let sections = move || {
        let l = locale();
        w.eval.with(|e| {
            w.app.with(|a| {
                w.def.with_value(|d| {
                    e.pages
                        .iter()
                        .filter(|p| p.visible)
                        .filter_map(|p| {
                            let page = d.page(&p.id)?;
                            let rows: Vec<(String, String)> = p
                                .facts
                                .iter()
                                .filter_map(|f| d.facts.iter().find(|x| &x.id == f))
                                .flat_map(|f| rows_of(f, a.answers.get(&f.id), l))
                                .collect();
                            Some((
                                page.title.get(l).to_owned(),
                                w.url(&Step::Page(p.id.clone())),
                                rows,
                            ))
                        })
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    let next = next_fn(step.clone());
    let on_continue = Callback::new(move |()| next());
    view! {
        <BackLink href=back_url(&step) />
        <h1>{move || t().check_title}</h1>
        {move || sections()
            .into_iter()
            .map(|(title, href, rows)| {
                let change_label = format!("{} {}", t().change, title);
                view! {
                    <section class="summary-card">
                        <div class="summary-head">
                            <h2>{title}</h2>
                            <a href=crate::router::href(&format!("{href}?return=check")) class="change-link" aria-label=change_label>
                                {move || t().change}
                            </a>
                        </div>
                        <dl class="summary-list">
                            {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                        </dl>
                    </section>
                }
            })
            .collect_view()}
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}

/// The (label, shown value) rows of one fact; a group gives one row per field of each item.
fn rows_of(fact: &Fact, value: Option<&AnswerValue>, l: Locale) -> Vec<(String, String)> {
    match (fact.kind, value) {
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
        _ => vec![(fact.label.get(l).to_owned(), shown(fact, value, l))],
    }
}

/// An answer as the person reads it: option labels, yes/no, masked ID and card numbers.
fn shown(fact: &Fact, value: Option<&AnswerValue>, l: Locale) -> String {
    let option = |id: &str| {
        fact.options
            .iter()
            .find(|o| o.id == id)
            .map_or_else(|| id.to_owned(), |o| o.label.get(l).to_owned())
    };
    let m = crate::i18n::messages(l);
    match value {
        // An answer of no shape the form can produce counts as unanswered (the engine agrees).
        None | Some(AnswerValue::Null | AnswerValue::Unsupported(_)) => m.not_answered.to_owned(),
        Some(AnswerValue::Bool(b)) => (if *b { m.yes } else { m.no }).to_owned(),
        Some(AnswerValue::Integer(n)) => fact
            .unit
            .as_ref()
            .map_or_else(|| n.to_string(), |u| format!("{n} {}", u.get(l))),
        Some(AnswerValue::Text(s)) if matches!(fact.kind, FactKind::Choice) => option(s),
        Some(AnswerValue::Text(s))
            if matches!(fact.kind, FactKind::IdNumber | FactKind::BankCard) =>
        {
            mask(s)
        }
        Some(AnswerValue::Text(s)) => s.clone(),
        Some(AnswerValue::Choices(c)) => c.iter().map(|x| option(x)).collect::<Vec<_>>().join("、"),
        Some(AnswerValue::Address(a)) => {
            // Region names from the core's table; a code it does not list is shown as it is.
            let region: Vec<&str> = a
                .region
                .iter()
                .map(|c| onething_core::regions::region(c).map_or(c.as_str(), |r| r.name(l)))
                .collect();
            format!("{} {}", region.join(""), a.detail)
                .trim()
                .to_owned()
        }
        Some(AnswerValue::Group(items)) => items.len().to_string(),
    }
}
