//! A typed native client of the OneThing API (`docs/api.md`), over the `onething-core::api`
//! types: sign-in (development tickets and sessions), drafts with `If-Match`, submission with
//! `Idempotency-Key`, tus uploads and the departments' admin API.
//!
//! It is async (reqwest on tokio); synchronous code runs its calls with [`Blocking`]. It is for
//! native tools and tests only: the SPA talks to the API through the browser, and reqwest never
//! enters the wasm build.

mod admin;
mod assisted;
mod department;
mod error;
mod messages;
mod uploads;

use std::time::Duration;

use onething_core::api::{
    ApplicationCreated, ApplicationDetail, ApplicationSummary, DevTicket, DevTicketRequest, Draft,
    DraftCreate, DraftUpdate, Health, SessionCreated, SessionInfo, SessionRequest,
};
use reqwest::{Method, RequestBuilder, Response, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use department::Download;
pub use error::{Error, Result};
pub use uploads::{UploadCreated, UploadOffset};

/// How long connecting may take before a request fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request may take before it fails: above the server's own request timeout (30 s
/// by default), so the server's `408` arrives first. A tus `PATCH` has its own, longer limit.
const REQUEST_TIMEOUT: Duration = Duration::from_mins(1);

/// A client of one server, optionally with a bearer token (a citizen's session or the admin
/// token). Cloning is cheap and shares the connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    bearer: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token: a debug print must not leak a session or the admin token.
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("bearer", &self.bearer.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// An accepted submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The case as the server stored it.
    pub created: ApplicationCreated,
    /// The server answered a retry of an earlier request with the same key
    /// (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

impl Client {
    /// A client of the server at `server`, e.g. `https://onething.example` or
    /// `http://127.0.0.1:8080`: the API is under its `/api/`. A path is kept as a prefix
    /// (a server behind a proxy at `https://host/onething`).
    ///
    /// # Errors
    /// `server` is not an http or https URL, or the HTTP client cannot be built.
    pub fn new(server: &str) -> Result<Client> {
        let base = Url::parse(server).map_err(|e| Error::InvalidUrl(format!("{server}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::InvalidUrl(format!("{server}: not an http(s) URL")));
        }
        // reqwest is built without a crypto provider of its own: ring becomes the process's
        // default, unless the program installed another first (then this does nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("onething-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Http)?;
        Ok(Client {
            http,
            base,
            bearer: None,
        })
    }

    /// The same client sending `Authorization: Bearer <token>`.
    #[must_use]
    pub fn with_bearer(&self, token: &str) -> Client {
        Client {
            bearer: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The server's base URL.
    pub fn server(&self) -> &Url {
        &self.base
    }

    /// The URL of `/api/<segments…>`; each segment is percent-encoded, so an id can never
    /// reach another path.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("api").extend(segments);
        }
        url
    }

    fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.request_url(method, self.url(segments))
    }

    fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let req = self.http.request(method, url).timeout(REQUEST_TIMEOUT);
        match &self.bearer {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    /// Sends a request; an answer outside 2xx becomes [`Error::Api`].
    async fn send(req: RequestBuilder) -> Result<Response> {
        let res = req.send().await.map_err(Error::Http)?;
        if res.status().is_success() {
            Ok(res)
        } else {
            Err(Error::from_response(res).await)
        }
    }

    async fn json<T: DeserializeOwned>(req: RequestBuilder) -> Result<T> {
        Self::send(req).await?.json().await.map_err(Error::Http)
    }

    async fn get<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<T> {
        Self::json(self.request(Method::GET, segments)).await
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T> {
        Self::json(self.request(Method::POST, segments).json(body)).await
    }

    /// `GET /api/health`.
    ///
    /// # Errors
    /// No answer, or the store does not answer (`503`).
    pub async fn health(&self) -> Result<Health> {
        self.get(&["health"]).await
    }

    /// `POST /api/dev/tickets`: a one-time login ticket from the development issuer (only on
    /// a server started with `--dev-tickets`).
    ///
    /// # Errors
    /// No answer; `404 dev_tickets_disabled`.
    pub async fn dev_ticket(&self, req: &DevTicketRequest) -> Result<DevTicket> {
        self.post(&["dev", "tickets"], req).await
    }

    /// `POST /api/session`: exchanges a platform ticket for a session. Use its token with
    /// [`Client::with_bearer`].
    ///
    /// # Errors
    /// No answer; `401 ticket_invalid`.
    pub async fn create_session(&self, ticket: &str) -> Result<SessionCreated> {
        let req = SessionRequest {
            ticket: ticket.to_owned(),
        };
        self.post(&["session"], &req).await
    }

    /// A development ticket exchanged for a session at once: a new (or, with the same
    /// `subject`, the same) fake person signed in.
    ///
    /// # Errors
    /// As [`Client::dev_ticket`] and [`Client::create_session`].
    pub async fn dev_session(&self, req: &DevTicketRequest) -> Result<SessionCreated> {
        let ticket = self.dev_ticket(req).await?;
        self.create_session(&ticket.ticket).await
    }

    /// `GET /api/session`: who is signed in.
    ///
    /// # Errors
    /// No answer; `401 unauthenticated`.
    pub async fn session(&self) -> Result<SessionInfo> {
        self.get(&["session"]).await
    }

    /// `DELETE /api/session`: ends the session.
    ///
    /// # Errors
    /// No answer; `401 unauthenticated`.
    pub async fn end_session(&self) -> Result<()> {
        Self::send(self.request(Method::DELETE, &["session"])).await?;
        Ok(())
    }

    /// `POST /api/drafts`.
    ///
    /// # Errors
    /// No answer; `401`, `404 service_not_found`.
    pub async fn create_draft(&self, draft: &DraftCreate) -> Result<Draft> {
        self.post(&["drafts"], draft).await
    }

    /// `GET /api/drafts`: mine, newest first.
    ///
    /// # Errors
    /// No answer; `401`.
    pub async fn drafts(&self) -> Result<Vec<Draft>> {
        self.get(&["drafts"]).await
    }

    /// `GET /api/drafts/{id}`.
    ///
    /// # Errors
    /// No answer; `401`, `404 draft_not_found`.
    pub async fn draft(&self, id: &str) -> Result<Draft> {
        self.get(&["drafts", id]).await
    }

    /// `PUT /api/drafts/{id}` with `If-Match: "<version>"`: replaces the draft only if it is
    /// still at `version`.
    ///
    /// # Errors
    /// No answer; `401`, `404 draft_not_found`, `409 draft_version_conflict` (reload, merge,
    /// retry).
    pub async fn update_draft(
        &self,
        id: &str,
        version: u64,
        update: &DraftUpdate,
    ) -> Result<Draft> {
        let req = self
            .request(Method::PUT, &["drafts", id])
            .header(reqwest::header::IF_MATCH, format!("\"{version}\""))
            .json(update);
        Self::json(req).await
    }

    /// `DELETE /api/drafts/{id}`.
    ///
    /// # Errors
    /// No answer; `401`, `404 draft_not_found`.
    pub async fn delete_draft(&self, id: &str) -> Result<()> {
        Self::send(self.request(Method::DELETE, &["drafts", id])).await?;
        Ok(())
    }

    /// `POST /api/applications` with `Idempotency-Key`: submits an application (an
    /// `onething_core::Application`, or its JSON). Reuse the key for every retry of the same
    /// submission: the server then answers the stored result instead of a second case.
    ///
    /// # Errors
    /// No answer (retry with the same key); `422 validation_failed` (see
    /// [`Error::body`]), `422 upload_not_usable`, `422 idempotency_key_reused`,
    /// `409 idempotency_request_in_flight`.
    pub async fn submit<B: Serialize + ?Sized>(
        &self,
        application: &B,
        idempotency_key: &str,
    ) -> Result<Submitted> {
        let req = self
            .request(Method::POST, &["applications"])
            .header("idempotency-key", idempotency_key)
            .json(application);
        let res = Self::send(req).await?;
        let replayed = res
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        let created = res.json().await.map_err(Error::Http)?;
        Ok(Submitted { created, replayed })
    }

    /// `GET /api/applications`: mine, newest first.
    ///
    /// # Errors
    /// No answer; `401`.
    pub async fn applications(&self) -> Result<Vec<ApplicationSummary>> {
        self.get(&["applications"]).await
    }

    /// `GET /api/applications/{id}`.
    ///
    /// # Errors
    /// No answer; `401`, `404 application_not_found`.
    pub async fn application(&self, id: &str) -> Result<ApplicationDetail> {
        self.get(&["applications", id]).await
    }

    /// `GET /api/applications/{id}/submission`: what I submitted (answers, and how each
    /// material was supplied).
    ///
    /// # Errors
    /// No answer; `401`, `404 application_not_found` (also someone else's).
    pub async fn submission(&self, id: &str) -> Result<onething_core::Application> {
        self.get(&["applications", id, "submission"]).await
    }
}

/// Runs the client's calls from synchronous code, on a runtime of its own (one thread: the
/// caller's).
pub struct Blocking {
    rt: tokio::runtime::Runtime,
}

impl Blocking {
    /// A new runtime.
    ///
    /// # Errors
    /// The runtime cannot be built (the OS refuses its I/O driver).
    pub fn new() -> std::io::Result<Blocking> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Blocking { rt })
    }

    /// Runs `call` (e.g. `client.health()`) to its end.
    pub fn run<F: std::future::Future>(&self, call: F) -> F::Output {
        self.rt.block_on(call)
    }
}

#[cfg(test)]
mod tests;
