//! Consent to fetch another person's e-licence: the request its holder answers, the answer,
//! and the short codes that name a request.

use serde::{Deserialize, Serialize};

use crate::text::Text;
use crate::wire;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The state of a consent request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// Waiting for the holder.
    Pending,
    /// The holder authorised the fetch.
    Approved,
    /// The holder refused.
    Declined,
    /// Not answered in time.
    Expired,
}

impl ConsentStatus {
    /// The wire name (its serde name).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// Parses the wire name (unknown reads as expired: never as an authorisation).
    pub fn parse(s: &str) -> Self {
        wire::parse(s).unwrap_or(ConsentStatus::Expired)
    }
}

/// `GET /api/consents/{code}`: what the holder is asked to authorise (PIPL: who asks, for
/// what, which departments, for how long).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentRequest {
    /// The code.
    pub code: String,
    /// Its state.
    pub status: ConsentStatus,
    /// Who asks: the applicant's name, masked (`陈*`).
    pub requester_name: String,
    /// The one-thing applied for.
    pub service_id: String,
    /// Its name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub service_title: Text,
    /// 办件编号 of the case.
    pub case_number: String,
    /// The material whose e-licence would be fetched.
    pub material_id: String,
    /// Its name (父亲居民身份证).
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub material_title: Text,
    /// What the holder agrees to, in the definition's words.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub purpose: Text,
    /// The departments that receive it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TextSchema>))]
    pub departments: Vec<Text>,
    /// Who the holder is to the applicant's case (父亲, the father).
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub holder_role: Text,
    /// Days the authorisation lasts once given.
    pub valid_days: u16,
    /// When it expires unless answered.
    pub expires_at: String,
    /// When it was answered.
    pub answered_at: Option<String>,
    /// Until when the authorisation lasts, once approved.
    pub valid_until: Option<String>,
}

/// The holder's answer (`POST /api/consents/{code}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentDecision {
    /// Authorise the fetch.
    Approve,
    /// Refuse it.
    Decline,
}

/// `POST /api/consents/{code}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentAnswer {
    /// Approve or decline.
    pub decision: ConsentDecision,
}

/// Whether `code` has the shape of a consent code: 8 characters of [`CONSENT_ALPHABET`], after
/// upper-casing and dropping spaces and dashes (people type `abcd-2345`). Returns the normal form.
pub fn normalize_consent_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 8 && code.bytes().all(|b| CONSENT_ALPHABET.contains(&b))).then_some(code)
}

/// The characters of a consent code: no 0/O or 1/I/L to confuse when read aloud or typed.
pub const CONSENT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_codes_are_read_as_people_type_them() {
        assert_eq!(
            normalize_consent_code("abcd-2345").as_deref(),
            Some("ABCD2345")
        );
        assert_eq!(
            normalize_consent_code(" AB CD 23 45 ").as_deref(),
            Some("ABCD2345")
        );
        for bad in [
            "",
            "ABC2345",
            "ABCD23456",
            "ABCD2O45",
            "ABCD2I45",
            "ABCD234!",
        ] {
            assert_eq!(normalize_consent_code(bad), None, "{bad}");
        }
    }
}
