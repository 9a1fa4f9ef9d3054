//! Signing in, above the API client and the host bridge: where a ticket comes from when a page
//! needs an account. An app platform's ticket in the page's URL is exchanged at start
//! (`api::session::adopt_url_ticket`); in an iframe the host page sends one with its `ticket`
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

/// The signed-in account, signing in first when needed.
///
/// # Errors
/// `Api { status: 401 }` when there is no session and no way to get one here.
pub async fn ensure() -> Result<Account, FetchError> {
    signing_in().await;
    if token().is_some() {
        match api_session::account().await {
            Ok(account) => return Ok(account),
            Err(FetchError::Api { status: 401, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(ticket) = api_session::take_url_ticket() {
        return api_session::exchange(&ticket).await;
    }
    let host = crate::host::current();
    if host.frame().is_some() {
        // The host page signs in with its `ticket` message; wait for it (bounded).
        if host.wait_for_host_sign_in(20_000).await && token().is_some() {
            return api_session::account().await;
        }
        return Err(session_required());
    }
    if crate::config::get().features.oidc_sign_in {
        // The page leaves for the provider and comes back with a ticket; until it unloads,
        // the caller sees what it would without a session.
        api_session::start_oidc();
        return Err(session_required());
    }
    if !crate::config::get().features.dev_sign_in {
        return Err(session_required());
    }
    let ticket = api_session::dev_ticket(dev_subject())
        .await
        .map_err(|e| match e {
            // No issuer on this server: the host platform must provide the ticket.
            FetchError::Api { status: 404, .. } => session_required(),
            e => e,
        })?;
    api_session::exchange(&ticket).await
}
