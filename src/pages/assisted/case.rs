//! `/assisted/cases/:id`: one of the agent's cases. While it waits for the citizen: the code to
//! read out or type, and the link to send, with the time left; afterwards its status, and why
//! when it reached nobody. Status only: the citizen's name masked, no answers.

use leptos::prelude::*;
use onething_core::api::{AssistedCase, AssistedStatus};

use super::{error_text, status_text, why_text};
use crate::api::{self, FetchError};
use crate::components::{loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::pages::applications::local;
use crate::prefs::locale;

/// The case and, while it waits for the citizen, the QR code of its link (an `<img>` of the
/// server's SVG, so no markup of it enters the page; none when it cannot be had).
async fn load(id: String) -> Result<(AssistedCase, Option<String>), FetchError> {
    crate::session::ensure().await?;
    let case = api::assisted::get(&id).await?;
    let qr = match case.code.as_deref() {
        Some(code) if case.status == AssistedStatus::Pending => {
            api::assisted::qr(&case.id, &confirm_link(code))
                .await
                .ok()
                .and_then(|svg| web_sys::window()?.btoa(&svg).ok())
                .map(|b64| format!("data:image/svg+xml;base64,{b64}"))
        }
        _ => None,
    };
    Ok((case, qr))
}

/// `/assisted/cases/:id`.
#[component]
pub fn AssistedCasePage(
    /// The case id from the URL.
    id: String,
) -> impl IntoView {
    title_from(|m| m.assisted_case_title);
    view! {
        {loaded(move || load(id.clone()), |t| t.assisted_loading, |answer, on_retry| match answer {
            Ok((case, qr)) => view! { <CaseView case qr on_retry /> }.into_any(),
            Err(error @ FetchError::Api { status: 401 | 403 | 404, .. }) => view! {
                <h1>{tr(|m| m.assisted_case_title)}</h1>
                <p class="notice notice-error" role="alert">{move || error_text(&error, t())}</p>
            }.into_any(),
            Err(error) => view! {
                <h1>{tr(|m| m.assisted_case_title)}</h1>
                <crate::components::LoadError error on_retry />
            }.into_any(),
        })}
    }
}

/// The link the citizen opens: this app's confirmation page, under the deployment's base.
fn confirm_link(code: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!(
        "{origin}{}",
        crate::router::href(&format!("/assisted/confirm/{code}"))
    )
}

/// The case.
#[component]
fn CaseView(
    /// As loaded.
    case: AssistedCase,
    /// The QR code of the confirmation link, as a data URL.
    qr: Option<String>,
    /// Loads it again (the citizen may have answered meanwhile).
    on_retry: Callback<()>,
) -> impl IntoView {
    focus_heading();
    let status = case.status;
    let title = case.service_title.clone();
    let back = crate::router::href("/assisted");
    let code = case
        .code
        .clone()
        .filter(|_| status == AssistedStatus::Pending);
    view! {
        <a href=back class="back-link">{tr(|m| m.assisted_back_to_list)}</a>
        <h1>{tr(|m| m.assisted_case_title)}</h1>
        <p class="assisted-banner" role="note">
            <span class="assisted-tag">{tr(|m| m.assisted_tag)}</span>
            {move || title.get(locale()).to_owned()}" · "{case.citizen_name.clone()}
        </p>
        <p id="assisted-status" role="status">
            <span class=format!("status assisted-{}", status.as_str())>{move || status_text(status, t())}</span>
        </p>
        {why_text(status, t()).map(|_| view! { <p class="notice" id="assisted-why">{move || why_text(status, t()).unwrap_or_default()}</p> })}
        {code.map(|code| {
            let link = confirm_link(&code);
            let spaced = format!("{} {}", &code[..4.min(code.len())], &code[4.min(code.len())..]);
            let expires = case.expires_at.clone().map(|e| local(&e, true)).unwrap_or_default();
            view! {
                <section class="summary-card assisted-share" aria-labelledby="assisted-share-heading">
                    <h2 id="assisted-share-heading">{tr(|m| m.assisted_share_heading)}</h2>
                    <p>{tr(|m| m.assisted_share_intro)}</p>
                    {qr.map(|src| view! {
                        <img class="assisted-qr" id="assisted-qr" src=src width="200" height="200"
                            alt=tr(|m| m.assisted_qr_alt) />
                    })}
                    <p class="label">{tr(|m| m.assisted_code_label)}</p>
                    <p class="assisted-code" id="assisted-code" data-code=code.clone()>{spaced}</p>
                    <p class="label">{tr(|m| m.assisted_link_label)}</p>
                    <p class="assisted-link"><a href=link.clone()>{link.clone()}</a></p>
                    <p class="hint">{move || t().assisted_expires.replace("{n}", &expires)}</p>
                </section>
            }
        })}
        {case.case_number.clone().map(|n| view! {
            <dl class="summary-list">
                <dt>{tr(|m| m.assisted_case_number)}</dt>
                <dd class="case-number">{n}</dd>
            </dl>
        })}
        <button type="button" class="button secondary assisted-refresh" id="assisted-refresh" on:click=move |_| on_retry.run(())>
            {tr(|m| m.assisted_refresh)}
        </button>
    }
}
