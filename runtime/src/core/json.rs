//! Light JSON conversion for generated types.
//!
//! `#[derive(Deserialize)]` expands to a visitor, a field enum and a map loop per struct;
//! over the platform's ~6,000 models that expansion dominates the SDK's compile time.
//! Generated models instead implement [`FromJson`] and [`ToJson`] with one line per
//! field, calling the non-generic [`Object`] and [`ObjectWriter`] here; their serde impls
//! are one-line bridges ([`deserialize`], [`serialize`]) so they still work anywhere
//! serde is expected. Decoding goes through a `serde_json::Value`, which costs a little
//! run time on replies that already crossed a network.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde_json::{Map, Value};

use crate::core::types::{Empty, Int64};

/// Why a JSON value does not fit a generated type, with the path to the bad field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Field names and list indexes, innermost first; shown outermost first, e.g. `mentions[2].key`.
    path: Vec<String>,
    message: String,
}

impl JsonError {
    /// An error at the current position.
    pub fn new(message: impl Into<String>) -> Self {
        JsonError { path: Vec::new(), message: message.into() }
    }

    fn expected(what: &str, found: &Value) -> Self {
        JsonError::new(format!("expected {what}, found {}", kind(found)))
    }

    /// The same error, one level further out.
    fn within(mut self, segment: impl Into<String>) -> Self {
        self.path.push(segment.into());
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            if !path.is_empty() && !segment.starts_with('[') {
                path.push('.');
            }
            path.push_str(segment);
        }
        if path.is_empty() { f.write_str(&self.message) } else { write!(f, "{path}: {}", self.message) }
    }
}

impl std::error::Error for JsonError {}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Builds a value from JSON. Implemented by every generated model and enum.
pub trait FromJson: Sized {
    /// Converts `value`, or says which field does not fit.
    fn from_json(value: Value) -> Result<Self, JsonError>;
}

/// Turns a value into JSON. Implemented by every generated model that is sent.
pub trait ToJson {
    /// The JSON form of `self`.
    fn to_json(&self) -> Value;

    /// True when the field should be left out of its object (an unset `Option`).
    fn is_absent(&self) -> bool {
        false
    }
}

/// The fields of a JSON object being read into a generated struct.
#[derive(Debug)]
pub struct Object {
    fields: Map<String, Value>,
    type_name: &'static str,
}

impl Object {
    /// Starts reading `value`, which must be an object, as `type_name`.
    pub fn new(value: Value, type_name: &'static str) -> Result<Self, JsonError> {
        match value {
            Value::Object(fields) => Ok(Object { fields, type_name }),
            other => Err(JsonError::expected(&format!("a `{type_name}` object"), &other)),
        }
    }

    /// A field that must be present and not null.
    pub fn required<T: FromJson>(&mut self, key: &'static str) -> Result<T, JsonError> {
        match self.fields.remove(key) {
            None | Some(Value::Null) => {
                Err(JsonError::new(format!("missing, but `{}` requires it", self.type_name)).within(key))
            }
            Some(value) => T::from_json(value).map_err(|e| e.within(key)),
        }
    }

    /// A field that may be absent or null.
    pub fn optional<T: FromJson>(&mut self, key: &'static str) -> Result<Option<T>, JsonError> {
        match self.fields.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::from_json(value).map(Some).map_err(|e| e.within(key)),
        }
    }
}

/// A JSON object being written from a generated struct.
#[derive(Debug, Default)]
pub struct ObjectWriter {
    fields: Map<String, Value>,
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> Self {
        ObjectWriter::default()
    }

    /// Adds `key`, unless `value` is an unset `Option`.
    pub fn put<T: ToJson + ?Sized>(&mut self, key: &'static str, value: &T) {
        if !value.is_absent() {
            self.fields.insert(key.to_owned(), value.to_json());
        }
    }

    /// The finished object.
    pub fn finish(self) -> Value {
        Value::Object(self.fields)
    }
}

/// The serde bridge of a generated type's `Deserialize` impl.
pub fn deserialize<'de, D: serde::Deserializer<'de>, T: FromJson>(deserializer: D) -> Result<T, D::Error> {
    let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
    T::from_json(value).map_err(D::Error::custom)
}

/// The serde bridge of a generated type's `Serialize` impl.
pub fn serialize<S: serde::Serializer, T: ToJson + ?Sized>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&value.to_json(), serializer)
}

