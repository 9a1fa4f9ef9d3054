//! The HTTP client for OneThing's API contract. Errors are typed; the pages map them to
//! translated text and never show what the server wrote.

use onething_core::ServiceDefinition;
use onething_core::api::{ApiErrorBody, ErrorCode, ServiceSummary};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Messages;

pub mod assisted;
pub mod published;
pub mod session;

/// Where the API lives: `config.json`'s `api_base`, resolved against the page (another origin
/// is fine: the session is a bearer token and the server allows the origin by CORS). It is a
/// value that formats as the base URL, so `format!("{API_BASE}/uploads")` reads the
/// configuration at the moment a request is built.
pub(crate) const API_BASE: ApiBase = ApiBase;

/// The API's base URL (see [`API_BASE`]).
#[derive(Debug, Clone, Copy)]
pub struct ApiBase;

impl std::fmt::Display for ApiBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::config::api_base())
    }
}

/// An error code as the SPA reads it: one of the contract's [`ErrorCode`]s, or one this build
/// does not know (a newer server's, or an answer without a readable body), which reads as a
/// failure of its status. A new code on the server never makes an answer unreadable here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A code of the contract.
    Known(ErrorCode),
    /// Any other code, or none.
    Unknown,
}

impl Code {
    /// Reads `code` as the contract writes it (serde's names of [`ErrorCode`]).
    pub fn parse(code: String) -> Self {
        use serde::Deserialize as _;
        // The JSON reader's own string deserializer and error (which carries no message): the
        // same code the reader uses for every other enum.
        let wire = serde::de::value::StringDeserializer::<crate::json::JsonError>::new(code);
        ErrorCode::deserialize(wire).map_or(Code::Unknown, Code::Known)
    }
}

/// Why a request failed, as the person needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer: offline, DNS, connection reset.
    Network,
    /// The server answered with an error code from the contract.
    Api {
        /// HTTP status.
        status: u16,
        /// The stable code (`service_not_found`).
        code: Code,
    },
    /// The answer was not what the contract says.
    Decode,
}

impl FetchError {
    /// The translated explanation.
    pub fn message(&self, t: &'static Messages) -> &'static str {
        match self {
            FetchError::Network => t.load_failed_network,
            FetchError::Api {
                code: Code::Known(ErrorCode::ServiceNotFound),
                ..
            } => t.service_not_found,
            // The platform refused its ticket, or its exchange did not answer (a sign-in only).
            FetchError::Api {
                code: Code::Known(ErrorCode::TicketInvalid),
                ..
            } => t.signin_ticket_invalid,
            FetchError::Api {
                code: Code::Known(ErrorCode::IdentityProviderUnavailable),
                ..
            } => t.signin_provider_unavailable,
            FetchError::Api { status: 401, .. } => t.session_required,
            FetchError::Api { status: 413, .. } => t.upload_too_large,
            // The codes of a refused file: its type (415) or its content (422).
            FetchError::Api {
                status: 415 | 422,
                code:
                    Code::Known(
                        ErrorCode::UploadContentType
                        | ErrorCode::UploadTypeNotAllowed
                        | ErrorCode::UploadImageTooLarge
                        | ErrorCode::UploadCorrupt
                        | ErrorCode::UploadNotUsable,
                    ),
            } => t.upload_rejected,
            FetchError::Api { .. } | FetchError::Decode => t.load_failed_server,
        }
    }
}

/// Sends a request built by `init` to `path` under the API, with the session's bearer token.
async fn send(
    path: &str,
    init: &web_sys::RequestInit,
    headers: &web_sys::Headers,
) -> Result<web_sys::Response, FetchError> {
    let window = web_sys::window().ok_or(FetchError::Network)?;
    if let Some(token) = session::token() {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    init.set_headers(headers);
    let url = format!("{API_BASE}{path}");
    let response = JsFuture::from(window.fetch_with_str_and_init(&url, init))
        .await
        .map_err(|_| FetchError::Network)?;
    response.dyn_into().map_err(|_| FetchError::Decode)
}

/// Reads a JSON answer, or the contract's error.
async fn read_json<T: DeserializeOwned>(response: web_sys::Response) -> Result<T, FetchError> {
    let text = read_text(response).await?;
    crate::json::from_str(&text).map_err(|_| FetchError::Decode)
}

/// The answer's body, or the contract's error. Not generic, so one copy serves every
/// [`read_json`].
async fn read_text(response: web_sys::Response) -> Result<String, FetchError> {
    let text_promise = response.text().map_err(|_| FetchError::Decode)?;
    let text = JsFuture::from(text_promise)
        .await
        .map_err(|_| FetchError::Network)?;
    let text = text.as_string().ok_or(FetchError::Decode)?;
    if !response.ok() {
        let code = crate::json::from_str::<ApiErrorBody>(&text)
            .map_or(Code::Unknown, |b| Code::parse(b.code));
        return Err(FetchError::Api {
            status: response.status(),
            code,
        });
    }
    Ok(text)
}

async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, FetchError> {
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().map_err(|_| FetchError::Decode)?;
    read_json(send(path, &init, &headers).await?).await
}

/// POSTs `body` as JSON, with extra headers.
async fn post_json<B: serde::Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    extra: &[(&str, &str)],
) -> Result<T, FetchError> {
    send_json("POST", path, body, extra).await
}

/// Sends `body` as JSON with `method`, with extra headers.
async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
    extra: &[(&str, &str)],
) -> Result<T, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let text = crate::json::to_string(body).map_err(|_| FetchError::Decode)?;
    init.set_body(&wasm_bindgen::JsValue::from_str(&text));
    let headers = web_sys::Headers::new().map_err(|_| FetchError::Decode)?;
    let _ = headers.set("Content-Type", "application/json");
    for (k, v) in extra {
        let _ = headers.set(k, v);
    }
    read_json(send(path, &init, &headers).await?).await
}

