//! `/services/:id`: a one-thing's landing page: what it is, the items it bundles, and its
//! service guide (办事指南, [`guide`]).

mod guide;

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::definition::{Guide, Material};

use crate::api;
use crate::components::{LoadError, SubItemList, loaded, set_title};
use crate::i18n::t;
use crate::prefs::locale;

/// How a landing page shows its definition's guide (the service id, the `[guide]` section, the
/// materials). The whole app and the build render it from the data ([`ServicePage`]); the first
/// page's module keeps the prerendered guide instead (`crate::lite`), so that the guide's
/// rendering is not linked into it.
pub type GuideView = fn(String, Guide, Vec<Material>) -> AnyView;

/// The service landing page, its guide rendered from the definition.
#[component]
pub fn ServicePage(
    /// The service id from the URL.
    id: String,
    /// The definition when the page came with it (`crate::boot`, or the build's
    /// prerendering): shown at once instead of asking the API.
    #[prop(default = None)]
    preloaded: Option<ServiceDefinition>,
) -> impl IntoView {
    view! { <ServicePageWith id preloaded guide=guide_from_data /> }
}

fn guide_from_data(_id: String, guide: Guide, materials: Vec<Material>) -> AnyView {
    view! { <guide::ServiceGuide guide materials /> }.into_any()
}

/// The service landing page, its guide shown by `guide`.
#[component]
pub fn ServicePageWith(
    /// The service id from the URL.
    id: String,
    /// The definition when the page came with it (`crate::boot`, or the build's
    /// prerendering): shown at once instead of asking the API.
    preloaded: Option<ServiceDefinition>,
    /// Shows the guide.
    guide: GuideView,
) -> impl IntoView {
    let fetch = move || {
        let id = id.clone();
        async move { api::get_service(&id).await }
    };
    view! {
        <a href=crate::router::href("/") class="back-link">{move || t().back_to_services}</a>
        {match preloaded {
            Some(def) => view! { <Landing def guide /> }.into_any(),
            None => loaded(fetch, |t| t.services_loading, move |answer, on_retry| match answer {
                Ok(def) => view! { <Landing def guide /> }.into_any(),
                Err(error) => view! { <LoadError error on_retry /> }.into_any(),
            })
            .into_any(),
        }}
    }
}

/// The landing page's content once the definition has arrived.
#[component]
fn Landing(
    /// The service definition.
    def: ServiceDefinition,
    /// Shows the guide.
    guide: GuideView,
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
        {def.guide.map(|g| guide(def.id.clone(), g, def.materials))}
        <Reduction r=reduction />
        <div class="bottom-bar">
            <a href=crate::router::href(&format!("/apply/{}", def.id)) class="button primary block">{move || t().start}</a>
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
                                {move || format!("{}：{}（{}）", f.label.get(locale()), f.figure(), f.source.get(locale()))}
                            </li>
                        })
                        .collect_view()}
                </ul>
            })}
        </section>
    }
}
