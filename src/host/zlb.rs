//! 浙里办 (Zhejiang's government service app): the `ZWJSBridge` object its webview injects.
//! Calls return promises and are valid once `ZWJSBridge.onReady` has called back. Shapes used
//! here: `setTitle({title})`, `close()`, `getUiStyle()` → `{uiStyle: "normal" | "elder"}`,
//! `chooseImage({upload: false})` → `{picSrc: [base64 or data URL…]}` or `{picPath: [url…]}`,
//! `share({title, content, url})` (the app's share panel), `monitorTrace({…})` for page views.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::js;

/// How long a bridge call may take before the web fallback is used.
const CALL_MS: i32 = 3_000;
/// The picker waits for a person, not for the bridge.
const PICK_MS: i32 = 300_000;

/// Resolves once the bridge is ready (immediately for a bridge without `onReady`).
async fn ready(bridge: &JsValue) -> bool {
    if !js::has(bridge, "onReady") {
        return true;
    }
    let mut called = Ok(JsValue::UNDEFINED);
    let promise = Promise::new(&mut |resolve, _| {
        called = js::call(bridge, "onReady", &resolve).unwrap_or(Ok(JsValue::UNDEFINED));
    });
    called.is_ok() && js::within(promise, CALL_MS).await.is_ok()
}

/// Calls `ZWJSBridge.name(arg)` once ready and waits for its promise.
async fn call(bridge: &JsValue, name: &str, arg: &JsValue, ms: i32) -> Option<JsValue> {
    if !js::has(bridge, name) || !ready(bridge).await {
        return None;
    }
    let value = js::call(bridge, name, arg)?.ok()?;
    match value.dyn_into::<Promise>() {
        Ok(p) => js::within(p, ms).await.ok(),
        Err(v) => Some(v),
    }
}

pub fn set_title(bridge: &JsValue, title: &str) {
    let bridge = bridge.clone();
    let arg: JsValue = js::object(&[("title", title.into())]).into();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = call(&bridge, "setTitle", &arg, CALL_MS).await;
    });
}

pub async fn elder_mode(bridge: &JsValue) -> Option<bool> {
    let style = call(bridge, "getUiStyle", &js::object(&[]).into(), CALL_MS).await?;
    match js::prop(&style, "uiStyle")?.as_string()?.as_str() {
        "elder" => Some(true),
        "normal" => Some(false),
        _ => None,
    }
}

pub async fn pick_images(bridge: &JsValue, max: u32) -> Option<Vec<web_sys::Blob>> {
    // `upload: false`: the picture comes back to the page and goes through our own tus upload
    // (the platform's upload service is not our API).
    let arg = js::object(&[("upload", JsValue::FALSE), ("count", max.into())]);
    let result = call(bridge, "chooseImage", &arg.into(), PICK_MS).await?;
    let mut blobs = Vec::new();
    if let Some(list) = js::prop(&result, "picSrc").filter(js_sys::Array::is_array) {
        for data in js_sys::Array::from(&list).iter() {
            blobs.push(js::base64_blob(&data)?);
        }
    } else if let Some(list) = js::prop(&result, "picPath") {
        for url in js::strings(&list) {
            blobs.push(js::fetch_blob(&url).await?);
        }
    } else {
        return None;
    }
    blobs.truncate(max as usize);
    Some(blobs)
}

pub async fn share(bridge: &JsValue, title: &str, text: &str, url: &str) -> Option<super::Shared> {
    let arg = js::object(&[
        ("title", title.into()),
        ("content", text.into()),
        ("url", url.into()),
    ]);
    // The panel waits for the person; a bridge without `share` (or a failed call) gives way to
    // the web's share.
    call(bridge, "share", &arg.into(), PICK_MS)
        .await
        .map(|_| super::Shared::Platform)
}

pub fn page_view(bridge: &JsValue, path: &str, title: &str) {
    if !js::has(bridge, "monitorTrace") {
        return;
    }
    let arg = js::object(&[
        ("type", "pageview".into()),
        ("page", path.into()),
        ("title", title.into()),
    ]);
    let _ = js::call(bridge, "monitorTrace", &arg.into());
}
