//! Tracking after submission: `/applications` lists the person's cases, `/applications/:id`
//! follows one of them live (sub-items, timeline, supplement requests, consent requests,
//! deliveries, rating).

mod consents;
mod detail;
mod items;
mod live;
mod rating;
mod stages;
mod submitted;
mod supplement;
mod withdraw;

use leptos::prelude::*;
use onething_core::Text;
use onething_core::api::{ApplicationStatus, ApplicationSummary};

use crate::api::{self, FetchError};
use crate::components::{LoadError, loaded, title_from};
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;

pub use detail::ApplicationPage;

/// One line of the list: the case (whose summary says whether a rating is open and whether a
/// consent request waits) and its service's name.
#[derive(Clone)]
struct Line {
    summary: ApplicationSummary,
    title: Option<Text>,
}

/// The person's applications with the service names: two requests, however many cases.
async fn load() -> Result<Vec<Line>, FetchError> {
    crate::session::ensure().await?;
    let list = api::list_applications().await?;
    let services = api::list_services().await.unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|summary| {
            let title = services
                .iter()
                .find(|s| s.id == summary.service_id)
                .map(|s| s.title.clone());
            Line { summary, title }
        })
        .collect())
}

/// Fills a `{a}`…`{b}` message (`营业执照：已受理`, `Business licence: Accepted`).
pub(crate) fn pair(template: &str, a: &str, b: &str) -> String {
    template.replace("{a}", a).replace("{b}", b)
}

/// The translated state of a whole case.
pub(crate) fn case_status(s: ApplicationStatus) -> &'static str {
    match s {
        ApplicationStatus::InProgress => t().case_in_progress,
        ApplicationStatus::ActionRequired => t().case_action_required,
        ApplicationStatus::Completed => t().case_completed,
        ApplicationStatus::Withdrawn => t().case_withdrawn,
    }
}

/// A UTC instant (RFC 3339) as the person's local date and, with `time`, hour and minute.
pub(crate) fn local(at: &str, time: bool) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(at));
    let date = format!(
        "{}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    );
    if time {
        format!("{date} {:02}:{:02}", d.get_hours(), d.get_minutes())
    } else {
        date
    }
}

/// `/applications`: my applications.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    title_from(|m| m.apps_title);
    let signed_out = RwSignal::new(false);
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            crate::session::sign_out().await;
            signed_out.set(true);
            crate::dom::focus_later("signed-out");
        });
    };
    view! {
        <h1>{tr(|m| m.apps_title)}</h1>
        {move || signed_out.get().then(|| view! {
            <p class="notice" id="signed-out" tabindex="-1" role="status">{t().sign_out_done}</p>
        })}
        {loaded(load, |t| t.apps_loading, move |answer, on_retry| match answer {
            // Signing out is offered only to someone signed in (not beside a failed sign-in).
            Ok(list) => {
                let out = move || (!signed_out.get()).then(|| view! {
                    <p>
                        <button type="button" class="button secondary" on:click=sign_out>{tr(|m| m.sign_out)}</button>
                    </p>
                });
                if list.is_empty() {
                    view! {
                        <p>{tr(|m| m.apps_empty)}</p>
                        <a href=crate::router::href("/") class="button secondary">{tr(|m| m.back_to_services)}</a>
                        {out}
                    }.into_any()
                } else {
                    view! { <Cards list /> {out} }.into_any()
                }
            }
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        })}
    }
}

/// One card per case, each a link to its detail.
#[component]
fn Cards(
    /// The cases, newest first.
    list: Vec<Line>,
) -> impl IntoView {
    view! {
        <ul class="cards">
            {list
                .into_iter()
                .map(|line| {
                    let Line { summary: s, title } = line;
                    let (can_rate, consent) = (s.can_rate, s.pending_consents > 0);
                    let href = format!("/applications/{}", s.id);
                    let status = s.status;
                    let needs = status == ApplicationStatus::ActionRequired;
                    let date = local(&s.submitted_at, false);
                    view! {
                        <li class="card">
                            <a href=crate::router::href(&href) class="card-link">
                                <span class="card-title">
                                    {move || title.as_ref().map_or_else(|| t().apps_title.to_owned(), |x| x.get(locale()).to_owned())}
                                </span>
                                <span class="card-meta">{move || format!("{} {}", t().case_number_label, s.case_number)}</span>
                                <span class="card-meta">{move || with_n(t().apps_submitted, &date)}</span>
                                <span class="card-badges">
                                    <span class=format!("status case-{}", if needs { "action" } else if status == ApplicationStatus::Completed { "done" } else if status == ApplicationStatus::Withdrawn { "withdrawn" } else { "open" })>
                                        {move || case_status(status)}
                                    </span>
                                    {needs.then(|| view! { <span class="badge badge-alert">{tr(|m| m.apps_needs_you)}</span> })}
                                    {consent.then(|| view! { <span class="badge badge-alert">{tr(|m| m.apps_consent_pending)}</span> })}
                                    {can_rate.then(|| view! { <span class="badge badge-alert">{tr(|m| m.apps_can_rate)}</span> })}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
