//! 帮办代办 (`/api/assisted`): the agent's side (start a case for a named citizen, submit it
//! for confirmation or on paper authority, follow the cases), the citizen's confirmation, and
//! the admin's registration of an agent.

use onething_core::api::{
    AgentRequest, AgentTicket, AssistedAnswer, AssistedCase, AssistedConfirmation,
    AssistedDecision, AssistedStart, AssistedSubmit,
};

use crate::{Client, Result};

impl Client {
    /// `POST /api/admin/agents`: registers an agent (or finds them by `label`) and issues a
    /// one-time sign-in ticket for their staff account (24 hours).
    ///
    /// # Errors
    /// No answer; `admin_unauthorized`; `422 invalid_body`.
    pub async fn admin_agent_ticket(&self, req: &AgentRequest) -> Result<AgentTicket> {
        self.post(&["admin", "agents"], req).await
    }

    /// `POST /api/dev/agent-tickets` (development only): the same, from the development issuer.
    ///
    /// # Errors
    /// No answer; `404 dev_tickets_disabled`; `422 invalid_body`.
    pub async fn dev_agent_ticket(&self, req: &AgentRequest) -> Result<AgentTicket> {
        self.post(&["dev", "agent-tickets"], req).await
    }

    /// `GET /api/assisted`: the agent's cases, newest first (status only, names masked).
    ///
    /// # Errors
    /// No answer; `401`; `403 agent_required`.
    pub async fn assisted_cases(&self) -> Result<Vec<AssistedCase>> {
        self.get(&["assisted"]).await
    }

    /// `POST /api/assisted`: starts a case for a named citizen.
    ///
    /// # Errors
    /// No answer; `403 agent_required`; `422 assisted_citizen_invalid`, `422 service_not_found`.
    pub async fn start_assisted(&self, req: &AssistedStart) -> Result<AssistedCase> {
        self.post(&["assisted"], req).await
    }

    /// `GET /api/assisted/{id}`: one of the agent's cases.
    ///
    /// # Errors
    /// No answer; `403 agent_required`; `404 assisted_not_found`.
    pub async fn assisted_case(&self, id: &str) -> Result<AssistedCase> {
        self.get(&["assisted", id]).await
    }

    /// `POST /api/assisted/{id}/submit`: for the citizen's confirmation, or on paper authority.
    ///
    /// # Errors
    /// No answer; `404 assisted_not_found`; `409 assisted_not_open`; `422 validation_failed`,
    /// `422 assisted_applicant_mismatch`, `422 upload_not_usable`.
    pub async fn submit_assisted(&self, id: &str, req: &AssistedSubmit) -> Result<AssistedCase> {
        self.post(&["assisted", id, "submit"], req).await
    }

    /// `GET /api/assisted/confirmations/{code}`: the summary the citizen confirms.
    ///
    /// # Errors
    /// No answer; `403 assisted_own_case`; `404 assisted_not_found`.
    pub async fn assisted_confirmation(&self, code: &str) -> Result<AssistedConfirmation> {
        self.get(&["assisted", "confirmations", code]).await
    }

    /// `POST /api/assisted/confirmations/{code}`: confirm (submitted under the caller's
    /// identity, exactly once) or refuse.
    ///
    /// # Errors
    /// No answer; `403 assisted_own_case`; `404 assisted_not_found`; `409
    /// assisted_already_answered`; `410 assisted_expired`; `422 validation_failed`.
    pub async fn answer_assisted(
        &self,
        code: &str,
        decision: AssistedDecision,
    ) -> Result<AssistedConfirmation> {
        self.post(
            &["assisted", "confirmations", code],
            &AssistedAnswer { decision },
        )
        .await
    }
}
