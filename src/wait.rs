//! Bounded waits on JavaScript promises: below every layer (the configuration's fetch, the host
//! bridges), so none of them hangs the page on an answer that never comes.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Waits for `promise`, or fails after `ms` milliseconds: a bridge that never answers (not
/// ready, or not the platform it claimed to be) must not hang the page.
///
/// # Errors
/// The promise's rejection, or `"timeout"`.
pub async fn within(promise: Promise, ms: i32) -> Result<JsValue, JsValue> {
    let timeout = Promise::new(&mut |_, reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_1(
                &reject,
                ms,
                &JsValue::from_str("timeout"),
            );
        }
    });
    JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &timeout))).await
}
