//! The signed-in session. An app platform hands the page a one-time ticket that is exchanged at
//! `POST /api/session`; in a plain browser against a server with the development ticket issuer
//! on, the SPA asks that issuer for a ticket itself. The bearer token lives in memory and in
//! `sessionStorage` (this tab only); the server also sets an `HttpOnly` cookie for same-site use.
//! Where the ticket comes from is the host bridge's business (`crate::host`): the page's URL
//! (`?ticket=`, app platforms), or the host page's `ticket` message (iframes), which signs in as
//! soon as it arrives. The development issuer is asked only when `config.json` allows it.

use onething_core::api::{
    Account, DevTicket, DevTicketRequest, SessionCreated, SessionInfo, SessionRequest,
};

use super::{FetchError, get_json, post_json};

const TOKEN_KEY: &str = "onething.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

thread_local! {
    /// The token in memory too: a cross-site iframe may be denied `sessionStorage` (third-party
    /// storage blocking), and then the session lasts as long as the page.
    static MEMORY: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The bearer token, if signed in.
pub fn token() -> Option<String> {
    storage()
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())
        .or_else(|| MEMORY.with(|m| m.borrow().clone()))
}

fn set_token(token: &str) {
    MEMORY.with(|m| *m.borrow_mut() = Some(token.to_owned()));
    if let Some(s) = storage() {
        let _ = s.set_item(TOKEN_KEY, token);
    }
}

/// The development issuer's subject for this browser: random, made once and kept, so this
/// browser signs in to the same account after a restart (as a platform's login would) and its
/// saved drafts' uploads stay its own. Not personal data.
fn dev_subject() -> Option<String> {
    const KEY: &str = "onething.dev-subject";
    let local = web_sys::window()?.local_storage().ok()??;
    if let Some(s) = local.get_item(KEY).ok().flatten() {
        return Some(s);
    }
    let s = format!("dev-{}", crate::wizard::draft::random_hex());
    let _ = local.set_item(KEY, &s);
    Some(s)
}

/// Signs out: ends the session on the server and forgets, on this device, the token, the
/// drafts, their photos, queued submissions and the storage key.
pub async fn sign_out() {
    if token().is_some() {
        let init = web_sys::RequestInit::new();
        init.set_method("DELETE");
        if let Ok(headers) = web_sys::Headers::new() {
            let _ = super::send("/session", &init, &headers).await;
        }
    }
    if let Some(s) = storage() {
        let _ = s.remove_item(TOKEN_KEY);
    }
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
    get_json::<SessionInfo>("/session")
        .await
        .ok()
        .map(|i| i.account)
}

thread_local! {
    /// The exchange of the URL's ticket, while it runs (see [`adopt_url_ticket`]).
    static SIGNING_IN: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// Exchanges an app platform's `?ticket=` as soon as the app starts: the first in-app link drops
/// the URL's query, and with it the ticket. Both modules call it (`crate::lite`); the token lands
/// in `sessionStorage`, where the whole app finds it after the hand-over.
pub fn adopt_url_ticket() {
    let Some(ticket) = crate::host::current().take_url_ticket() else {
        return;
    };
    let promise = wasm_bindgen_futures::future_to_promise(async move {
        let _ = exchange(&ticket).await;
        SIGNING_IN.with(|s| s.borrow_mut().take());
        Ok(wasm_bindgen::JsValue::UNDEFINED)
    });
    SIGNING_IN.with(|s| *s.borrow_mut() = Some(promise));
}

/// Waits for the URL ticket's exchange, if one is running.
pub(crate) async fn signing_in() {
    if let Some(p) = SIGNING_IN.with(|s| s.borrow().clone()) {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

/// Exchanges a one-time ticket for a session and keeps its token.
///
/// # Errors
/// `Api { status: 401 }` for an unknown, used or expired ticket.
pub async fn exchange(ticket: &str) -> Result<Account, FetchError> {
    let created: SessionCreated = post_json(
        "/session",
        &SessionRequest {
            ticket: ticket.to_owned(),
        },
        &[],
    )
    .await?;
    set_token(&created.token);
    Ok(created.account)
}

fn session_required() -> FetchError {
    FetchError::Api {
        status: 401,
        code: "session_required".into(),
    }
}

/// The signed-in account, signing in first when needed.
///
/// # Errors
/// `Api { status: 401 }` when there is no session and no way to get one here.
pub async fn ensure() -> Result<Account, FetchError> {
    signing_in().await;
    if token().is_some() {
        match get_json::<SessionInfo>("/session").await {
            Ok(info) => return Ok(info.account),
            Err(FetchError::Api { status: 401, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let host = crate::host::current();
    if let Some(ticket) = host.take_url_ticket() {
        return exchange(&ticket).await;
    }
    if host.frame().is_some() {
        // The host page signs in with its `ticket` message; wait for it (bounded).
        if host.wait_for_host_sign_in(20_000).await && token().is_some() {
            return get_json::<SessionInfo>("/session").await.map(|i| i.account);
        }
        return Err(session_required());
    }
    if !crate::config::get().features.dev_sign_in {
        return Err(session_required());
    }
    let request = DevTicketRequest {
        subject: dev_subject(),
        ..DevTicketRequest::default()
    };
    let ticket: DevTicket =
        post_json("/dev/tickets", &request, &[])
            .await
            .map_err(|e| match e {
                // No issuer on this server: the host platform must provide the ticket.
                FetchError::Api { status: 404, .. } => session_required(),
                e => e,
            })?;
    exchange(&ticket.ticket).await
}
