//! The situation questions (情形选择) first: when the bundle does not apply, say why and what to
//! do instead (single-item handling, with a link when the definition gives one), and go on with
//! the sub-items that still apply when the definition names them (the fallback of 情形).

use leptos::prelude::*;
use onething_core::Text;
use onething_core::engine::{EligibilityOutcome, IneligibleReason};

use super::{back_url, guard, next_fn};
use crate::components::{BackLink, BottomBar, ErrorSummary, FormState, focus_summary, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::wizard::fields::Field;
use crate::wizard::{FieldPath, Section, Step, Wizard, summary_entries};

/// The eligibility page.
#[component]
pub fn EligibilityPage() -> impl IntoView {
    let step = Step::Eligibility;
    guard(&step);
    let w = expect_context::<Wizard>();
    let form = FormState::provide();
    title_from(|m| m.eligibility_title);
    focus_heading();
    let summary = NodeRef::new();
    let intro = w.def.with_value(|d| d.eligibility.intro.clone());
    let questions = move || {
        let visible = w.eval.with(|e| e.questions.clone());
        w.def.with_value(|d| {
            d.eligibility
                .questions
                .iter()
                .filter(|q| visible.contains(&q.id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let errors = Signal::derive(move || {
        if !form.attempted.get() {
            return Vec::new();
        }
        summary_entries(&w, |p| p.section == Section::Eligibility)
    });
    let outcome = move || w.eval.with(|e| e.eligibility.clone());
    let next = next_fn(step.clone());
    let go_on = next.clone();
    let on_continue = Callback::new(move |()| {
        form.attempted.set(true);
        match outcome() {
            EligibilityOutcome::Eligible => next(),
            EligibilityOutcome::Incomplete { .. } => focus_summary(summary),
            // The explanation below is already on screen; move the reader to it. With a
            // fallback, its own button goes on once it has been read.
            EligibilityOutcome::NotEligible { .. } | EligibilityOutcome::Partial { .. } => {
                crate::dom::focus_later("not-eligible");
            }
        }
    });
    view! {
        <BackLink href=back_url(&step) />
        <ErrorSummary errors node_ref=summary />
        <h1>{tr(|m| m.eligibility_title)}</h1>
        {intro.map(|i| view! { <p class="lead">{move || i.get(locale()).to_owned()}</p> })}
        <form novalidate on:submit=|ev| ev.prevent_default()>
            {move || questions()
                .into_iter()
                .map(|q| {
                    let p = FieldPath::fact(Section::Eligibility, &q.id);
                    view! { <Field fact=q path=p /> }
                })
                .collect_view()}
        </form>
        {move || {
            let (reasons, rest) = match outcome() {
                EligibilityOutcome::NotEligible { reasons } => (reasons, None),
                EligibilityOutcome::Partial { reasons, sub_items } => (reasons, Some(sub_items)),
                EligibilityOutcome::Incomplete { .. } | EligibilityOutcome::Eligible => return None,
            };
            let rest = rest.map(|ids| {
                w.def.with_value(|d| {
                    ids.iter()
                        .filter_map(|id| d.sub_item(id).map(|s| s.title.clone()))
                        .collect::<Vec<_>>()
                })
            });
            let go = go_on.clone();
            Some(view! { <NotEligible reasons rest go_on=Callback::new(move |()| go()) /> })
        }}
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}

/// Why the bundle does not apply and what to do instead; with the fallback of 情形, the
/// sub-items that can still be done here and a button to go on with them.
#[component]
fn NotEligible(
    /// The failed rules.
    reasons: Vec<IneligibleReason>,
    /// The titles of the sub-items that can still be done here, when the definition names some.
    rest: Option<Vec<Text>>,
    /// Goes on with them.
    go_on: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="notice notice-warning" id="not-eligible" tabindex="-1" role="status">
            <h2>{tr(|m| m.not_eligible_title)}</h2>
            {reasons
                .into_iter()
                .map(|r| view! {
                    <p>{move || r.explanation.get(locale()).to_owned()}</p>
                    <p><strong>{tr(|m| m.not_eligible_instead)}</strong> {move || r.fallback.get(locale()).to_owned()}</p>
                    {r.single_item.map(|link| {
                        let label = link.label;
                        view! {
                            <p>
                                <a class="single-item-link" href=link.href rel="noopener noreferrer">
                                    {move || label.get(locale()).to_owned()}
                                </a>
                            </p>
                        }
                    })}
                })
                .collect_view()}
            {rest.map(|titles| view! {
                <h3>{tr(|m| m.fallback_continue_heading)}</h3>
                <ul id="fallback-sub-items">
                    {titles.into_iter().map(|title| view! { <li>{move || title.get(locale()).to_owned()}</li> }).collect_view()}
                </ul>
                <div class="notice-actions">
                    <button type="button" class="button primary" id="fallback-continue" on:click=move |_| go_on.run(())>
                        {tr(|m| m.fallback_continue)}
                    </button>
                </div>
            })}
        </div>
    }
}
