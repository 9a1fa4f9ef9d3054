//! 帮办代办, assisted applications: a staff member with the agent role (a window clerk, a
//! village agent) fills an application for a named citizen, who then confirms it on their own
//! phone (or the agent records a signed paper authorisation). The agent's side, the citizen's
//! confirmation, and the codes that name a confirmation (the consent codes' alphabet).

use serde::{Deserialize, Serialize};

use crate::engine::Application;
use crate::text::Text;
use crate::wire;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Where an assisted case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssistedStatus {
    /// The agent is filling the application; nothing is with anyone yet.
    Filling,
    /// Submitted for confirmation: waiting for the citizen. Nothing is with the departments.
    Pending,
    /// The citizen confirmed: the application was submitted under the citizen's identity.
    Confirmed,
    /// Submitted on the citizen's signed paper authorisation (no phone), under their identity.
    PaperAuthority,
    /// The citizen refused: nothing reached the departments.
    Refused,
    /// Not confirmed in time: nothing reached the departments.
    Expired,
}

impl AssistedStatus {
    /// The wire name (its serde name).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// Parses the wire name (unknown reads as expired: never as a confirmation).
    pub fn parse(s: &str) -> Self {
        wire::parse(s).unwrap_or(AssistedStatus::Expired)
    }

    /// Whether the application reached the departments.
    pub fn submitted(self) -> bool {
        matches!(
            self,
            AssistedStatus::Confirmed | AssistedStatus::PaperAuthority
        )
    }
}

/// `POST /api/assisted`: the agent starts a case for a named citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedStart {
    /// The one-thing to apply for.
    pub service_id: String,
    /// The citizen's full name, as on the ID card.
    pub citizen_name: String,
    /// The citizen's 18-character resident ID number (GB 11643, checked).
    pub citizen_id_number: String,
}

/// `POST /api/assisted/{id}/submit`: the agent's finished application, for the citizen to
/// confirm, or with the signed paper authorisation when the citizen has no phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedSubmit {
    /// The application, as the wizard made it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub application: Application,
    /// A completed upload (the agent's) of the citizen's signed paper authorisation: the case
    /// is then submitted at once on that authority instead of waiting for a confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_authorisation: Option<String>,
}

/// One of the agent's cases, as the agent follows it: status only, the citizen's name masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedCase {
    /// Opaque id of the assisted case.
    pub id: String,
    /// The one-thing.
    pub service_id: String,
    /// Its name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub service_title: Text,
    /// The citizen's name, all but the first character masked (`陈*`).
    pub citizen_name: String,
    /// Where it stands.
    pub status: AssistedStatus,
    /// The confirmation code to give the citizen (while pending).
    pub code: Option<String>,
    /// When the agent started it.
    pub created_at: String,
    /// When it was submitted for confirmation (or on paper authority).
    pub submitted_at: Option<String>,
    /// Until when the citizen may confirm.
    pub expires_at: Option<String>,
    /// When the citizen confirmed or refused.
    pub answered_at: Option<String>,
    /// 办件编号, once submitted to the departments.
    pub case_number: Option<String>,
}

/// The citizen's decision (`POST /api/assisted/confirmations/{code}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssistedDecision {
    /// Submit the application under my identity.
    Confirm,
    /// Do not submit it.
    Refuse,
}

/// `POST /api/assisted/confirmations/{code}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedAnswer {
    /// Confirm or refuse.
    pub decision: AssistedDecision,
}

/// What one department would receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedRecipient {
    /// The department.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub department: Text,
    /// The sub-items it handles in this case.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TextSchema>))]
    pub sub_items: Vec<Text>,
}

/// `GET /api/assisted/confirmations/{code}`: the plain summary the citizen confirms or refuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistedConfirmation {
    /// The code.
    pub code: String,
    /// Where it stands.
    pub status: AssistedStatus,
    /// Who helped: the agent's name.
    pub agent_name: String,
    /// The agent's office or village (村社).
    pub agent_organisation: String,
    /// The one-thing applied for.
    pub service_id: String,
    /// Its name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub service_title: Text,
    /// What will be applied for: the chosen sub-items.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TextSchema>))]
    pub sub_items: Vec<Text>,
    /// The documents given, each with how (`照片` …).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<TextSchema>))]
    pub documents: Vec<Text>,
    /// Which departments receive what.
    pub recipients: Vec<AssistedRecipient>,
    /// Until when it may be confirmed.
    pub expires_at: String,
    /// When it was confirmed or refused.
    pub answered_at: Option<String>,
    /// Once confirmed: the application's id in the citizen's own list.
    pub application_id: Option<String>,
    /// Once confirmed: 办件编号.
    pub case_number: Option<String>,
}

/// `POST /api/admin/agents` (and, in development, `POST /api/dev/agent-tickets`): register a
/// staff member with the agent role (or find them again by `label`) and issue a one-time
/// sign-in ticket for their own staff account, never a citizen's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgentRequest {
    /// A stable handle of the staff member (a staff number), as the audit log names them.
    pub label: String,
    /// Their name, as the citizen sees it on the confirmation.
    pub name: String,
    /// Their office or village (村社), as the citizen sees it.
    pub organisation: String,
}

/// The agent's one-time sign-in ticket (`POST /api/session` exchanges it for a session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgentTicket {
    /// Single use; exchange it with `POST /api/session` (or open the app with `?ticket=`).
    pub ticket: String,
    /// When it expires unless used.
    pub expires_at: String,
    /// The agent's staff account.
    pub account_id: String,
}

/// The shape of a name as an agent may see it: all but the first character masked.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    chars.next().map_or_else(String::new, |first| {
        std::iter::once(first).chain(chars.map(|_| '*')).collect()
    })
}

/// An ID number as the screen shows it: its first and last four characters (a number too short
/// for that is masked whole).
pub fn mask_id_number(id: &str) -> String {
    let id = id.trim();
    mask_middle(id).unwrap_or_else(|| "*".repeat(id.chars().count()))
}

/// A printed number (ID, card, account) with all but its first and last four characters masked;
/// `None` when it has eight characters or fewer, which leaves nothing to mask between them.
pub fn mask_middle(s: &str) -> Option<String> {
    let n = s.chars().count();
    (n > 8).then(|| {
        s.chars()
            .enumerate()
            .map(|(i, c)| if i < 4 || i >= n - 4 { c } else { '*' })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_id_numbers_are_masked() {
        assert_eq!(mask_name("陈倩"), "陈*");
        assert_eq!(mask_name(" 欧阳娜娜 "), "欧***");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_id_number("33050219640315002X"), "3305**********002X");
        assert_eq!(mask_id_number("1234"), "****");
    }

    #[test]
    fn unknown_statuses_never_read_as_submitted() {
        assert_eq!(AssistedStatus::parse("bogus"), AssistedStatus::Expired);
        assert!(!AssistedStatus::parse("bogus").submitted());
        assert!(AssistedStatus::Confirmed.submitted());
        assert!(AssistedStatus::PaperAuthority.submitted());
        assert!(!AssistedStatus::Pending.submitted());
    }
}