/// A draft saved on the server, its `data` read as `T` (the SPA's own draft format).
#[derive(serde::Deserialize, Clone)]
pub struct ServerDraft<T> {
    /// Opaque id.
    pub id: String,
    /// The service it is for.
    pub service_id: String,
    /// Starts at 1, grows by 1 on every write.
    pub version: u64,
    /// The draft.
    pub data: T,
    /// When it was last written (RFC 3339).
    pub updated_at: String,
}

#[derive(serde::Serialize)]
struct DraftWrite<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<&'a str>,
    data: &'a T,
}

/// `GET /api/drafts`: the person's drafts saved on the server, newest first.
///
/// # Errors
/// See [`FetchError`]; a draft written by another version of the app that does not read as `T`
/// is `Decode`.
pub async fn list_drafts<T: DeserializeOwned>() -> Result<Vec<ServerDraft<T>>, FetchError> {
    get_json("/drafts").await
}

/// `POST /api/drafts`: saves a new draft on the server (version 1).
///
/// # Errors
/// See [`FetchError`].
pub async fn create_draft<T: serde::Serialize + DeserializeOwned>(
    service_id: &str,
    data: &T,
) -> Result<ServerDraft<T>, FetchError> {
    let body = DraftWrite {
        service_id: Some(service_id),
        data,
    };
    post_json("/drafts", &body, &[]).await
}

/// `PUT /api/drafts/{id}` over `version`; another device's newer write answers
/// `Api { status: 409 }`.
///
/// # Errors
/// See [`FetchError`].
pub async fn update_draft<T: serde::Serialize + DeserializeOwned>(
    id: &str,
    version: u64,
    data: &T,
) -> Result<ServerDraft<T>, FetchError> {
    let body = DraftWrite {
        service_id: None,
        data,
    };
    let tag = format!("\"{version}\"");
    send_json(
        "PUT",
        &format!("/drafts/{id}"),
        &body,
        &[("If-Match", &tag)],
    )
    .await
}

/// `GET /api/drafts/{id}`.
///
/// # Errors
/// See [`FetchError`].
pub async fn get_draft<T: DeserializeOwned>(id: &str) -> Result<ServerDraft<T>, FetchError> {
    get_json(&format!("/drafts/{id}")).await
}

/// `DELETE /api/drafts/{id}`; best effort (drafts expire on the server anyway).
pub async fn delete_draft(id: &str) {
    let init = web_sys::RequestInit::new();
    init.set_method("DELETE");
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = send(&format!("/drafts/{id}"), &init, &headers).await;
    }
}

/// `GET /api/services`: the catalogue.
///
/// # Errors
/// See [`FetchError`].
pub async fn list_services() -> Result<Vec<ServiceSummary>, FetchError> {
    let mut all: Vec<ServiceSummary> = get_json("/services").await?;
    // The deployment may offer only some of the server's services (`config.json`).
    all.retain(|s| crate::config::get().offers(&s.id));
    Ok(all)
}

