//! Types that cross the HTTP API, shared by the server (which renders them) and the SPA (which
//! reads them). The contract's source of truth is this module plus `docs/` (`docs/api.md`, and
//! `docs/openapi.json`, generated from these types by the server).
//!
//! Times are RFC 3339 strings in UTC (`2026-11-28T01:02:03Z`). Ids are opaque strings.
//! With the `openapi` feature (the server's), every type also describes itself as a schema.

use serde::{Deserialize, Serialize};

use crate::{ServiceDefinition, Text};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Schema stand-in for [`Text`] in the OpenAPI document: `{zh, en}`.
#[cfg(feature = "openapi")]
#[derive(ToSchema)]
#[schema(as = Text)]
pub struct TextSchema {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// One entry of the service catalogue (`GET /api/services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ServiceSummary {
    /// Stable id, used in URLs (`newborn`).
    pub id: String,
    /// The one-thing's name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub title: Text,
    /// One sentence on what it is.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub summary: Text,
    /// How many departmental items it bundles.
    pub sub_item_count: usize,
}

impl From<&ServiceDefinition> for ServiceSummary {
    fn from(d: &ServiceDefinition) -> Self {
        ServiceSummary {
            id: d.id.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            sub_item_count: d.sub_items.len(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Every error the API returns: a stable code the SPA translates, an English message for
/// developers, and the field paths it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiErrorBody {
    /// Stable `snake_case` code, e.g. `service_not_found`; see [`ErrorCode`].
    pub code: String,
    /// Developer-facing explanation (never shown to citizens).
    pub message: String,
    /// Field paths the error concerns (empty when none).
    #[serde(default)]
    pub fields: Vec<String>,
    /// For `validation_failed`: one entry per problem, with the engine's code for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One validation problem: where, and the engine's stable code (e.g. `id_number_checksum`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldProblem {
    /// Field path, e.g. `facts.mother.id_number`.
    pub path: String,
    /// Stable `snake_case` code.
    pub code: String,
}

/// The stable codes of [`ApiErrorBody::code`]. The SPA maps each to translated text; new codes
/// may be added, so a client treats an unknown code as a generic failure of its status class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 500: a fault of the server; details are in its log only.
    Internal,
    /// 404: no route.
    RouteNotFound,
    /// 404: no service definition with this id.
    ServiceNotFound,
    /// 400: the body is not the JSON the endpoint expects.
    InvalidBody,
    /// 413: the body is larger than the endpoint accepts.
    BodyTooLarge,
    /// 408: the request took too long.
    RequestTimeout,
    /// 401: no session, or it expired or was ended.
    Unauthenticated,
    /// 401: the ticket is unknown, used or expired.
    TicketInvalid,
    /// 404: the development ticket issuer is not enabled.
    DevTicketsDisabled,
    /// 401 / 404: the admin API is disabled or the admin token is wrong.
    AdminUnauthorized,
    /// 404: no such draft of yours (or it expired).
    DraftNotFound,
    /// 409: the draft changed since the version in `If-Match`.
    DraftVersionConflict,
    /// 428: `PUT` on a draft needs `If-Match` with the version being replaced.
    PreconditionRequired,
    /// 404: no such upload of yours.
    UploadNotFound,
    /// 410: the upload expired (tus expiration) or was rejected.
    UploadGone,
    /// 412: `Tus-Resumable` is missing or not `1.0.0`.
    TusVersionUnsupported,
    /// 400: a tus header is missing or malformed (`fields` names it).
    TusHeaderInvalid,
    /// 409: `Upload-Offset` is not the upload's current offset; nothing was written.
    UploadOffsetMismatch,
    /// 423: another request is writing to this upload.
    UploadLocked,
    /// 415: `PATCH` needs `Content-Type: application/offset+octet-stream`.
    UploadContentType,
    /// 460: the chunk does not match `Upload-Checksum`; it was discarded.
    ChecksumMismatch,
    /// 400: `Upload-Checksum` names an algorithm other than sha1 / sha256.
    ChecksumAlgorithmUnsupported,
    /// 413: `Upload-Length` is above the limit, or a chunk goes past `Upload-Length`.
    UploadTooLarge,
    /// 422: the completed file is not a JPEG, PNG, HEIC or PDF.
    UploadTypeNotAllowed,
    /// 422: the image has more pixels than allowed, or its header is broken.
    UploadImageTooLarge,
    /// 422: the file's structure is broken (e.g. a truncated JPEG header).
    UploadCorrupt,
    /// 400: `Idempotency-Key` is missing.
    IdempotencyKeyMissing,
    /// 422: this `Idempotency-Key` was used with a different body.
    IdempotencyKeyReused,
    /// 409: a request with this `Idempotency-Key` is still being processed.
    IdempotencyRequestInFlight,
    /// 422: the application breaks the service's rules (`errors` lists each problem).
    ValidationFailed,
    /// 422: an upload referenced by the application is not yours or not complete.
    UploadNotUsable,
    /// 404: no such application of yours.
    ApplicationNotFound,
    /// 404: no such sub-item in this application.
    SubItemNotFound,
    /// 409: the sub-item cannot move from its status to the one asked for.
    TransitionNotAllowed,
    /// 409: the sub-item waits for another one (`depends_on`) to complete first.
    WaitingForDependency,
    /// 404: no such supplement request.
    SupplementNotFound,
    /// 409: the supplement request was answered already.
    SupplementAlreadyAnswered,
    /// 422: a supplement answer needs a text or at least one upload.
    SupplementAnswerEmpty,
    /// 409: rating is possible only once every sub-item is done.
    RatingNotAllowedYet,
    /// 409: this case was rated already (once per case).
    RatingAlreadyGiven,
    /// 422: each rating score is 1 (very dissatisfied) to 5 (very satisfied).
    RatingInvalid,
    /// 404: no consent request with this code addressed to you.
    ConsentNotFound,
    /// 403: the applicant cannot answer their own consent request; the other person must.
    ConsentOwnRequest,
    /// 409: the consent request was answered already (a code answers once).
    ConsentAlreadyAnswered,
    /// 410: the consent request was not answered in time.
    ConsentExpired,
    /// 422: the sub-item's definition does not offer this way of delivering its result.
    DeliveryMethodNotOffered,
    /// 422: moving to `delivered` needs `delivery`; by mail with a courier and a tracking number (`fields` says which is missing or malformed).
    DeliveryInvalid,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Internal => "internal",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::ServiceNotFound => "service_not_found",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::TicketInvalid => "ticket_invalid",
            ErrorCode::DevTicketsDisabled => "dev_tickets_disabled",
            ErrorCode::AdminUnauthorized => "admin_unauthorized",
            ErrorCode::DraftNotFound => "draft_not_found",
            ErrorCode::DraftVersionConflict => "draft_version_conflict",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::UploadNotFound => "upload_not_found",
            ErrorCode::UploadGone => "upload_gone",
            ErrorCode::TusVersionUnsupported => "tus_version_unsupported",
            ErrorCode::TusHeaderInvalid => "tus_header_invalid",
            ErrorCode::UploadOffsetMismatch => "upload_offset_mismatch",
            ErrorCode::UploadLocked => "upload_locked",
            ErrorCode::UploadContentType => "upload_content_type",
            ErrorCode::ChecksumMismatch => "checksum_mismatch",
            ErrorCode::ChecksumAlgorithmUnsupported => "checksum_algorithm_unsupported",
            ErrorCode::UploadTooLarge => "upload_too_large",
            ErrorCode::UploadTypeNotAllowed => "upload_type_not_allowed",
            ErrorCode::UploadImageTooLarge => "upload_image_too_large",
            ErrorCode::UploadCorrupt => "upload_corrupt",
            ErrorCode::IdempotencyKeyMissing => "idempotency_key_missing",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyRequestInFlight => "idempotency_request_in_flight",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::UploadNotUsable => "upload_not_usable",
            ErrorCode::ApplicationNotFound => "application_not_found",
            ErrorCode::SubItemNotFound => "sub_item_not_found",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::WaitingForDependency => "waiting_for_dependency",
            ErrorCode::SupplementNotFound => "supplement_not_found",
            ErrorCode::SupplementAlreadyAnswered => "supplement_already_answered",
            ErrorCode::SupplementAnswerEmpty => "supplement_answer_empty",
            ErrorCode::RatingNotAllowedYet => "rating_not_allowed_yet",
            ErrorCode::RatingAlreadyGiven => "rating_already_given",
            ErrorCode::RatingInvalid => "rating_invalid",
            ErrorCode::ConsentNotFound => "consent_not_found",
            ErrorCode::ConsentOwnRequest => "consent_own_request",
            ErrorCode::ConsentAlreadyAnswered => "consent_already_answered",
            ErrorCode::ConsentExpired => "consent_expired",
            ErrorCode::DeliveryMethodNotOffered => "delivery_method_not_offered",
            ErrorCode::DeliveryInvalid => "delivery_invalid",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `ok` when the store answers.
    pub status: String,
    /// How many service definitions are loaded.
    pub services: usize,
}

// ---------------------------------------------------------------------------------------------
// Sessions

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

// ---------------------------------------------------------------------------------------------
// Drafts

/// `POST /api/drafts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftCreate {
    /// The service the draft is for.
    pub service_id: String,
    /// The SPA's in-progress answers, opaque to the server.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// `PUT /api/drafts/{id}` (with `If-Match: "<version>"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DraftUpdate {
    /// The new content; replaces the old one.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// A saved draft. Its `ETag` header is `"<version>"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Draft {
    /// Opaque id.
    pub id: String,
    /// The service it is for.
    pub service_id: String,
    /// Starts at 1, grows by 1 on every update.
    pub version: u64,
    /// The SPA's in-progress answers.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// When it was created.
    pub created_at: String,
    /// When it was last written.
    pub updated_at: String,
    /// When it is deleted unless written again.
    pub expires_at: String,
}

// ---------------------------------------------------------------------------------------------
// Uploads

/// `GET /api/uploads/{id}`: an upload's state (tus itself uses `HEAD`; this is for display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UploadInfo {
    /// Opaque id, the last segment of the tus URL.
    pub id: String,
    /// Declared length in bytes.
    pub length: u64,
    /// Bytes durably received.
    pub offset: u64,
    /// All bytes arrived and the file passed the checks.
    pub complete: bool,
    /// The type found in the bytes (`image/jpeg`, `image/png`, `image/heic`, `application/pdf`)
    /// once complete.
    pub content_type: Option<String>,
    /// When an incomplete upload is deleted.
    pub expires_at: String,
}

