//! WeChat: the JSSDK (`window.wx`) in WeChat's webview, and `wx.miniProgram` inside a
//! mini-program's `web-view`. Calls take `{…, success, fail, cancel}`. Shapes used here:
//! `chooseImage({count, sizeType, sourceType})` → `{localIds}`, `getLocalImgData({localId})` →
//! `{localData}` (base64, with a `data:` prefix on iOS only), `closeWindow()`,
//! `miniProgram.navigateBack()`, `miniProgram.postMessage({data})` (delivered to the
//! mini-program only on back, close or share), `updateAppMessageShareData({title, desc, link,
//! imgUrl})` (the card the menu's "send to a friend" shares: a page cannot open the panel).

use wasm_bindgen::prelude::*;

use super::js;
use super::protocol::AppMessage;

const PICK_MS: i32 = 300_000;
const READ_MS: i32 = 15_000;

fn mini_program(wx: &JsValue) -> Option<JsValue> {
    let env = js::global("__wxjs_environment").and_then(|v| v.as_string());
    if env.as_deref() == Some("miniprogram") {
        js::prop(wx, "miniProgram")
    } else {
        None
    }
}

pub fn can_close(wx: &JsValue) -> bool {
    match mini_program(wx) {
        Some(mp) => js::has(&mp, "navigateBack"),
        None => js::has(wx, "closeWindow"),
    }
}

pub fn close(wx: &JsValue) -> bool {
    let arg: JsValue = js::object(&[]).into();
    match mini_program(wx) {
        Some(mp) => js::call(&mp, "navigateBack", &arg).is_some(),
        None => js::call(wx, "closeWindow", &arg).is_some(),
    }
}

pub async fn pick_images(wx: &JsValue, max: u32) -> Option<Vec<web_sys::Blob>> {
    let sizes = js_sys::Array::of1(&"compressed".into());
    let sources = js_sys::Array::of2(&"album".into(), &"camera".into());
    let options = js::object(&[
        ("count", max.into()),
        ("sizeType", sizes.into()),
        ("sourceType", sources.into()),
    ]);
    let chosen = match js::call_back(wx, "chooseImage", &options, PICK_MS).await {
        Ok(v) => v,
        // A cancel is the person's answer, not a missing picker.
        Err(e) if is_cancel(&e) => return Some(Vec::new()),
        Err(_) => return None,
    };
    let ids = js::strings(&js::prop(&chosen, "localIds")?);
    let mut blobs = Vec::with_capacity(ids.len());
    for id in ids.into_iter().take(max as usize) {
        let options = js::object(&[("localId", id.into())]);
        let data = js::call_back(wx, "getLocalImgData", &options, READ_MS)
            .await
            .ok()?;
        blobs.push(js::base64_blob(&js::prop(&data, "localData")?)?);
    }
    Some(blobs)
}

fn is_cancel(err: &JsValue) -> bool {
    js::prop(err, "errMsg")
        .and_then(|m| m.as_string())
        .is_some_and(|m| m.ends_with(":cancel"))
}

/// Sets the share card to this link; the person then shares from WeChat's menu. `None` when
/// the JSSDK has no such call (not configured for it) or refuses: the web's share instead.
pub async fn share(wx: &JsValue, title: &str, text: &str, url: &str) -> Option<super::Shared> {
    let options = js::object(&[
        ("title", title.into()),
        ("desc", text.into()),
        ("link", url.into()),
        ("imgUrl", JsValue::from_str("")),
    ]);
    // In a mini-program's web-view the mini-program's own menu shares the page it shows
    // (`onShareAppMessage` receives its `webViewUrl`): nothing to set.
    if mini_program(wx).is_some() {
        return Some(super::Shared::Menu);
    }
    js::call_back(wx, "updateAppMessageShareData", &options, READ_MS)
        .await
        .ok()
        .map(|_| super::Shared::Menu)
}

pub fn post(wx: &JsValue, message: &AppMessage) {
    let Some(mp) = mini_program(wx) else {
        return;
    };
    if let Ok(data) = js_sys::JSON::parse(&message.to_json()) {
        let _ = js::call(&mp, "postMessage", &js::object(&[("data", data)]).into());
    }
}