/// `GET /api/services/{id}`: one definition.
///
/// # Errors
/// See [`FetchError`]; an unknown id is `Api { code: Known(ServiceNotFound) }`.
pub async fn get_service(id: &str) -> Result<ServiceDefinition, FetchError> {
    // Ids are checked by the core (`[a-z0-9_-]`), so they need no escaping; refuse anything else.
    if !onething_core::definition::is_id(id) || !crate::config::get().offers(id) {
        return Err(FetchError::Api {
            status: 404,
            code: Code::Known(ErrorCode::ServiceNotFound),
        });
    }
    // The answer the landing page fetched while it was read ([`prefetch_service`]), or the one
    // a deep link's page asked for before the app arrived ([`take_early`]), once.
    if let Some(def) = prefetched_definition(id) {
        return Ok(def);
    }
    if let Some(def) = take_early("onethingService", &format!("/services/{id}"))
        .await
        .and_then(|t| crate::json::from_str(&t).ok())
    {
        return Ok(def);
    }
    get_json(&format!("/services/{id}")).await
}

/// Where [`prefetch_service`] keeps an answer for this tab: the whole app (a module of its own,
/// with its own memory) starts the wizard from it without a round trip.
fn prefetched_key(id: &str) -> String {
    format!("onething.prefetched-service.{id}")
}

/// The definition [`prefetch_service`] kept for `id`, taken once and decoded.
fn prefetched_definition(id: &str) -> Option<ServiceDefinition> {
    let storage = session::storage()?;
    let text = storage.get_item(&prefetched_key(id)).ok()??;
    let _ = storage.remove_item(&prefetched_key(id));
    crate::json::from_str(&text).ok()
}

thread_local! {
    /// A definition decoded ahead of Start ([`prepare_service`]), until [`get_service_for_wizard`]
    /// takes it.
    static PREPARED: std::cell::RefCell<Option<(String, ServiceDefinition)>> =
        const { std::cell::RefCell::new(None) };
}

/// Decodes the definition the landing page prefetched ([`prefetch_service`]) while the page is
/// still read, if it has arrived: the whole app waiting for Start (`src/lite.js`). Decoding it
/// is the largest single piece of work between a tap on Start and the wizard's first page.
pub fn prepare_service(id: &str) {
    if let Some(def) = prefetched_definition(id) {
        PREPARED.with(|p| *p.borrow_mut() = Some((id.to_owned(), def)));
    }
}

/// The wizard's definition of `id`: the one decoded ahead of Start ([`prepare_service`]),
/// once, else [`get_service`]'s. (Not inside `get_service`, which the first page's module also
/// links: the wait for Start is the whole app's.)
///
/// # Errors
/// See [`get_service`].
pub async fn get_service_for_wizard(id: &str) -> Result<ServiceDefinition, FetchError> {
    match PREPARED.with(|p| p.borrow_mut().take_if(|(of, _)| of == id)) {
        Some((_, def)) => Ok(def),
        None => get_service(id).await,
    }
}

/// An answer `index.html`'s early script requested with a deep link's page, before the app
/// arrived (`window[key]`: `{url, text}` of a successful answer, or `null`; `onethingService`
/// for the definition, `onethingPrivacy` for the privacy notice's figures), taken once; only
/// if it is the answer of the very request this app would send (`path` under the API). A
/// failed early request leaves the app's own request to report the error.
async fn take_early(key: &str, path: &str) -> Option<String> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str(key);
    let early = js_sys::Reflect::get(&window, &key).ok()?;
    let promise = early.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    let answer = JsFuture::from(promise).await.ok()?;
    let field = |name: &str| {
        js_sys::Reflect::get(&answer, &wasm_bindgen::JsValue::from_str(name))
            .ok()?
            .as_string()
    };
    (field("url")? == format!("{API_BASE}{path}")).then(|| field("text"))?
}

/// `GET /api/services/{id}` while its landing page is read, kept for this tab until the wizard
/// asks for it (once): Start then opens the wizard without waiting for the API. The server's
/// answer, not the page's build-time copy, so the wizard always works with the definition the
/// server validates against. Failures are left to the wizard's own request.
pub async fn prefetch_service(id: &str) {
    let Ok(headers) = web_sys::Headers::new() else {
        return;
    };
    let Ok(response) = send(
        &format!("/services/{id}"),
        &web_sys::RequestInit::new(),
        &headers,
    )
    .await
    else {
        return;
    };
    if let Ok(text) = read_text(response).await
        && let Some(storage) = session::storage()
    {
        let _ = storage.set_item(&prefetched_key(id), &text);
    }
}

