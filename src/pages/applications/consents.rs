//! The applicant's view of consent requests: while one is pending, the link and the short code
//! to send to the other person; then whether they agreed (and until when), refused or let it
//! expire. Changes arrive with the case's live updates and are announced politely.

use leptos::prelude::*;
use onething_core::ServiceDefinition;
use onething_core::api::{ApplicationDetail, Consent, ConsentStatus};

use super::local;
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;

/// A material's name in the current language (its id when the definition lacks it).
pub fn material_title(def: &ServiceDefinition, id: &str) -> String {
    def.material(id)
        .map_or_else(|| id.to_owned(), |m| m.title.get(locale()).to_owned())
}

/// The code as it is easiest to read aloud and type: `K7QM-2XPD`.
fn grouped(code: &str) -> String {
    if code.len() == 8 && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// The link the other person opens: this deployment's origin and base, `/consents/{code}`.
fn link(code: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!(
        "{origin}{}",
        crate::router::href(&format!("/consents/{code}"))
    )
}

/// What a status change says to a screen reader.
pub fn announce(status: ConsentStatus) -> &'static str {
    match status {
        ConsentStatus::Pending => "",
        ConsentStatus::Approved => t().consent_live_approved,
        ConsentStatus::Declined => t().consent_live_declined,
        ConsentStatus::Expired => t().consent_live_expired,
    }
}

/// The section, when the case has consent requests.
#[component]
pub fn Consents(
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    let list = Memo::new(move |_| detail.with(|d| d.consents.clone()));
    move || {
        let list = list.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="consents" aria-labelledby="consents-heading">
                    <h2 id="consents-heading">{tr(|m| m.consents_heading)}</h2>
                    {list.into_iter().map(|c| view! { <ConsentCard c def /> }).collect_view()}
                </section>
            }
        })
    }
}

/// One request.
#[component]
fn ConsentCard(
    /// The request.
    c: Consent,
    /// The service definition (material names).
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    let c2 = c.clone();
    let line = move |template: &str| {
        let material = def.with_value(|d| material_title(d, &c.material_id));
        with_n(template, material)
            .replace("{a}", c.holder_role.get(locale()))
            .replace("{b}", &c.holder_name)
    };
    move || {
        let c = c2.clone();
        match c.status {
            ConsentStatus::Pending => {
                let url = link(&c.code);
                let href = url.clone();
                view! {
                    <div class="notice notice-warning consent" data-consent=c.code.clone()>
                        <p><strong>{line(t().consent_pending)}</strong></p>
                        <p>{t().consent_share}</p>
                        <p class="consent-share">
                            <span class="label">{t().consent_link_label}</span>
                            <a href=href class="consent-link">{url}</a>
                        </p>
                        <p class="consent-share">
                            <span class="label">{t().consent_code_label}</span>
                            <strong class="consent-code">{grouped(&c.code)}</strong>
                        </p>
                        <p class="hint">{with_n(t().consent_expires, local(&c.expires_at, true))}</p>
                    </div>
                }
                .into_any()
            }
            ConsentStatus::Approved => {
                let until = c
                    .valid_until
                    .as_deref()
                    .map(|v| with_n(t().consent_valid_until, local(v, false)));
                view! {
                    <div class="notice notice-success consent" data-consent=c.code.clone()>
                        <p>{line(t().consent_approved)}</p>
                        {until.map(|u| view! { <p>{u}</p> })}
                    </div>
                }
                .into_any()
            }
            ConsentStatus::Declined | ConsentStatus::Expired => {
                let text = if c.status == ConsentStatus::Declined {
                    line(t().consent_declined)
                } else {
                    line(t().consent_expired)
                };
                view! { <div class="notice notice-error consent" data-consent=c.code.clone()><p>{text}</p></div> }
                    .into_any()
            }
        }
    }
}
