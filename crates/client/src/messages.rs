//! After submission: the message centre (`/api/messages`: my notices and their unread count,
//! marking them read) and asking a department to withdraw one sub-item.

use onething_core::api::MessageList;
use reqwest::Method;

use crate::{Client, Result};

impl Client {
    /// `GET /api/messages`: my notices, newest first, and how many are unread.
    ///
    /// # Errors
    /// No answer; `401`.
    pub async fn messages(&self) -> Result<MessageList> {
        self.get(&["messages"]).await
    }

    /// `POST /api/messages/{id}/read`: marks one read; the list now.
    ///
    /// # Errors
    /// No answer; `401`, `404 message_not_found` (also someone else's).
    pub async fn read_message(&self, id: u64) -> Result<MessageList> {
        let id = id.to_string();
        Self::json(self.request(Method::POST, &["messages", &id, "read"])).await
    }

    /// `POST /api/applications/{id}/items/{sub_item_id}/withdraw`: asks the department of one
    /// sub-item to withdraw it, with my reason; the case now.
    ///
    /// # Errors
    /// No answer; `401`, `404 application_not_found`, `404 sub_item_not_found`, `409
    /// item_withdraw_not_allowed`, `422 withdraw_reason_invalid`.
    pub async fn request_item_withdrawal(
        &self,
        id: &str,
        sub_item_id: &str,
        reason: &str,
    ) -> Result<onething_core::api::ApplicationDetail> {
        let body = onething_core::api::WithdrawRequest {
            reason: reason.to_owned(),
        };
        self.post(
            &["applications", id, "items", sub_item_id, "withdraw"],
            &body,
        )
        .await
    }

    /// `POST /api/messages/read-all`: marks all of mine read; the list now.
    ///
    /// # Errors
    /// No answer; `401`.
    pub async fn read_all_messages(&self) -> Result<MessageList> {
        Self::json(self.request(Method::POST, &["messages", "read-all"])).await
    }
}
