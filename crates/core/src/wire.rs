//! Wire names of unit enums, read from their serde attributes, so each name is written once (in
//! `#[serde(rename_all = "snake_case")]` or `#[serde(rename = "…")]`) and never again in a
//! hand-kept `as_str` or `parse` table that could drift from what the JSON says.
//!
//! - [`name`] serialises a variant into a tiny serializer that keeps the `&'static str` serde
//!   hands to `serialize_unit_variant`: no allocation, no JSON.
//! - [`parse`] deserialises a string the way serde reads a unit variant from JSON.
//! - [`names`] lists every wire name, as the derived `Deserialize` declares them (for tests that
//!   check each variant, e.g. that every engine error code has its texts).

use std::fmt;

use serde::de::value::StrDeserializer;
use serde::ser::Impossible;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The wire name of a unit variant, e.g. `SubItemStatus::InProgress` → `in_progress`.
///
/// Meant for enums whose variants carry no data; for anything else the answer is `""`.
pub fn name<T: Serialize>(value: &T) -> &'static str {
    value.serialize(NameOf).unwrap_or_default()
}

/// The unit variant with this wire name, if there is one (exact match, as serde reads JSON).
pub fn parse<'de, T: Deserialize<'de>>(name: &'de str) -> Option<T> {
    T::deserialize(StrDeserializer::<NotAName>::new(name)).ok()
}

/// Every wire name of an enum's variants, in declaration order (empty for a type that is not
/// an enum deriving `Deserialize`).
pub fn names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut found: &'static [&'static str] = &[];
    // The derived `Deserialize` of an enum asks for it by its variant names; take them and stop.
    let _ = T::deserialize(VariantNames(&mut found));
    found
}

/// Why a value has no wire name: it is not a unit variant.
#[derive(Debug)]
struct NotAName;

impl fmt::Display for NotAName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAName {}

impl serde::ser::Error for NotAName {
    fn custom<M: fmt::Display>(_: M) -> Self {
        NotAName
    }
}

impl serde::de::Error for NotAName {
    fn custom<M: fmt::Display>(_: M) -> Self {
        NotAName
    }
}

/// The serializer of [`name`]: accepts a unit variant only.
struct NameOf;

/// Everything but a unit variant is refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, NotAName> {
            Err(NotAName)
        })*
    };
}

impl Serializer for NameOf {
    type Ok = &'static str;
    type Error = NotAName;
    type SerializeSeq = Impossible<&'static str, NotAName>;
    type SerializeTuple = Impossible<&'static str, NotAName>;
    type SerializeTupleStruct = Impossible<&'static str, NotAName>;
    type SerializeTupleVariant = Impossible<&'static str, NotAName>;
    type SerializeMap = Impossible<&'static str, NotAName>;
    type SerializeStruct = Impossible<&'static str, NotAName>;
    type SerializeStructVariant = Impossible<&'static str, NotAName>;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAName> {
        Ok(variant)
    }

    refuse! {
        serialize_bool(bool) -> &'static str;
        serialize_i8(i8) -> &'static str;
        serialize_i16(i16) -> &'static str;
        serialize_i32(i32) -> &'static str;
        serialize_i64(i64) -> &'static str;
        serialize_u8(u8) -> &'static str;
        serialize_u16(u16) -> &'static str;
        serialize_u32(u32) -> &'static str;
        serialize_u64(u64) -> &'static str;
        serialize_f32(f32) -> &'static str;
        serialize_f64(f64) -> &'static str;
        serialize_char(char) -> &'static str;
        serialize_str(&str) -> &'static str;
        serialize_bytes(&[u8]) -> &'static str;
        serialize_none() -> &'static str;
        serialize_unit() -> &'static str;
        serialize_unit_struct(&'static str) -> &'static str;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<&'static str, NotAName> {
        Err(NotAName)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAName> {
        Err(NotAName)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAName> {
        Err(NotAName)
    }
}

/// The deserializer of [`names`]: records the variant list of `deserialize_enum`, then fails.
struct VariantNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for VariantNames<'_> {
    type Error = NotAName;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, NotAName> {
        Err(NotAName)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, NotAName> {
        *self.0 = variants;
        Err(NotAName)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
        DarkBlue,
        #[serde(rename = "zh-CN")]
        Chinese,
    }

    #[test]
    fn names_come_from_serde_and_parse_back() {
        assert_eq!(name(&Colour::DarkBlue), "dark_blue");
        assert_eq!(name(&Colour::Chinese), "zh-CN");
        assert_eq!(names::<Colour>(), ["red", "dark_blue", "zh-CN"]);
        for n in names::<Colour>() {
            let c: Colour = parse(n).expect(n);
            assert_eq!(name(&c), *n);
            assert_eq!(serde_json::to_value(c).expect("json"), *n);
        }
        assert_eq!(parse::<Colour>("DarkBlue"), None);
        assert_eq!(parse::<Colour>(" red"), None);
        assert_eq!(parse::<Colour>(""), None);
    }

    #[test]
    fn values_that_are_not_unit_variants_have_no_name() {
        assert_eq!(name(&3_u8), "");
        assert_eq!(name(&"red"), "");
        assert!(names::<u8>().is_empty());
    }
}
