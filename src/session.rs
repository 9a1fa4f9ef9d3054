//! Signing in, above the API client and the host bridge: where a ticket comes from when a page
//! needs an account. An app platform's ticket in the page's URL is exchanged at start
//! (`api::session::adopt_url_ticket`), and when that session ends mid-way the page is reopened
//! through the platform's sign-in, which brings a new one (`Host::sign_in_again`); in an iframe the host page sends one with its `ticket`
//! message (`crate::host`), which signs in as soon as it arrives; in a plain browser against a
//! server with the development ticket issuer on, the SPA asks that issuer itself, only when
//! `config.json` allows it; or, when `config.json` turns on `oidc_sign_in`, it leaves for the
//! server's OIDC provider, which brings it back with a ticket. Signing out also forgets what this device keeps (`crate::storage`).

use onething_core::api::{Account, ErrorCode};

use crate::api::session::{self as api_session, signing_in, token};
use crate::api::{Code, FetchError};

/// The development issuer's subject for this browser: random, made once and kept, so this
/// browser signs in to the same account after a restart (as a platform's login would) and its
/// saved drafts' uploads stay its own. Not personal data.
fn dev_subject() -> Option<String> {
    const KEY: &str = "onething.dev-subject";
    let local = web_sys::window()?.local_storage().ok()??;
    if let Some(s) = local.get_item(KEY).ok().flatten() {
        return Some(s);
    }
    let s = format!("dev-{}", crate::random::random_hex());
    let _ = local.set_item(KEY, &s);
    Some(s)
}

/// Signs out: ends the session on the server and forgets, on this device, the token, the
/// drafts, their photos, queued submissions and the storage key.
pub async fn sign_out() {
    api_session::end().await;
    crate::storage::clear_all().await;
    if let Some(local) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let keys: Vec<String> = (0..local.length().unwrap_or(0))
            .filter_map(|i| local.key(i).ok().flatten())
            .filter(|k| {
                k.starts_with("onething.")
                    && !matches!(k.as_str(), "onething.locale" | "onething.elder")
            })
            .collect();
        for k in keys {
            let _ = local.remove_item(&k);
        }
    }
}

/// The signed-in account, when there is a session (no sign-in attempt otherwise): what the
/// wizard prefills from.
pub async fn current() -> Option<Account> {
    signing_in().await;
    token()?;
    api_session::account().await.ok()
}

/// No session, and no way to get one here: the contract's own answer to that.
fn session_required() -> FetchError {
    FetchError::Api {
        status: 401,
        code: Code::Known(ErrorCode::Unauthenticated),
    }
}

// Reference-counted: owned by no component, so it lives as long as the page.
thread_local! {
    static LOST: leptos::prelude::ArcRwSignal<bool> = leptos::prelude::ArcRwSignal::new(false);
}

/// True while the session ended mid-way and could not be renewed here (an app platform whose
/// sign-in entry is not configured, see `crate::host`'s `sign_in`): the wizard says so; the
/// draft stays on the device.
pub fn lost() -> leptos::prelude::ArcRwSignal<bool> {
    LOST.with(Clone::clone)
}

/// The signed-in account, signing in first when needed.
///
/// # Errors
/// `Api { status: 401 }` when there is no session and no way to get one here.
pub async fn ensure() -> Result<Account, FetchError> {
    use leptos::prelude::{GetUntracked, Set};
    let (result, ended) = sign_in().await;
    let lost = ended && matches!(result, Err(FetchError::Api { status: 401, .. }));
    LOST.with(|l| {
        if l.get_untracked() != lost {
            l.set(lost);
        }
    });
    result
}

/// [`ensure`]'s work, and whether a session this page held had ended.
async fn sign_in() -> (Result<Account, FetchError>, bool) {
    let result = |r| (r, false);
    signing_in().await;
    // A token the server no longer knows: the session ended (expired, or ended elsewhere).
    let mut ended = false;
    if token().is_some() {
        match api_session::account().await {
            Ok(account) => return result(Ok(account)),
            Err(FetchError::Api { status: 401, .. }) => ended = true,
            Err(e) => return result(Err(e)),
        }
    }
    if let Some(ticket) = api_session::take_url_ticket() {
        return (api_session::exchange(&ticket).await, ended);
    }
    if token().is_none()
        && let Some(refused) = api_session::take_refused_ticket()
    {
        return (Err(refused), ended);
    }
    let host = crate::host::current();
    if let Some(frame) = host.frame() {
        // The host page signs in with its `ticket` message; wait for it (bounded). When the
        // session it gave ended, ask it for a new one first.
        if ended {
            frame.ask_sign_in_again();
        }
        if host.wait_for_host_sign_in(20_000).await && token().is_some() {
            return (api_session::account().await, ended);
        }
        return (Err(session_required()), ended);
    }
    // An app platform that opened the page with a ticket: reopen it through the platform's
    // sign-in, which comes back to this URL (the same step; the draft is on the device) with a
    // new one. The page leaves: nothing is lost, so nothing to say.
    if ended && host.sign_in_again().await {
        return (Err(session_required()), false);
    }
    if crate::config::get().features.oidc_sign_in {
        // The page leaves for the provider and comes back with a ticket; until it unloads,
        // the caller sees what it would without a session.
        api_session::start_oidc();
        return (Err(session_required()), ended);
    }
    if !crate::config::get().features.dev_sign_in {
        return (Err(session_required()), ended);
    }
    let ticket = match api_session::dev_ticket(dev_subject()).await {
        Ok(t) => t,
        // No issuer on this server: the host platform must provide the ticket.
        Err(FetchError::Api { status: 404, .. }) => return (Err(session_required()), ended),
        Err(e) => return (Err(e), ended),
    };
    (api_session::exchange(&ticket).await, ended)
}
