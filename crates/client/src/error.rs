//! What a call can fail with: no (usable) answer, or the API's own error body.

use onething_core::api::{ApiErrorBody, ErrorCode};
use reqwest::StatusCode;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed call.
#[derive(Debug)]
pub enum Error {
    /// The server URL is not usable.
    InvalidUrl(String),
    /// No answer (connection refused or cut, timeout, TLS), or a success answer whose body is
    /// not the expected JSON.
    Http(reqwest::Error),
    /// The server answered outside 2xx. `body` is its `{code, message, fields}` when the
    /// answer had one (a `HEAD` answer has no body).
    Api {
        /// The status.
        status: StatusCode,
        /// The error body.
        body: Option<ApiErrorBody>,
    },
    /// A success answer without what the contract promises (e.g. a tus answer without
    /// `Upload-Offset`).
    Contract(String),
}

impl Error {
    /// The error body of an answer outside 2xx, read whole (chunked or not).
    pub(crate) async fn from_response(res: reqwest::Response) -> Error {
        let status = res.status();
        let body = res
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<ApiErrorBody>(&b).ok());
        Error::Api { status, body }
    }

    /// The status of an answer outside 2xx.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's error body, when the server sent one.
    pub fn body(&self) -> Option<&ApiErrorBody> {
        match self {
            Error::Api { body, .. } => body.as_ref(),
            _ => None,
        }
    }

    /// The API's stable error code, when the server sent one this client knows.
    pub fn code(&self) -> Option<ErrorCode> {
        let code = &self.body()?.code;
        serde_json::from_value(serde_json::Value::String(code.clone())).ok()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidUrl(e) => write!(f, "invalid server URL {e}"),
            Error::Http(e) => {
                // reqwest's own text stops at the outermost cause ("error sending request"):
                // the reason (refused, timed out, certificate) is further down.
                write!(f, "{e}")?;
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            Error::Api {
                status,
                body: Some(b),
            } => write!(f, "{} {}: {}", status.as_u16(), b.code, b.message),
            Error::Api { status, body: None } => write!(f, "answered {status}"),
            Error::Contract(e) => write!(f, "answer breaks the contract: {e}"),
        }
    }
}

/// Without a `source`: [`Display`](std::fmt::Display) already prints the whole chain, once.
impl std::error::Error for Error {}
