//! JSON in and out through the browser's own `JSON.parse` and `JSON.stringify`, with serde
//! converting between Rust values and JavaScript ones.
//!
//! The browser already has a fast, compact JSON parser; `serde_json`'s, monomorphised for
//! every type the app reads, cost about 100 KB of raw wasm. The shape on the wire is the same
//! as `serde_json`'s: maps as objects, `None` as `null`. Reading uses the small
//! [`Deserializer`] below; its error carries no message, so serde's error texts (and the float
//! and string formatting they need) stay out of the build — a failed decode is only ever
//! `FetchError::Decode` or a missing draft.

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
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let value = js_sys::JSON::parse(text).map_err(|_| JsonError)?;
    T::deserialize(Deserializer(value))
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

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A serde deserializer over a value `JSON.parse` produced: null, boolean, number, string,
/// array or plain object.
struct Deserializer(JsValue);

impl<'de> de::Deserializer<'de> for Deserializer {
    type Error = JsonError;

    #[allow(clippy::cast_possible_truncation)]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        let v = self.0;
        if v.is_null() || v.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = v.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = v.as_f64() {
            // JSON has one number type; integers go to the integer visitors, as serde_json does.
            if n.trunc() == n && n.abs() <= MAX_SAFE {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_f64(n)
            }
        } else if let Some(s) = v.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&v) {
            let array = Array::from(&v);
            visitor.visit_seq(Seq { array, next: 0 })
        } else if v.is_object() {
            let entries = Object::entries(&Object::from(v));
            visitor.visit_map(Map {
                entries,
                next: 0,
                value: None,
            })
        } else {
            Err(JsonError)
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
        // A unit variant is its name; any other is an object with the name as its one key.
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(StringDeserializer::<JsonError>::new(name));
        }
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(JsonError);
        }
        let entries = Object::entries(&Object::from(self.0));
        if entries.length() != 1 {
            return Err(JsonError);
        }
        let pair = Array::from(&entries.get(0));
        let name = pair.get(0).as_string().ok_or(JsonError)?;
        visitor.visit_enum(Variant {
            name,
            value: pair.get(1),
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An array's elements, in order.
struct Seq {
    array: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = JsonError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let item = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(Deserializer(item)).map(Some)
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

impl<'de> MapAccess<'de> for Map {
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair = Array::from(&self.entries.get(self.next));
        self.next += 1;
        self.value = Some(pair.get(1));
        let key = pair.get(0).as_string().ok_or(JsonError)?;
        seed.deserialize(StringDeserializer::<JsonError>::new(key))
            .map(Some)
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
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
