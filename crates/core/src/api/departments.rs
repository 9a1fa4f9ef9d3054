//! The departments' side of the API (`/api/department/`, with a department token issued by
//! the admin) and the operator's (`/api/admin/`): each department sees only the sub-items it
//! handles and, of a case, only the facts and materials its sub-item receives; every read of
//! personal data and every move is written to an append-only audit log.

use serde::{Deserialize, Serialize};

use super::applications::{SubItemStatus, Supplement, TimelineEvent};
use crate::text::Text;

#[cfg(feature = "openapi")]
use super::schema::TextSchema;
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// Admin: the master key was rotated (`POST /api/admin/keys/rotate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KeyRotation {
    /// The id of the master key every data key is now wrapped by.
    pub key_id: String,
    /// Whether a new master key was made (false: the keys come from the environment, and the
    /// data keys were re-wrapped under its first key).
    pub generated: bool,
    /// How many records' data keys were re-wrapped.
    pub rewrapped: u64,
    /// The ids of the master keys no longer needed (dropped from the key file).
    pub retired: Vec<String>,
}

/// One sub-item a department handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentSubItem {
    /// The service.
    pub service_id: String,
    /// The sub-item.
    pub sub_item_id: String,
    /// Its name.
    #[cfg_attr(feature = "openapi", schema(value_type = TextSchema))]
    pub title: Text,
}

/// Admin: issue a department token (`POST /api/admin/departments/tokens`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentTokenRequest {
    /// The department, by its Chinese name as the service definitions write it
    /// (`GET /api/admin/departments` lists them).
    pub department: String,
    /// Who holds the token (a desk, a person), as the audit log names them.
    pub label: String,
    /// Days the token lasts (default 90).
    #[serde(default)]
    pub ttl_days: Option<u32>,
}

/// A department as the definitions name it, with the sub-items it handles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentInfo {
    /// The department's Chinese name.
    pub department: String,
    /// The token holder, when the caller is a department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The sub-items it handles, in every service.
    pub sub_items: Vec<DepartmentSubItem>,
}

/// Admin: a department token, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentTokenCreated {
    /// The bearer token (only its hash is stored).
    pub token: String,
    /// The department and its sub-items.
    pub department: DepartmentInfo,
    /// When it stops working.
    pub expires_at: String,
}

/// The filters and page of a department's queue (`GET /api/department/cases`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema, IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct QueueQuery {
    /// Only sub-items in this status.
    #[serde(default)]
    pub status: Option<SubItemStatus>,
    /// Only sub-items due on or before this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub due_before: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u32>,
    /// Entries a page (1–100, default 20).
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// One sub-item of a case in a department's queue: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QueueEntry {
    /// The application's id.
    pub application_id: String,
    /// Its case number (办件编号).
    pub case_number: String,
    /// The service.
    pub service_id: String,
    /// The department's sub-item.
    pub sub_item_id: String,
    /// Its status.
    pub status: SubItemStatus,
    /// When the case was submitted.
    pub submitted_at: String,
    /// When the sub-item last changed.
    pub updated_at: String,
    /// Its legal time limit's last day (`YYYY-MM-DD`, working days of China's calendar).
    pub due_on: Option<String>,
}

/// A page of a department's queue, oldest due first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QueuePage {
    /// The entries of this page.
    pub entries: Vec<QueueEntry>,
    /// Entries matching the filters, on all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Entries a page.
    pub per_page: u32,
}

/// A file of a material, downloadable by the department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MaterialFile {
    /// The upload's id (`GET /api/department/cases/{case}/items/{sub_item_id}/files/{id}`).
    pub upload_id: String,
    /// Its type, sniffed from its bytes.
    pub content_type: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// One material the department receives and how the citizen provided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentMaterial {
    /// The material's id in the definition.
    pub material_id: String,
    /// `upload`, `e_licence`, `commitment` or what else the engine records.
    pub provided_as: String,
    /// The files, for uploads (in page order).
    pub files: Vec<MaterialFile>,
}

/// A case as one department sees it: its own sub-item, and only the facts and materials that
/// sub-item receives (the engine's projection for the department).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DepartmentCase {
    /// The application's id.
    pub application_id: String,
    /// Its case number.
    pub case_number: String,
    /// The service.
    pub service_id: String,
    /// The department's sub-item.
    pub sub_item_id: String,
    /// Its status.
    pub status: SubItemStatus,
    /// Sub-items it waits for.
    pub waiting_for: Vec<String>,
    /// When the case was submitted.
    pub submitted_at: String,
    /// Its time limit's last day.
    pub due_on: Option<String>,
    /// The answers the sub-item receives, by fact id.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Value,
    /// The materials it receives.
    pub materials: Vec<DepartmentMaterial>,
    /// Its supplement requests and their answers.
    pub supplements: Vec<Supplement>,
    /// The case's events that concern this sub-item (and the submission).
    pub timeline: Vec<TimelineEvent>,
    /// The citizen's request to withdraw this sub-item (the latest), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<ItemWithdrawal>,
}

/// The state of a request to withdraw one sub-item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemWithdrawalStatus {
    /// Waiting for the department.
    Pending,
    /// The department agreed: the sub-item is withdrawn.
    Approved,
    /// The department went on with it (`note` says why).
    Declined,
}

/// A citizen's request to withdraw one sub-item of a case a department has already accepted
/// part of (撤回申请), as the department sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ItemWithdrawal {
    /// The citizen's reason.
    pub reason: String,
    /// When it was asked.
    pub requested_at: String,
    /// Its state.
    pub status: ItemWithdrawalStatus,
    /// The department's note on its answer.
    pub note: Option<String>,
    /// When it was answered.
    pub answered_at: Option<String>,
}

/// `POST /api/department/cases/{case}/items/{sub_item_id}/withdrawal`: the department's
/// answer to a request to withdraw its sub-item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WithdrawalAnswer {
    /// `true`: the sub-item is withdrawn; `false`: the department goes on with it.
    pub approve: bool,
    /// Why (required when declining), shown to the citizen.
    pub note: Option<String>,
}

/// One line of the audit log: who read which personal data or moved what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    /// Its position in the log (grows by one).
    pub id: u64,
    /// When.
    pub at: String,
    /// Who: `department:<department>/<label>` or `admin`.
    pub actor: String,
    /// What: `read_case`, `read_file`, `move`, `list_queue`, `read_case_admin`,
    /// `issue_token`, `rotate_key`.
    pub action: String,
    /// The application concerned.
    pub application_id: Option<String>,
    /// Its case number.
    pub case_number: Option<String>,
    /// The sub-item concerned.
    pub sub_item_id: Option<String>,
    /// Which fields or file, or the move made.
    pub detail: Option<String>,
}

/// Admin: filters of the audit log (`GET /api/admin/audit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema, IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only entries of this case (id or case number).
    #[serde(default)]
    pub case: Option<String>,
    /// Only entries after this id (for paging forward).
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many (1–1000, default 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What a department did after a rating (好差评).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// 整改: what went wrong was put right.
    Rectification,
    /// 回访: the citizen was called back.
    Revisit,
}

/// `POST /api/department/cases/{case}/items/{sub_item_id}/follow-ups`: the department's
/// follow-up of a rating, shown on the citizen's case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FollowUp {
    /// 整改 or 回访.
    pub kind: FollowUpKind,
    /// What was done, 1 to 500 characters, in words for the citizen.
    pub note: String,
}
