//! The session's side of the API: a one-time ticket exchanged at `POST /api/session` for a
//! bearer token, the account it signs in (`GET /api/session`), its end, and the development
//! ticket issuer. The bearer token lives in memory and in `sessionStorage` (this tab only); the
//! server also sets an `HttpOnly` cookie for same-site use. An app platform's ticket arrives in
//! the page's URL (`?ticket=`) and is exchanged as soon as the app starts ([`adopt_url_ticket`]).
//! When to sign in, and the other sources of a ticket (the host page's `ticket` message, the
//! development issuer), are decided above the API client, in `crate::session`.

use onething_core::api::{
    Account, DevTicket, DevTicketRequest, ErrorCode, SessionCreated, SessionInfo, SessionRequest,
};

use super::{Code, FetchError, get_json, post_json};

const TOKEN_KEY: &str = "onething.session";

/// This tab's `sessionStorage`, when the browser allows it (a cross-site iframe may be denied).
pub(super) fn storage() -> Option<web_sys::Storage> {
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

/// Ends the session on the server (when there is one) and forgets its token on this device.
pub async fn end() {
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
}

/// `GET /api/session`: the account of the session this device holds.
///
/// # Errors
/// `Api { status: 401 }` when the session is missing, expired or ended.
pub async fn account() -> Result<Account, FetchError> {
    get_json::<SessionInfo>("/session").await.map(|i| i.account)
}

thread_local! {
    /// The exchange of the URL's ticket, while it runs (see [`adopt_url_ticket`]).
    static SIGNING_IN: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// Exchanges an app platform's `?ticket=` as soon as the app starts: the first in-app link drops
/// the URL's query, and with it the ticket. Both modules call it (`crate::lite`); the token lands
/// in `sessionStorage`, where the whole app finds it after the hand-over.
pub fn adopt_url_ticket() {
    let Some(ticket) = take_url_ticket() else {
        return;
    };
    // Kept for this tab until the exchange has an answer: a page left meanwhile (a link the
    // page did not catch yet, as the first page's module starts) loses the exchange's answer,
    // and the next page exchanges the ticket itself.
    if let Some(s) = storage() {
        let _ = s.set_item(PENDING_TICKET_KEY, &ticket);
    }
    let promise = wasm_bindgen_futures::future_to_promise(async move {
        if let Err(FetchError::Api {
            code:
                Code::Known(code @ (ErrorCode::TicketInvalid | ErrorCode::IdentityProviderUnavailable)),
            ..
        }) = exchange(&ticket).await
        {
            // The page that needs the account says why (see [`take_refused_ticket`]).
            let unavailable = code == ErrorCode::IdentityProviderUnavailable;
            if let Some(s) = storage() {
                let _ = s.set_item(REFUSED_TICKET_KEY, if unavailable { "502" } else { "401" });
            }
        }
        if let Some(s) = storage() {
            let _ = s.remove_item(PENDING_TICKET_KEY);
        }
        SIGNING_IN.with(|s| s.borrow_mut().take());
        Ok(wasm_bindgen::JsValue::UNDEFINED)
    });
    SIGNING_IN.with(|s| *s.borrow_mut() = Some(promise));
}

/// Where the refusal of the URL's ticket waits for the page that needs the account (in this
/// tab's storage, so the whole app finds it after the hand-over).
const REFUSED_TICKET_KEY: &str = "onething.refused-ticket";

/// The refusal of the URL's ticket, once: the platform's ticket was used or expired (open the
/// service again from the app) or its exchange did not answer (try again), rather than a bare
/// "sign in first".
pub(crate) fn take_refused_ticket() -> Option<FetchError> {
    let s = storage()?;
    let status = s.get_item(REFUSED_TICKET_KEY).ok().flatten()?;
    let _ = s.remove_item(REFUSED_TICKET_KEY);
    Some(if status == "502" {
        FetchError::Api {
            status: 502,
            code: Code::Known(ErrorCode::IdentityProviderUnavailable),
        }
    } else {
        FetchError::Api {
            status: 401,
            code: Code::Known(ErrorCode::TicketInvalid),
        }
    })
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
        &[("Idempotency-Key", &exchange_key())],
    )
    .await?;
    set_token(&created.token);
    Ok(created.account)
}

/// Where this tab keeps the `Idempotency-Key` of its ticket exchanges: a page left while an
/// exchange ran, or a lost answer, leaves the ticket used at the server; the same ticket asked
/// again with the same key signs in (docs/api.md). The server binds the key to each ticket it
/// used, so one key serves every ticket of the tab.
const EXCHANGE_KEY: &str = "onething.ticket-exchange-key";

/// This tab's key for ticket exchanges, made on its first use.
fn exchange_key() -> String {
    let kept = storage().and_then(|s| s.get_item(EXCHANGE_KEY).ok().flatten());
    kept.filter(|k| !k.is_empty()).unwrap_or_else(|| {
        let key = crate::random::random_hex();
        if let Some(s) = storage() {
            let _ = s.set_item(EXCHANGE_KEY, &key);
        }
        key
    })
}

/// `POST /api/dev/tickets`: a one-time ticket from the development issuer for `subject`.
///
/// # Errors
/// `Api { status: 404 }` when the server has no development issuer.
pub async fn dev_ticket(subject: Option<String>) -> Result<String, FetchError> {
    let request = DevTicketRequest {
        subject,
        ..DevTicketRequest::default()
    };
    let ticket: DevTicket = post_json("/dev/tickets", &request, &[]).await?;
    Ok(ticket.ticket)
}

/// Leaves for the OIDC provider's sign-in (`GET /api/session/oidc/start`); the server brings the
/// browser back to this page with a `?ticket=`, which [`adopt_url_ticket`] exchanges as any other.
pub fn start_oidc() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    let url = format!(
        "{}/session/oidc/start?return={}",
        crate::config::api_base(),
        js_sys::encode_uri_component(&here)
    );
    let _ = location.assign(&url);
}

/// Where the page's first script keeps the URL's ticket for this tab (`index.html`): the
/// prerendered pages' links work before the app has loaded, and a tap on one (Start) would
/// otherwise navigate away with the ticket still unexchanged.
const PENDING_TICKET_KEY: &str = "onething.pending-ticket";

/// A one-time login ticket the platform handed to the page. App platforms open the app's URL
/// with `?ticket=…` after their own sign-in; it is taken out of the address (it must not stay
/// in history or be shared with a link) and given out once. A ticket the page kept before a
/// navigation that happened before the app loaded is given out when the URL has none.
pub fn take_url_ticket() -> Option<String> {
    let pending = storage().and_then(|s| {
        let t = s.get_item(PENDING_TICKET_KEY).ok().flatten();
        let _ = s.remove_item(PENDING_TICKET_KEY);
        t
    });
    let window = web_sys::window()?;
    let location = window.location();
    let url = web_sys::Url::new(&location.href().ok()?).ok()?;
    let Some(ticket) = url.search_params().get("ticket") else {
        return pending.filter(|t| !t.is_empty());
    };
    url.search_params().delete("ticket");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
    (!ticket.is_empty()).then_some(ticket)
}
