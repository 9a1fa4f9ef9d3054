//! A department's side (`/api/department/`, with a department token as the bearer): its queue,
//! a case as its sub-item receives it, the materials' files, its moves; and the operator's
//! calls around it (`/api/admin/`): departments, department tokens, the audit log.

use onething_core::api::{
    AdminTransition, AuditEntry, AuditQuery, DeliveryRequest, DepartmentCase, DepartmentInfo,
    DepartmentTokenCreated, DepartmentTokenRequest, QueueEntry, QueuePage, QueueQuery,
    SubItemStatus,
};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::{Client, Result};

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Client {
    async fn get_query<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        pairs: &[(&str, String)],
    ) -> Result<T> {
        let mut url = self.url(segments);
        if !pairs.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Self::json(self.request_url(Method::GET, url)).await
    }

    /// `GET /api/department`: the caller's department and the sub-items it handles.
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`.
    pub async fn department(&self) -> Result<DepartmentInfo> {
        self.get(&["department"]).await
    }

    /// `GET /api/department/cases`: a page of the department's queue.
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`; `400 invalid_body` (a malformed filter).
    pub async fn department_queue(&self, query: &QueueQuery) -> Result<QueuePage> {
        let mut pairs = Vec::new();
        if let Some(s) = query.status {
            pairs.push(("status", onething_core::wire::name(&s).to_owned()));
        }
        if let Some(d) = &query.due_before {
            pairs.push(("due_before", d.clone()));
        }
        if let Some(p) = query.page {
            pairs.push(("page", p.to_string()));
        }
        if let Some(p) = query.per_page {
            pairs.push(("per_page", p.to_string()));
        }
        self.get_query(&["department", "cases"], &pairs).await
    }

    /// `GET /api/department/cases/{case}/items/{sub_item_id}`: the case as the department's
    /// sub-item receives it.
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`; `404 application_not_found` (also a case
    /// without a sub-item of this department), `404 sub_item_not_found`.
    pub async fn department_case(&self, case: &str, sub_item_id: &str) -> Result<DepartmentCase> {
        self.get(&["department", "cases", case, "items", sub_item_id])
            .await
    }

    /// `GET /api/department/cases/{case}/items/{sub_item_id}/files/{id}`: one file of a
    /// material the sub-item receives.
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`; `404 upload_not_found` and the case's 404s.
    pub async fn department_file(
        &self,
        case: &str,
        sub_item_id: &str,
        upload_id: &str,
    ) -> Result<Download> {
        let res = Self::send(self.request(
            Method::GET,
            &[
                "department",
                "cases",
                case,
                "items",
                sub_item_id,
                "files",
                upload_id,
            ],
        ))
        .await?;
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = res.bytes().await.map_err(crate::Error::Http)?.to_vec();
        Ok(Download {
            content_type,
            bytes,
        })
    }

    /// `POST /api/department/cases/{case}/items/{sub_item_id}`: moves the department's
    /// sub-item; returns it after the move.
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`; the case's 404s; `409
    /// transition_not_allowed`, `409 waiting_for_dependency`; `422 invalid_body` (a
    /// supplement request or a rejection without a note), `422 delivery_invalid`, `422
    /// delivery_method_not_offered`.
    pub async fn department_move(
        &self,
        case: &str,
        sub_item_id: &str,
        transition: &AdminTransition,
    ) -> Result<QueueEntry> {
        self.post(
            &["department", "cases", case, "items", sub_item_id],
            transition,
        )
        .await
    }

    /// Asks the citizen for a supplement (补正) as the department.
    ///
    /// # Errors
    /// As [`Client::department_move`].
    pub async fn department_supplement(
        &self,
        case: &str,
        sub_item_id: &str,
        note: &str,
    ) -> Result<QueueEntry> {
        let t = AdminTransition {
            to: SubItemStatus::SupplementRequested,
            note: Some(note.to_owned()),
            delivery: None,
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        self.department_move(case, sub_item_id, &t).await
    }

    /// Rejects the sub-item, with the reason.
    ///
    /// # Errors
    /// As [`Client::department_move`].
    pub async fn department_reject(
        &self,
        case: &str,
        sub_item_id: &str,
        reason: &str,
    ) -> Result<QueueEntry> {
        let t = AdminTransition {
            to: SubItemStatus::Rejected,
            note: Some(reason.to_owned()),
            delivery: None,
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        self.department_move(case, sub_item_id, &t).await
    }

    /// Records how the completed sub-item's result was delivered.
    ///
    /// # Errors
    /// As [`Client::department_move`].
    pub async fn department_deliver(
        &self,
        case: &str,
        sub_item_id: &str,
        delivery: DeliveryRequest,
    ) -> Result<QueueEntry> {
        let t = AdminTransition {
            to: SubItemStatus::Delivered,
            note: None,
            delivery: Some(delivery),
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        self.department_move(case, sub_item_id, &t).await
    }

    /// `GET /api/admin/departments`: every department the definitions name.
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`.
    pub async fn admin_departments(&self) -> Result<Vec<DepartmentInfo>> {
        self.get(&["admin", "departments"]).await
    }

    /// `POST /api/admin/departments/tokens`: a department token (shown once).
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`; `422 department_unknown`, `422 invalid_body`.
    pub async fn admin_department_token(
        &self,
        req: &DepartmentTokenRequest,
    ) -> Result<DepartmentTokenCreated> {
        self.post(&["admin", "departments", "tokens"], req).await
    }

    /// `GET /api/admin/audit`: the audit log, oldest first.
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`; `404 application_not_found` (an unknown `case`).
    pub async fn admin_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut pairs = Vec::new();
        if let Some(c) = &query.case {
            pairs.push(("case", c.clone()));
        }
        if let Some(a) = query.after {
            pairs.push(("after", a.to_string()));
        }
        if let Some(l) = query.limit {
            pairs.push(("limit", l.to_string()));
        }
        self.get_query(&["admin", "audit"], &pairs).await
    }
}

impl Client {
    /// Answers the citizen's request to withdraw the department's sub-item (撤回申请).
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`, `404 withdrawal_not_found` (none waits),
    /// `422 invalid_body` (declining without a note).
    pub async fn department_answer_withdrawal(
        &self,
        case: &str,
        sub_item_id: &str,
        answer: &onething_core::api::WithdrawalAnswer,
    ) -> Result<onething_core::api::ItemWithdrawal> {
        self.post(
            &[
                "department",
                "cases",
                case,
                "items",
                sub_item_id,
                "withdrawal",
            ],
            answer,
        )
        .await
    }

    /// Records the department's follow-up of the case's rating (整改, 回访).
    ///
    /// # Errors
    /// No answer; `401 department_unauthorized`, `409 follow_up_not_allowed` (not rated),
    /// `422 invalid_body` (the note).
    pub async fn department_follow_up(
        &self,
        case: &str,
        sub_item_id: &str,
        follow_up: &onething_core::api::FollowUp,
    ) -> Result<()> {
        Self::send(
            self.request(
                Method::POST,
                &[
                    "department",
                    "cases",
                    case,
                    "items",
                    sub_item_id,
                    "follow-ups",
                ],
            )
            .json(follow_up),
        )
        .await
        .map(|_| ())
    }
}
