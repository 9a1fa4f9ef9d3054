//! A question page generated from the definition: one topic per page, its visible questions,
//! inline validation once a field is left, and the error summary on Continue.

use leptos::prelude::*;
use onething_core::definition::FactKind;

use super::{back_url, continue_when_valid, guard};
use crate::components::{BackLink, BottomBar, ErrorSummary, FormState, set_title};
use crate::dom::focus_heading;
use crate::i18n::t;
use crate::prefs::locale;
use crate::wizard::fields::{Field, GroupField};
use crate::wizard::{FieldPath, Section, Step, Wizard, summary_entries};

/// The route `/apply/:id/page/:page`; re-created when the page changes.
#[component]
pub fn QuestionPage(
    /// The page id from the URL.
    page: String,
) -> impl IntoView {
    view! { <PageBody page_id=page /> }
}

/// One page's questions.
#[component]
fn PageBody(
    /// The page id.
    page_id: String,
) -> impl IntoView {
    let step = Step::Page(page_id.clone());
    guard(&step);
    let w = expect_context::<Wizard>();
    let form = FormState::provide();
    focus_heading();
    let summary = NodeRef::new();
    let page = w.def.with_value(|d| d.page(&page_id).cloned());
    let Some(page) = page else {
        return view! { <crate::pages::NotFound /> }.into_any();
    };
    let title = page.title.clone();
    Effect::new(move || set_title(title.get(locale())));
    let pid = page_id.clone();
    let visible = Memo::new(move |_| {
        w.eval.with(|e| {
            e.pages
                .iter()
                .find(|p| p.id == pid)
                .map(|p| p.facts.clone())
                .unwrap_or_default()
        })
    });
    let errors = Signal::derive(move || {
        if !form.attempted.get() {
            return Vec::new();
        }
        let facts = visible.get();
        summary_entries(&w, |p| {
            p.section == Section::Answers && facts.contains(&p.fact)
        })
    });
    let on_continue = continue_when_valid(step.clone(), form, errors, summary);
    let (title, intro) = (page.title.clone(), page.intro.clone());
    view! {
        <BackLink href=back_url(&step) />
        <ErrorSummary errors node_ref=summary />
        <h1>{move || title.get(locale()).to_owned()}</h1>
        {intro.map(|i| view! { <p class="lead">{move || i.get(locale()).to_owned()}</p> })}
        <form novalidate on:submit=|ev| ev.prevent_default()>
            {move || {
                visible
                    .get()
                    .into_iter()
                    .filter_map(|id| w.def.with_value(|d| d.facts.iter().find(|f| f.id == id).cloned()))
                    .map(|fact| {
                        let path = FieldPath::fact(Section::Answers, &fact.id);
                        if fact.kind == FactKind::Group {
                            view! { <GroupField fact path /> }.into_any()
                        } else {
                            view! { <Field fact path /> }.into_any()
                        }
                    })
                    .collect_view()
            }}
        </form>
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
    .into_any()
}
