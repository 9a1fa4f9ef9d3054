//! `/services/:id`: a one-thing's landing page: what it is, the items it bundles, and its
//! service guide (办事指南, [`guide`]).

mod guide;
mod share;

use leptos::prelude::*;
use onething_core::ServiceDefinition;

use crate::api;
use crate::boot::Landing;
use crate::components::{LoadError, SubItemList, loaded, set_title};
use crate::i18n::{t, tr};
use crate::prefs::locale;

/// The service landing page, its guide rendered from the definition: the whole app's and the
/// build's. The first page's module shows the same page from the smaller data it came with
/// ([`ServicePageFrom`]), keeping the prerendered guide instead of rendering it.
#[component]
pub fn ServicePage(
    /// The service id from the URL.
    id: String,
    /// The definition when the page came with it (the build's prerendering): shown at once
    /// instead of asking the API.
    #[prop(default = None)]
    preloaded: Option<ServiceDefinition>,
) -> impl IntoView {
    let fetch = move || {
        let id = id.clone();
        async move { api::get_service(&id).await }
    };
    view! {
        <a href=crate::router::href("/") class="back-link">{tr(|m| m.back_to_services)}</a>
        {match preloaded {
            Some(def) => from_definition(def),
            None => loaded(fetch, |t| t.services_loading, move |answer, on_retry| match answer {
                Ok(def) => from_definition(def),
                Err(error) => view! { <LoadError error on_retry /> }.into_any(),
            })
            .into_any(),
        }}
    }
}

fn from_definition(def: ServiceDefinition) -> AnyView {
    let data = Landing::of(&def);
    // 亮晒: a one-thing whose results are published links to the public list from its guide.
    let published = def.sub_items.iter().any(|s| {
        s.outcome
            .as_ref()
            .is_some_and(|o| o.kind == onething_core::definition::OutcomeKind::Publication)
    });
    let (id, title, summary) = (def.id, def.title, def.summary);
    let guide = def.guide.map(|guide| {
        view! { <guide::ServiceGuide id title summary guide materials=def.materials published /> }
            .into_any()
    });
    view! { <LandingContent data guide /> }.into_any()
}

/// The service landing page from its landing data (`crate::boot`), with `guide` in the guide's
/// place: the same markup as [`ServicePage`].
#[component]
pub fn ServicePageFrom(
    /// What the page shows of the definition.
    data: Landing,
    /// The guide, when the definition has one.
    guide: Option<AnyView>,
) -> impl IntoView {
    view! {
        <a href=crate::router::href("/") class="back-link">{tr(|m| m.back_to_services)}</a>
        <LandingContent data guide />
    }
}

/// The landing page's content once the definition has arrived.
#[component]
fn LandingContent(
    /// What the page shows of the definition.
    data: Landing,
    /// The guide, when the definition has one.
    guide: Option<AnyView>,
) -> impl IntoView {
    let title = data.title.clone();
    Effect::new(move || set_title(title.get(locale())));
    let (title, summary) = (data.title, data.summary);
    view! {
        <h1>{move || title.get(locale()).to_owned()}</h1>
        <p class="lead">{move || summary.get(locale()).to_owned()}</p>
        <section aria-labelledby="sub-items-heading">
            <h2 id="sub-items-heading">{tr(|m| m.sub_items_heading)}</h2>
            <p>{tr(|m| m.sub_items_intro)}</p>
            <SubItemList items=data.sub_items />
        </section>
        {guide}
        <Reduction r=data.reduction />
        <div class="bottom-bar">
            <a href=crate::router::href(&format!("/apply/{}", data.id)) class="button primary block">{tr(|m| m.start)}</a>
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
            <h2 id="reduction-heading">{tr(|m| m.reduction_heading)}</h2>
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
