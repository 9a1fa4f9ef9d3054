//! Choosing the sub-items: mandatory ones shown as included, optional ones chosen, those that do
//! not apply to this situation shown as such, and dependencies explained.

use leptos::prelude::*;
use onething_core::SubItem;
use onething_core::engine::EligibilityOutcome;

use super::{back_url, continue_when_valid, guard};
use crate::components::{BackLink, BottomBar, ErrorSummary, FormState, title_from};
use crate::dom::focus_heading;
use crate::i18n::{count, t, tr};
use crate::prefs::locale;
use crate::wizard::{Step, Wizard};

/// The sub-items page.
#[component]
pub fn SubItemsPage() -> impl IntoView {
    let step = Step::SubItems;
    guard(&step);
    let w = expect_context::<Wizard>();
    let form = FormState::provide();
    title_from(|m| m.sub_items_title);
    focus_heading();
    let summary = NodeRef::new();
    // Once per change of the answers: each choice reads it three times, and each reading was a
    // walk of the whole definition.
    let available = Memo::new(move |_| {
        w.app.with(|a| {
            w.def.with_value(|d| {
                onething_core::engine::available_sub_items(d, &a.eligibility, w.today)
            })
        })
    });
    // Mandatory items that apply are always part of the application.
    Effect::new(move || {
        let avail = available.get();
        let mandatory: Vec<String> = w.def.with_value(|d| {
            d.sub_items
                .iter()
                .filter(|s| !s.optional && avail.contains(&s.id))
                .map(|s| s.id.clone())
                .collect()
        });
        let missing = w
            .app
            .with_untracked(|a| mandatory.iter().any(|m| !a.sub_items.contains(m)));
        let stale = w
            .app
            .with_untracked(|a| a.sub_items.iter().any(|s| !avail.contains(s)));
        if missing || stale {
            w.app.update(|a| {
                a.sub_items.retain(|s| avail.contains(s));
                for m in mandatory {
                    if !a.sub_items.contains(&m) {
                        a.sub_items.push(m);
                    }
                }
            });
        }
    });
    let errors = Signal::derive(move || {
        if !form.attempted.get() {
            return Vec::new();
        }
        let l = locale();
        w.eval.with(|e| {
            e.errors
                .iter()
                .filter(|err| err.path.starts_with("sub_items"))
                .map(|err| {
                    (
                        "sub-items".to_owned(),
                        w.def.with_value(|d| d.error_text(&err.code, l).to_owned()),
                    )
                })
                .collect()
        })
    });
    let items = w.def.with_value(|d| d.sub_items.clone());
    let on_continue = continue_when_valid(step.clone(), form, errors, summary);
    view! {
        <BackLink href=back_url(&step) />
        <ErrorSummary errors node_ref=summary />
        <h1>{tr(|m| m.sub_items_title)}</h1>
        <p class="lead">{tr(|m| m.sub_items_lead)}</p>
        <fieldset class="choices" id="sub-items">
            <legend class="visually-hidden">{tr(|m| m.sub_items_title)}</legend>
            {items.into_iter().map(|item| view! { <SubItemChoice item available=available.into() /> }).collect_view()}
        </fieldset>
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}

/// One sub-item with its checkbox (or its "included" / "does not apply" state).
#[component]
fn SubItemChoice(
    /// The sub-item.
    item: SubItem,
    /// Ids of the sub-items that apply in this situation.
    available: Signal<Vec<String>>,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let id = format!("sub-item-{}", item.id);
    let applies = {
        let id = item.id.clone();
        move || available.with(|a| a.contains(&id))
    };
    let checked = {
        let id = item.id.clone();
        move || w.app.with(|a| a.sub_items.contains(&id))
    };
    let toggle = {
        let id = item.id.clone();
        move |_| {
            w.app.update(|a| {
                if let Some(at) = a.sub_items.iter().position(|s| *s == id) {
                    a.sub_items.remove(at);
                } else {
                    a.sub_items.push(id.clone());
                }
            });
        }
    };
    let optional = item.optional;
    let deps: Vec<onething_core::Text> = w.def.with_value(|d| {
        item.depends_on
            .iter()
            .filter_map(|dep| {
                d.sub_items
                    .iter()
                    .find(|s| &s.id == dep)
                    .map(|s| s.title.clone())
            })
            .collect()
    });
    let (title, dept, days) = (
        item.title.clone(),
        item.department.clone(),
        usize::from(item.time_limit_days),
    );
    let applies2 = applies.clone();
    let applies3 = applies.clone();
    let for_id = id.clone();
    view! {
        <div class="sub-item choice-card" class:muted=move || !applies3()>
            <label class="option" for=for_id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=checked
                    disabled=move || !optional || !applies2()
                    on:change=toggle
                />
                <span class="sub-item-title">{move || title.get(locale()).to_owned()}</span>
            </label>
            <p class="sub-item-meta">
                {move || dept.get(locale()).to_owned()} " · " {move || count(t().time_limit_one, t().time_limit, days)}
            </p>
            <p class="sub-item-state">
                {move || {
                    if !applies() {
                        // Left out by the fallback of 情形: handled on its own, elsewhere.
                        if w.eval.with(|e| matches!(e.eligibility, EligibilityOutcome::Partial { .. })) {
                            t().sub_item_elsewhere
                        } else {
                            t().sub_item_not_applicable
                        }
                    } else if optional {
                        t().sub_item_optional
                    } else {
                        t().sub_item_included
                    }
                }}
            </p>
            {(!deps.is_empty()).then(|| {
                view! {
                    <p class="sub-item-deps">
                        {move || {
                            let names: Vec<String> = deps.iter().map(|d| d.get(locale()).to_owned()).collect();
                            t().sub_item_waits_for.replace("{items}", &names.join(t().list_sep))
                        }}
                    </p>
                }
            })}
        </div>
    }
}