/// `POST /api/applications`: submits exactly once. The same `key` is sent again on every retry
/// of the same submission, so a lost answer never makes a second case.
///
/// # Errors
/// See [`FetchError`]; `validation_failed` when the server's engine disagrees.
pub async fn submit(
    app: &onething_core::engine::Application,
    consent: Option<&onething_core::api::PrivacyConsent>,
    key: &str,
) -> Result<onething_core::api::ApplicationCreated, FetchError> {
    /// The application and, beside its members, the person's consent to the privacy notice.
    #[derive(serde::Serialize)]
    struct Submission<'a> {
        #[serde(flatten)]
        app: &'a onething_core::engine::Application,
        #[serde(skip_serializing_if = "Option::is_none")]
        privacy_consent: Option<&'a onething_core::api::PrivacyConsent>,
    }
    let body = Submission {
        app,
        privacy_consent: consent,
    };
    post_json("/applications", &body, &[("Idempotency-Key", key)]).await
}

/// `GET /api/applications/{id}/receipt.svg?link=`: the QR code of the case's tracking link
/// (`link`, this app's address of the case), as SVG text, made by the server.
///
/// # Errors
/// See [`FetchError`].
pub async fn receipt_qr(id: &str, link: &str) -> Result<String, FetchError> {
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().map_err(|_| FetchError::Decode)?;
    let link = String::from(js_sys::encode_uri_component(link));
    read_text(
        send(
            &format!("/applications/{id}/receipt.svg?link={link}"),
            &init,
            &headers,
        )
        .await?,
    )
    .await
}

/// `GET /api/privacy`: what the server does with personal data (how long it keeps what, how it
/// protects it), for the privacy notice.
///
/// # Errors
/// See [`FetchError`].
pub async fn privacy_facts() -> Result<onething_core::api::PrivacyFacts, FetchError> {
    // Asked for with a deep link's page ([`take_early`]): the notice is the first step's.
    if let Some(facts) = take_early("onethingPrivacy", "/privacy")
        .await
        .and_then(|t| crate::json::from_str(&t).ok())
    {
        return Ok(facts);
    }
    get_json("/privacy").await
}

/// `GET /api/applications`: the person's applications, newest first.
///
/// # Errors
/// See [`FetchError`].
pub async fn list_applications() -> Result<Vec<onething_core::api::ApplicationSummary>, FetchError>
{
    get_json("/applications").await
}

/// `GET /api/applications/{id}`: one application with its sub-items, timeline and supplements.
///
/// # Errors
/// See [`FetchError`]; another person's or an unknown id is `application_not_found`.
pub async fn get_application(
    id: &str,
) -> Result<onething_core::api::ApplicationDetail, FetchError> {
    get_json(&format!("/applications/{id}")).await
}

/// `GET /api/applications/{id}/submission`: what the person submitted, from the server (so it
/// shows on any device).
///
/// # Errors
/// The request fails or the server refuses it.
pub async fn get_submission(id: &str) -> Result<onething_core::Application, FetchError> {
    get_json(&format!("/applications/{id}/submission")).await
}

/// `POST /api/applications/{id}/supplements/{sid}`: answers a supplement request (补正).
///
/// # Errors
/// See [`FetchError`].
pub async fn answer_supplement(
    id: &str,
    sid: &str,
    answer: &onething_core::api::SupplementAnswer,
) -> Result<onething_core::api::ApplicationDetail, FetchError> {
    post_json(
        &format!("/applications/{id}/supplements/{sid}"),
        answer,
        &[],
    )
    .await
}

/// `POST /api/applications/{id}/rating`: the 好差评 rating, once per case.
///
/// # Errors
/// See [`FetchError`]; `rating_already_given`, `rating_not_allowed_yet`.
pub async fn rate(
    id: &str,
    rating: &onething_core::api::Rating,
) -> Result<onething_core::api::ApplicationDetail, FetchError> {
    post_json(&format!("/applications/{id}/rating"), rating, &[]).await
}

/// `POST /api/applications/{id}/withdraw`: withdraws the case (撤回) with the person's reason.
///
/// # Errors
/// See [`FetchError`]; `withdraw_not_allowed` (a department accepted a sub-item already),
/// `withdraw_reason_invalid`.
pub async fn withdraw(
    id: &str,
    reason: &str,
) -> Result<onething_core::api::ApplicationDetail, FetchError> {
    let body = onething_core::api::WithdrawRequest {
        reason: reason.to_owned(),
    };
    post_json(&format!("/applications/{id}/withdraw"), &body, &[]).await
}

