//! `/messages`: the message centre (消息中心). The person's notices from the server — a 补正
//! request, a consent request and its answer, a request to them as the holder of an e-licence,
//! a withdrawal answered, a rating followed up, a 容缺 deadline coming close, a result ready —
//! newest first, the unread ones marked; each opens its case or the consent page (and is then
//! read), one or all can be marked read ([`list`], the whole app's). [`UnreadLink`] puts the
//! unread count on the home page (the first page's module).

mod list;

use leptos::prelude::*;

use crate::api;
use crate::i18n::{t, tr, with_n};

pub use list::MessagesPage;

/// The unread count in words (`3 条未读`), empty for none.
pub(super) fn unread_words(n: u32) -> String {
    match n {
        0 => String::new(),
        1 => t().msg_unread_one.to_owned(),
        n => with_n(t().msg_unread, n),
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
            {tr(|m| m.msg_title)}
            {move || (unread.get() > 0).then(|| view! {
                " " <span class="badge badge-alert messages-unread-count">{unread_words(unread.get())}</span>
            })}
        </a>
    }
}
