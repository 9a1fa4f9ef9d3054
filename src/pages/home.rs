//! `/`: the service catalogue, from the page's own data (`crate::boot`) or fetched from the API.

use leptos::prelude::*;
use onething_core::api::ServiceSummary;

use crate::api;
use crate::components::{LoadError, loaded, set_title};
use crate::i18n::{count, t};
use crate::prefs::locale;
use crate::wizard::outbox;

/// The home page.
#[component]
pub fn Home(
    /// The catalogue when the page came with it (`crate::boot`, or the build's prerendering):
    /// shown at once instead of asking the API.
    #[prop(default = None)]
    preloaded: Option<Vec<ServiceSummary>>,
) -> impl IntoView {
    Effect::new(move || set_title(t().home_title));
    view! {
        <h1>{move || t().home_title}</h1>
        <p class="lead">{move || t().home_intro}</p>
        <p><a href=crate::router::href("/applications") class="my-apps-link">{move || t().apps_title}</a></p>
        {move || (!outbox::queued().with(Vec::is_empty)).then(|| view! {
            <p class="notice notice-warning" role="status">{t().label_value.replace("{a}", t().outbox_heading).replace("{b}", t().outbox_item)}</p>
        })}
        {match preloaded {
            Some(list) => view! { <ServiceCards list /> }.into_any(),
            None => loaded(api::list_services, |t| t.services_loading, |answer, on_retry| match answer {
                Ok(list) => view! { <ServiceCards list /> }.into_any(),
                Err(error) => view! { <LoadError error on_retry /> }.into_any(),
            })
            .into_any(),
        }}
    }
}

/// One card per service, each a link to its landing page.
#[component]
fn ServiceCards(
    /// The catalogue.
    list: Vec<ServiceSummary>,
) -> impl IntoView {
    view! {
        <ul class="cards" aria-label=move || t().home_title>
            {list
                .into_iter()
                .map(|s| {
                    let href = format!("/services/{}", s.id);
                    let id = s.id.clone();
                    let (title, summary, n) = (s.title, s.summary, s.sub_item_count);
                    view! {
                        <li class="card">
                            <a href=crate::router::href(&href) class="card-link">
                                <span class="card-title">{move || title.get(locale()).to_owned()}</span>
                                <span class="card-summary">{move || summary.get(locale()).to_owned()}</span>
                                <span class="card-meta">{move || count(t().service_item_count_one, t().service_item_count, n)}</span>
                                {move || outbox::queued().with(|q| q.contains(&id)).then(|| view! {
                                    <span class="badge">{t().outbox_item}</span>
                                })}
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
