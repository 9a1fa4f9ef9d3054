//! `/`: the service catalogue, fetched from the API.

use leptos::prelude::*;
use leptos_router::components::A;
use onething_core::api::ServiceSummary;

use crate::api;
use crate::components::{LoadError, set_title};
use crate::i18n::{count, t};
use crate::prefs::locale;

/// The home page.
#[component]
pub fn Home() -> impl IntoView {
    Effect::new(move || set_title(t().home_title));
    let services = LocalResource::new(api::list_services);
    view! {
        <h1>{move || t().home_title}</h1>
        <p class="lead">{move || t().home_intro}</p>
        <p><A href=crate::config::href("/applications") attr:class="my-apps-link">{move || t().apps_title}</A></p>
        <Suspense fallback=move || {
            view! { <p class="loading" role="status">{move || t().services_loading}</p> }
        }>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(list) => view! { <ServiceCards list /> }.into_any(),
                    Err(error) => {
                        let on_retry = Callback::new(move |()| services.refetch());
                        view! { <LoadError error on_retry /> }.into_any()
                    }
                }
            })}
        </Suspense>
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
                    let (title, summary, n) = (s.title, s.summary, s.sub_item_count);
                    view! {
                        <li class="card">
                            <A href=crate::config::href(href) attr:class="card-link">
                                <span class="card-title">{move || title.get(locale()).to_owned()}</span>
                                <span class="card-summary">{move || summary.get(locale()).to_owned()}</span>
                                <span class="card-meta">{move || count(t().service_item_count_one, t().service_item_count, n)}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
