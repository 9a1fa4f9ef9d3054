//! The error summary at the top of a page (GOV.UK pattern): shown when the person tries to
//! continue with problems, it takes focus so screen readers announce it, and each entry links to
//! its field. It has no id of its own: the question pages kept off the screen keep theirs in the
//! document too (`pages::apply::question`). Its content is an alert, read out as it appears.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::tr;

/// The summary; `errors` are (input id, message) in page order, a field's first error first.
#[component]
pub fn ErrorSummary(
    /// The problems to list.
    errors: Signal<Vec<(String, String)>>,
    /// Where the page keeps the summary, to focus it on Continue.
    node_ref: NodeRef<html::Div>,
) -> impl IntoView {
    view! {
        <div
            class="error-summary"
            node_ref=node_ref
            tabindex="-1"
            hidden=move || errors.with(Vec::is_empty)
        >
            // Announced when it appears, besides taking the focus (GOV.UK's pattern): a focused
            // plain `div` has no name of its own for every screen reader to read.
            <div role="alert">
            <h2>{tr(|m| m.error_summary_title)}</h2>
            <ul>
                {move || {
                    // One entry per field, its first error: the one the field itself shows (an
                    // empty field that a rule also concerns is "please fill in", not both).
                    let mut listed: Vec<String> = Vec::new();
                    errors
                        .get()
                        .into_iter()
                        .filter(|(id, _)| {
                            let first = !listed.contains(id);
                            if first {
                                listed.push(id.clone());
                            }
                            first
                        })
                        .map(|(id, msg)| {
                            let target = id.clone();
                            view! {
                                <li>
                                    <a
                                        href=format!("#{id}")
                                        on:click=move |ev| {
                                            // Focus the input itself, not only scroll to it.
                                            ev.prevent_default();
                                            crate::dom::focus_later(&target);
                                        }
                                    >
                                        {msg}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            </div>
        </div>
    }
}

/// Focuses the summary after it has rendered.
pub fn focus_summary(node_ref: NodeRef<html::Div>) {
    leptos::task::spawn_local(async move {
        leptos::task::tick().await;
        if let Some(el) = node_ref.try_get_untracked().flatten() {
            let _ = el.focus();
        }
    });
}
