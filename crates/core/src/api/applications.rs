//! Submitted applications and their tracking: the statuses of a case and its sub-items, the
//! timeline, supplements (补正), delivery of results, ratings (好差评), the consent requests
//! an applicant sees, and the admin API's move of a sub-item.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::consents::ConsentStatus;
use crate::definition::{DeliveryMethod, OutcomeKind};
use crate::text::Text;
use crate::value::AnswerValue;
use crate::wire;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The state of one departmental item of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubItemStatus {
    /// 已接收: submitted, not yet looked at.
    Received,
    /// 已受理: the department accepted the case.
    Accepted,
    /// 办理中: being handled.
    InProgress,
    /// 已办结: done (certificate issued).
    Completed,
    /// 已送达: result delivered (mailed, or e-licence issued). Final.
    Delivered,
    /// 不予受理 / 不予许可: refused. Final.
    Rejected,
    /// 补正: the department needs something more from the citizen.
    SupplementRequested,
    /// 已撤回: the citizen withdrew the case before any department accepted it. Final.
    Withdrawn,
}

impl SubItemStatus {
    /// The wire name (its serde name).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        wire::parse(s)
    }

    /// Whether nothing more happens to the item (delivered, rejected or withdrawn).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SubItemStatus::Delivered | SubItemStatus::Rejected | SubItemStatus::Withdrawn
        )
    }

    /// Whether the item's result exists (completed or delivered): dependants may proceed.
    pub fn is_done(self) -> bool {
        matches!(self, SubItemStatus::Completed | SubItemStatus::Delivered)
    }
}

/// The whole case's state, derived from its sub-items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Some sub-item is still being handled.
    InProgress,
    /// A sub-item waits for the citizen (补正).
    ActionRequired,
    /// Every sub-item is completed, delivered or rejected.
    Completed,
    /// The citizen withdrew the case (撤回): every sub-item is withdrawn.
    Withdrawn,
}

/// An accepted submission (`201` of `POST /api/applications`, or its replay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationCreated {
    /// Opaque id for the API.
    pub id: String,
    /// 办件编号: the case number shown to the citizen and staff.
    pub case_number: String,
    /// When it was received.
    pub submitted_at: String,
}

/// One line of `GET /api/applications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationSummary {
    /// Opaque id.
    pub id: String,
    /// 办件编号.
    pub case_number: String,
    /// The service applied for.
    pub service_id: String,
    /// Derived state of the case.
    pub status: ApplicationStatus,
    /// When it was received.
    pub submitted_at: String,
    /// When anything last changed.
    pub updated_at: String,
    /// Whether a rating (好差评) may be given now.
    #[serde(default)]
    pub can_rate: bool,
    /// Consent requests still waiting for the other person's answer.
    #[serde(default)]
    pub pending_consents: u32,
}

/// How a delivered sub-item's result reached (or waits for) the citizen. Which fields are set
/// depends on `method`: mail has `courier` and `tracking_number`; window has `office`,
/// `address`, `hours` and `pickup_code`; e-licence has `where_to_find`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Delivery {
    /// The way.
    pub method: DeliveryMethod,
    /// Mail: the courier company, as the department named it (`顺丰速运`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<String>,
    /// Mail: the courier's tracking number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// Window: the office.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TextSchema>))]
    pub office: Option<Text>,
    /// Window: its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TextSchema>))]
    pub address: Option<Text>,
    /// Window: its opening hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TextSchema>))]
    pub hours: Option<Text>,
    /// Window: the code to give at the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_code: Option<String>,
    /// E-licence: where to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<TextSchema>))]
    pub where_to_find: Option<Text>,
}

/// Admin API: how a result was delivered, when moving a sub-item to `delivered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliveryRequest {
    /// One of the ways the sub-item's definition offers.
    pub method: DeliveryMethod,
    /// Mail: the courier company (required).
    #[serde(default)]
    pub courier: Option<String>,
    /// Mail: the tracking number (required; letters and digits, 6 to 30).
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Window: the pickup code (4 to 12 letters or digits); generated when absent.
    #[serde(default)]
    pub pickup_code: Option<String>,
}

/// Tracking of one sub-item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubItemTrack {
    /// The sub-item's id in the definition.
    pub sub_item_id: String,
    /// Its state.
    pub status: SubItemStatus,
    /// Sub-items (`depends_on`) whose result it still waits for, e.g. 医保 waits for 户口.
    pub waiting_for: Vec<String>,
    /// Courier tracking number, once delivered by mail (the same as `delivery.tracking_number`).
    pub tracking_number: Option<String>,
    /// How the result was delivered, once `delivered`.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// The tracking stages of its definition (`stages`) the department entered, oldest first,
    /// each with what it recorded (联合踏勘 with the confirmed date). The last is the current
    /// one while the item is in progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageEntry>,
    /// Its result as the department recorded it on completion (the definition's `outcome`:
    /// a connection, a payment with its amount and date, a filing with its number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeRecord>,
    /// When its state last changed.
    pub updated_at: String,
}

