//! Signing in: a platform ticket exchanged for a session, the signed-in account, and the
//! development ticket issuer.

use serde::{Deserialize, Serialize};

use crate::engine::PrefillData;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The signed-in person, with the identity data the platform vouches for. The SPA uses it to
/// prefill the applicant's facts; it is sensitive (mask the ID number on screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Account {
    /// Opaque account id.
    pub id: String,
    /// Full name, e.g. `王小红`.
    pub name: String,
    /// Mobile number, 11 digits.
    pub phone: String,
    /// 18-character resident ID number (GB 11643).
    pub id_number: String,
}

impl From<&Account> for PrefillData {
    fn from(a: &Account) -> Self {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        PrefillData {
            name: some(&a.name),
            id_number: some(&a.id_number),
            mobile: some(&a.phone),
        }
    }
}

/// `POST /api/session`: exchange a platform ticket for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionRequest {
    /// The one-time ticket the app platform handed to the webview.
    pub ticket: String,
}

/// A new session (`POST /api/session`). The same token is also set as an `HttpOnly` cookie;
/// a client that cannot use cookies (cross-site iframe) sends `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionCreated {
    /// The bearer token (≥ 128 random bits). Keep it in memory only.
    pub token: String,
    /// When the session ends.
    pub expires_at: String,
    /// Who signed in.
    pub account: Account,
}

/// `GET /api/session`: the current session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// When the session ends.
    pub expires_at: String,
    /// Who is signed in.
    pub account: Account,
}

/// `POST /api/dev/tickets` (development only): what the fake platform should vouch for. Every
/// field is optional; missing ones are generated (a valid-looking but fake identity).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DevTicketRequest {
    /// The platform's user id; the same subject signs in to the same account.
    #[serde(default)]
    pub subject: Option<String>,
    /// Name to use.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone to use.
    #[serde(default)]
    pub phone: Option<String>,
    /// ID number to use.
    #[serde(default)]
    pub id_number: Option<String>,
}

/// A development ticket: single-use, short-lived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DevTicket {
    /// Pass it to `POST /api/session`.
    pub ticket: String,
    /// It cannot be exchanged after this.
    pub expires_at: String,
    /// The account it signs in to.
    pub account: Account,
}
