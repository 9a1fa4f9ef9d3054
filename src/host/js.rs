//! Small JavaScript plumbing the adapters share: calling a method of a bridge object found by
//! name, turning `success`/`fail` callback APIs into promises, bounding a wait, and building a
//! `Blob` from base64 without copying the picture's bytes through wasm memory.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Bounded waits live below every layer (`crate::wait`); the adapters reach them from here.
pub use crate::wait::within;

#[wasm_bindgen(module = "/src/host/blob.js")]
extern "C" {
    /// A `Blob` of the bytes in base64 `data`, with or without a `data:` prefix.
    #[wasm_bindgen(catch)]
    fn b64_to_blob(data: &JsValue) -> Result<web_sys::Blob, JsValue>;
}

/// The property `name` of `target`, when it is neither `undefined` nor `null`.
pub fn prop(target: &JsValue, name: &str) -> Option<JsValue> {
    if target.is_undefined() || target.is_null() {
        return None;
    }
    Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The global `name` (`window.ZWJSBridge`), if the host injected it.
pub fn global(name: &str) -> Option<JsValue> {
    prop(&js_sys::global(), name)
}

/// A fresh plain object with `pairs` set on it.
pub fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

/// Calls `target.name(arg)`; `None` when there is no such function (feature detection).
pub fn call(target: &JsValue, name: &str, arg: &JsValue) -> Option<Result<JsValue, JsValue>> {
    let f: Function = prop(target, name)?.dyn_into().ok()?;
    Some(f.call1(target, arg))
}

/// Whether `target.name` is a function.
pub fn has(target: &JsValue, name: &str) -> bool {
    prop(target, name).is_some_and(|f| f.is_function())
}

/// Calls a callback-style API (`target.name({..options, success, fail, cancel})`, the shape of
/// WeChat's JSSDK and Alipay's `my`) and waits for its answer, bounded by `ms`.
///
/// # Errors
/// No such function, `fail`/`cancel`, a throw, or no answer in time.
pub async fn call_back(
    target: &JsValue,
    name: &str,
    options: &Object,
    ms: i32,
) -> Result<JsValue, JsValue> {
    let f: Function = prop(target, name)
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsValue::from_str("missing"))?;
    let mut outcome = Ok(());
    let promise = Promise::new(&mut |resolve, reject| {
        let _ = Reflect::set(options, &"success".into(), &resolve);
        let _ = Reflect::set(options, &"fail".into(), &reject);
        let _ = Reflect::set(options, &"cancel".into(), &reject);
        outcome = f.call1(target, options).map(|_| ());
    });
    outcome?;
    within(promise, ms).await
}

/// A `Blob` of base64 picture data, with or without a `data:` prefix (WeChat's
/// `getLocalImgData` adds one on iOS and not on Android; without one, PNG is told from its
/// signature and anything else is taken as JPEG). The string stays a JS value: a
/// photo's bytes never pass through wasm memory.
pub fn base64_blob(data: &JsValue) -> Option<web_sys::Blob> {
    if !data.is_string() {
        return None;
    }
    b64_to_blob(data).ok()
}

/// Fetches `url` (a local file URL the host handed out) as a `Blob`.
pub async fn fetch_blob(url: &str) -> Option<web_sys::Blob> {
    let window = web_sys::window()?;
    let response = within(window.fetch_with_str(url), 15_000).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    let blob = JsFuture::from(response.blob().ok()?).await.ok()?;
    blob.dyn_into().ok()
}

/// The strings of a JS array (`localIds`, `apFilePaths`), skipping anything else.
pub fn strings(value: &JsValue) -> Vec<String> {
    if !js_sys::Array::is_array(value) {
        return Vec::new();
    }
    js_sys::Array::from(value)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}
