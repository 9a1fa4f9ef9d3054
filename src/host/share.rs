//! Sharing a link from a plain browser: the Web Share API (`navigator.share`) where the browser
//! has it (mobile Chrome, Safari, Edge), else the clipboard (`navigator.clipboard.writeText`, a
//! secure context), else the old `document.execCommand("copy")` of a selected text (older
//! Android webviews such as X5). The platforms' own share is in their adapters.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::Shared;
use super::js;

/// The share sheet waits for a person, not for the browser.
const SHEET_MS: i32 = 300_000;
/// Writing to the clipboard is quick, or refused.
const COPY_MS: i32 = 5_000;

/// Shares `url` with the Web Share API, or copies it.
pub async fn share(title: &str, text: &str, url: &str) -> Shared {
    let Some(navigator) = js::global("navigator") else {
        return Shared::Failed;
    };
    if js::has(&navigator, "share") {
        let data = js::object(&[
            ("title", title.into()),
            ("text", text.into()),
            ("url", url.into()),
        ]);
        if let Some(Ok(p)) = js::call(&navigator, "share", &data.into()) {
            match p.dyn_into::<js_sys::Promise>() {
                Ok(p) => match js::within(p, SHEET_MS).await {
                    Ok(_) => return Shared::Sheet,
                    // The person closed the sheet: their answer, not a failure.
                    Err(e) if error_name(&e).as_deref() == Some("AbortError") => {
                        return Shared::Cancelled;
                    }
                    // NotAllowedError (no user activation left) and the like: copy instead.
                    Err(_) => {}
                },
                Err(_) => return Shared::Sheet,
            }
        }
    }
    copy(&navigator, url).await
}

fn error_name(e: &JsValue) -> Option<String> {
    js::prop(e, "name").and_then(|n| n.as_string())
}

/// Copies `url` to the clipboard.
async fn copy(navigator: &JsValue, url: &str) -> Shared {
    if let Some(clipboard) = js::prop(navigator, "clipboard")
        && let Some(Ok(p)) = js::call(&clipboard, "writeText", &url.into())
        && let Ok(p) = p.dyn_into::<js_sys::Promise>()
        && js::within(p, COPY_MS).await.is_ok()
    {
        return Shared::Copied;
    }
    if exec_copy(url).unwrap_or(false) {
        Shared::Copied
    } else {
        Shared::Failed
    }
}

/// `document.execCommand("copy")` of a hidden, selected text field holding `url`.
fn exec_copy(url: &str) -> Option<bool> {
    let document = web_sys::window()?.document()?;
    let body = document.body()?;
    let field = document.create_element("textarea").ok()?;
    field.set_attribute("readonly", "").ok()?;
    field
        .set_attribute("style", "position:fixed;top:0;left:0;opacity:0")
        .ok()?;
    js_sys::Reflect::set(&field, &"value".into(), &url.into()).ok()?;
    body.append_child(&field).ok()?;
    let _ = js::call(&field, "select", &JsValue::UNDEFINED);
    let copied = js::call(&document, "execCommand", &"copy".into())
        .and_then(Result::ok)
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    field.remove();
    Some(copied)
}
