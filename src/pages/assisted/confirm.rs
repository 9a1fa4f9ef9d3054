//! The citizen's side: `/assisted/confirm` to type the code, `/assisted/confirm/:code` to read
//! what an agent filled in their name and confirm or refuse it, signed in as themselves. Elder
//! mode is on by default here (the person can turn it off), the text is large and plain, and
//! each screen asks for one thing: first read the summary, then decide.

use leptos::prelude::*;
use onething_core::api::{AssistedConfirmation, AssistedDecision, AssistedStatus};

use super::error_text;
use crate::api::{self, FetchError};
use crate::components::{CodeEntry, CodeEntryTexts, loaded, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr};
use crate::pages::applications::local;
use crate::prefs::locale;

async fn load(code: String) -> Result<AssistedConfirmation, FetchError> {
    crate::session::ensure().await?;
    api::assisted::confirmation(&code).await
}

thread_local! {
    /// How many of this module's pages are open, and elder mode before the first opened: moving
    /// from the code entry to the confirmation keeps elder mode on throughout.
    static ELDER: std::cell::Cell<(u32, bool)> = const { std::cell::Cell::new((0, false)) };
}

/// Elder mode while these pages are open (the person can turn it off); as before afterwards.
fn elder_by_default() {
    let Some(pref) = use_context::<crate::prefs::ElderPref>() else {
        return;
    };
    ELDER.with(|e| {
        let (open, before) = e.get();
        let before = if open == 0 {
            pref.0.get_untracked()
        } else {
            before
        };
        e.set((open + 1, before));
    });
    pref.0.set(true);
    on_cleanup(move || {
        ELDER.with(|e| {
            let (open, before) = e.get();
            let open = open.saturating_sub(1);
            e.set((open, before));
            if open == 0 && !before {
                pref.0.set(false);
            }
        });
    });
}

/// `/assisted/confirm/:code`.
#[component]
pub fn ConfirmPage(
    /// The code from the URL.
    code: String,
) -> impl IntoView {
    elder_by_default();
    title_from(|m| m.assisted_confirm_title);
    view! {
        {loaded(move || load(code.clone()), |t| t.assisted_loading, |answer, on_retry| match answer {
            Ok(c) => view! { <Confirmation c /> }.into_any(),
            Err(error @ FetchError::Api { status: 401 | 403 | 404, .. }) => view! {
                <h1>{tr(|m| m.assisted_confirm_title)}</h1>
                <p class="notice notice-error" role="alert">{move || error_text(&error, t())}</p>
            }.into_any(),
            Err(error) => view! {
                <h1>{tr(|m| m.assisted_confirm_title)}</h1>
                <crate::components::LoadError error on_retry />
            }.into_any(),
        })}
    }
}

/// Which screen: the summary, then the decision.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Screen {
    Read,
    Decide,
}

/// The confirmation, one screen at a time.
#[component]
fn Confirmation(
    /// As loaded.
    c: AssistedConfirmation,
) -> impl IntoView {
    focus_heading();
    let c = RwSignal::new(c);
    let screen = RwSignal::new(Screen::Read);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<FetchError>);
    let go = move |s: Screen| {
        screen.set(s);
        crate::dom::focus_later("assisted-confirm-heading");
    };
    let answer = move |decision: AssistedDecision| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let code = c.with_untracked(|x| x.code.clone());
        leptos::task::spawn_local(async move {
            match api::assisted::answer(&code, decision).await {
                Ok(now) => {
                    c.set(now);
                    crate::dom::focus_later("assisted-confirm-heading");
                }
                Err(e) => {
                    error.set(Some(e));
                    crate::dom::focus_later("assisted-confirm-error");
                }
            }
            busy.set(false);
        });
    };
    let status = move || c.with(|x| x.status);
    view! {
        {move || match (status(), screen.get()) {
            (AssistedStatus::Pending, Screen::Read) => view! { <Summary c=c.get() on_next=Callback::new(move |()| go(Screen::Decide)) /> }.into_any(),
            (AssistedStatus::Pending, Screen::Decide) => view! {
                <h1 id="assisted-confirm-heading" tabindex="-1">{tr(|m| m.assisted_decide_title)}</h1>
                <p class="assisted-plain">{move || c.with(|x| t().assisted_decide_text
                    .replace("{a}", &x.agent_name)
                    .replace("{b}", x.service_title.get(locale())))}</p>
                <p class="hint">{move || c.with(|x| t().assisted_answer_by.replace("{n}", &local(&x.expires_at, true)))}</p>
                {move || error.get().map(|e| view! {
                    <p class="notice notice-error" id="assisted-confirm-error" tabindex="-1" role="alert">{error_text(&e, t())}</p>
                })}
                <div class="assisted-actions">
                    <button type="button" class="button primary" id="assisted-confirm" aria-disabled=move || busy.get().to_string()
                        on:click=move |_| answer(AssistedDecision::Confirm)>{tr(|m| m.assisted_confirm)}</button>
                    <button type="button" class="button secondary" id="assisted-refuse" aria-disabled=move || busy.get().to_string()
                        on:click=move |_| answer(AssistedDecision::Refuse)>{tr(|m| m.assisted_refuse)}</button>
                    <button type="button" class="button link" on:click=move |_| go(Screen::Read)>{tr(|m| m.assisted_read_again)}</button>
                </div>
            }.into_any(),
            (s, _) => view! { <Outcome s c=c.get() /> }.into_any(),
        }}
    }
}

