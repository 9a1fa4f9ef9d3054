//! JSON in and out. Reading is a small JSON reader of our own over the text, with serde
//! building the Rust values; writing goes through the browser's `JSON.stringify`.
//!
//! `serde_json`'s reader, monomorphised for every type the app reads, cost about 100 KB of raw
//! wasm. Reading through the browser's `JSON.parse` instead was small, but walked the parsed
//! objects from wasm, several calls into JavaScript per value, and a string copied across for
//! each key and text: the newborn definition took 136 ms of the whole app's start at 4× CPU
//! (docs/performance.md). [`Reader`] reads the text in wasm without a call out. It reads what
//! `JSON.parse` reads and refuses what it refuses (numbers and text as `JSON.parse` gives them;
//! the value ends the text), and the shape is `serde_json`'s: maps as objects, `None` as `null`.
//! Its error carries no message, so serde's error texts (and the float and string formatting
//! they need) stay out of the build — a failed decode is only ever `FetchError::Decode` or a
//! missing draft.

// Native builds (unit tests, clippy) read and write JSON with serde_json; the reader below is
// the browser's (its own unit tests run natively).
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::value::CowStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess,
    Visitor,
};

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
    read(text)
}

/// Parses `text` as a `T` (native builds: unit tests of code that reads JSON).
///
/// # Errors
/// When `text` is not JSON or not a `T`.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    serde_json::from_str(text).map_err(|_| JsonError)
}

/// `text` read by [`Reader`] as a `T`: one value, with nothing but white space after it.
fn read<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut reader)?;
    reader.end().map(|()| value)
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

/// How deep arrays and objects may nest: deeper is refused, not a stack overflow.
const MAX_DEPTH: u32 = 128;

/// A number as `JSON.parse` gives it: a whole number JavaScript holds exactly goes to the
/// integer visitors (as with `serde_json`), any other to the float one.
enum Number {
    Integer(i64),
    Float(f64),
}

/// What the next value is, told by its first character.
enum Next {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A JSON text being read: the bytes and where the reader is. Everything that looks at the
/// bytes is here and not generic (`#[inline(never)]`): the decoders serde derives for each of
/// the app's types only call it.
struct Reader<'de> {
    text: &'de [u8],
    at: usize,
    depth: u32,
}

