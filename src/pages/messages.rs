//! `/messages`: the message centre (消息中心). The person's notices from the server — a 补正
//! request, a consent request and its answer, a 容缺 deadline coming close, a result ready —
//! newest first, the unread ones marked; each opens its case (and is then read), one or all can
//! be marked read. [`UnreadLink`] puts the unread count on the home page.

use leptos::prelude::*;
use onething_core::api::{Message, MessageKind, MessageList};

use crate::api;
use crate::components::{LoadError, loaded, set_title};
use crate::i18n::{t, with_n};
use crate::prefs::locale;

use super::applications::local;

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
    }
}

/// The unread count in words (`3 条未读`), empty for none.
fn unread_words(n: u32) -> String {
    match n {
        0 => String::new(),
        1 => t().msg_unread_one.to_owned(),
        n => with_n(t().msg_unread, n),
    }
}

async fn load() -> Result<MessageList, api::FetchError> {
    crate::session::ensure().await?;
    api::list_messages().await
}

/// `/messages`: my notices.
#[component]
pub fn MessagesPage() -> impl IntoView {
    Effect::new(move || set_title(t().msg_title));
    view! {
        <h1>{move || t().msg_title}</h1>
        <p class="lead">{move || t().msg_intro}</p>
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
                {(!read).then(|| view! { " " <span class="badge badge-alert">{move || t().msg_unread_badge}</span> })}
            </h2>
            <p class="message-text">{move || text.get(locale()).to_owned()}</p>
            <p class="message-meta">{when}</p>
            <p class="message-actions">
                {application_id.map(|app| {
                    let case = case.clone();
                    view! {
                        <a href=crate::router::href(&format!("/applications/{app}")) class="button secondary"
                            on:click=move |_| if !read { read_one.run(id) }>
                            {move || t().msg_open_case}
                            <span class="visually-hidden">{format!(" {case}")}</span>
                        </a>
                    }
                })}
                {(!read).then(|| view! {
                    <button type="button" class="link-button" on:click=move |_| read_one.run(id)>
                        {move || t().msg_mark_read}
                        <span class="visually-hidden">{format!(" {case}")}</span>
                    </button>
                })}
            </p>
        </li>
    }
}

/// The home page's link to the message centre, with the unread count once a session exists
/// (nobody is signed in just to count).
#[component]
pub fn UnreadLink() -> impl IntoView {
    let unread = RwSignal::new(0_u32);
    leptos::task::spawn_local(async move {
        crate::api::session::signing_in().await;
        if crate::api::session::token().is_some()
            && let Ok(list) = api::list_messages().await
        {
            unread.set(list.unread);
        }
    });
    view! {
        <a href=crate::router::href("/messages") class="my-apps-link my-messages-link">
            {move || t().msg_title}
            {move || (unread.get() > 0).then(|| view! {
                " " <span class="badge badge-alert messages-unread-count">{unread_words(unread.get())}</span>
            })}
        </a>
    }
}
