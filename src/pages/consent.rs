//! The other person's side of a consent request: `/consents` to type the code, and
//! `/consents/:code` to see who asks, for what, which departments and for how long (PIPL), and
//! to approve or decline, once. Sign-in is the platform's (a ticket in the URL, the host page,
//! or the development issuer); the server decides whether this person is the one asked.

use leptos::prelude::*;
use onething_core::api::{ConsentDecision, ConsentRequest, ConsentStatus, ErrorCode};

use crate::api::{self, Code, FetchError};
use crate::components::{CodeEntry, CodeEntryTexts, LoadError, loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::{Messages, t, tr, with_n};
use crate::pages::applications::{local, pair};
use crate::prefs::locale;

/// The translated explanation of a consent error (the others: the generic ones).
fn consent_error(e: &FetchError, t: &'static Messages) -> &'static str {
    match e {
        FetchError::Api {
            code: Code::Known(code),
            ..
        } => match code {
            ErrorCode::ConsentNotFound => t.consent_err_not_found,
            ErrorCode::ConsentOwnRequest => t.consent_err_own,
            ErrorCode::ConsentAlreadyAnswered => t.consent_err_answered,
            ErrorCode::ConsentExpired => t.consent_err_expired,
            _ => e.message(t),
        },
        _ => e.message(t),
    }
}

async fn load(code: String) -> Result<ConsentRequest, FetchError> {
    crate::session::ensure().await?;
    api::get_consent(&code).await
}

/// `/consents/:code`.
#[component]
pub fn ConsentPage(
    /// The code from the URL.
    code: String,
) -> impl IntoView {
    title_from(|m| m.consent_title);
    view! {
        {loaded(move || load(code.clone()), |t| t.consent_loading, |answer, on_retry| match answer {
            Ok(request) => view! { <Request request /> }.into_any(),
            Err(error @ FetchError::Api { status: 403 | 404, .. }) => view! {
                <h1>{tr(|m| m.consent_title)}</h1>
                <p class="notice notice-error" role="alert">{move || consent_error(&error, t())}</p>
            }.into_any(),
            Err(error) => view! { <h1>{tr(|m| m.consent_title)}</h1><LoadError error on_retry /> }.into_any(),
        })}
    }
}

/// The request and, while it is pending, the two answers.
#[component]
fn Request(
    /// As loaded.
    request: ConsentRequest,
) -> impl IntoView {
    focus_heading();
    let request = RwSignal::new(request);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<FetchError>);
    let answer = move |decision: ConsentDecision| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let code = request.with_untracked(|r| r.code.clone());
        leptos::task::spawn_local(async move {
            match api::answer_consent(&code, decision).await {
                Ok(r) => {
                    request.set(r);
                    crate::dom::focus_later("consent-result");
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let text = move |f: fn(&ConsentRequest) -> &onething_core::Text| {
        request.with(|r| f(r).get(locale()).to_owned())
    };
    let row = |label: fn(&'static Messages) -> &'static str, value: Signal<String>| {
        view! { <div class="consent-row"><dt>{move || label(t())}</dt><dd>{value}</dd></div> }
    };
    view! {
        <h1>{tr(|m| m.consent_title)}</h1>
        <p>{move || request.with(|r| pair(t().consent_intro, &r.requester_name, r.service_title.get(locale())))}</p>
        <dl class="consent-facts">
            {row(|t| t.consent_requester, Signal::derive(move || request.with(|r| r.requester_name.clone())))}
            {row(|t| t.consent_case, Signal::derive(move || request.with(|r| r.case_number.clone())))}
            {row(|t| t.consent_material, Signal::derive(move || text(|r| &r.material_title)))}
            {row(|t| t.consent_purpose, Signal::derive(move || text(|r| &r.purpose)))}
            {row(|t| t.consent_departments, Signal::derive(move || request.with(|r| {
                r.departments.iter().map(|d| d.get(locale()).to_owned()).collect::<Vec<_>>().join(t().list_sep)
            })))}
            {row(|t| t.consent_duration, Signal::derive(move || request.with(|r| with_n(t().consent_duration_days, r.valid_days))))}
            {row(|t| t.consent_answer_by, Signal::derive(move || request.with(|r| local(&r.expires_at, true))))}
        </dl>
        <p class="hint">{tr(|m| m.consent_privacy)}</p>
        <div id="consent-result" tabindex="-1" role="status">
            {move || request.with(|r| match r.status {
                ConsentStatus::Pending => None,
                ConsentStatus::Approved => Some(with_n(
                    t().consent_done_approved,
                    r.valid_until.as_deref().map(|v| local(v, false)).unwrap_or_default(),
                )),
                ConsentStatus::Declined => Some(t().consent_done_declined.to_owned()),
                ConsentStatus::Expired => Some(t().consent_done_expired.to_owned()),
            }).map(|m| view! { <p class="notice notice-success">{m}</p> })}
        </div>
        {move || error.get().map(|e| view! { <p class="notice notice-error" role="alert">{consent_error(&e, t())}</p> })}
        {move || (request.with(|r| r.status == ConsentStatus::Pending)).then(|| view! {
            <div class="consent-actions">
                <button type="button" class="button primary" aria-disabled=move || busy.get().to_string()
                    on:click=move |_| answer(ConsentDecision::Approve)>{tr(|m| m.consent_approve)}</button>
                <button type="button" class="button secondary" aria-disabled=move || busy.get().to_string()
                    on:click=move |_| answer(ConsentDecision::Decline)>{tr(|m| m.consent_decline)}</button>
            </div>
        })}
    }
}

/// `/consents`: the code typed by hand (when the link did not come through), checked for its
/// shape before the server is asked.
#[component]
pub fn ConsentEntry() -> impl IntoView {
    view! {
        <CodeEntry id="consent-code" base="/consents" texts=|m| CodeEntryTexts {
            title: m.consent_entry_title,
            intro: m.consent_entry_intro,
            label: m.consent_entry_label,
            hint: m.consent_entry_hint,
            invalid: m.consent_entry_invalid,
            open: m.consent_entry_open,
        } />
    }
}
