//! Sign-in with OIDC for a plain browser (H5) deployment: the authorization code flow
//! with PKCE (RFC 7636), a state and a nonce. `start` sends the browser to the provider;
//! `callback` exchanges the code at the provider's token endpoint, checks the ID token (its
//! signature against the provider's published keys, [`jwks`]; issuer, audience, expiry, nonce), reads
//! the claims (userinfo) and sends the browser back into the app with a one-time ticket, which
//! the app exchanges at `POST /api/session` as it does a platform's: the SPA needs no second
//! way to hold a session.
//!
//! The pending sign-ins (state → nonce, PKCE verifier, return path) are kept in the database
//! for ten minutes (`oidc_pending`, under the SHA-256 of the state; swept by the maintenance),
//! so a callback that reaches another instance, or a restarted one, completes; a short
//! `HttpOnly` cookie ties each to the browser that started it (against login CSRF).

use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use onething_core::api::{ApiErrorBody, ErrorCode};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::{hash_secret, secret_token};
use crate::identity::{self, Provider};
use crate::platform::{http, identity_from};
use crate::store::accounts::OidcPending;
use crate::{ApiError, AppState, Result, store};

mod jwks;

/// How long a started sign-in may take at the provider.
const PENDING_FOR: Duration = Duration::from_mins(10);
/// The cookie that ties a pending sign-in to its browser.
const STATE_COOKIE: &str = "onething_oidc";
/// At most this many sign-ins pending at once (a flood of `start` cannot grow the table).
const MAX_PENDING: i64 = 10_000;

fn refused(why: &str) -> ApiError {
    identity::refused(Provider::Oidc, why)
}

fn unavailable(why: &str) -> ApiError {
    identity::unavailable(Provider::Oidc, why)
}

/// The provider's endpoints, from its discovery document (OIDC Discovery 1.0 §4).
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    /// Its signing keys (REQUIRED by Discovery §3).
    jwks_uri: String,
}

async fn discover(state: &AppState) -> Result<Discovery> {
    let issuer = state
        .config
        .oidc_issuer
        .as_deref()
        .ok_or_else(|| ApiError::not_found(ErrorCode::RouteNotFound))?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let d: Discovery = get_json(http().get(url)).await?;
    // §4.3: the issuer in the document is the one configured, or the document is not trusted.
    if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(unavailable("discovery names another issuer"));
    }
    Ok(d)
}

async fn get_json<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T> {
    identity::ask(Provider::Oidc, request, Duration::from_secs(10)).await
}

/// The callback URL: configured, or this server's own on the host the browser used.
fn redirect_uri(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.oidc_redirect_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.https { "https" } else { "http" };
    format!("{scheme}://{host}/api/session/oidc/callback")
}

