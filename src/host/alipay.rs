//! Alipay: `window.my` from `web-view.min.js` in a mini-program's `web-view`. Calls take
//! `{…, success, fail}`. Shapes used here: `chooseImage({count})` → `{apFilePaths}` (local
//! URLs the page can fetch), `setNavigationBar({title})`, `navigateBack()`,
//! `postMessage({…})` to the mini-program.

use wasm_bindgen::prelude::*;

use super::js;
use super::protocol::AppMessage;

const PICK_MS: i32 = 300_000;

pub fn set_title(my: &JsValue, title: &str) {
    if js::has(my, "setNavigationBar") {
        let _ = js::call(
            my,
            "setNavigationBar",
            &js::object(&[("title", title.into())]).into(),
        );
    }
}

pub async fn pick_images(my: &JsValue, max: u32) -> Option<Vec<web_sys::Blob>> {
    let options = js::object(&[("count", max.into())]);
    let chosen = match js::call_back(my, "chooseImage", &options, PICK_MS).await {
        Ok(v) => v,
        // Alipay reports a cancel as error 11.
        Err(e) if js::prop(&e, "error").and_then(|c| c.as_f64()) == Some(11.0) => {
            return Some(Vec::new());
        }
        Err(_) => return None,
    };
    let paths = js::prop(&chosen, "apFilePaths").or_else(|| js::prop(&chosen, "filePaths"))?;
    let mut blobs = Vec::new();
    for url in js::strings(&paths).into_iter().take(max as usize) {
        blobs.push(js::fetch_blob(&url).await?);
    }
    Some(blobs)
}

pub fn post(my: &JsValue, message: &AppMessage) {
    if let Ok(data) = js_sys::JSON::parse(&message.to_json()) {
        let _ = js::call(my, "postMessage", &data);
    }
}
