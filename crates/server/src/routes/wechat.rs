//! `GET /api/wechat/jssdk-config`: the signature a page in WeChat's browser passes to `wx.config`
//! before it may use the JS-SDK (choose an image, scan a code). WeChat's JS-SDK documentation,
//! appendix 1: SHA-1 over `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, the URL being the
//! page's own without its `#` fragment. The `jsapi_ticket` comes from the deployment's ticket
//! service (`--wechat-jsapi-ticket-url`): it is refreshed with the official account's access
//! token, which one place must own for all of a deployment's servers.

use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use onething_core::api::{ApiErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::clock::{hex, new_id};
use crate::platform::http;
use crate::{ApiError, AppState, Result};

/// Query of the endpoint.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JssdkQuery {
    /// The page's full URL (`location.href`); a `#` fragment is dropped.
    pub url: String,
}

/// What `wx.config` takes besides `jsApiList`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JssdkConfig {
    /// The official account's app id.
    pub app_id: String,
    /// Seconds since the epoch.
    pub timestamp: i64,
    /// A random string.
    pub nonce_str: String,
    /// SHA-1, lower-case hex.
    pub signature: String,
}

/// The JS-SDK signature (SHA-1 of the four fields in this order, as WeChat specifies).
pub fn signature(jsapi_ticket: &str, nonce: &str, timestamp: i64, url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let plain =
        format!("jsapi_ticket={jsapi_ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}");
    hex(&Sha1::digest(plain.as_bytes()))
}

/// Signs `wx.config` for a page.
#[utoipa::path(get, path = "/api/wechat/jssdk-config", tag = "session",
    params(JssdkQuery),
    responses(
        (status = 200, body = JssdkConfig),
        (status = 400, description = "`invalid_body`: `url` is not an http(s) URL", body = ApiErrorBody),
        (status = 404, description = "`route_not_found`: no WeChat configuration", body = ApiErrorBody),
        (status = 502, description = "`identity_provider_unavailable`: the ticket service failed", body = ApiErrorBody),
    ))]
pub async fn jssdk_config(
    State(state): State<AppState>,
    Query(q): Query<JssdkQuery>,
) -> Result<Response> {
    let config = &state.config;
    let (Some(app_id), Some(source)) = (&config.wechat_app_id, &config.wechat_jsapi_ticket_url)
    else {
        return Err(ApiError::not_found(ErrorCode::RouteNotFound));
    };
    if !(q.url.starts_with("https://") || q.url.starts_with("http://")) || q.url.len() > 2048 {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "url is the page's http(s) URL",
        ));
    }
    let ticket = jsapi_ticket(source).await?;
    let timestamp = state.clock.now();
    let nonce_str = new_id();
    let body = JssdkConfig {
        app_id: app_id.clone(),
        timestamp,
        signature: signature(&ticket, &nonce_str, timestamp, &q.url),
        nonce_str,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The current `jsapi_ticket` from the deployment's ticket service (`{"ticket": "…"}`).
async fn jsapi_ticket(source: &str) -> Result<String> {
    let failed = |why: String| {
        tracing::warn!(why, "jsapi_ticket service failed");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorCode::IdentityProviderUnavailable,
            "the jsapi_ticket service did not answer usably",
        )
    };
    let answer: serde_json::Value = http()
        .get(source)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| failed(e.to_string()))?
        .json()
        .await
        .map_err(|e| failed(e.to_string()))?;
    answer["ticket"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| failed("no ticket in the answer".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of WeChat's JS-SDK documentation (appendix 1).
    #[test]
    fn the_signature_matches_wechats_worked_example() {
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
        // The fragment is not signed.
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com?params=value#/apply"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
    }
}