/// `POST /api/applications/{id}/items/{sub}/withdraw`: asks the department of one sub-item to
/// withdraw it (撤回申请), with the person's reason.
///
/// # Errors
/// See [`FetchError`]; `item_withdraw_not_allowed`, `withdraw_reason_invalid`.
pub async fn withdraw_item(
    id: &str,
    sub_item_id: &str,
    reason: &str,
) -> Result<onething_core::api::ApplicationDetail, FetchError> {
    let body = onething_core::api::WithdrawRequest {
        reason: reason.to_owned(),
    };
    post_json(
        &format!("/applications/{id}/items/{sub_item_id}/withdraw"),
        &body,
        &[],
    )
    .await
}

/// `GET /api/messages`: the person's notices (message centre), newest first, and how many are
/// unread.
///
/// # Errors
/// See [`FetchError`].
pub async fn list_messages() -> Result<onething_core::api::MessageList, FetchError> {
    get_json("/messages").await
}

/// `POST /api/messages/{id}/read`: marks one notice read; the list now.
///
/// # Errors
/// See [`FetchError`]; `message_not_found`.
pub async fn read_message(id: u64) -> Result<onething_core::api::MessageList, FetchError> {
    post_json(&format!("/messages/{id}/read"), &(), &[]).await
}

/// `POST /api/messages/read-all`: marks every notice read; the list now.
///
/// # Errors
/// See [`FetchError`].
pub async fn read_all_messages() -> Result<onething_core::api::MessageList, FetchError> {
    post_json("/messages/read-all", &(), &[]).await
}

/// `GET /api/consents/{code}`: a consent request addressed to the signed-in person.
///
/// # Errors
/// See [`FetchError`]; `consent_not_found` (also someone else's), `consent_own_request`.
pub async fn get_consent(code: &str) -> Result<onething_core::api::ConsentRequest, FetchError> {
    get_json(&format!("/consents/{}", consent_path(code)?)).await
}

/// `POST /api/consents/{code}`: approves or declines, once.
///
/// # Errors
/// See [`FetchError`]; `consent_already_answered`, `consent_expired`.
pub async fn answer_consent(
    code: &str,
    decision: onething_core::api::ConsentDecision,
) -> Result<onething_core::api::ConsentRequest, FetchError> {
    let body = onething_core::api::ConsentAnswer { decision };
    post_json(&format!("/consents/{}", consent_path(code)?), &body, &[]).await
}

/// The code in its normal form, which needs no escaping in a path; anything else is refused
/// here as the server would.
fn consent_path(code: &str) -> Result<String, FetchError> {
    onething_core::api::normalize_consent_code(code).ok_or(FetchError::Api {
        status: 404,
        code: Code::Known(ErrorCode::ConsentNotFound),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_code_reads_as_itself() {
        let codes = [
            ErrorCode::Internal,
            ErrorCode::ServiceNotFound,
            ErrorCode::Unauthenticated,
            ErrorCode::UploadTypeNotAllowed,
            ErrorCode::ConsentNotFound,
            ErrorCode::DeliveryInvalid,
        ];
        for code in codes {
            let wire = serde_json::to_value(code).expect("code");
            let wire = wire.as_str().expect("a string").to_owned();
            assert_eq!(Code::parse(wire.clone()), Code::Known(code), "{wire}");
        }
    }

    #[test]
    fn a_code_this_build_does_not_know_is_unknown_not_a_failure() {
        for code in ["a_code_from_a_newer_server", "", "Service_Not_Found"] {
            assert_eq!(Code::parse(code.to_owned()), Code::Unknown, "{code}");
        }
    }

    /// The API client is the bottom layer of the SPA: it knows HTTP, the runtime configuration,
    /// JSON and the interface text, and nothing above them (the host bridge, the wizard, pages,
    /// components, uploads, storage, the sign-in orchestration). A `crate::` path in its sources
    /// (comments aside) to anything else is a layering cycle in the making.
    #[test]
    fn the_api_layer_imports_nothing_above_it() {
        const BELOW: [&str; 5] = ["api", "config", "i18n", "json", "random"];
        fn ident(s: &str) -> &str {
            s.trim()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or_default()
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let prefix = concat!("crate", "::");
        let mut above = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("src/api") {
            let path = entry.expect("entry").path();
            let source = std::fs::read_to_string(&path).expect("source");
            let code: String = source
                .lines()
                .map(|line| line.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                // `crate::{a, b::c}` names several modules; `crate::a::…` one.
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group
                        .split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .map(ident)
                        .filter(|s| !s.is_empty())
                        .collect(),
                    None => vec![ident(rest)],
                };
                above.extend(
                    names
                        .into_iter()
                        .filter(|name| !BELOW.contains(name))
                        .map(|name| format!("{}: {prefix}{name}", path.display())),
                );
            }
        }
        assert!(above.is_empty(), "the API client reaches up: {above:#?}");
    }
}
