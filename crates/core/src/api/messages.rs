//! The message centre (消息中心): notices about the citizen's own cases that find them without
//! opening a case — a 补正 request, a consent request and its answer, a 容缺 deadline coming
//! close, a result ready. The same notices leave through the server's outbox (platform message
//! or SMS gateway); neither carries an ID number or other sensitive data.

use serde::{Deserialize, Serialize};

use crate::text::Text;
use crate::wire;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A department (or a refused consent) asks for a supplement (补正).
    SupplementRequested,
    /// A consent request went to the holder of an e-licence.
    ConsentRequested,
    /// The holder authorised the fetch.
    ConsentApproved,
    /// The holder refused.
    ConsentDeclined,
    /// Nobody answered the consent request in time.
    ConsentExpired,
    /// A deferred material (容缺) is due in 3 working days, or in 1.
    DeadlineApproaching,
    /// A sub-item was completed or its result delivered.
    ResultReady,
    /// A department answered the request to withdraw its sub-item (approved or not).
    WithdrawalAnswered,
    /// A department followed up the citizen's rating (整改 or 回访).
    RatingFollowUp,
    /// The reader is the holder asked to approve an e-licence fetch for someone else's case
    /// (the other parent): the notice opens the consent page (`consent_code`).
    ConsentAsked,
}

impl MessageKind {
    /// The wire name (its serde name).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        wire::parse(s)
    }
}

/// One notice of the message centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Message {
    /// Its id (for marking it read).
    pub id: u64,
    /// What it is about.
    pub kind: MessageKind,
    /// The case it concerns.
    pub application_id: Option<String>,
    /// 办件编号 of that case.
    pub case_number: Option<String>,
    /// The one-thing of that case.
    pub service_id: Option<String>,
    /// The sub-item concerned, if one.
    pub sub_item_id: Option<String>,
    /// The last day to supply a deferred material (`deadline_approaching`), `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// The consent request to answer (`consent_asked`: the reader is the holder, not the
    /// applicant, so the notice opens `/consents/{code}` rather than the case).
    pub consent_code: Option<String>,
    /// The notice, short, in both languages (the same text the outbox sends).
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub text: Text,
    /// When it was made.
    pub created_at: String,
    /// Whether the citizen has read it.
    pub read: bool,
}

/// `GET /api/messages`: the caller's notices, newest first, and how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MessageList {
    /// Newest first (the latest 100).
    pub messages: Vec<Message>,
    /// How many of all the caller's notices are unread.
    pub unread: u32,
}
