//! Declaration and consent (PIPL: what is collected, for which department, for how long), then
//! Submit — exactly once: the Idempotency-Key is made once per submission, kept with the draft,
//! and sent again on every retry, so a lost answer never creates a second case.

use leptos::prelude::*;
use onething_core::engine::check_submission;
use wasm_bindgen::JsCast;

use super::{back_url, guard};
use crate::api::FetchError;
use crate::components::{BackLink, BottomBar, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::wizard::outbox::{self, Outcome};
use crate::wizard::{Step, Wizard, draft};

/// The declaration page.
#[component]
#[allow(clippy::too_many_lines)] // one view: the privacy notice, the declaration, the result
pub fn DeclarationPage() -> impl IntoView {
    let step = Step::Declaration;
    guard(&step);
    let w = expect_context::<Wizard>();
    title_from(|m| m.declaration_title);
    focus_heading();
    let agreed = RwSignal::new(false);
    let attempted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<FetchError>);
    // Per department: its name and the questions it receives (data minimisation made visible).
    let recipients = move || {
        let l = locale();
        w.app.with(|a| {
            w.def.with_value(|d| match check_submission(d, a, w.today) {
                Ok(p) => p
                    .departments
                    .iter()
                    .map(|dep| {
                        let item = d.sub_item(&dep.sub_item);
                        let title = item.map(|s| s.title.get(l).to_owned()).unwrap_or_default();
                        let facts: Vec<String> = dep
                            .answers
                            .keys()
                            .filter_map(|k| {
                                d.facts
                                    .iter()
                                    .chain(&d.eligibility.questions)
                                    .find(|f| &f.id == k)
                                    .map(|f| f.label.get(l).to_owned())
                            })
                            .collect();
                        (
                            format!("{} · {}", dep.department.get(l), title),
                            facts.join(t().list_sep),
                        )
                    })
                    .collect::<Vec<_>>(),
                Err(_) => Vec::new(),
            })
        })
    };
    let r = crate::router::use_router();
    let assisted = crate::pages::assisted::marker(&w.key()).is_some();
    let on_submit = Callback::new(move |()| {
        attempted.set(true);
        // Nothing is sent before the person agreed to the privacy notice.
        if w.consent.with_untracked(Option::is_none) {
            w.device_only.set(false);
            crate::dom::focus_later("privacy-notice");
            return;
        }
        if !agreed.get_untracked() {
            crate::dom::focus_later("declaration-agree");
            return;
        }
        busy.set(true);
        failure.set(None);
        let service = w.key();
        let key = draft::submission_key(&service);
        let consent = w.consent.get_untracked();
        let app = w.app.get_untracked();
        // An agent's case (帮办代办) goes to the citizen for confirmation, not to the departments.
        if let Some(m) = crate::pages::assisted::marker(&service) {
            leptos::task::spawn_local(async move {
                let result =
                    crate::pages::assisted::submit_for_confirmation(&service, &m, app).await;
                busy.set(false);
                match result {
                    Ok(case) => {
                        w.discard();
                        crate::pages::assisted::clear_marker(&service);
                        r.navigate(&format!("/assisted/cases/{}", case.id), true);
                    }
                    Err(e) => {
                        failure.set(Some(e));
                        crate::dom::focus_later("submit-failure");
                    }
                }
            });
            return;
        }
        let (deferred, deliveries) = w.def.with_value(|d| {
            check_submission(d, &app, w.today)
                .map(|p| {
                    // How each result will arrive, for the confirmation and the receipt.
                    let ways = onething_core::engine::deliveries(d, &p.sub_items, &app.answers)
                        .into_iter()
                        .map(|x| (x.sub_item, x.method))
                        .collect::<Vec<_>>();
                    let later = p
                        .deferred
                        .into_iter()
                        .map(|x| (x.material, x.due_days))
                        .collect::<Vec<_>>();
                    (later, ways)
                })
                .unwrap_or_default()
        });
        leptos::task::spawn_local(async move {
            let result = outbox::submit(&service, app, consent, key, deferred, deliveries).await;
            busy.set(false);
            match result {
                Ok(Outcome::Sent(_)) => {
                    w.discard();
                    r.navigate(&format!("/apply/{service}/confirmation"), true);
                }
                Ok(Outcome::Queued) => crate::dom::focus_later("submit-queued"),
                Err(e) => {
                    failure.set(Some(e));
                    crate::dom::focus_later("submit-failure");
                }
            }
        });
    });
    // Queued offline and sent once the network came back, while this page is open.
    let is_queued = move || {
        let id = w.key();
        outbox::queued().with(|q| q.contains(&id))
    };
    let go_confirm = r;
    Effect::new(move || {
        let id = w.key();
        if outbox::sent().with(|s| s.contains(&id)) {
            w.discard();
            go_confirm.navigate(&format!("/apply/{id}/confirmation"), true);
        }
    });
    let on_agree = move |ev: leptos::ev::Event| {
        let on = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .is_some_and(|i| i.checked());
        agreed.set(on);
    };
    view! {
        <BackLink href=back_url(&step) />
        <h1>{tr(|m| m.declaration_title)}</h1>
        <section class="summary-card">
            <h2>{tr(|m| m.privacy_heading)}</h2>
            <p>{tr(|m| m.privacy_lead)}</p>
            <dl class="summary-list">
                {move || recipients().into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            <p>{tr(|m| m.privacy_retention)}</p>
            <super::privacy::ConsentStatus />
        </section>
        {move || (attempted.get() && w.consent.with(Option::is_none)).then(|| view! {
            <p class="field-error" role="alert">{t().privacy_consent_required}</p>
        })}
        <RefusedNotice key=w.key() />
        <crate::pages::assisted::PaperChoice />
        <div class="field" class:has-error=move || attempted.get() && !agreed.get()>
            {move || (attempted.get() && !agreed.get()).then(|| view! { <p class="field-error" role="alert">{t().declaration_required}</p> })}
            <label class="option" for="declaration-agree">
                <input type="checkbox" id="declaration-agree" prop:checked=move || agreed.get() on:change=on_agree />
                <span>{tr(|m| m.declaration_text)}</span>
            </label>
        </div>
        {move || is_queued().then(|| view! {
            <div class="notice" id="submit-queued" tabindex="-1" role="status">
                <p>{t().submit_queued}</p>
            </div>
        })}
        {move || failure.get().map(|e| view! {
            <div class="notice notice-error" id="submit-failure" tabindex="-1" role="alert">
                <p>{crate::pages::assisted::error_text(&e, t())}</p>
                <p>{t().submit_retry_safe}</p>
            </div>
        })}
        <BottomBar
            label=Signal::derive(move || if busy.get() { t().submitting } else if assisted && crate::pages::assisted::paper_chosen() { t().assisted_submit_paper } else if assisted { t().assisted_submit } else { t().submit })
            on_press=on_submit
            busy=Signal::derive(move || busy.get() || is_queued())
        />
    }
}

/// The server refused this application when it was sent from the offline queue: why, and what
/// to do (the check page shows what the engine finds wrong now).
#[component]
pub fn RefusedNotice(
    /// The draft's key.
    key: String,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let check = crate::router::href(&w.url(&Step::Check));
    move || {
        let refusal = outbox::refused()
            .with(|r| r.iter().find(|(k, _)| *k == key).map(|(_, x)| x.clone()))?;
        let dismiss = key.clone();
        let fix = if refusal.is_validation() {
            t().outbox_refused_validation
        } else {
            t().outbox_refused_other
        };
        Some(view! {
            <div class="notice notice-error" id="submit-refused" role="alert">
                <p><strong>{t().outbox_refused_heading}</strong></p>
                <p>{refusal.error().message(t())}</p>
                <p>{fix}</p>
                <div class="notice-actions">
                    <a href=check.clone() class="button secondary">{t().outbox_refused_open}</a>
                    <button type="button" class="button secondary" id="submit-refused-dismiss" on:click=move |_| {
                        let k = dismiss.clone();
                        leptos::task::spawn_local(async move { outbox::dismiss(&k).await });
                    }>{t().outbox_refused_dismiss}</button>
                </div>
            </div>
        })
    }
}
