//! The one error type of the API. It renders `{code, message, fields}` with a stable code
//! ([`ErrorCode`]); details of server faults are logged by [`crate::request_log`], never sent.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use onething_core::api::{ApiErrorBody, ErrorCode, FieldProblem};

use crate::request_log::ServerFault;

/// Result of a handler.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// An error answered to a client: a status, a stable code, a developer message and the fields
/// it concerns. Build one with [`ApiError::new`] or the shorthands.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    fields: Vec<String>,
    errors: Vec<FieldProblem>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    /// A client error (4xx).
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// 404 with this code: the resource does not exist or belongs to someone else (never say
    /// which).
    pub fn not_found(code: ErrorCode) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, code, "not found")
    }

    /// 400 `invalid_body`.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 409 with this code.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 422 with this code.
    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "sign in first: POST /api/session",
        )
    }

    /// A fault of ours (500 `internal`). The detail goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError {
            message: detail.to_string(),
            ..ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                String::new(),
            )
        }
    }

    /// The fields (paths) the error concerns.
    #[must_use]
    pub fn with_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Per-field problems (for `validation_failed`); also fills `fields`.
    #[must_use]
    pub fn with_problems(mut self, problems: Vec<FieldProblem>) -> Self {
        self.fields = problems.iter().map(|p| p.path.clone()).collect();
        self.errors = problems;
        self
    }

    /// An extra response header (tus errors carry `Tus-Resumable`, 412 carries `Tus-Version`).
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Its code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The detail may name files, SQL or personal data: it rides along in an extension for
        // the request log, and nothing of it is sent.
        let (message, fault) = if self.status.is_server_error() {
            let fault = ServerFault {
                code: self.code,
                detail: self.message,
            };
            ("internal server error".to_owned(), Some(fault))
        } else {
            (self.message, None)
        };
        let body = ApiErrorBody {
            code: self.code.as_str().to_owned(),
            message,
            fields: self.fields,
            errors: self.errors,
        };
        let mut res = (self.status, Json(body)).into_response();
        for (name, value) in self.headers {
            res.headers_mut().insert(name, value);
        }
        if let Some(fault) = fault {
            res.extensions_mut().insert(fault);
        }
        res
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(format_args!("database: {e}"))
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::internal(format_args!("io: {e}"))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                "body too large",
            );
        }
        ApiError::bad_request(ErrorCode::InvalidBody, e.body_text())
    }
}

/// A JSON body extractor whose rejection is an [`ApiError`] (`invalid_body`), not axum's text.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self> {
        let Json(mut value) = Json::<serde_json::Value>::from_request(req, state).await?;
        integral_numbers(&mut value);
        let value = T::deserialize(value)
            .map_err(|e| ApiError::bad_request(ErrorCode::InvalidBody, e.to_string()))?;
        Ok(JsonBody(value))
    }
}

/// Writes numbers like `4.0` as `4`. JSON (RFC 8259 §6) and JSON Schema treat them as the same
/// integer, and some clients serialise every number with a fraction; serde would refuse them
/// for integer fields.
pub fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                #[allow(clippy::cast_possible_truncation)] // integral and below 2^53: exact
                let i = f as i64;
                *v = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, ApiErrorBody) {
        let (status, body, _) = parts_of(e).await;
        (status, body)
    }

    async fn parts_of(e: ApiError) -> (StatusCode, ApiErrorBody, Option<ServerFault>) {
        let res = e.into_response();
        let status = res.status();
        let fault = res.extensions().get::<ServerFault>().cloned();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, serde_json::from_slice(&bytes).expect("json"), fault)
    }

    #[tokio::test]
    async fn server_faults_are_logged_not_sent() {
        let (status, body, fault) =
            parts_of(ApiError::internal("database: no such table: secret_stuff")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body.code, "internal");
        assert!(!body.message.contains("secret"));
        let fault = fault.expect("the detail is left for the request log");
        assert_eq!(fault.code, ErrorCode::Internal);
        assert!(fault.detail.contains("secret_stuff"));
        let (_, _, fault) =
            parts_of(ApiError::conflict(ErrorCode::DraftVersionConflict, "at 3")).await;
        assert!(fault.is_none(), "a client error is no server fault");
    }

    #[tokio::test]
    async fn client_errors_carry_code_message_and_fields() {
        let (status, body) = body_of(
            ApiError::conflict(ErrorCode::DraftVersionConflict, "at version 3")
                .with_fields(["If-Match"]),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body.code, "draft_version_conflict");
        assert_eq!(body.message, "at version 3");
        assert_eq!(body.fields, ["If-Match"]);
    }
}
