//! The privacy notice at the wizard's start ([`PrivacyNotice`]): what is collected, for which
//! departments, why, how long it is kept and how it is protected, with a consent and a separate
//! consent for sensitive personal information. Until both are given the draft and its photos
//! stay on the device (`crate::wizard::privacy`). Also the choice between continuing a draft
//! and starting another application beside it ([`DraftChoice`]).

use leptos::prelude::*;
use onething_core::api::PrivacyFacts;
use wasm_bindgen::JsCast;

use super::{local_time, resume_url};
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;
use crate::router::{self, use_router};
use crate::wizard::{Wizard, draft, privacy};

/// The notice, or its one-line reminder once the person chose to fill in on the device first;
/// nothing once consent is given (the declaration and the task list offer to withdraw it).
#[component]
pub fn PrivacyNotice() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let r = use_router();
    // Asked once; kept for offline (`privacy::facts`). Once the page is painted: they arrive
    // a round trip later in any case, and starting the request delayed the first step's frame.
    let facts = RwSignal::new(None::<Result<PrivacyFacts, crate::api::FetchError>>);
    leptos::task::spawn_local(async move {
        crate::dom::after_paint().await;
        let f = privacy::facts().await;
        facts.try_set(Some(f));
    });
    // Not on the confirmation, nor while choosing which draft to continue (`/apply/:id`). A memo:
    // the notice is built again only when that changes, not on every step.
    let here = Memo::new(move |_| {
        let path = r.path();
        !(path.ends_with("/confirmation")
            || path.trim_end_matches('/') == format!("/apply/{}", w.key()))
    });
    move || {
        if w.consent.with(Option::is_some) || !here.get() {
            return None;
        }
        if w.device_only.get() {
            return Some(
                view! {
                    <div class="notice privacy-reminder" id="privacy-reminder" tabindex="-1" role="status">
                        <p>{t().privacy_device_only}</p>
                        <button type="button" class="button secondary" id="privacy-open"
                            on:click=move |_| {
                                w.device_only.set(false);
                                crate::dom::focus_later("privacy-notice");
                            }>
                            {t().privacy_open}
                        </button>
                    </div>
                }
                .into_any(),
            );
        }
        let answer = facts.get();
        let pending = answer.is_none();
        let facts = answer.and_then(Result::ok);
        Some(view! { <Notice facts pending /> }.into_any())
    }
}

