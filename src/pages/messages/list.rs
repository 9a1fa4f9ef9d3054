//! The message centre's page: the list of notices, and marking them read.

use leptos::prelude::*;
use onething_core::api::{Message, MessageKind, MessageList};

use super::unread_words;
use crate::api;
use crate::components::{LoadError, loaded, title_from};
use crate::i18n::{t, tr};
use crate::pages::applications::local;
use crate::prefs::locale;

/// The title of a notice's kind.
fn kind_title(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::SupplementRequested => t().msg_kind_supplement,
        MessageKind::ConsentRequested => t().msg_kind_consent_requested,
        MessageKind::ConsentApproved => t().msg_kind_consent_approved,
        MessageKind::ConsentDeclined => t().msg_kind_consent_declined,
        MessageKind::ConsentExpired => t().msg_kind_consent_expired,
        MessageKind::DeadlineApproaching => t().msg_kind_deadline,
        MessageKind::ResultReady => t().msg_kind_result,
        MessageKind::WithdrawalAnswered => t().msg_kind_withdrawal,
        MessageKind::RatingFollowUp => t().msg_kind_follow_up,
        MessageKind::ConsentAsked => t().msg_kind_consent_asked,
    }
}

async fn load() -> Result<MessageList, api::FetchError> {
    crate::session::ensure().await?;
    api::list_messages().await
}

/// `/messages`: my notices.
#[component]
pub fn MessagesPage() -> impl IntoView {
    title_from(|m| m.msg_title);
    view! {
        <h1>{tr(|m| m.msg_title)}</h1>
        <p class="lead">{tr(|m| m.msg_intro)}</p>
        {loaded(load, |t| t.msg_loading, |answer, on_retry| match answer {
            Ok(list) => view! { <Notices list /> }.into_any(),
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        })}
    }
}

/// The list, with "mark all read"; marking answers the list as it is now.
#[component]
fn Notices(
    /// As loaded.
    list: MessageList,
) -> impl IntoView {
    let state = RwSignal::new(list);
    let failed = RwSignal::new(false);
    let apply = move |answer: Result<MessageList, api::FetchError>| match answer {
        Ok(list) => {
            failed.set(false);
            state.set(list);
        }
        Err(_) => failed.set(true),
    };
    let read_all = move |_| {
        leptos::task::spawn_local(async move { apply(api::read_all_messages().await) });
    };
    let read_one = Callback::new(move |id: u64| {
        leptos::task::spawn_local(async move { apply(api::read_message(id).await) });
    });
    view! {
        <p class="messages-status" role="status">
            {move || {
                let n = state.with(|l| l.unread);
                if n == 0 { t().msg_all_read.to_owned() } else { unread_words(n) }
            }}
        </p>
        {move || failed.get().then(|| view! {
            <p class="notice notice-error" role="alert">{t().load_failed_network}</p>
        })}
        {move || (state.with(|l| l.unread) > 0).then(|| view! {
            <p><button type="button" class="button secondary" on:click=read_all>{t().msg_read_all}</button></p>
        })}
        {move || state.with(|l| l.messages.is_empty()).then(|| view! { <p>{t().msg_none}</p> })}
        <ul class="messages">
            {move || state.get().messages.into_iter().map(|m| view! { <Notice m read_one /> }).collect_view()}
        </ul>
    }
}

/// One notice.
#[component]
fn Notice(
    /// The notice.
    m: Message,
    /// Marks it read.
    read_one: Callback<u64>,
) -> impl IntoView {
    let Message {
        id,
        kind,
        application_id,
        case_number,
        consent_code,
        text,
        created_at,
        read,
        ..
    } = m;
    let when = local(&created_at, true);
    let case = case_number.unwrap_or_default();
    view! {
        <li class="message" class:message-unread=!read data-kind=kind.as_str()>
            <h2 class="message-title">
                {move || kind_title(kind)}
                {(!read).then(|| view! { " " <span class="badge badge-alert">{tr(|m| m.msg_unread_badge)}</span> })}
            </h2>
            <p class="message-text">{move || text.get(locale()).to_owned()}</p>
            <p class="message-meta">{when}</p>
            <p class="message-actions">
                {application_id.map(|app| {
                    let case = case.clone();
                    view! {
                        <a href=crate::router::href(&format!("/applications/{app}")) class="button secondary"
                            on:click=move |_| if !read { read_one.run(id) }>
                            {tr(|m| m.msg_open_case)}
                            <span class="visually-hidden">{format!(" {case}")}</span>
                        </a>
                    }
                })}
                {consent_code.map(|code| {
                    let case = case.clone();
                    view! {
                        <a href=crate::router::href(&format!("/consents/{code}")) class="button secondary"
                            on:click=move |_| if !read { read_one.run(id) }>
                            {tr(|m| m.msg_open_consent)}
                            <span class="visually-hidden">{format!(" {case}")}</span>
                        </a>
                    }
                })}
                {(!read).then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| read_one.run(id)>
                        {tr(|m| m.msg_mark_read)}
                        <span class="visually-hidden">{format!(" {case}")}</span>
                    </button>
                })}
            </p>
        </li>
    }
}
