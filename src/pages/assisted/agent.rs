//! `/assisted`: the agent's desk. Start a case for a named citizen (name and ID number checked
//! with the engine's validators, the number masked unless being typed), and follow the cases
//! already helped with: status only, the citizen's name masked.

use leptos::prelude::*;
use onething_core::EngineError;
use onething_core::api::{AssistedCase, AssistedStart, ServiceSummary};
use onething_core::definition::IdType;
use onething_core::engine::validators;

use super::{error_text, status_text, why_text};
use crate::api::{self, FetchError};
use crate::components::{loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::pages::applications::local;
use crate::prefs::locale;

async fn load() -> Result<(Vec<ServiceSummary>, Vec<AssistedCase>), FetchError> {
    crate::session::ensure().await?;
    let cases = api::assisted::list().await?;
    let services = api::list_services().await?;
    Ok((services, cases))
}

/// `/assisted`.
#[component]
pub fn AgentPage() -> impl IntoView {
    title_from(|m| m.assisted_title);
    view! {
        {loaded(load, |t| t.assisted_loading, |answer, on_retry| match answer {
            Ok((services, cases)) => view! { <Desk services cases /> }.into_any(),
            Err(error @ FetchError::Api { status: 401 | 403, .. }) => view! {
                <h1>{tr(|m| m.assisted_title)}</h1>
                <p class="notice notice-error" role="alert">{move || error_text(&error, t())}</p>
            }.into_any(),
            Err(error) => view! {
                <h1>{tr(|m| m.assisted_title)}</h1>
                <crate::components::LoadError error on_retry />
            }.into_any(),
        })}
    }
}

/// The start form and the list.
#[component]
fn Desk(
    /// The catalogue.
    services: Vec<ServiceSummary>,
    /// The agent's cases.
    cases: Vec<AssistedCase>,
) -> impl IntoView {
    focus_heading();
    view! {
        <h1>{tr(|m| m.assisted_title)}</h1>
        <p>{tr(|m| m.assisted_intro)}</p>
        <StartForm services />
        <section class="assisted-cases" aria-labelledby="assisted-cases-heading">
            <h2 id="assisted-cases-heading">{tr(|m| m.assisted_cases_heading)}</h2>
            {if cases.is_empty() {
                view! { <p class="hint">{tr(|m| m.assisted_cases_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="assisted-list">
                        {cases.into_iter().map(|c| view! { <CaseItem case=c /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One case in the agent's list.
#[component]
fn CaseItem(
    /// The case.
    case: AssistedCase,
) -> impl IntoView {
    let href = crate::router::href(&format!("/assisted/cases/{}", case.id));
    let title = case.service_title.clone();
    let status = case.status;
    let name = case.citizen_name.clone();
    let when = case.submitted_at.clone().unwrap_or(case.created_at.clone());
    view! {
        <li class="assisted-item">
            <a href=href class="assisted-item-link">
                <span class="assisted-item-title">{move || title.get(locale()).to_owned()}" · "{name.clone()}</span>
                <span class=format!("status assisted-{}", status.as_str())>{move || status_text(status, t())}</span>
            </a>
            <span class="hint">{local(&when, true)}</span>
            {case.case_number.clone().map(|n| view! { <span class="hint">{tr(|m| m.assisted_case_number)}" "{n.clone()}</span> })}
            {why_text(status, t()).map(|_| view! { <span class="hint">{move || why_text(status, t()).unwrap_or_default()}</span> })}
        </li>
    }
}

/// The citizen's name and ID number, checked before the server is asked.
#[component]
fn StartForm(
    /// The catalogue.
    services: Vec<ServiceSummary>,
) -> impl IntoView {
    let first = services.first().map(|s| s.id.clone()).unwrap_or_default();
    let service = RwSignal::new(
        services
            .iter()
            .find(|s| s.id == "newborn")
            .map_or(first, |s| s.id.clone()),
    );
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let editing_id = RwSignal::new(false);
    let errors = RwSignal::new((None::<EngineError>, None::<EngineError>));
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<FetchError>);
    let r = crate::router::use_router();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let today = crate::wizard::today();
        let n = validators::person_name(&name.get_untracked(), false).err();
        let i = validators::id_number(IdType::ResidentId, &id_number.get_untracked(), today).err();
        let bad = (n, i);
        errors.set(bad);
        if bad.0.is_some() {
            crate::dom::focus_later("assisted-name");
            return;
        }
        if bad.1.is_some() {
            crate::dom::focus_later("assisted-id");
            return;
        }
        busy.set(true);
        failure.set(None);
        let req = AssistedStart {
            service_id: service.get_untracked(),
            citizen_name: name.get_untracked().trim().to_owned(),
            citizen_id_number: id_number.get_untracked().trim().to_owned(),
        };
        leptos::task::spawn_local(async move {
            match api::assisted::start(&req).await {
                Ok(case) => {
                    let key = super::begin(&case, &req.citizen_name, &req.citizen_id_number);
                    r.navigate(&format!("/apply/{key}"), false);
                }
                Err(e) => {
                    failure.set(Some(e));
                    crate::dom::focus_later("assisted-start-failure");
                }
            }
            busy.set(false);
        });
    };
    let masked = move || {
        let v = id_number.get();
        (!editing_id.get() && !v.is_empty()).then(|| crate::wizard::fields::mask(&v))
    };
    let err = move |e: Option<EngineError>| e.map(|e| e.text(locale()));
    view! {
        <section class="summary-card" aria-labelledby="assisted-start-heading">
            <h2 id="assisted-start-heading">{tr(|m| m.assisted_start_heading)}</h2>
            <p class="hint">{tr(|m| m.assisted_start_hint)}</p>
            <form class="assisted-start" on:submit=submit novalidate>
                <div class="field">
                    <label class="label" for="assisted-service">{tr(|m| m.assisted_service)}</label>
                    <select id="assisted-service" on:change=move |ev| service.set(event_target_value(&ev))>
                        {services.into_iter().map(|s| {
                            let id = s.id.clone();
                            let selected = move || service.get() == id;
                            view! { <option value=s.id.clone() selected=selected>{move || s.title.get(locale()).to_owned()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field" class:has-error=move || errors.get().0.is_some()>
                    <label class="label" for="assisted-name">{tr(|m| m.assisted_citizen_name)}</label>
                    {move || err(errors.get().0).map(|m| view! {
                        <p class="field-error" id="assisted-name-error"><span class="visually-hidden">{t().error_prefix}</span>{m}</p>
                    })}
                    <input id="assisted-name" type="text" autocomplete="off" spellcheck="false" maxlength="40"
                        aria-invalid=move || errors.get().0.is_some().to_string()
                        aria-describedby=move || errors.get().0.is_some().then_some("assisted-name-error")
                        on:input=move |_| errors.update(|e| e.0 = None)
                        bind:value=name />
                </div>
                <div class="field" class:has-error=move || errors.get().1.is_some()>
                    <label class="label" for="assisted-id">{tr(|m| m.assisted_citizen_id)}</label>
                    <p class="hint" id="assisted-id-hint">{tr(|m| m.assisted_citizen_id_hint)}</p>
                    {move || err(errors.get().1).map(|m| view! {
                        <p class="field-error" id="assisted-id-error"><span class="visually-hidden">{t().error_prefix}</span>{m}</p>
                    })}
                    <div class="input-row">
                        <span class="mask-wrap">
                            <input id="assisted-id" type="text" autocomplete="off" spellcheck="false" maxlength="18"
                                class:masked=move || masked().is_some()
                                aria-invalid=move || errors.get().1.is_some().to_string()
                                aria-describedby=move || if errors.get().1.is_some() { "assisted-id-hint assisted-id-error" } else { "assisted-id-hint" }
                                on:focus=move |_| editing_id.set(true)
                                on:blur=move |_| editing_id.set(false)
                                on:input=move |_| errors.update(|e| e.1 = None)
                                bind:value=id_number />
                            {move || masked().map(|m| view! { <span class="mask-overlay" aria-hidden="true">{m}</span> })}
                        </span>
                    </div>
                </div>
                {move || failure.get().map(|e| view! {
                    <p class="notice notice-error" id="assisted-start-failure" tabindex="-1" role="alert">{error_text(&e, t())}</p>
                })}
                <button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>
                    {tr(|m| m.assisted_start)}
                </button>
            </form>
        </section>
    }
}
