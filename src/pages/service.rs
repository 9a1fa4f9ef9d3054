//! `/services/:id`: a one-thing's landing page: what it is and the items it bundles.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use onething_core::ServiceDefinition;

use crate::api;
use crate::components::{LoadError, SubItemList, set_title};
use crate::i18n::t;
use crate::prefs::locale;

/// The service landing page.
#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params_map();
    let service = LocalResource::new(move || {
        let id = params.read().get("id").unwrap_or_default();
        async move { api::get_service(&id).await }
    });
    view! {
        <A href=crate::config::href("/") attr:class="back-link">{move || t().back_to_services}</A>
        <Suspense fallback=move || {
            view! { <p class="loading" role="status">{move || t().services_loading}</p> }
        }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(def) => view! { <Landing def /> }.into_any(),
                    Err(error) => {
                        let on_retry = Callback::new(move |()| service.refetch());
                        view! { <LoadError error on_retry /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The landing page's content once the definition has arrived.
#[component]
fn Landing(
    /// The service definition.
    def: ServiceDefinition,
) -> impl IntoView {
    let reduction = onething_core::engine::reduction(&def);
    let title = def.title.clone();
    Effect::new(move || set_title(title.get(locale())));
    let (title, summary) = (def.title, def.summary);
    view! {
        <h1>{move || title.get(locale()).to_owned()}</h1>
        <p class="lead">{move || summary.get(locale()).to_owned()}</p>
        <section aria-labelledby="sub-items-heading">
            <h2 id="sub-items-heading">{move || t().sub_items_heading}</h2>
            <p>{move || t().sub_items_intro}</p>
            <SubItemList items=def.sub_items.clone() />
        </section>
        <Reduction r=reduction />
        <div class="bottom-bar">
            <A href=crate::config::href(format!("/apply/{}", def.id)) attr:class="button primary block">{move || t().start}</A>
        </div>
    }
}

/// The reform's figures for this bundle: forms, materials and time, before and after.
#[component]
fn Reduction(
    /// The figures the engine computed from the definition.
    r: onething_core::engine::Reduction,
) -> impl IntoView {
    let rows = [
        (t().reduction_forms, r.forms_before, r.forms_after),
        (
            t().reduction_materials,
            r.material_requests_before,
            r.materials_after,
        ),
        (
            t().reduction_days,
            r.time_limit_days_before as usize,
            r.time_limit_days_after as usize,
        ),
    ];
    let reported = r.reported;
    view! {
        <section aria-labelledby="reduction-heading">
            <h2 id="reduction-heading">{move || t().reduction_heading}</h2>
            <ul class="figures">
                {rows
                    .into_iter()
                    .map(|(label, before, after)| view! {
                        <li class="figure">
                            <span class="figure-value">{before} " → " {after}</span>
                            <span class="figure-label">{label}</span>
                        </li>
                    })
                    .collect_view()}
            </ul>
            {(!reported.is_empty()).then(|| view! {
                <ul class="plain-list">
                    {reported
                        .into_iter()
                        .map(|f| view! {
                            <li>
                                {move || format!("{}：{} → {}（{}）", f.label.get(locale()), f.before, f.after, f.source.get(locale()))}
                            </li>
                        })
                        .collect_view()}
                </ul>
            })}
        </section>
    }
}
