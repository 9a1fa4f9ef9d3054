//! `/applications/:id`: one case, followed live.

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::{ApplicationDetail, ConsentStatus, SubItemStatus};

use super::consents::{Consents, announce};
use super::items::{ItemRows, Timeline, item_status, text, title};
use super::rating::RatingSection;
use super::submitted::SubmittedSection;
use super::supplement::Supplements;
use super::withdraw::{ItemWithdrawSection, WithdrawSection};
use super::{case_status, live, local, pair};
use crate::api::{self, FetchError};
use crate::components::{LoadError, loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr, with_n};

async fn load(id: String) -> Result<(ApplicationDetail, ServiceDefinition), FetchError> {
    crate::session::ensure().await?;
    let detail = api::get_application(&id).await?;
    let def = api::get_service(&detail.service_id).await?;
    Ok((detail, def))
}

/// The application page.
#[component]
pub fn ApplicationPage(
    /// The case id from the URL.
    id: String,
) -> impl IntoView {
    title_from(|m| m.app_title);
    view! {
        <a href=crate::router::href("/applications") class="back-link">{tr(|m| m.apps_title)}</a>
        {loaded(move || load(id.clone()), |t| t.apps_loading, |answer, on_retry| match answer {
            Ok((detail, def)) => view! { <Tracker detail def /> }.into_any(),
            Err(error) => view! { <h1>{tr(|m| m.app_title)}</h1><LoadError error on_retry /> }.into_any(),
        })}
    }
}

/// The case, kept current by the live connection.
#[component]
fn Tracker(
    /// The case as first loaded.
    detail: ApplicationDetail,
    /// Its service definition.
    def: ServiceDefinition,
) -> impl IntoView {
    let service = def.title.clone();
    let def = StoredValue::new(def);
    let (id, case) = (detail.id.clone(), detail.case_number.clone());
    let submitted = local(&detail.submitted_at, false);
    let detail = RwSignal::new(detail);
    live::follow(id.clone(), detail);
    focus_heading();
    // What changed since the last render, for the polite announcement.
    let changes = RwSignal::new(Vec::<(String, SubItemStatus)>::new());
    Effect::new(move |prev: Option<Vec<(String, SubItemStatus)>>| {
        detail.with(|d| {
            if let Some(old) = prev {
                let c = live::changed(&old, d);
                if !c.is_empty() {
                    changes.set(c);
                }
            }
            d.items
                .iter()
                .map(|i| (i.sub_item_id.clone(), i.status))
                .collect()
        })
    });
    // Consent answers from the other person, announced the same polite way.
    let consent_news = RwSignal::new(None::<ConsentStatus>);
    Effect::new(move |prev: Option<Vec<(String, ConsentStatus)>>| {
        detail.with(|d| {
            let now: Vec<(String, ConsentStatus)> = d
                .consents
                .iter()
                .map(|c| (c.code.clone(), c.status))
                .collect();
            if let Some(old) = prev
                && let Some((_, s)) = now.iter().find(|n| !old.contains(n))
            {
                consent_news.set(Some(*s));
            }
            now
        })
    });
    let announcement = move || {
        let c = changes.get();
        if c.is_empty() {
            return String::new();
        }
        let parts: Vec<String> = def.with_value(|def| {
            c.iter()
                .map(|(i, s)| pair(t().label_value, &title(def, i), item_status(*s)))
                .collect()
        });
        format!("{}{}", t().live_updated, parts.join(t().list_sep))
    };
    view! {
        <h1>{move || text(&service)}</h1>
        <p class="case-line">{tr(|m| m.case_number_label)}" "<strong class="case-no">{case}</strong></p>
        <p class="sub-item-meta">{move || with_n(t().apps_submitted, &submitted)}</p>
        {move || detail.with(|d| d.definition_version.clone()).map(|v| view! { <p class="sub-item-meta definition-version">{with_n(t().case_definition_version, v)}</p> })}
        <p class="case-state">{move || detail.with(|d| case_status(d.status))}</p>
        <p class="visually-hidden" aria-live="polite" aria-atomic="true">{announcement}</p>
        <p class="visually-hidden consent-live" aria-live="polite" aria-atomic="true">
            {move || consent_news.get().map(announce)}
        </p>
        <Consents detail def />
        <Supplements id=id.clone() detail def />
        <h2>{tr(|m| m.items_heading)}</h2>
        <ol class="sub-items"><ItemRows detail def /></ol>
        <RatingSection id=id.clone() detail />
        <SubmittedSection id=id.clone() def />
        <WithdrawSection id=id.clone() detail />
        <ItemWithdrawSection id detail def />
        <h2>{tr(|m| m.timeline_heading)}</h2>
        <ol class="timeline"><Timeline detail def /></ol>
    }
}
