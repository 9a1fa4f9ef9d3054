//! The task list: every section of the application with its status, so the person sees what is
//! done and what is left, and can go straight to any section they may open.

use leptos::prelude::*;
use onething_core::engine::{EligibilityOutcome, PageStatus};

use crate::components::title_from;
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::wizard::{Step, Wizard, steps};

/// The task-list page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let w = expect_context::<Wizard>();
    title_from(|m| m.tasks_title);
    focus_heading();
    let rows = move || {
        let lang = locale();
        let m = t();
        w.eval.with(|ev| {
            let mut rows: Vec<(String, String, &'static str, &'static str)> = Vec::new();
            let status_of =
                |step: &Step, complete: bool, errors: bool| -> (&'static str, &'static str) {
                    if complete {
                        (m.status_complete, "complete")
                    } else if errors {
                        (m.status_errors, "errors")
                    } else if steps::reachable(ev, step) {
                        (m.status_in_progress, "in-progress")
                    } else {
                        (m.status_not_started, "not-started")
                    }
                };
            let el = matches!(ev.eligibility, EligibilityOutcome::NotEligible { .. });
            let (s, c) = status_of(
                &Step::Eligibility,
                steps::is_complete(ev, &Step::Eligibility),
                el,
            );
            rows.push((
                w.url(&Step::Eligibility),
                m.eligibility_title.to_owned(),
                s,
                c,
            ));
            let (s, c) = status_of(
                &Step::SubItems,
                steps::is_complete(ev, &Step::SubItems),
                false,
            );
            rows.push((w.url(&Step::SubItems), m.sub_items_title.to_owned(), s, c));
            for p in ev.pages.iter().filter(|p| p.visible) {
                let step = Step::Page(p.id.clone());
                let title = w.def.with_value(|d| {
                    d.pages
                        .iter()
                        .find(|x| x.id == p.id)
                        .map(|x| x.title.get(lang).to_owned())
                        .unwrap_or_default()
                });
                let (s, c) = match p.status {
                    PageStatus::Complete => (m.status_complete, "complete"),
                    PageStatus::HasErrors => (m.status_errors, "errors"),
                    PageStatus::InProgress => (m.status_in_progress, "in-progress"),
                    PageStatus::NotStarted => (m.status_not_started, "not-started"),
                };
                rows.push((w.url(&step), title, s, c));
            }
            if !ev.materials.is_empty() {
                let (s, c) = status_of(
                    &Step::Materials,
                    steps::is_complete(ev, &Step::Materials),
                    false,
                );
                rows.push((w.url(&Step::Materials), m.materials_title.to_owned(), s, c));
            }
            rows
        })
    };
    let resume = move || w.url(&w.eval.with(steps::first_incomplete));
    view! {
        <h1>{tr(|m| m.tasks_title)}</h1>
        <ol class="task-list">
            {move || rows()
                .into_iter()
                .map(|(href, title, status, class)| view! {
                    <li class="task">
                        <a href=crate::router::href(&href) class="task-link">{title}</a>
                        <span class=format!("status status-{class}")>{status}</span>
                    </li>
                })
                .collect_view()}
        </ol>
        <super::privacy::ConsentStatus />
        <div class="bottom-bar">
            <a href=move || crate::router::href(&resume()) class="button primary block">{tr(|m| m.continue_)}</a>
        </div>
    }
}
