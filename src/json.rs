//! JSON in and out through the browser's own `JSON.parse` and `JSON.stringify`, with serde
//! converting between Rust values and JavaScript ones.
//!
//! The browser already has a fast, compact JSON parser; `serde_json`'s, monomorphised for
//! every type the app reads, cost about 100 KB of raw wasm. The shape on the wire is the same
//! as `serde_json`'s: maps as objects, `None` as `null`. Reading uses the small
//! [`Deserializer`] below; its error carries no message, so serde's error texts (and the float
//! and string formatting they need) stay out of the build — a failed decode is only ever
//! `FetchError::Decode` or a missing draft.

// Native builds (unit tests, clippy) read and write JSON with serde_json: the reader over
// `JSON.parse` below only runs in the browser.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::fmt;

use js_sys::{Array, Object};
use serde::Serialize;
use serde::de::value::StringDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};
use wasm_bindgen::JsValue;

/// The text was not JSON, or not the JSON of the expected type (or a value could not be
/// written as JSON: an integer beyond ±2⁵³).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonError;

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsonError")
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the expected JSON")
    }
}

impl std::error::Error for JsonError {}

impl de::Error for JsonError {
    // The message is dropped on purpose: formatting it is what costs the size.
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        JsonError
    }
}

/// Parses `text` as a `T`.
///
/// # Errors
/// When `text` is not JSON or not a `T`.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let value = js_sys::JSON::parse(text).map_err(|_| JsonError)?;
    T::deserialize(Deserializer(value))
}

/// Parses `text` as a `T` (native builds: unit tests of code that reads JSON).
///
/// # Errors
/// When `text` is not JSON or not a `T`.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    serde_json::from_str(text).map_err(|_| JsonError)
}

/// Writes `value` as JSON text.
///
/// # Errors
/// When `value` has no JSON form (an integer JavaScript cannot hold exactly).
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| JsonError)?;
    js_sys::JSON::stringify(&value)
        .map_err(|_| JsonError)?
        .as_string()
        .ok_or(JsonError)
}

