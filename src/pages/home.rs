//! `/`: the service catalogue, from the page's own data (`crate::boot`) or fetched from the API,
//! with a search over it ([`search`]).

pub mod drafts;
pub mod search;

use leptos::prelude::*;
use onething_core::api::ServiceSummary;

use crate::api;
use crate::components::{LoadError, loaded, title_from};
use crate::i18n::{count, t, tr};
use crate::prefs::locale;
use crate::wizard::outbox;
use search::SearchData;

/// The home page.
#[component]
pub fn Home(
    /// The catalogue when the page came with it (`crate::boot`, or the build's prerendering):
    /// shown at once instead of asking the API.
    #[prop(default = None)]
    preloaded: Option<Vec<ServiceSummary>>,
    /// The catalogue's search data (the build's prerendering); else read from the page's data.
    #[prop(default = None)]
    search: Option<SearchData>,
) -> impl IntoView {
    title_from(|m| m.home_title);
    let search = search.or_else(crate::boot::search);
    view! {
        <h1>{tr(|m| m.home_title)}</h1>
        <p class="lead">{tr(|m| m.home_intro)}</p>
        <p>
            <a href=crate::router::href("/applications") class="my-apps-link">{tr(|m| m.apps_title)}</a>
            " "
            <a href=crate::router::href("/drafts") class="my-apps-link my-drafts-link">{tr(|m| m.drafts_title)}</a>
            " "
            <crate::pages::UnreadLink />
        </p>
        <RefusedSubmissions />
        {move || (!outbox::queued().with(Vec::is_empty)).then(|| view! {
            <p class="notice notice-warning" role="status">{t().label_value.replace("{a}", t().outbox_heading).replace("{b}", t().outbox_item)}</p>
        })}
        {match preloaded {
            Some(list) => view! { <ServiceCards list search /> }.into_any(),
            None => loaded(api::list_services, |t| t.services_loading, move |answer, on_retry| match answer {
                Ok(list) => view! { <ServiceCards list search=search.clone() /> }.into_any(),
                Err(error) => view! { <LoadError error on_retry /> }.into_any(),
            })
            .into_any(),
        }}
    }
}

/// The search box, then one card per service, each a link to its landing page; the cards the
/// query does not find are hidden.
#[component]
fn ServiceCards(
    /// The catalogue.
    list: Vec<ServiceSummary>,
    /// The catalogue's search data, when the page has it.
    search: Option<SearchData>,
) -> impl IntoView {
    let (typed, focused) = search::typed();
    let q = RwSignal::new(typed);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(i) = input.get().filter(|_| focused) {
            let _ = i.focus();
        }
    });
    let all = list.clone();
    let found = Memo::new(move |_| q.with(|q| search::find(&all, search.as_ref(), q)));
    let status = move || {
        if q.with(|q| q.trim().is_empty()) {
            return String::new();
        }
        match found.with(Vec::len) {
            0 => t().search_none.to_owned(),
            n => count(t().search_found_one, t().search_found, n),
        }
    };
    view! {
        <div class="search" role="search">
            <label class="label" for="service-search">{tr(|m| m.search_label)}</label>
            <p class="hint" id="service-search-hint">{tr(|m| m.search_hint)}</p>
            <input node_ref=input id="service-search" type="search" autocomplete="off" aria-describedby="service-search-hint"
                prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
        </div>
        <p class="search-status" role="status">{status}</p>
        <ul class="cards" aria-label=tr(|m| m.home_title)>
            {list
                .into_iter()
                .map(|s| {
                    let href = format!("/services/{}", s.id);
                    let id = s.id.clone();
                    let (title, summary, n) = (s.title, s.summary, s.sub_item_count);
                    let hide = id.clone();
                    view! {
                        <li class="card" hidden=move || found.with(|f| !f.contains(&hide))>
                            <a href=crate::router::href(&href) class="card-link">
                                <span class="card-title">{move || title.get(locale()).to_owned()}</span>
                                <span class="card-summary">{move || summary.get(locale()).to_owned()}</span>
                                <span class="card-meta">{move || count(t().service_item_count_one, t().service_item_count, n)}</span>
                                {move || outbox::queued().with(|q| q.iter().any(|k| crate::wizard::draft::service_of(k) == id)).then(|| view! {
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

/// Queued submissions the server refused when they were sent: never dropped silently. Each says
/// why and opens its draft to fix it (the check page shows what the engine finds wrong); the
/// notice goes when it is submitted again, or put aside on its declaration page. (Only the
/// whole app has any: the first page's module hands over while one is kept.)
#[component]
fn RefusedSubmissions() -> impl IntoView {
    move || {
        outbox::refused()
            .get()
            .into_iter()
            .map(|(key, refusal)| {
                let href = crate::router::href(&format!("/apply/{key}/check"));
                let fix = if refusal.is_validation() {
                    t().outbox_refused_validation
                } else {
                    t().outbox_refused_other
                };
                view! {
                    <div class="notice notice-error outbox-refused" role="alert" data-key=key.clone()>
                        <p><strong>{t().outbox_refused_heading}</strong></p>
                        <p>{refusal.error().message(t())}</p>
                        <p>{fix}</p>
                        <a href=href class="button primary">{t().outbox_refused_open}</a>
                    </div>
                }
            })
            .collect_view()
    }
}