fn checked(ev: &leptos::ev::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// How long what is kept, from the server's figures.
fn retention_lines(f: &PrivacyFacts) -> Vec<String> {
    let m = t();
    let mut out = vec![
        m.privacy_kept_device.to_owned(),
        with_n(m.privacy_kept_draft, f.draft_ttl_days),
        with_n(m.privacy_kept_uploads, f.upload_ttl_hours),
    ];
    out.push(if f.retention_days == 0 {
        m.privacy_kept_case_forever.to_owned()
    } else {
        with_n(m.privacy_kept_case, f.retention_days)
    });
    out
}

/// What the notice says of this service and this server, in the current language.
struct Parts {
    /// Each department with the items it handles.
    departments: Vec<(String, String)>,
    /// How long what is kept (none while the server's figures are unknown).
    kept: Vec<String>,
    /// How the server protects it.
    protected: String,
    /// The sensitive personal information asked for.
    sensitive: String,
}

impl Parts {
    /// Read in the current language (reactively: the notice follows a language change).
    fn now(w: &Wizard, facts: Option<&PrivacyFacts>) -> Self {
        let (l, m) = (locale(), t());
        let departments = w.def.with_value(|d| privacy::departments(d, l, m.list_sep));
        let sensitive = w
            .def
            .with_value(|d| privacy::sensitive(d, l))
            .join(m.list_sep);
        let (kept, protected) = match facts {
            Some(f) => (
                retention_lines(f),
                m.privacy_protected
                    .replace("{cipher}", &f.encryption_at_rest),
            ),
            None => (Vec::new(), String::new()),
        };
        Parts {
            departments,
            kept,
            protected,
            sensitive,
        }
    }
}

/// The notice in a few lines, for elder mode's first screen: each line says what a section of
/// the full notice says, from the same figures (the server's, or none while unknown).
fn brief(p: Parts, pending: bool) -> impl IntoView {
    let m = t();
    let kept = p.kept.last().cloned().unwrap_or_else(|| {
        if pending {
            m.services_loading
        } else {
            m.privacy_facts_unknown
        }
        .to_owned()
    });
    let departments: Vec<String> = p.departments.into_iter().map(|(d, _)| d).collect();
    let lines = [
        m.privacy_brief_what.to_owned(),
        with_n(m.privacy_brief_who, departments.join(m.list_sep)),
        m.privacy_brief_why.to_owned(),
        kept,
        format!("{} {}", m.privacy_protected_device, p.protected),
        with_n(m.privacy_brief_sensitive, &p.sensitive),
    ];
    view! {
        <ul class="privacy-brief">
            {lines.into_iter().map(|l| view! { <li>{l.trim().to_owned()}</li> }).collect_view()}
        </ul>
    }
}

/// The whole notice with its two consents.
#[component]
fn Notice(
    /// The server's figures, when known (online now or seen before).
    facts: Option<PrivacyFacts>,
    /// The figures are still being asked for.
    pending: bool,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let general = RwSignal::new(false);
    let sensitive = RwSignal::new(false);
    let attempted = RwSignal::new(false);
    let known = facts.is_some();
    let on_agree = move |_| {
        attempted.set(true);
        if general.get_untracked() && sensitive.get_untracked() {
            w.give_consent();
            // The notice goes: the person carries on at the page's heading.
            crate::dom::focus_heading();
        } else {
            crate::dom::focus_later("privacy-error");
        }
    };
    let missing = move || attempted.get() && !(general.get() && sensitive.get());
    // The whole notice, section by section: as it is on a normal screen, and behind "read the
    // full notice" under the summary in elder mode (长辈版), where each section takes a screen.
    let facts = StoredValue::new(facts);
    let full = move || {
        let Parts {
            departments,
            kept,
            protected,
            sensitive: sensitive_items,
        } = facts.with_value(|f| Parts::now(&w, f.as_ref()));
        view! {
            <h3>{t().privacy_what}</h3>
            <p>{t().privacy_what_text}</p>
            <h3>{t().privacy_who}</h3>
            <ul class="plain-list">
                {departments.into_iter().map(|(d, items)| view! { <li><strong>{d}</strong>" — "{items}</li> }).collect_view()}
            </ul>
            <h3>{t().privacy_why}</h3>
            <p>{t().privacy_why_text}</p>
            <h3>{t().privacy_how_long}</h3>
            {if known {
                view! { <ul class="plain-list">{kept.into_iter().map(|k| view! { <li>{k}</li> }).collect_view()}</ul> }.into_any()
            } else {
                view! { <p>{if pending { t().services_loading } else { t().privacy_facts_unknown }}</p> }.into_any()
            }}
            <h3>{t().privacy_protection}</h3>
            <p>{t().privacy_protected_device}" "{protected}</p>
            <h3>{t().privacy_sensitive_heading}</h3>
            <p>{with_n(t().privacy_sensitive_text, sensitive_items)}</p>
        }
    };
    let elder = expect_context::<crate::prefs::ElderPref>().0;
    view! {
        <section class="privacy-notice" id="privacy-notice" tabindex="-1" aria-labelledby="privacy-notice-title">
            <h2 id="privacy-notice-title">{tr(|m| m.privacy_notice_title)}</h2>
            <p>{tr(|m| m.privacy_notice_lead)}</p>
            {move || if elder.get() {
                view! {
                    {brief(facts.with_value(|f| Parts::now(&w, f.as_ref())), pending)}
                    <details class="privacy-full">
                        <summary>{t().privacy_read_full}</summary>
                        {full()}
                    </details>
                }
                .into_any()
            } else {
                full().into_any()
            }}
            <p>{tr(|m| m.privacy_rights)}</p>
            {move || missing().then(|| view! { <p class="field-error" id="privacy-error" tabindex="-1" role="alert">{t().privacy_both_required}</p> })}
            <div class="field" class:has-error=missing>
                <label class="option" for="privacy-agree">
                    <input type="checkbox" id="privacy-agree" disabled=!known
                        prop:checked=move || general.get() on:change=move |ev| general.set(checked(&ev)) />
                    <span>{t().privacy_agree}</span>
                </label>
                <label class="option" for="privacy-sensitive">
                    <input type="checkbox" id="privacy-sensitive" disabled=!known
                        prop:checked=move || sensitive.get() on:change=move |ev| sensitive.set(checked(&ev)) />
                    <span>{t().privacy_agree_sensitive}</span>
                </label>
            </div>
            <div class="notice-actions">
                <button type="button" class="button primary" id="privacy-consent" disabled=!known on:click=on_agree>
                    {t().privacy_consent_button}
                </button>
                <button type="button" class="button secondary" id="privacy-later" on:click=move |_| {
                    w.device_only.set(true);
                    crate::dom::focus_later("privacy-reminder");
                }>
                    {t().privacy_later}
                </button>
            </div>
        </section>
    }
}

/// The consent given, and how to withdraw it before submitting (on the task list and the
/// declaration).
#[component]
pub fn ConsentStatus() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let confirming = RwSignal::new(false);
    move || {
        let c = w.consent.get()?;
        let when = local_time(&c.agreed_at);
        Some(view! {
            <div class="consent-status" id="consent-status">
                <p>{t().privacy_given.replace("{when}", &when)}</p>
                {move || if confirming.get() {
                    view! {
                        <div class="notice notice-warning" role="alert">
                            <p>{t().privacy_withdraw_confirm}</p>
                            <div class="notice-actions">
                                <button type="button" class="button secondary" id="privacy-withdraw-yes"
                                    on:click=move |_| {
                                        confirming.set(false);
                                        w.withdraw_consent();
                                        crate::dom::focus_later("privacy-reminder");
                                    }>
                                    {t().privacy_withdraw_yes}
                                </button>
                                <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                                    {t().privacy_withdraw_no}
                                </button>
                            </div>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="link-button" id="privacy-withdraw" on:click=move |_| confirming.set(true)>
                            {t().privacy_withdraw}
                        </button>
                    }.into_any()
                }}
            </div>
        })
    }
}

/// `/apply/:id` when that draft already has answers: continue it, or start another application
/// of the same service beside it (a second child, another family).
#[component]
pub fn DraftChoice() -> impl IntoView {
    let w = expect_context::<Wizard>();
    crate::dom::focus_heading();
    let label = w
        .app
        .with_untracked(|a| w.def.with_value(|d| privacy::label(d, a)))
        .unwrap_or_else(|| t().drafts_unnamed.to_owned());
    let resume = router::href(&resume_url(&w));
    let fresh = router::href(&format!("/apply/{}", draft::new_key(&w.service_id())));
    let title = w.def.with_value(|d| d.title.clone());
    view! {
        <h1>{tr(|m| m.drafts_choice_title)}</h1>
        <p class="lead">{move || with_n(t().drafts_choice_lead, title.get(locale()))}</p>
        <div class="draft-choice">
            <a href=resume class="button primary block" id="draft-continue">
                {move || with_n(t().drafts_continue_named, label.clone())}
            </a>
            <a href=fresh class="button secondary block" id="draft-new">{tr(|m| m.drafts_start_new)}</a>
            <a href=router::href("/drafts") class="tasks-link">{tr(|m| m.drafts_all)}</a>
        </div>
    }
}