/// A path on this site only (never `//host` or a URL): the place the app goes back to.
fn safe_return(r: Option<&str>) -> String {
    match r {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

fn redirect(to: &str, cookie: &str) -> Response {
    let mut r = (
        StatusCode::SEE_OTHER,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn state_cookie(state: &AppState, value: &str, max_age: u64) -> String {
    let secure = if state.config.https { "; Secure" } else { "" };
    format!(
        "{STATE_COOKIE}={value}; Path=/api/session/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

/// Query of `start`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// The app's path to come back to (on this site), e.g. `/apply/newborn`. Default `/`.
    #[serde(rename = "return")]
    pub return_to: Option<String>,
}

/// Starts an OIDC sign-in: redirects to the provider with a state, a nonce and a PKCE
/// challenge (S256).
#[utoipa::path(get, path = "/api/session/oidc/start", tag = "session",
    params(StartQuery),
    responses(
        (status = 303, description = "To the provider's authorization endpoint"),
        (status = 404, description = "`route_not_found`: OIDC is not configured", body = ApiErrorBody),
        (status = 502, description = "`identity_provider_unavailable`: no discovery document", body = ApiErrorBody),
    ))]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StartQuery>,
) -> Result<Response> {
    let d = discover(&state).await?;
    let key = secret_token();
    let nonce = secret_token();
    let verifier = secret_token();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect_uri = redirect_uri(&state, &headers);
    let mut url =
        reqwest::Url::parse(&d.authorization_endpoint).map_err(|e| unavailable(&e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &state.config.oidc_client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", &state.config.oidc_scopes)
        .append_pair("state", &key)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let pending = OidcPending {
        nonce,
        verifier,
        redirect_uri,
        return_to: safe_return(q.return_to.as_deref()),
    };
    let now = state.clock.now();
    let until = now + i64::try_from(PENDING_FOR.as_secs()).unwrap_or(600);
    if !store::accounts::insert_oidc_pending(
        &state.db,
        &hash_secret(&key),
        &pending,
        now,
        until,
        MAX_PENDING,
    )
    .await?
    {
        return Err(unavailable("too many sign-ins pending"));
    }
    Ok(redirect(
        url.as_str(),
        &state_cookie(&state, &key, PENDING_FOR.as_secs()),
    ))
}

/// Query of `callback` (RFC 6749 §4.1.2).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The state given at `start`.
    pub state: Option<String>,
    /// The provider's error, when the person did not sign in.
    pub error: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: String,
    access_token: Option<String>,
}

/// The provider's redirect back: the code is exchanged (with the PKCE verifier), the ID token
/// checked (issuer, audience, expiry, nonce), the claims read, and the browser sent back into the
/// app with a one-time `?ticket=`.
#[utoipa::path(get, path = "/api/session/oidc/callback", tag = "session",
    params(CallbackQuery),
    responses(
        (status = 303, description = "Back into the app, `?ticket=` appended"),
        (status = 401, description = "`ticket_invalid`: refused at the provider, unknown or expired state, or a wrong ID token", body = ApiErrorBody),
        (status = 502, description = "`identity_provider_unavailable`: the provider failed", body = ApiErrorBody),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response> {
    if let Some(e) = &q.error {
        return Err(refused(e));
    }
    let key = q.state.as_deref().ok_or_else(|| refused("no state"))?;
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == STATE_COOKIE)
        .map(|(_, v)| v.to_owned());
    if cookie.as_deref() != Some(key) {
        return Err(refused("state not started in this browser"));
    }
    let p = store::accounts::take_oidc_pending(&state.db, &hash_secret(key), state.clock.now())
        .await?
        .ok_or_else(|| refused("unknown or expired state"))?;
    let code = q.code.as_deref().ok_or_else(|| refused("no code"))?;
    let d = discover(&state).await?;
    let config = &state.config;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", p.redirect_uri.as_str()),
        ("code_verifier", p.verifier.as_str()),
    ];
    let mut request = http().post(&d.token_endpoint);
    if let Some(secret) = &config.oidc_client_secret {
        request = request.basic_auth(&config.oidc_client_id, Some(secret));
    } else {
        form.push(("client_id", config.oidc_client_id.as_str()));
    }
    let tokens: TokenAnswer = get_json(request.form(&form)).await?;
    let payload = verified_payload(&tokens.id_token, &d.jwks_uri).await?;
    let mut claims = id_token_claims(&payload, &d.issuer, &config.oidc_client_id, &p.nonce)?;
    if let (Some(endpoint), Some(access)) = (&d.userinfo_endpoint, &tokens.access_token) {
        let info: Value = get_json(http().get(endpoint).bearer_auth(access)).await?;
        // OIDC Core §5.3.2: userinfo's `sub` must be the ID token's.
        if info.get("sub") != claims.get("sub") {
            return Err(refused("userinfo names another subject"));
        }
        if let (Value::Object(c), Value::Object(i)) = (&mut claims, info) {
            c.extend(i);
        }
    }
    let who = identity_from(Provider::Oidc, &config.oidc_claims, &claims)?;
    let now = state.clock.now();
    let account = super::session::account_for(&state, who, "oidc", now).await?;
    let ticket = secret_token();
    let expires_at = now + i64::try_from(config.ticket_ttl).unwrap_or(120);
    store::accounts::insert_ticket(&state.db, &hash_secret(&ticket), &account.id, expires_at)
        .await?;
    let sep = if p.return_to.contains('?') { '&' } else { '?' };
    Ok(redirect(
        &format!("{}{sep}ticket={ticket}", p.return_to),
        &state_cookie(&state, "", 0),
    ))
}

/// The ID token's payload once its signature verified against the provider's published keys
/// (OIDC Core §3.1.3.7 item 6; [`jwks`]): the cached key set, fetched again when the token
/// names a key id it lacks.
async fn verified_payload(id_token: &str, jwks_uri: &str) -> Result<Vec<u8>> {
    let kid = jwks::key_id(id_token);
    let set = match jwks::cached(jwks_uri, kid.as_deref()) {
        Some(set) => set,
        None => jwks::remember(jwks_uri, get_json(http().get(jwks_uri)).await?),
    };
    jwks::verify(id_token, &set).map_err(|r| identity::id_token_refused(&r.to_string()))
}

/// The ID token's claims once checked (OIDC Core §3.1.3.7): issuer, audience, expiry, nonce and
/// subject, of a payload whose signature [`verified_payload`] checked.
fn id_token_claims(payload: &[u8], issuer: &str, client_id: &str, nonce: &str) -> Result<Value> {
    let refused = identity::id_token_refused;
    let claims: Value =
        serde_json::from_slice(payload).map_err(|_| refused("ID token payload is not JSON"))?;
    if claims["iss"].as_str() != Some(issuer) {
        return Err(refused("ID token of another issuer"));
    }
    let audience_ok = match &claims["aud"] {
        Value::String(a) => a == client_id,
        Value::Array(a) => {
            a.iter().any(|x| x.as_str() == Some(client_id))
                && (a.len() == 1 || claims["azp"].as_str() == Some(client_id))
        }
        _ => false,
    };
    if !audience_ok {
        return Err(refused("ID token for another client"));
    }
    // The provider's clock, not the (possibly shifted) development clock of the rules.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if claims["exp"].as_u64().is_none_or(|exp| exp + 60 < now) {
        return Err(refused("ID token expired"));
    }
    if claims["nonce"].as_str() != Some(nonce) {
        return Err(refused("ID token nonce mismatch"));
    }
    if claims["sub"].as_str().is_none_or(str::is_empty) {
        return Err(refused("ID token without a subject"));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &Value) -> Vec<u8> {
        serde_json::to_vec(claims).expect("json")
    }

    #[test]
    fn id_tokens_are_checked_for_issuer_audience_expiry_and_nonce() {
        let exp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs()
            + 300;
        let good = serde_json::json!({"iss": "https://id.example", "aud": "onething",
            "exp": exp, "nonce": "n1", "sub": "u1"});
        assert!(id_token_claims(&token(&good), "https://id.example", "onething", "n1").is_ok());
        for (k, v) in [
            ("iss", serde_json::json!("https://other.example")),
            ("aud", serde_json::json!(["onething", "other"])),
            ("exp", serde_json::json!(1)),
            ("nonce", serde_json::json!("n2")),
            ("sub", serde_json::json!("")),
        ] {
            let mut bad = good.clone();
            bad[k] = v;
            let e = id_token_claims(&token(&bad), "https://id.example", "onething", "n1");
            assert!(e.is_err(), "{k} accepted");
        }
    }

    #[test]
    fn the_return_path_stays_on_this_site() {
        assert_eq!(safe_return(Some("/apply/newborn")), "/apply/newborn");
        assert_eq!(safe_return(Some("//evil.example/")), "/");
        assert_eq!(safe_return(Some("https://evil.example/")), "/");
        assert_eq!(safe_return(Some("/\\evil.example")), "/");
        assert_eq!(safe_return(None), "/");
    }
}
