//! The API's error body and its stable codes ([`ErrorCode`]), which the SPA translates.

use serde::{Deserialize, Serialize};

use crate::wire;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

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
    /// 502: the platform's ticket exchange (or the sign-in provider) did not answer in time or
    /// answered something unreadable; the ticket may still be good, so trying again can help.
    IdentityProviderUnavailable,
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
    /// 409: the case (or the sub-item that asked) was withdrawn: its supplement requests are
    /// closed and take no answer.
    SupplementWithdrawn,
    /// 409: rating is possible only once every sub-item is done.
    RatingNotAllowedYet,
    /// 409: this case was rated already (once per case).
    RatingAlreadyGiven,
    /// 422: each rating score is 1 (very dissatisfied) to 5 (very satisfied).
    RatingInvalid,
    /// 422: a low rating (差评: a score of 1 or 2) needs the reason in `comment`.
    RatingReasonRequired,
    /// 409: a follow-up (整改, 回访) needs the case to be rated first.
    FollowUpNotAllowed,
    /// 409: a department has accepted a sub-item already (or the case was decided): it can no
    /// longer be withdrawn.
    WithdrawNotAllowed,
    /// 422: a withdrawal needs a reason of 1 to 200 characters.
    WithdrawReasonInvalid,
    /// 409: this sub-item is done (or withdrawn) already, or its withdrawal is already asked
    /// for and waits for the department.
    ItemWithdrawNotAllowed,
    /// 404: no request to withdraw this sub-item waits for an answer.
    WithdrawalNotFound,
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
    /// 422: what a department records for a stage or an outcome does not fit the
    /// definition's fields (`errors` has the engine's code per `record.<field>`).
    RecordInvalid,
    /// 422: moving to `delivered` needs `delivery`; by mail with a courier and a tracking number (`fields` says which is missing or malformed).
    DeliveryInvalid,
    /// 401: the department token is missing, wrong, expired or revoked.
    DepartmentUnauthorized,
    /// 422: no service definition names this department.
    DepartmentUnknown,
    /// 422: a reload of the service definitions found problems (`message` lists each: file,
    /// path inside it, what is wrong; `fields` the files); the definitions in use are unchanged.
    DefinitionsInvalid,
    /// 403: this needs a staff account with the agent role (帮办代办); a citizen's session is not one.
    AgentRequired,
    /// 403: an agent's staff account does not submit applications itself: the citizen confirms
    /// (`/api/assisted`).
    AgentCannotApply,
    /// 422: the citizen's name or ID number is not valid (`fields` says which).
    AssistedCitizenInvalid,
    /// 404: no assisted case with this id among the agent's, or no confirmation with this code
    /// addressed to you.
    AssistedNotFound,
    /// 409: the assisted case was submitted already (or is closed): it cannot be changed.
    AssistedNotOpen,
    /// 422: the application's applicant is not the citizen the case was started for.
    AssistedApplicantMismatch,
    /// 403: the agent who filled the case cannot confirm it; the citizen must.
    AssistedOwnCase,
    /// 409: the confirmation was answered already (a code answers once).
    AssistedAlreadyAnswered,
    /// 410: the confirmation was not answered in time; nothing reached the departments.
    AssistedExpired,
    /// 503: the server is up but cannot serve yet (its database does not answer).
    NotReady,
    /// 410: the case is finished and its personal data was deleted after the retention
    /// period (`personal_data_deleted_at` in the case); its statuses and dates remain.
    PersonalDataDeleted,
    /// 404: no such message of yours in the message centre.
    MessageNotFound,
    /// 404: no published entry (亮晒) with this id.
    PublicationNotFound,
    /// 409: you rated this published entry already (once per account).
    PublicationAlreadyRated,
    /// 400: the list's `cursor` is not one the list gave.
    CursorInvalid,
}

impl ErrorCode {
    /// The code as it appears on the wire (its serde name).
    pub fn as_str(self) -> &'static str {
        wire::name(&self)
    }

    /// The code with this wire name, if it is one this version knows.
    pub fn parse(code: &str) -> Option<Self> {
        wire::parse(code)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
