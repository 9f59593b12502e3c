//! Small wire types shared by generated models: [`Empty`], [`Int64`] and [`UnknownValue`].

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::ser::{SerializeMap, Serializer};

/// Response data the caller does not need; deserialises from anything.
///
/// It serialises as `{}`, so it also works as the reply of a callback that has nothing to say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Empty;

impl<'de> serde::Deserialize<'de> for Empty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Empty)
    }
}

impl serde::Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// An int64 the platform carries as a JSON string: serialises as a string, accepts a string
/// or a number.
///
/// The platform sends 64-bit ids as strings because JavaScript numbers lose precision past
/// 2^53; this type keeps that wire form while giving Rust code a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Int64(pub i64);

impl fmt::Display for Int64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Int64 {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Int64)
    }
}

impl From<i64> for Int64 {
    fn from(value: i64) -> Self {
        Int64(value)
    }
}

impl From<Int64> for i64 {
    fn from(value: Int64) -> Self {
        value.0
    }
}

impl serde::Serialize for Int64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Int64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Int64Visitor)
    }
}

struct Int64Visitor;

impl Visitor<'_> for Int64Visitor {
    type Value = Int64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 64-bit integer or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int64, E> {
        Ok(Int64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int64, E> {
        i64::try_from(v).map(Int64).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Int64, E> {
        v.trim().parse().map(Int64).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// The value of an enum variant the SDK does not know yet. Users can read it but not
/// construct it.
///
/// Generated enums keep such values instead of failing, so a new variant on the server
/// does not break deserialisation of old clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value exactly as it appeared on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Used by generated enums; not part of the public API.
    #[doc(hidden)]
    pub fn __new(value: String) -> Self {
        UnknownValue(value)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64_serialises_as_a_string() {
        assert_eq!(serde_json::to_string(&Int64(7_000_000_000_000_000_001)).unwrap(), "\"7000000000000000001\"");
        assert_eq!(serde_json::to_string(&Int64(-5)).unwrap(), "\"-5\"");
    }

    #[test]
    fn int64_accepts_strings_and_numbers() {
        let from_str: Int64 = serde_json::from_str("\"9223372036854775807\"").unwrap();
        assert_eq!(from_str, Int64(i64::MAX));
        let from_num: Int64 = serde_json::from_str("-42").unwrap();
        assert_eq!(from_num, Int64(-42));
        let from_u: Int64 = serde_json::from_str("42").unwrap();
        assert_eq!(i64::from(from_u), 42);
    }

    #[test]
    fn int64_rejects_bad_input() {
        for bad in ["\"12a\"", "\"\"", "18446744073709551615", "1.5", "true", "null"] {
            let err = serde_json::from_str::<Int64>(bad).unwrap_err();
            assert!(err.to_string().contains("64-bit integer"), "{bad}: {err}");
        }
    }

    #[test]
    fn int64_display_and_parse() {
        assert_eq!(Int64(12).to_string(), "12");
        assert_eq!("12".parse::<Int64>().unwrap(), Int64::from(12));
        assert!("x".parse::<Int64>().is_err());
    }

    #[test]
    fn empty_accepts_anything() {
        for input in ["{}", "null", "[1,2]", "\"s\"", "{\"a\":{\"b\":[true]}}", "3"] {
            assert_eq!(serde_json::from_str::<Empty>(input).unwrap(), Empty);
        }
        assert_eq!(serde_json::to_string(&Empty).unwrap(), "{}");
    }

    #[test]
    fn unknown_value_reads_back() {
        let v = UnknownValue::__new("brand_new".to_owned());
        assert_eq!(v.as_str(), "brand_new");
        assert_eq!(v.to_string(), "brand_new");
    }
}
