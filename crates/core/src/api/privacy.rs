//! Privacy (PIPL): what the server does with personal data, so the SPA's notice says what is
//! true of the server it talks to (`GET /api/privacy`), and the person's consent, sent with the
//! submission and recorded with the case.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The version of the privacy notice the SPA shows. A consent names the version it was given
/// to; a changed notice gets a new version (and is asked again).
pub const PRIVACY_NOTICE_VERSION: &str = "2026-12";

/// `GET /api/privacy`: the figures and protections the privacy notice states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrivacyFacts {
    /// The notice version a consent must name ([`PRIVACY_NOTICE_VERSION`]).
    pub notice_version: String,
    /// Days a draft saved on the server is kept after its last change (`--draft-ttl-days`).
    pub draft_ttl_days: u64,
    /// Hours a photo or file not used in an application is kept (`--upload-ttl-hours`).
    pub upload_ttl_hours: u64,
    /// Days the personal data of a finished case is kept after its last change, then deleted
    /// (`--retention-days`); 0: kept until an operator deletes it.
    pub retention_days: u64,
    /// How personal data is protected at rest (`AES-256-GCM`).
    pub encryption_at_rest: String,
}

/// The person's consent to the notice, given on the device before anything personal left it:
/// the `privacy_consent` member of a submission (`POST /api/applications`), recorded with the
/// case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PrivacyConsent {
    /// The notice version agreed to.
    pub version: String,
    /// When the person agreed (RFC 3339, the device's clock).
    pub agreed_at: String,
    /// The separate consent to sensitive personal information (PIPL art. 29) was given too.
    pub sensitive: bool,
}
