//! Who is calling: the [`Caller`] extractor (a session, from the `HttpOnly` cookie or a bearer
//! token), the [`Agent`] extractor (a session of a staff account with the agent role) and the
//! [`Admin`] extractor (the admin token). Session tokens are 256 random bits;
//! the store keeps only their SHA-256.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use onething_core::api::ErrorCode;
use sha2::{Digest, Sha256};

use crate::clock::hash_secret;
use crate::config::SameSite;
use crate::{ApiError, AppState, store};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "onething_session";

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub account_id: String,
    /// The hash of the session's token (to end it).
    pub session_hash: String,
    /// When the session ends (Unix seconds).
    pub expires_at: i64,
}

/// The token the request carries: `Authorization: Bearer` first, then the cookie.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let mut parts = v.splitn(2, ' ');
        if parts
            .next()
            .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
        {
            return parts.next().map(|t| t.trim().to_owned());
        }
    }
    crate::headers::cookie(headers, SESSION_COOKIE).map(str::to_owned)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = request_token(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
        let hash = hash_secret(&token);
        let (account_id, expires_at) =
            store::accounts::session(&state.db, &hash, state.clock.now())
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
        Ok(Caller {
            account_id,
            session_hash: hash,
            expires_at,
        })
    }
}

/// Departments' staff, proven by the admin token. Without a configured token the admin API
/// does not exist (404).
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = state.config.admin_token.as_deref() else {
            return Err(ApiError::not_found(ErrorCode::RouteNotFound));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if constant_time_eq(given, expected) {
            Ok(Admin)
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::AdminUnauthorized,
                "admin token missing or wrong",
            ))
        }
    }
}

/// A department's staff, proven by a department token issued by the admin
/// (`POST /api/admin/departments/tokens`). Citizens' sessions are never department tokens:
/// the two live in different tables, and only the `Authorization` header is read (no cookie).
#[derive(Debug, Clone)]
pub struct Department {
    /// The department, as the definitions name it (Chinese).
    pub department: String,
    /// Who holds the token.
    pub label: String,
}

impl Department {
    /// How the audit log and the timeline name this caller.
    pub fn actor(&self) -> String {
        format!("department:{}/{}", self.department, self.label)
    }
}

impl FromRequestParts<AppState> for Department {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::DepartmentUnauthorized,
                "department token missing, wrong or expired",
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(unauthorized)?;
        let (department, label) =
            store::departments::token(&state.db, &hash_secret(token), state.clock.now())
                .await?
                .ok_or_else(unauthorized)?;
        Ok(Department { department, label })
    }
}

/// A staff member with the agent role (帮办代办), signed in with their own staff account: a
/// session like a citizen's, whose account is registered as an agent
/// (`POST /api/admin/agents`). A citizen's session is refused with 403 `agent_required`.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The session.
    pub caller: Caller,
    /// Who they are.
    pub agent: store::assisted::AgentRow,
}

impl Agent {
    /// How the audit log names this caller.
    pub fn actor(&self) -> String {
        format!("agent:{}", self.agent.label)
    }
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let mut conn = state.db.acquire().await?;
        let agent = store::assisted::agent(&mut conn, &caller.account_id)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::AgentRequired,
                    "this needs a staff account with the agent role",
                )
            })?;
        Ok(Agent { caller, agent })
    }
}

/// Compares two secrets in time that does not depend on where they differ (both are hashed
/// first, so lengths leak nothing either).
fn constant_time_eq(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// The `Set-Cookie` value that carries a session token (or, with `max_age` 0, ends it).
/// `Path=/api` keeps it off static files; `HttpOnly` keeps it from scripts.
pub fn session_cookie(state: &AppState, token: &str, max_age: u64) -> HeaderValue {
    let same_site = state.config.cookie_same_site;
    let mut c =
        format!("{SESSION_COOKIE}={token}; Path=/api; HttpOnly; Max-Age={max_age}; SameSite=");
    c.push_str(match same_site {
        SameSite::Lax => "Lax",
        SameSite::Strict => "Strict",
        SameSite::None => "None",
    });
    if state.config.https || same_site == SameSite::None {
        c.push_str("; Secure");
    }
    if same_site == SameSite::None {
        // CHIPS: a cookie set inside a cross-site iframe is kept per top-level site.
        c.push_str("; Partitioned");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_wins_over_cookie_and_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; onething_session=cookie-token; b=2"),
        );
        assert_eq!(request_token(&h).as_deref(), Some("cookie-token"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer bearer-token"),
        );
        assert_eq!(request_token(&h).as_deref(), Some("bearer-token"));
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
