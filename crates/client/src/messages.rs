//! The message centre (`/api/messages`): my notices and their unread count, marking them read.

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

    /// `POST /api/messages/read-all`: marks all of mine read; the list now.
    ///
    /// # Errors
    /// No answer; `401`.
    pub async fn read_all_messages(&self) -> Result<MessageList> {
        Self::json(self.request(Method::POST, &["messages", "read-all"])).await
    }
}
