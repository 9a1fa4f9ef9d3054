//! 帮办代办 (`/api/assisted`): the agent's calls (start a case for a named citizen, submit it
//! for the citizen's confirmation, follow the cases) and the citizen's confirmation.

use onething_core::api::{
    AssistedAnswer, AssistedCase, AssistedConfirmation, AssistedDecision, AssistedStart,
    AssistedSubmit, normalize_consent_code,
};

use super::{Code, FetchError, get_json, post_json};

/// `GET /api/assisted`: the agent's cases, newest first.
///
/// # Errors
/// See [`FetchError`]; `agent_required` for a citizen's session.
pub async fn list() -> Result<Vec<AssistedCase>, FetchError> {
    get_json("/assisted").await
}

/// `POST /api/assisted`: starts a case for a named citizen.
///
/// # Errors
/// See [`FetchError`]; `assisted_citizen_invalid`.
pub async fn start(req: &AssistedStart) -> Result<AssistedCase, FetchError> {
    post_json("/assisted", req, &[]).await
}

/// `GET /api/assisted/{id}`: one of the agent's cases.
///
/// # Errors
/// See [`FetchError`]; `assisted_not_found`.
pub async fn get(id: &str) -> Result<AssistedCase, FetchError> {
    get_json(&format!("/assisted/{}", path_id(id)?)).await
}

/// `POST /api/assisted/{id}/submit`: for the citizen's confirmation.
///
/// # Errors
/// See [`FetchError`]; `assisted_not_open`, `validation_failed`, `assisted_applicant_mismatch`.
pub async fn submit(id: &str, req: &AssistedSubmit) -> Result<AssistedCase, FetchError> {
    post_json(&format!("/assisted/{}/submit", path_id(id)?), req, &[]).await
}

/// `GET /api/assisted/confirmations/{code}`: the summary the citizen confirms.
///
/// # Errors
/// See [`FetchError`]; `assisted_not_found`, `assisted_own_case`.
pub async fn confirmation(code: &str) -> Result<AssistedConfirmation, FetchError> {
    get_json(&format!("/assisted/confirmations/{}", code_path(code)?)).await
}

/// `POST /api/assisted/confirmations/{code}`: confirm or refuse.
///
/// # Errors
/// See [`FetchError`]; `assisted_already_answered`, `assisted_expired`.
pub async fn answer(
    code: &str,
    decision: AssistedDecision,
) -> Result<AssistedConfirmation, FetchError> {
    let body = AssistedAnswer { decision };
    post_json(
        &format!("/assisted/confirmations/{}", code_path(code)?),
        &body,
        &[],
    )
    .await
}

/// `GET /api/assisted/{id}/qr.svg?link=`: the QR code of a pending case's confirmation link
/// (`link`, this app's address of it), as SVG text, made by the server.
///
/// # Errors
/// See [`FetchError`].
pub async fn qr(id: &str, link: &str) -> Result<String, FetchError> {
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().map_err(|_| FetchError::Decode)?;
    let link = String::from(js_sys::encode_uri_component(link));
    super::read_text(
        super::send(
            &format!("/assisted/{}/qr.svg?link={link}", path_id(id)?),
            &init,
            &headers,
        )
        .await?,
    )
    .await
}

fn not_found() -> FetchError {
    FetchError::Api {
        status: 404,
        code: Code::Known(onething_core::api::ErrorCode::AssistedNotFound),
    }
}

/// A case id as the server makes them (URL-safe base64: letters, digits, `-`, `_`), needing no escaping.
fn path_id(id: &str) -> Result<&str, FetchError> {
    (!id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(id)
    .ok_or_else(not_found)
}

/// The code in its normal form; anything else is refused here as the server would.
fn code_path(code: &str) -> Result<String, FetchError> {
    normalize_consent_code(code).ok_or_else(not_found)
}
