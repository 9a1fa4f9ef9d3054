//! JSON in and out through the browser's own `JSON.parse` and `JSON.stringify`, with serde
//! converting between Rust values and JavaScript ones.
//!
//! The browser already has a fast, compact JSON parser; `serde_json`'s, monomorphised for
//! every type the app reads, cost about 100 KB of raw wasm. The shape on the wire is the same
//! as `serde_json`'s: maps as objects, `None` as `null`.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The text was not JSON, or not the JSON of the expected type (or a value could not be
/// written as JSON: an integer beyond ±2⁵³).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonError;

/// Parses `text` as a `T`.
///
/// # Errors
/// When `text` is not JSON or not a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let value = js_sys::JSON::parse(text).map_err(|_| JsonError)?;
    serde_wasm_bindgen::from_value(value).map_err(|_| JsonError)
}

/// Writes `value` as JSON text.
///
/// # Errors
/// When `value` has no JSON form (an integer JavaScript cannot hold exactly).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| JsonError)?;
    js_sys::JSON::stringify(&value)
        .map_err(|_| JsonError)?
        .as_string()
        .ok_or(JsonError)
}