impl<'de> Reader<'de> {
    /// The next byte that is not white space (JSON's four), not consumed.
    #[inline(never)]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.text.get(self.at) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `b` after white space, or fails.
    #[inline(never)]
    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(JsonError)
        }
    }

    /// Only white space is left.
    #[inline(never)]
    fn end(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(JsonError),
        }
    }

    /// What the next value is.
    #[inline(never)]
    fn next(&mut self) -> Result<Next, JsonError> {
        Ok(match self.peek().ok_or(JsonError)? {
            b'n' => Next::Null,
            b't' | b'f' => Next::Bool,
            b'"' => Next::String,
            b'[' => Next::Array,
            b'{' => Next::Object,
            b'-' | b'0'..=b'9' => Next::Number,
            _ => return Err(JsonError),
        })
    }

    /// `null`.
    #[inline(never)]
    fn null(&mut self) -> Result<(), JsonError> {
        self.word(b"null")
    }

    /// `null`, consumed, or nothing consumed.
    #[inline(never)]
    fn is_null(&mut self) -> Result<bool, JsonError> {
        if self.peek() == Some(b'n') {
            self.null()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `true` or `false`.
    #[inline(never)]
    fn bool(&mut self) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b't') => self.word(b"true").map(|()| true),
            Some(b'f') => self.word(b"false").map(|()| false),
            _ => Err(JsonError),
        }
    }

    fn word(&mut self, word: &[u8]) -> Result<(), JsonError> {
        let end = self.at + word.len();
        if self.text.get(self.at..end) == Some(word) {
            self.at = end;
            Ok(())
        } else {
            Err(JsonError)
        }
    }

    /// A number, read by JSON's grammar.
    #[inline(never)]
    #[allow(clippy::cast_possible_truncation, clippy::float_cmp)]
    fn number(&mut self) -> Result<Number, JsonError> {
        let _ = self.peek();
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.text.get(r.at).is_some_and(u8::is_ascii_digit) {
                r.at += 1;
            }
            r.at - from
        };
        if self.text.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let whole = digits(self);
        // No leading zeros; at least one digit.
        if whole == 0 || (whole > 1 && self.text[self.at - whole] == b'0') {
            return Err(JsonError);
        }
        let mut plain = true;
        if self.text.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(JsonError);
            }
            plain = false;
        }
        if matches!(self.text.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.text.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(JsonError);
            }
            plain = false;
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).map_err(|_| JsonError)?;
        // Up to 15 digits is below 2⁵³: exact as an integer.
        if plain && whole <= 15 {
            return text.parse().map(Number::Integer).map_err(|_| JsonError);
        }
        let n = parse_float(text);
        Ok(if n.trunc() == n && n.abs() <= MAX_SAFE {
            Number::Integer(n as i64)
        } else {
            Number::Float(n)
        })
    }

    /// A whole number JavaScript holds exactly.
    #[inline(never)]
    fn integer(&mut self) -> Result<i64, JsonError> {
        match self.number()? {
            Number::Integer(n) => Ok(n),
            Number::Float(_) => Err(JsonError),
        }
    }

    /// Any number, as a float.
    #[inline(never)]
    #[allow(clippy::cast_precision_loss)]
    fn float(&mut self) -> Result<f64, JsonError> {
        Ok(match self.number()? {
            Number::Integer(n) => n as f64,
            Number::Float(n) => n,
        })
    }

    /// A string: borrowed from the text when it has no escapes. A lone surrogate escape is
    /// U+FFFD, as the browser's string is when it comes into Rust.
    #[inline(never)]
    fn string(&mut self) -> Result<Cow<'de, str>, JsonError> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.text.get(self.at) {
                None => return Err(JsonError),
                Some(b'"') => {
                    let s =
                        std::str::from_utf8(&self.text[start..self.at]).map_err(|_| JsonError)?;
                    self.at += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => return Err(JsonError),
                Some(_) => self.at += 1,
            }
        }
        let mut out =
            String::from(std::str::from_utf8(&self.text[start..self.at]).map_err(|_| JsonError)?);
        loop {
            let run = self.at;
            while let Some(&b) = self.text.get(self.at) {
                if b == b'"' || b == b'\\' {
                    break;
                }
                if b < 0x20 {
                    return Err(JsonError);
                }
                self.at += 1;
            }
            out.push_str(std::str::from_utf8(&self.text[run..self.at]).map_err(|_| JsonError)?);
            match self.text.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = *self.text.get(self.at).ok_or(JsonError)?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(JsonError),
                    });
                }
                _ => return Err(JsonError),
            }
        }
    }

    /// The character of a `\u` escape (its `\u` read), with the low half of a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return Ok(char::from_u32(high).unwrap_or('\u{FFFD}'));
        }
        if self.text.get(self.at..self.at + 2) == Some(b"\\u") {
            let back = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            // Not a low half: that escape is read on its own.
            self.at = back;
        }
        Ok('\u{FFFD}')
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(JsonError)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16).ok_or(JsonError)?;
        }
        self.at += 4;
        Ok(n)
    }

    /// Skips one value of any kind (an unknown field's).
    #[inline(never)]
    fn skip(&mut self) -> Result<(), JsonError> {
        match self.next()? {
            Next::Null => self.null(),
            Next::Bool => self.bool().map(drop),
            Next::Number => self.number().map(drop),
            Next::String => self.string().map(drop),
            Next::Array => {
                self.open(b'[')?;
                let mut first = true;
                while self.more(&mut first, b']')? {
                    self.skip()?;
                }
                self.close(b']')
            }
            Next::Object => {
                self.open(b'{')?;
                let mut first = true;
                while self.key(&mut first)?.is_some() {
                    self.skip()?;
                }
                self.close(b'}')
            }
        }
    }

    /// `[` or `{`, one level deeper.
    #[inline(never)]
    fn open(&mut self, b: u8) -> Result<(), JsonError> {
        self.expect(b)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonError);
        }
        Ok(())
    }

    /// `]` or `}`: every element or entry has been read.
    #[inline(never)]
    fn close(&mut self, b: u8) -> Result<(), JsonError> {
        self.expect(b)?;
        self.depth -= 1;
        Ok(())
    }

    /// Whether an array has another element (`close` is its end); consumes the comma before
    /// every element but the first.
    #[inline(never)]
    fn more(&mut self, first: &mut bool, close: u8) -> Result<bool, JsonError> {
        if self.peek() == Some(close) {
            return Ok(false);
        }
        if !*first {
            self.expect(b',')?;
        }
        *first = false;
        Ok(true)
    }

    /// An object's next key and its colon, or `None` at its end (not consumed).
    #[inline(never)]
    fn key(&mut self, first: &mut bool) -> Result<Option<Cow<'de, str>>, JsonError> {
        if !self.more(first, b'}')? {
            return Ok(None);
        }
        let key = self.string()?;
        self.expect(b':')?;
        Ok(Some(key))
    }
}

