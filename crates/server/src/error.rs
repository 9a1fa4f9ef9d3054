//! The one error type of the API. It renders `{code, message, fields}` with a stable code;
//! details of server faults are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onething_core::api::ApiErrorBody;

/// Result of a handler.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// An error answered to a client.
#[derive(Debug)]
pub enum ApiError {
    /// The resource does not exist, or belongs to someone else (never say which).
    NotFound(&'static str),
    /// A fault of ours. The detail goes to the log only.
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::NotFound(code) => (StatusCode::NOT_FOUND, code, "not found".to_owned()),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal server error".to_owned(),
                )
            }
        };
        let body = ApiErrorBody {
            code: code.to_owned(),
            message,
            fields: Vec::new(),
        };
        (status, Json(body)).into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(format!("database: {e}"))
    }
}