/// Writes `value` as JSON text (native builds).
///
/// # Errors
/// When `value` has no JSON form.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    serde_json::to_string(value).map_err(|_| JsonError)
}

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A serde deserializer over a value `JSON.parse` produced: null, boolean, number, string,
/// array or plain object.
struct Deserializer(JsValue);

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match Kind::of(self.0)? {
            Kind::Null => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Integer(n) => visitor.visit_i64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::String(s) => visitor.visit_string(s),
            Kind::Array(array) => visitor.visit_seq(Seq { array, next: 0 }),
            Kind::Object(entries) => visitor.visit_map(Map {
                entries,
                next: 0,
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match Variant::of(self.0)? {
            (name, None) => visitor.visit_enum(StringDeserializer::<JsonError>::new(name)),
            (name, Some(value)) => visitor.visit_enum(Variant { name, value }),
        }
    }

    // The methods below call only the one `visit_*` method the JSON for the asked type can
    // need, where `deserialize_any` would call any of seven: a derived struct's decoder is then
    // only its object form (`visit_map`), not also its array form (`visit_seq`) that JSON never
    // sends, and no visitor's error paths for the kinds it cannot take are instantiated. What
    // the value is is worked out outside the generic code, as in `deserialize_any`.

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_map(Map::of(self.0)?)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_map(Map::of(self.0)?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_seq(Seq::of(self.0)?)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_seq(Seq::of(self.0)?)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_seq(Seq::of(self.0)?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_string(self.0.as_string().ok_or(JsonError)?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_string(self.0.as_string().ok_or(JsonError)?)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_bool(self.0.as_bool().ok_or(JsonError)?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(integer(self.0)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_f64(self.0.as_f64().ok_or(JsonError)?)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        if self.0.is_null() {
            visitor.visit_unit()
        } else {
            Err(JsonError)
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u128 f32 char bytes byte_buf unit_struct identifier ignored_any
    }
}

/// A whole number JavaScript holds exactly (see [`Kind::Integer`]); not generic.
#[inline(never)]
fn integer(v: JsValue) -> Result<i64, JsonError> {
    match Kind::of(v)? {
        Kind::Integer(n) => Ok(n),
        _ => Err(JsonError),
    }
}

/// What a parsed JSON value is. Worked out once, outside the generic code: `deserialize_any`
/// is instantiated for every type the app reads, and the JavaScript calls that tell the kinds
/// apart would otherwise be repeated in each instance.
enum Kind {
    Null,
    Bool(bool),
    /// A whole number JavaScript holds exactly; JSON has one number type, and integers go to
    /// the integer visitors, as with `serde_json`.
    Integer(i64),
    Float(f64),
    String(String),
    Array(Array),
    /// The object's `[key, value]` entries.
    Object(Array),
}

impl Kind {
    // Whole-number test and cast are exact on purpose: `n` has no fraction and fits i64.
    #[inline(never)]
    #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
    fn of(v: JsValue) -> Result<Kind, JsonError> {
        Ok(if v.is_null() || v.is_undefined() {
            Kind::Null
        } else if let Some(b) = v.as_bool() {
            Kind::Bool(b)
        } else if let Some(n) = v.as_f64() {
            if n.trunc() == n && n.abs() <= MAX_SAFE {
                Kind::Integer(n as i64)
            } else {
                Kind::Float(n)
            }
        } else if let Some(s) = v.as_string() {
            Kind::String(s)
        } else if Array::is_array(&v) {
            Kind::Array(Array::from(&v))
        } else if v.is_object() {
            Kind::Object(Object::entries(&Object::from(v)))
        } else {
            return Err(JsonError);
        })
    }
}

/// An array's elements, in order.
struct Seq {
    array: Array,
    next: u32,
}

impl Seq {
    /// An array's elements; anything else is not the JSON of a sequence. Not generic.
    #[inline(never)]
    fn of(v: JsValue) -> Result<Seq, JsonError> {
        if Array::is_array(&v) {
            Ok(Seq {
                array: Array::from(&v),
                next: 0,
            })
        } else {
            Err(JsonError)
        }
    }

    /// The next element; not generic (see [`Kind`]).
    #[inline(never)]
    fn next_item(&mut self) -> Option<JsValue> {
        if self.next >= self.array.length() {
            return None;
        }
        let item = self.array.get(self.next);
        self.next += 1;
        Some(item)
    }
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = JsonError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        match self.next_item() {
            Some(item) => seed.deserialize(Deserializer(item)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.array.length() - self.next) as usize)
    }
}

/// An object's `[key, value]` entries (`Object.entries`), in order.
struct Map {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
}

impl Map {
    /// An object's entries; anything else (an array too) is not the JSON of a map or struct.
    /// Not generic.
    #[inline(never)]
    fn of(v: JsValue) -> Result<Map, JsonError> {
        if v.is_object() && !Array::is_array(&v) {
            Ok(Map {
                entries: Object::entries(&Object::from(v)),
                next: 0,
                value: None,
            })
        } else {
            Err(JsonError)
        }
    }

    /// The next key, keeping its value for `next_value_seed`; not generic (see [`Kind`]).
    #[inline(never)]
    fn next_key(&mut self) -> Result<Option<String>, JsonError> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair = Array::from(&self.entries.get(self.next));
        self.next += 1;
        self.value = Some(pair.get(1));
        pair.get(0).as_string().ok_or(JsonError).map(Some)
    }
}

impl<'de> MapAccess<'de> for Map {
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        match self.next_key()? {
            Some(key) => seed
                .deserialize(StringDeserializer::<JsonError>::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, JsonError> {
        let value = self.value.take().ok_or(JsonError)?;
        seed.deserialize(Deserializer(value))
    }
}

/// An externally tagged enum variant with data: `{"name": value}`.
struct Variant {
    name: String,
    value: JsValue,
}

impl Variant {
    /// A unit variant is its name; any other is an object with the name as its one key and
    /// the data as its value. Not generic (see [`Kind`]).
    #[inline(never)]
    fn of(v: JsValue) -> Result<(String, Option<JsValue>), JsonError> {
        if let Some(name) = v.as_string() {
            return Ok((name, None));
        }
        if !v.is_object() || Array::is_array(&v) {
            return Err(JsonError);
        }
        let entries = Object::entries(&Object::from(v));
        if entries.length() != 1 {
            return Err(JsonError);
        }
        let pair = Array::from(&entries.get(0));
        let name = pair.get(0).as_string().ok_or(JsonError)?;
        Ok((name, Some(pair.get(1))))
    }
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = JsonError;
    type Variant = Deserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Deserializer), JsonError> {
        let name = seed.deserialize(StringDeserializer::<JsonError>::new(self.name))?;
        Ok((name, Deserializer(self.value)))
    }
}

impl<'de> VariantAccess<'de> for Deserializer {
    type Error = JsonError;

    fn unit_variant(self) -> Result<(), JsonError> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, JsonError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_seq(Seq::of(self.0)?)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_map(Map::of(self.0)?)
    }
}