/// A number's text (already checked against JSON's grammar) as the browser reads it.
#[cfg(target_arch = "wasm32")]
fn parse_float(text: &str) -> f64 {
    // Rust's float parsing would bring its tables into the build (docs/performance.md, "E").
    js_sys::Number::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_float(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

fn visit_str<'de, V: Visitor<'de>>(s: Cow<'de, str>, visitor: V) -> Result<V::Value, JsonError> {
    match s {
        Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
        Cow::Owned(s) => visitor.visit_string(s),
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.next()? {
            Next::Null => self.null().and_then(|()| visitor.visit_unit()),
            Next::Bool => visitor.visit_bool(self.bool()?),
            Next::Number => match self.number()? {
                Number::Integer(n) => visitor.visit_i64(n),
                Number::Float(n) => visitor.visit_f64(n),
            },
            Next::String => visit_str(self.string()?, visitor),
            Next::Array => self.deserialize_seq(visitor),
            Next::Object => self.deserialize_map(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        if self.is_null()? {
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
        // A unit variant is its name; any other is an object with the name as its one key and
        // the data as its value.
        if let Next::String = self.next()? {
            let name = self.string()?;
            return visitor.visit_enum(CowStrDeserializer::<JsonError>::new(name));
        }
        self.open(b'{')?;
        let name = self.key(&mut true)?.ok_or(JsonError)?;
        let value = visitor.visit_enum(Variant { reader: self, name })?;
        self.close(b'}')?;
        Ok(value)
    }

    // The methods below call only the one `visit_*` method the JSON for the asked type can
    // need, where `deserialize_any` would call any of seven: a derived struct's decoder is then
    // only its object form (`visit_map`), not also its array form (`visit_seq`) that JSON never
    // sends, and no visitor's error paths for the kinds it cannot take are instantiated.

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.open(b'{')?;
        let value = visitor.visit_map(Entries {
            reader: self,
            first: true,
        })?;
        self.close(b'}')?;
        Ok(value)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.open(b'[')?;
        let value = visitor.visit_seq(Elements {
            reader: self,
            first: true,
        })?;
        self.close(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visit_str(self.string()?, visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visit_str(self.string()?, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visit_str(self.string()?, visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_bool(self.bool()?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_i64(self.integer()?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.null()?;
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.skip()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u128 f32 char bytes byte_buf unit_struct
    }
}

/// An array's elements, in order.
struct Elements<'r, 'de> {
    reader: &'r mut Reader<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = JsonError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        if self.reader.more(&mut self.first, b']')? {
            seed.deserialize(&mut *self.reader).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// An object's entries, in order.
struct Entries<'r, 'de> {
    reader: &'r mut Reader<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        match self.reader.key(&mut self.first)? {
            Some(key) => seed
                .deserialize(CowStrDeserializer::<JsonError>::new(key))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, JsonError> {
        seed.deserialize(&mut *self.reader)
    }
}

/// An externally tagged enum variant with data: `{"name": value}`, its key read.
struct Variant<'r, 'de> {
    reader: &'r mut Reader<'de>,
    name: Cow<'de, str>,
}

impl<'r, 'de> EnumAccess<'de> for Variant<'r, 'de> {
    type Error = JsonError;
    type Variant = &'r mut Reader<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, &'r mut Reader<'de>), JsonError> {
        let name = seed.deserialize(CowStrDeserializer::<JsonError>::new(self.name))?;
        Ok((name, self.reader))
    }
}

impl<'de> VariantAccess<'de> for &mut Reader<'de> {
    type Error = JsonError;

    fn unit_variant(self) -> Result<(), JsonError> {
        self.null()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, JsonError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonError, read};
    use onething_core::ServiceDefinition;
    use onething_core::api::ApiErrorBody;
    use onething_core::engine::Application;
    use std::collections::BTreeMap;

    /// Every shipped definition and example application reads as `serde_json` reads it.
    #[test]
    fn the_reader_reads_every_definition_and_example_as_serde_json_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("services");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("services") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_owned();
            let toml = std::fs::read_to_string(&path).expect("read");
            let def = ServiceDefinition::from_toml(&name, &toml).expect("definition");
            let text = serde_json::to_string(&def).expect("write");
            let back: ServiceDefinition = read(&text).expect(&name);
            assert!(back == def, "{name}: definition differs");
            // Pretty-printed: the white space JSON allows anywhere.
            let pretty = serde_json::to_string_pretty(&def).expect("write");
            assert!(
                read::<ServiceDefinition>(&pretty).expect(&name) == def,
                "{name}"
            );
            let example = dir.join("examples").join(format!("{name}.json"));
            if let Ok(file) = std::fs::read_to_string(example) {
                let file: serde_json::Value = serde_json::from_str(&file).expect("example");
                let text = serde_json::to_string(&file["application"]).expect("write");
                let app: Application = serde_json::from_str(&text).expect("example");
                assert!(read::<Application>(&text).expect(&name) == app, "{name}");
            }
            seen += 1;
        }
        assert!(seen >= 7, "{seen} definitions");
    }

    #[test]
    fn text_and_numbers_read_as_json_parse_gives_them() {
        let s: String = read(r#""a\"b\\c\/d\n\t\u00e9\u4e00\ud83d\ude00 \ud800x""#).expect("text");
        assert_eq!(s, "a\"b\\c/d\n\té一😀 \u{FFFD}x");
        assert_eq!(read::<String>(r#""没有转义""#), Ok("没有转义".to_owned()));
        assert_eq!(read::<i64>("-42"), Ok(-42));
        assert_eq!(
            read::<i64>("1.0"),
            Ok(1),
            "a whole number with a fraction part"
        );
        assert_eq!(read::<i64>("2e3"), Ok(2000));
        assert_eq!(read::<i64>("9007199254740991"), Ok(9_007_199_254_740_991));
        assert_eq!(
            read::<i64>("9007199254740993"),
            Err(JsonError),
            "beyond 2⁵³"
        );
        assert_eq!(read::<i64>("1.5"), Err(JsonError));
        assert_eq!(read::<f64>("1.5e-1"), Ok(0.15));
        assert_eq!(read::<u8>("300"), Err(JsonError));
        assert_eq!(read::<Option<bool>>(" null "), Ok(None));
        assert_eq!(read::<Option<bool>>("true"), Ok(Some(true)));
        let map: BTreeMap<String, Vec<i64>> = read(r#"{"b":[1,2],"a":[]}"#).expect("map");
        assert_eq!(map.len(), 2);
        assert_eq!(map["b"], vec![1, 2]);
    }

    #[test]
    fn what_json_parse_refuses_is_refused() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\u12\"",
            "tru",
            "nul",
            "[1] 2",
            "'a'",
            "NaN",
            "{\"a\" 1}",
            "{a:1}",
            "[1 2]",
        ] {
            assert_eq!(
                read::<serde_json::Value>(bad).map(drop),
                Err(JsonError),
                "{bad:?}"
            );
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(read::<serde_json::Value>(&deep).map(drop), Err(JsonError));
        assert!(read::<serde_json::Value>(&("[".repeat(100) + &"]".repeat(100))).is_ok());
    }

    #[test]
    fn mistyped_json_is_an_error_not_a_half_read_value() {
        assert!(read::<Application>("[]").is_err());
        assert!(read::<ServiceDefinition>(r#"{"id":"x","unknown":1}"#).is_err());
        assert!(read::<ApiErrorBody>(r#"{"code":3}"#).is_err());
        let body: ApiErrorBody = read(
            r#"{"code":"service_not_found","message":"m","fields":[],"more":{"x":[1,{"y":null}]}}"#,
        )
        .expect("an unknown field is skipped");
        assert_eq!(body.code, "service_not_found");
        // Anything read as a whole value (untagged enums) is the same value serde_json reads.
        let text = r#"{"a":[1,-2.5,"x",true,null,{"b":{}}],"c":"\u00e9"}"#;
        assert_eq!(
            read::<serde_json::Value>(text),
            Ok(serde_json::from_str::<serde_json::Value>(text).expect("json"))
        );
    }
}
