//! The situation questions (情形选择) first: when the bundle does not apply, say why and what to
//! do instead (single-item handling).

use leptos::prelude::*;
use onething_core::engine::EligibilityOutcome;

use super::{back_url, guard, next_fn};
use crate::components::{BackLink, BottomBar, ErrorSummary, FormState, focus_summary, set_title};
use crate::dom::focus_heading;
use crate::i18n::t;
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
    Effect::new(move || set_title(t().eligibility_title));
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
    let on_continue = Callback::new(move |()| {
        form.attempted.set(true);
        match outcome() {
            EligibilityOutcome::Eligible => next(),
            EligibilityOutcome::Incomplete { .. } => focus_summary(summary),
            // The explanation below is already on screen; move the reader to it.
            EligibilityOutcome::NotEligible { .. } => {
                crate::dom::focus_later("not-eligible");
            }
        }
    });
    view! {
        <BackLink href=back_url(&step) />
        <ErrorSummary errors node_ref=summary />
        <h1>{move || t().eligibility_title}</h1>
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
        {move || match outcome() {
            EligibilityOutcome::NotEligible { reasons } => Some(view! {
                <div class="notice notice-warning" id="not-eligible" tabindex="-1" role="status">
                    <h2>{move || t().not_eligible_title}</h2>
                    {reasons
                        .into_iter()
                        .map(|r| view! {
                            <p>{move || r.explanation.get(locale()).to_owned()}</p>
                            <p><strong>{move || t().not_eligible_instead}</strong> {move || r.fallback.get(locale()).to_owned()}</p>
                        })
                        .collect_view()}
                </div>
            }),
            _ => None,
        }}
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}
