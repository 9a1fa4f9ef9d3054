//! The signed-in session. An app platform hands the page a one-time ticket that is exchanged at
//! `POST /api/session`; in a plain browser against a server with the development ticket issuer
//! on, the SPA asks that issuer for a ticket itself. The bearer token lives in memory and in
//! `sessionStorage` (this tab only); the server also sets an `HttpOnly` cookie for same-site use.

use onething_core::api::{
    Account, DevTicket, DevTicketRequest, SessionCreated, SessionInfo, SessionRequest,
};

use super::{FetchError, get_json, post_json};

const TOKEN_KEY: &str = "onething.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// The bearer token, if signed in.
pub fn token() -> Option<String> {
    storage().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())
}

fn set_token(token: &str) {
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
    token()?;
    get_json::<SessionInfo>("/session")
        .await
        .ok()
        .map(|i| i.account)
}

/// The signed-in account, signing in first when needed.
///
/// # Errors
/// `Api { status: 401 }` when there is no session and no way to get one here.
pub async fn ensure() -> Result<Account, FetchError> {
    if token().is_some() {
        match get_json::<SessionInfo>("/session").await {
            Ok(info) => return Ok(info.account),
            Err(FetchError::Api { status: 401, .. }) => {}
            Err(e) => return Err(e),
        }
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
                FetchError::Api { status: 404, .. } => FetchError::Api {
                    status: 401,
                    code: "session_required".into(),
                },
                e => e,
            })?;
    let created: SessionCreated = post_json(
        "/session",
        &SessionRequest {
            ticket: ticket.ticket,
        },
        &[],
    )
    .await?;
    set_token(&created.token);
    Ok(created.account)
}
