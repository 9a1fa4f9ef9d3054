//! Choices as radio buttons (single) or checkboxes (multiple), and yes/no, each option a large
//! tap target with its label; a single choice from a long list (GB 3304's 56 民族) as a native
//! select, which phones show as their own picker and screen readers announce with its position.

use leptos::prelude::*;
use onething_core::definition::{Fact, FactKind};
use onething_core::engine::AnswerValue;

use crate::components::FormState;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::wizard::{FieldPath, Wizard};

/// The options of a choice or multiple choice.
#[component]
pub fn ChoiceInput(
    /// The fact asked (its `options`).
    fact: Fact,
    /// Where its answer lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let multiple = fact.kind == FactKind::MultiChoice;
    let name = path.dom_id();
    fact.options
        .into_iter()
        .enumerate()
        .map(|(i, opt)| {
            // The first option carries the field's id, so the error summary's link lands on it.
            let id = if i == 0 {
                name.clone()
            } else {
                format!("{name}-{}", opt.id)
            };
            let (read, write) = (path.clone(), path.clone());
            let key = path.to_engine();
            let (o1, o2) = (opt.id.clone(), opt.id.clone());
            let checked = move || {
                w.app.with(|a| match read.get(a) {
                    Some(AnswerValue::Text(s)) => *s == o1,
                    Some(AnswerValue::Choices(c)) => c.contains(&o1),
                    _ => false,
                })
            };
            let on_change = move |_| {
                w.app.update(|a| {
                    let v = if multiple {
                        let mut c = match write.get(a) {
                            Some(AnswerValue::Choices(c)) => c.clone(),
                            _ => Vec::new(),
                        };
                        if let Some(at) = c.iter().position(|x| *x == o2) {
                            c.remove(at);
                        } else {
                            c.push(o2.clone());
                        }
                        AnswerValue::Choices(c)
                    } else {
                        AnswerValue::Text(o2.clone())
                    };
                    write.set(a, v);
                });
                form.touch(&key);
            };
            let label = opt.label;
            let for_id = id.clone();
            view! {
                <label class="option" for=for_id>
                    <input
                        type=if multiple { "checkbox" } else { "radio" }
                        id=id
                        name=name.clone()
                        value=opt.id.clone()
                        prop:checked=checked
                        on:change=on_change
                    />
                    <span>{move || label.get(locale()).to_owned()}</span>
                </label>
            }
        })
        .collect_view()
}

/// More options than this make a single choice a select rather than a column of radios.
pub const LONG_LIST: usize = 12;

/// A single choice from a long list, as a native select labelled by the field's label.
#[component]
pub fn SelectInput(
    /// The fact asked (its `options`).
    fact: Fact,
    /// Where its answer lives.
    path: FieldPath,
    /// Whether the field shows an error (the select's `aria-invalid`).
    invalid: Signal<bool>,
    /// The ids of its hint and error (`aria-describedby`).
    describedby: String,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let (read, write, key) = (path.clone(), path.clone(), path.to_engine());
    let chosen = Memo::new(move |_| {
        w.app.with(|a| match read.get(a) {
            Some(AnswerValue::Text(s)) => s.clone(),
            _ => String::new(),
        })
    });
    let on_change = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        w.app.update(|a| {
            write.set(
                a,
                if v.is_empty() {
                    AnswerValue::Null
                } else {
                    AnswerValue::Text(v)
                },
            );
        });
        form.touch(&key);
    };
    let options = fact.options;
    view! {
        <select
            id=path.dom_id()
            aria-describedby=describedby
            aria-invalid=move || if invalid.get() { "true" } else { "false" }
            on:change=on_change
        >
            <option value="" selected=move || chosen.with(String::is_empty)>{tr(|m| m.choose_option)}</option>
            {options
                .into_iter()
                .map(|o| {
                    let id = o.id.clone();
                    let label = o.label;
                    view! {
                        <option value=o.id selected=move || chosen.with(|c| *c == id)>
                            {move || label.get(locale()).to_owned()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// Yes or no.
#[component]
pub fn YesNoInput(
    /// Where its answer lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let name = path.dom_id();
    [(true, name.clone()), (false, format!("{name}-no"))]
        .into_iter()
        .map(|(yes, id)| {
            let (read, write) = (path.clone(), path.clone());
            let key = path.to_engine();
            let checked = move || w.app.with(|a| read.get(a) == Some(&AnswerValue::Bool(yes)));
            let on_change = move |_| {
                w.app.update(|a| write.set(a, AnswerValue::Bool(yes)));
                form.touch(&key);
            };
            let for_id = id.clone();
            view! {
                <label class="option" for=for_id>
                    <input
                        type="radio"
                        id=id
                        name=name.clone()
                        value=if yes { "true" } else { "false" }
                        prop:checked=checked
                        on:change=on_change
                    />
                    <span>{move || if yes { t().yes } else { t().no }}</span>
                </label>
            }
        })
        .collect_view()
}
