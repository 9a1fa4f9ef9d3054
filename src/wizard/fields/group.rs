//! A repeatable group of questions (children: twins get one certificate each), with add and
//! remove within the definition's minimum and maximum.

use leptos::prelude::*;
use onething_core::definition::Fact;
use onething_core::engine::AnswerValue;

use super::field::{Field, own_error};
use crate::components::page_shown;
use crate::dom::focus_later;
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;
use crate::wizard::{FieldPath, Wizard};

/// Every item of a group, each a set of fields.
#[component]
pub fn GroupField(
    /// The group fact (its `fields`, `min_items`, `max_items`).
    fact: Fact,
    /// Where the group lives (`answers.children`).
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let min = min_items(&fact);
    let max = fact.max_items.map_or(usize::MAX, |m| m as usize);
    let read = path.clone();
    let stored = move || w.app.with(|a| items(read.get(a)));
    // The minimum number of items exists in the draft from the start (empty until answered),
    // so the engine checks each of their fields rather than only "the group is missing". A
    // page built ahead of its step, hidden while the person reads the one before
    // (`pages::apply::question`), must not change the draft: its groups get their items when
    // it shows ([`fill_minimum`]).
    if page_shown().get_untracked() {
        fill_minimum(&w, &fact, &path);
    }
    let count = Memo::new(move |_| stored().max(min));
    let group_id = fact.id.clone();
    let fields = fact.fields.clone();
    let label = fact.label.clone();
    let error = own_error(&path);
    let group_dom_id = path.dom_id();
    let add_path = path.clone();
    let add = move |_| {
        let n = count.get_untracked();
        resize_group(&w, &add_path, n + 1);
        focus_later(
            &FieldPath::group_field(
                &add_path.fact,
                n,
                &fact
                    .fields
                    .first()
                    .map(|f| f.id.clone())
                    .unwrap_or_default(),
            )
            .dom_id(),
        );
    };
    let remove_path = path.clone();
    let remove = move |index: usize| {
        w.app.update(|a| {
            if let Some(AnswerValue::Group(items)) = remove_path.get(a).cloned() {
                let mut items = items;
                if index < items.len() {
                    items.remove(index);
                }
                remove_path.set(a, AnswerValue::Group(items));
            }
        });
    };
    view! {
        {move || error.get().map(|e| view! { <p class="field-error" tabindex="-1" id=group_dom_id.clone()>{e}</p> })}
        {move || {
            let label = label.clone();
            let fields = fields.clone();
            let group_id = group_id.clone();
            let remove = remove.clone();
            (0..count.get())
                .map(|i| {
                    let remove = remove.clone();
                    let legend_label = label.clone();
                    let fields = fields.clone();
                    let g = group_id.clone();
                    let removable = count.get() > min;
                    view! {
                        <fieldset class="group-item">
                            <legend class="group-legend">
                                {move || format!("{} {}", legend_label.get(locale()), i + 1)}
                            </legend>
                            {fields
                                .into_iter()
                                .map(|f| {
                                    let p = FieldPath::group_field(&g, i, &f.id);
                                    view! { <Field fact=f path=p /> }
                                })
                                .collect_view()}
                            {removable.then(|| view! {
                                <button type="button" class="button link" on:click=move |_| remove(i)>
                                    {move || with_n(t().group_remove, i + 1)}
                                </button>
                            })}
                        </fieldset>
                    }
                })
                .collect_view()
        }}
        {move || (count.get() < max).then(|| view! {
            <button type="button" class="button secondary" on:click=add.clone()>{tr(|m| m.group_add)}</button>
        })}
    }
}

/// The fewest items the group `fact` has: its minimum, at least one.
fn min_items(fact: &Fact) -> usize {
    fact.min_items.unwrap_or(1).max(1) as usize
}

/// How many items an answer holds as a group.
fn items(answer: Option<&AnswerValue>) -> usize {
    match answer {
        Some(AnswerValue::Group(items)) => items.len(),
        _ => 0,
    }
}

/// Gives the group `fact` at `path` its minimum of empty items, if it has fewer.
pub fn fill_minimum(w: &Wizard, fact: &Fact, path: &FieldPath) {
    let min = min_items(fact);
    if w.app.with_untracked(|a| items(path.get(a))) < min {
        resize_group(w, path, min);
    }
}

/// Makes the group at `path` hold exactly `n` items, adding empty ones at the end.
fn resize_group(w: &Wizard, path: &FieldPath, n: usize) {
    w.app.update(|a| {
        let mut items = match path.get(a) {
            Some(AnswerValue::Group(items)) => items.clone(),
            _ => Vec::new(),
        };
        items.resize_with(n, Default::default);
        path.set(a, AnswerValue::Group(items));
    });
}