/// A tracking stage a department entered (`AdminTransition::stage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StageEntry {
    /// The stage's id in the sub-item's definition.
    pub stage: String,
    /// When it was entered.
    pub at: String,
    /// What the department recorded: the stage's `record` fields by id, normalised.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub record: BTreeMap<String, AnswerValue>,
}

/// A sub-item's result as recorded on completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OutcomeRecord {
    /// The definition's kind of result.
    pub kind: OutcomeKind,
    /// When it was recorded.
    pub at: String,
    /// What the department recorded: the outcome's `record` fields by id, normalised.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub record: BTreeMap<String, AnswerValue>,
}

/// What happened in a case's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The application was received.
    Submitted,
    /// A sub-item changed state (`status`).
    StatusChanged,
    /// A department asked for a supplement (`note` says what).
    SupplementRequested,
    /// The citizen answered a supplement request.
    SupplementAnswered,
    /// The citizen rated the case.
    Rated,
    /// A consent request was sent to the holder of an e-licence (`material_id` says which).
    ConsentRequested,
    /// The holder authorised the fetch.
    ConsentApproved,
    /// The holder refused; the material is asked for as a supplement instead.
    ConsentDeclined,
    /// Nobody answered in time; the material is asked for as a supplement instead.
    ConsentExpired,
    /// The citizen withdrew the case (撤回); `note` is their reason.
    Withdrawn,
    /// The citizen asked the department to withdraw one sub-item (`sub_item_id`).
    WithdrawalRequested,
    /// The department agreed: the sub-item is withdrawn.
    WithdrawalApproved,
    /// The department goes on with the sub-item; `note` says why.
    WithdrawalDeclined,
    /// After a rating, the department put right what went wrong (整改); `note` says what.
    Rectified,
    /// After a rating, the department called the citizen back (回访); `note` says how it went.
    Revisited,
    /// A sub-item entered a tracking stage of its definition: the n-th such event of a
    /// sub-item is its n-th entry in `SubItemTrack::stages` (which stage, what was recorded);
    /// `note` is the department's note.
    StageEntered,
}

/// One event of a case's timeline, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelineEvent {
    /// When.
    pub at: String,
    /// What.
    pub kind: TimelineKind,
    /// Which sub-item, if one.
    pub sub_item_id: Option<String>,
    /// The new state, for `status_changed`.
    pub status: Option<SubItemStatus>,
    /// The department's note (shown to the citizen), if any.
    pub note: Option<String>,
    /// The material concerned, for consent events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_id: Option<String>,
    /// The department that made the move, when one did through its API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// A department's request for a supplement (补正), and the citizen's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Supplement {
    /// Opaque id.
    pub id: String,
    /// The sub-item that asks.
    pub sub_item_id: String,
    /// What is needed, in the department's words.
    pub note: String,
    /// When it was asked.
    pub requested_at: String,
    /// The answer, once given.
    pub answer: Option<SupplementAnswer>,
}

/// The citizen's answer to a supplement request
/// (`POST /api/applications/{id}/supplements/{supplement_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SupplementAnswer {
    /// A written answer.
    #[serde(default)]
    pub text: Option<String>,
    /// Completed uploads of the caller (tus ids).
    #[serde(default)]
    pub upload_ids: Vec<String>,
    /// Set by the server.
    #[serde(default)]
    pub answered_at: Option<String>,
}

/// 好差评 scores, each 1 (非常不满意, very dissatisfied) to 5 (非常满意, very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RatingScores {
    /// 整体满意度: overall satisfaction.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub overall: u8,
    /// 办事效率: efficiency.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub efficiency: u8,
    /// 办事指南精确度: accuracy of the guide.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub guide_accuracy: u8,
    /// 办事便捷度: convenience.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub convenience: u8,
    /// 平台操作性: ease of use of the platform.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub usability: u8,
}

impl RatingScores {
    /// Whether every score is within 1..=5.
    pub fn is_valid(&self) -> bool {
        [
            self.overall,
            self.efficiency,
            self.guide_accuracy,
            self.convenience,
            self.usability,
        ]
        .iter()
        .all(|s| (1..=5).contains(s))
    }

