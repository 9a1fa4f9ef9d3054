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
    let ticket: DevTicket = post_json("/dev/tickets", &DevTicketRequest::default(), &[])
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
