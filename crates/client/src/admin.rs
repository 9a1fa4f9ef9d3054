//! The departments' side (`/api/admin/`, with the admin token as the bearer): list and show
//! cases, move a sub-item, ask for a supplement, record a delivery.

use onething_core::api::{
    AdminTransition, ApplicationDetail, ApplicationSummary, DeliveryRequest, KeyRotation,
    SubItemStatus,
};

use crate::{Client, Result};

impl Client {
    /// `GET /api/admin/applications`: every case, newest first.
    ///
    /// # Errors
    /// No answer; `401` or `404 admin_unauthorized` (wrong token, or the admin API is off).
    pub async fn admin_applications(&self) -> Result<Vec<ApplicationSummary>> {
        self.get(&["admin", "applications"]).await
    }

    /// `GET /api/admin/applications/{case}`: one case, by id or case number.
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`, `404 application_not_found`.
    pub async fn admin_application(&self, case: &str) -> Result<ApplicationDetail> {
        self.get(&["admin", "applications", case]).await
    }

    /// `POST /api/admin/applications/{case}/items/{sub_item_id}`: moves a sub-item; returns
    /// the case after the move.
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`, `404 application_not_found`, `404
    /// sub_item_not_found`, `409 transition_not_allowed`, `409 waiting_for_dependency`, `422
    /// delivery_invalid`, `422 delivery_method_not_offered`.
    pub async fn admin_move(
        &self,
        case: &str,
        sub_item_id: &str,
        transition: &AdminTransition,
    ) -> Result<ApplicationDetail> {
        self.post(
            &["admin", "applications", case, "items", sub_item_id],
            transition,
        )
        .await
    }

    /// Asks the citizen for a supplement (补正): a move to `supplement_requested` with what is
    /// needed.
    ///
    /// # Errors
    /// As [`Client::admin_move`].
    pub async fn admin_supplement(
        &self,
        case: &str,
        sub_item_id: &str,
        note: &str,
    ) -> Result<ApplicationDetail> {
        let transition = AdminTransition {
            to: SubItemStatus::SupplementRequested,
            note: Some(note.to_owned()),
            delivery: None,
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        self.admin_move(case, sub_item_id, &transition).await
    }

    /// Records how a completed sub-item's result was delivered: a move to `delivered`.
    ///
    /// # Errors
    /// As [`Client::admin_move`].
    pub async fn admin_deliver(
        &self,
        case: &str,
        sub_item_id: &str,
        delivery: DeliveryRequest,
    ) -> Result<ApplicationDetail> {
        let transition = AdminTransition {
            to: SubItemStatus::Delivered,
            note: None,
            delivery: Some(delivery),
            stage: None,
            record: std::collections::BTreeMap::new(),
        };
        self.admin_move(case, sub_item_id, &transition).await
    }

    /// `POST /api/admin/keys/rotate`: a new master key, every data key re-wrapped under it,
    /// while the server keeps serving.
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`; `500` when the key file cannot be written.
    pub async fn admin_rotate_key(&self) -> Result<KeyRotation> {
        self.post(&["admin", "keys", "rotate"], &serde_json::json!({}))
            .await
    }
}
