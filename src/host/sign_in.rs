//! Signing in again inside an app platform (浙里办, WeChat, Alipay). A platform signs the person
//! in itself and opens the app with a one-time `?ticket=`; it has no call that hands a running
//! page a new one. So when the session ends mid-way, the page is reopened through the
//! platform's sign-in entry the deployment registered with it (浙里办's single sign-on, WeChat's
//! web authorization, Alipay's authorization page), which brings the person back to this very
//! URL — the service and step are in it, the draft is on the device — with a new ticket, which
//! the app exchanges at start (`api::session::adopt_url_ticket`).
//!
//! The entry is `config.json`'s `platform_sign_in_url`, `{return}` standing for this page's
//! URL (URL-encoded), e.g. `https://sso.example.gov.cn/login?goto={return}`. It is read from
//! `config.json`'s text here, by the whole app only, so the first page's module carries none of
//! it. Without it, nothing is done (the wizard says to reopen the service from the app).

use wasm_bindgen::JsValue;

/// Where the time of the last attempt is kept (this tab's storage), so a platform that comes
/// back without a usable ticket does not send the person round again and again.
const LAST_KEY: &str = "onething.signed-in-again";
/// Attempts closer together than this are not made: the page says what to do instead.
const AGAIN_AFTER_MS: f64 = 60_000.0;

/// The sign-in entry with `{return}` filled in, when it is an http(s) URL.
pub fn entry(template: &str, here: &str) -> Option<String> {
    if !template.contains("{return}") {
        return None;
    }
    let filled = template.replace(
        "{return}",
        &String::from(js_sys::encode_uri_component(here)),
    );
    let url = web_sys::Url::new(&filled).ok()?;
    matches!(url.protocol().as_str(), "https:" | "http:").then_some(filled)
}

/// `config.json`'s `platform_sign_in_url`, if set.
async fn template() -> Option<String> {
    let text = crate::config::text().await?;
    let config = js_sys::JSON::parse(&text).ok()?;
    js_sys::Reflect::get(&config, &JsValue::from_str("platform_sign_in_url"))
        .ok()?
        .as_string()
        .filter(|t| !t.is_empty())
}

/// Leaves for the platform's sign-in, which comes back here with a new ticket; `false` when it
/// cannot (no entry configured, or the last attempt was under a minute ago).
pub async fn reopen() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Some(template) = template().await else {
        return false;
    };
    let now = js_sys::Date::now();
    let storage = window.session_storage().ok().flatten();
    let last = storage
        .as_ref()
        .and_then(|s| s.get_item(LAST_KEY).ok().flatten())
        // Read and written by the browser's own number routines: Rust's float parsing and
        // formatting would add their tables and code to both modules for this one value.
        .map(|t| js_sys::Number::parse_float(&t))
        .filter(|t| t.is_finite());
    if last.is_some_and(|t| now - t < AGAIN_AFTER_MS) {
        return false;
    }
    let location = window.location();
    let Some(url) = location
        .href()
        .ok()
        .and_then(|here| entry(&template, &here))
    else {
        return false;
    };
    if let Some(s) = &storage
        && let Ok(text) = js_sys::Number::from(now).to_string_with_radix(10)
    {
        let _ = s.set_item(LAST_KEY, &String::from(text));
    }
    // Replaced, not pushed: the way back does not lead to the page whose session had ended.
    location.replace(&url).is_ok()
}