/// The plain summary: who helped, what is applied for, which documents, who receives what.
#[component]
fn Summary(
    /// The confirmation.
    c: AssistedConfirmation,
    /// Goes on to the decision.
    on_next: Callback<()>,
) -> impl IntoView {
    let text = |x: &onething_core::Text| {
        let x = x.clone();
        move || x.get(locale()).to_owned()
    };
    let (name, org, service) = (
        c.agent_name.clone(),
        c.agent_organisation.clone(),
        c.service_title.clone(),
    );
    let intro = move || {
        let helper = match locale() {
            onething_core::Locale::ZhCn => format!("{name}（{org}）"),
            onething_core::Locale::En => format!("{name} ({org})"),
        };
        t().assisted_confirm_intro
            .replace("{a}", &helper)
            .replace("{b}", service.get(locale()))
    };
    view! {
        <h1 id="assisted-confirm-heading" tabindex="-1">{tr(|m| m.assisted_confirm_title)}</h1>
        <p class="assisted-plain">{intro}</p>
        <section class="summary-card" aria-labelledby="assisted-what">
            <h2 id="assisted-what">{tr(|m| m.assisted_what)}</h2>
            <ul class="assisted-facts">
                {c.sub_items.iter().map(|s| view! { <li>{text(s)}</li> }).collect_view()}
            </ul>
        </section>
        <section class="summary-card" aria-labelledby="assisted-documents">
            <h2 id="assisted-documents">{tr(|m| m.assisted_documents)}</h2>
            <ul class="assisted-facts">
                {c.documents.iter().map(|d| view! { <li>{text(d)}</li> }).collect_view()}
            </ul>
        </section>
        <section class="summary-card" aria-labelledby="assisted-recipients">
            <h2 id="assisted-recipients">{tr(|m| m.assisted_recipients)}</h2>
            <dl class="summary-list">
                {c.recipients.iter().map(|r| {
                    let items = r.sub_items.clone();
                    view! {
                        <dt>{text(&r.department)}</dt>
                        <dd>{move || items.iter().map(|s| s.get(locale()).to_owned()).collect::<Vec<_>>().join(t().list_sep)}</dd>
                    }
                }).collect_view()}
            </dl>
        </section>
        <p class="hint">{tr(|m| m.assisted_privacy)}</p>
        <button type="button" class="button primary" id="assisted-next" on:click=move |_| on_next.run(())>
            {tr(|m| m.assisted_next)}
        </button>
    }
}

/// After the decision (or when it was made already).
#[component]
fn Outcome(
    /// The status now.
    s: AssistedStatus,
    /// The confirmation.
    c: AssistedConfirmation,
) -> impl IntoView {
    let (text, ok): (fn(&'static crate::i18n::Messages) -> &'static str, bool) = match s {
        AssistedStatus::Confirmed | AssistedStatus::PaperAuthority => {
            (|t| t.assisted_done_confirmed, true)
        }
        AssistedStatus::Refused => (|t| t.assisted_done_refused, false),
        _ => (|t| t.assisted_done_expired, false),
    };
    let case = c
        .application_id
        .clone()
        .map(|id| crate::router::href(&format!("/applications/{id}")));
    view! {
        <h1 id="assisted-confirm-heading" tabindex="-1">{tr(|m| m.assisted_confirm_title)}</h1>
        <div id="assisted-result" role="status">
            <p class=if ok { "notice notice-success" } else { "notice" }>{move || text(t())}</p>
        </div>
        {c.case_number.clone().map(|n| view! {
            <dl class="summary-list">
                <dt>{tr(|m| m.assisted_case_number)}</dt>
                <dd class="case-number">{n}</dd>
            </dl>
        })}
        {case.map(|href| view! { <a href=href class="button primary">{tr(|m| m.assisted_open_case)}</a> })}
    }
}

/// `/assisted/confirm`: the code typed by hand (read out by the agent), checked for its shape
/// before the server is asked.
#[component]
pub fn ConfirmEntry() -> impl IntoView {
    elder_by_default();
    view! {
        <CodeEntry id="assisted-entry-code" base="/assisted/confirm" intro_class="assisted-plain"
            texts=|m| CodeEntryTexts {
                title: m.assisted_entry_title,
                intro: m.assisted_entry_intro,
                label: m.assisted_entry_label,
                hint: m.assisted_entry_hint,
                invalid: m.assisted_entry_invalid,
                open: m.assisted_entry_open,
            } />
    }
}