/// Reads a string-valued enum: generated enums map the text to a variant.
pub fn enum_text(value: Value) -> Result<String, JsonError> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(JsonError::expected("a string", &other)),
    }
}

/// Reads an integer-valued enum.
pub fn enum_int(value: Value) -> Result<i64, JsonError> {
    i64::from_json(value)
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(JsonError::expected("a string", &other)),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(JsonError::expected("a boolean", &other)),
        }
    }
}

impl FromJson for i64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::Number(n) => n.as_i64().ok_or_else(|| JsonError::new(format!("{n} is not a 64-bit integer"))),
            other => Err(JsonError::expected("an integer", other)),
        }
    }
}

impl FromJson for i32 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        let wide = i64::from_json(value)?;
        i32::try_from(wide).map_err(|_| JsonError::new(format!("{wide} does not fit in 32 bits")))
    }
}

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::Number(n) => n.as_f64().ok_or_else(|| JsonError::new(format!("{n} is not a number"))),
            other => Err(JsonError::expected("a number", other)),
        }
    }
}

impl FromJson for Int64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::String(s) => {
                s.parse().map(Int64).map_err(|_| JsonError::new(format!("{s:?} is not a 64-bit integer")))
            }
            Value::Number(_) => i64::from_json(value).map(Int64),
            other => Err(JsonError::expected("an integer in a string", other)),
        }
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(value)
    }
}

impl FromJson for Empty {
    fn from_json(_: Value) -> Result<Self, JsonError> {
        Ok(Empty)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| T::from_json(item).map_err(|e| e.within(format!("[{i}]"))))
                .collect(),
            other => Err(JsonError::expected("a list", &other)),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Object(fields) => fields
                .into_iter()
                .map(|(k, v)| match T::from_json(v) {
                    Ok(v) => Ok((k, v)),
                    Err(e) => Err(e.within(k)),
                })
                .collect(),
            other => Err(JsonError::expected("an object", &other)),
        }
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl ToJson for Int64 {
    fn to_json(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for Empty {
    fn to_json(&self) -> Value {
        Value::Object(Map::new())
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }

    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug)]
    struct Point {
        x: Int64,
        label: Option<String>,
        tags: Option<Vec<String>>,
    }

    impl FromJson for Point {
        fn from_json(value: Value) -> Result<Self, JsonError> {
            let mut o = Object::new(value, "Point")?;
            Ok(Point { x: o.required("x")?, label: o.optional("label")?, tags: o.optional("tags")? })
        }
    }

    impl ToJson for Point {
        fn to_json(&self) -> Value {
            let mut o = ObjectWriter::new();
            o.put("x", &self.x);
            o.put("label", &self.label);
            o.put("tags", &self.tags);
            o.finish()
        }
    }

    #[test]
    fn reads_and_writes_objects() {
        let p = Point::from_json(json!({ "x": "12", "label": null, "tags": ["a"], "new_field": 1 })).expect("reads");
        assert_eq!((p.x, p.label.as_deref(), p.tags.as_deref()), (Int64(12), None, Some(&["a".to_owned()][..])));
        assert_eq!(p.to_json(), json!({ "x": "12", "tags": ["a"] }));
    }

    #[test]
    fn errors_carry_the_path() {
        let e = Vec::<Point>::from_json(json!([{ "x": "1" }, { "x": "one" }])).expect_err("fails");
        assert_eq!(e.to_string(), "[1].x: \"one\" is not a 64-bit integer");
        let e = Point::from_json(json!({ "label": "l" })).expect_err("fails");
        assert_eq!(e.to_string(), "x: missing, but `Point` requires it");
        let e = Point::from_json(json!({ "x": 1, "tags": [true] })).expect_err("fails");
        assert_eq!(e.to_string(), "tags[0]: expected a string, found a boolean");
        assert_eq!(
            i32::from_json(json!(1u64 << 40)).expect_err("too wide").to_string(),
            "1099511627776 does not fit in 32 bits"
        );
    }

    #[test]
    fn bridges_to_serde() {
        let mut de = serde_json::Deserializer::from_str(r#"{"x": 7}"#);
        let p: Point = deserialize(&mut de).expect("bridge");
        assert_eq!(p.x, Int64(7));
        let mut out = Vec::new();
        serialize(&p, &mut serde_json::Serializer::new(&mut out)).expect("bridge");
        assert_eq!(String::from_utf8(out).expect("utf8"), r#"{"x":"7"}"#);
    }
}