// ---------------------------------------------------------------------------------------------
// Applications and tracking

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
}

impl SubItemStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubItemStatus::Received => "received",
            SubItemStatus::Accepted => "accepted",
            SubItemStatus::InProgress => "in_progress",
            SubItemStatus::Completed => "completed",
            SubItemStatus::Delivered => "delivered",
            SubItemStatus::Rejected => "rejected",
            SubItemStatus::SupplementRequested => "supplement_requested",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            SubItemStatus::Received,
            SubItemStatus::Accepted,
            SubItemStatus::InProgress,
            SubItemStatus::Completed,
            SubItemStatus::Delivered,
            SubItemStatus::Rejected,
            SubItemStatus::SupplementRequested,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Whether nothing more happens to the item (delivered or rejected).
    pub fn is_final(self) -> bool {
        matches!(self, SubItemStatus::Delivered | SubItemStatus::Rejected)
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

/// How a sub-item's result reaches the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 邮寄到家: mailed by a courier, with a tracking number.
    Mail,
    /// 窗口领取: picked up at a service window, with a pickup code.
    Window,
    /// 电子证照: issued as an e-licence in the citizen's account.
    ELicence,
}

impl DeliveryMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMethod::Mail => "mail",
            DeliveryMethod::Window => "window",
            DeliveryMethod::ELicence => "e_licence",
        }
    }
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
    /// When its state last changed.
    pub updated_at: String,
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
}

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
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentStatus::Pending => "pending",
            ConsentStatus::Approved => "approved",
            ConsentStatus::Declined => "declined",
            ConsentStatus::Expired => "expired",
        }
    }

    /// Parses the wire name (unknown reads as expired: never as an authorisation).
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => ConsentStatus::Pending,
            "approved" => ConsentStatus::Approved,
            "declined" => ConsentStatus::Declined,
            _ => ConsentStatus::Expired,
        }
    }
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
}

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