    /// A 差评: some indicator is 不满意 (2) or 非常不满意 (1). It needs a reason, and the
    /// department follows it up (整改, 回访).
    pub fn is_low(&self) -> bool {
        [
            self.overall,
            self.efficiency,
            self.guide_accuracy,
            self.convenience,
            self.usability,
        ]
        .iter()
        .any(|s| *s <= 2)
    }
}

/// `POST /api/applications/{id}/rating`, and the stored rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rating {
    /// The five scores.
    pub scores: RatingScores,
    /// An optional comment.
    #[serde(default)]
    pub comment: Option<String>,
    /// Set by the server.
    #[serde(default)]
    pub rated_at: Option<String>,
}

/// `GET /api/applications/{id}` and every Server-Sent Event of its stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationDetail {
    /// Opaque id.
    pub id: String,
    /// 办件编号.
    pub case_number: String,
    /// The service applied for.
    pub service_id: String,
    /// The version of the service's definition the case was submitted under (its tracking
    /// keeps using that version after the definition changes). Absent for a case from before
    /// versions were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_version: Option<String>,
    /// Derived state of the case.
    pub status: ApplicationStatus,
    /// When it was received.
    pub submitted_at: String,
    /// When anything last changed.
    pub updated_at: String,
    /// Grows by one on every change (an SSE client can drop stale events).
    pub revision: u64,
    /// Per sub-item, in the definition's order.
    pub items: Vec<SubItemTrack>,
    /// Everything that happened, oldest first.
    pub timeline: Vec<TimelineEvent>,
    /// Supplement requests, oldest first.
    pub supplements: Vec<Supplement>,
    /// The rating, once given.
    pub rating: Option<Rating>,
    /// Whether a rating may be given now.
    pub can_rate: bool,
    /// Consent requests to other people for their e-licences, oldest first.
    #[serde(default)]
    pub consents: Vec<Consent>,
    /// When the case's personal data was deleted, the retention period after it finished
    /// having passed (the answers, materials, supplement answers, comments and notes are gone;
    /// statuses and dates remain). Absent while it is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data_deleted_at: Option<String>,
    /// Once the personal data was deleted: whole days from the case's last change
    /// (`updated_at`, when it finished) to the deletion, i.e. the retention period then in
    /// force; the case page says "deleted N days after the case finished".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
}

/// A consent request as the applicant sees it, in [`ApplicationDetail::consents`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Consent {
    /// The short code to share; the holder opens `/consents/{code}`.
    pub code: String,
    /// The material whose e-licence is asked for.
    pub material_id: String,
    /// Who the holder is (父亲, the father).
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub holder_role: Text,
    /// The holder's name as the applicant entered it.
    pub holder_name: String,
    /// Its state.
    pub status: ConsentStatus,
    /// When it was asked.
    pub requested_at: String,
    /// When it expires unless answered.
    pub expires_at: String,
    /// When it was answered.
    pub answered_at: Option<String>,
    /// Until when the authorisation lasts, once approved.
    pub valid_until: Option<String>,
}

/// `POST /api/applications/{id}/withdraw`: the citizen withdraws the case (撤回) while no
/// department has accepted any of its sub-items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WithdrawRequest {
    /// Why (required, 1 to [`WITHDRAW_REASON_MAX`] characters); shown in the timeline.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
}

/// The longest withdrawal reason, in characters.
pub const WITHDRAW_REASON_MAX: usize = 200;

/// Admin API: move a sub-item (`POST /api/admin/applications/{id}/items/{sub_item_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminTransition {
    /// The state to move to. `supplement_requested` needs a `note`.
    pub to: SubItemStatus,
    /// Shown to the citizen (what to supplement, why refused).
    #[serde(default)]
    pub note: Option<String>,
    /// How the result was delivered: required when moving to `delivered`.
    #[serde(default)]
    pub delivery: Option<DeliveryRequest>,
    /// Enter this tracking stage of the sub-item's definition (`stages`), with `to =
    /// in_progress`, from `accepted` or `in_progress`: every required stage before it
    /// reached, and not one passed already unless it is `repeatable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// What the department records, by field id: the stage's `record` fields, or, moving to
    /// `completed`, the definition's `outcome` fields (checked by kind: `record_invalid`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub record: BTreeMap<String, AnswerValue>,
}

impl AdminTransition {
    /// A plain move to `to`: no note, delivery, stage or record.
    pub fn to(to: SubItemStatus) -> Self {
        AdminTransition {
            to,
            note: None,
            delivery: None,
            stage: None,
            record: BTreeMap::new(),
        }
    }
}
