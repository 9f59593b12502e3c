//! Requests checked as the platform checks them: required parameters and fields, JSON
//! types, enum values, int64 strings, and the rules no schema can say (`x-lark-requires`).

use lark_runtime::fake::{FakeRequest, missing_fields};
use serde_json::{Map, Value};

use crate::catalogue::{Catalogue, Operation, Param};

/// The first problem found: the field (`members[1].id`), the value, and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    pub field: String,
    pub value: String,
    pub problem: String,
}

fn violation(field: &str, value: &str, problem: impl Into<String>) -> Violation {
    Violation { field: field.to_owned(), value: value.to_owned(), problem: problem.into() }
}

/// Checks path parameters, query parameters and the body.
pub(crate) fn request(
    catalogue: &Catalogue,
    op: &Operation,
    path: &[(String, String)],
    request: &FakeRequest,
) -> Result<(), Violation> {
    for param in &op.path {
        let value = path.iter().find(|(n, _)| *n == param.name).map(|(_, v)| v.as_str()).unwrap_or_default();
        if value.is_empty() {
            return Err(violation(&param.name, "", "required"));
        }
        text(catalogue, param, value)?;
    }
    for param in &op.query {
        let values = request.query_values(&param.name);
        if values.is_empty() && param.required {
            return Err(violation(&param.name, "", "required"));
        }
        for value in values {
            text(catalogue, param, value)?;
        }
    }
    let Some((media, schema)) = &op.body else { return Ok(()) };
    if media == "multipart/form-data" {
        return parts(catalogue, schema, request);
    }
    let body: Value = serde_json::from_slice(&request.body).map_err(|e| violation("", "", format!("not JSON: {e}")))?;
    json(catalogue, schema, &body, "", 0)?;
    // The rules beyond the schema, checked as the client checks them before sending.
    let rules: Vec<Vec<&str>> = op.requires.iter().map(|rule| rule.iter().map(String::as_str).collect()).collect();
    let rules: Vec<&[&str]> = rules.iter().map(Vec::as_slice).collect();
    match missing_fields(&body, &rules).into_iter().next() {
        Some(missing) => Err(violation(&missing.field, "", "required")),
        None => Ok(()),
    }
}

/// A JSON value against a schema, from the top.
pub(crate) fn value(catalogue: &Catalogue, schema: &Value, value: &Value) -> Result<(), Violation> {
    json(catalogue, schema, value, "", 0)
}

/// A path or query value, which arrives as text, against the parameter's schema.
fn text(catalogue: &Catalogue, param: &Param, value: &str) -> Result<(), Violation> {
    let schema = catalogue.resolve(&param.schema);
    let schema = if schema["type"] == "array" { catalogue.resolve(&schema["items"]) } else { schema };
    if let Some(known) = closed_enum(schema) {
        let fits =
            known.iter().any(|k| k.as_str() == Some(value) || k.as_i64().is_some_and(|n| n.to_string() == value));
        return if fits { Ok(()) } else { Err(violation(&param.name, value, one_of(known))) };
    }
    let fits = match schema["type"].as_str() {
        Some("integer") => value.parse::<i64>().is_ok_and(|n| fits(schema, n)),
        Some("number") => value.parse::<f64>().is_ok(),
        Some("boolean") => value == "true" || value == "false",
        Some("string") if schema["format"] == "int64" => value.parse::<i64>().is_ok(),
        _ => true,
    };
    if fits { Ok(()) } else { Err(violation(&param.name, value, format!("expected {}", expected(schema)))) }
}

/// The known values of an enum schema (`anyOf` of the known values and the open branch);
/// a request must use one of them.
fn closed_enum(schema: &Value) -> Option<&Vec<Value>> {
    schema["anyOf"].get(0).and_then(|known| known["enum"].as_array()).or_else(|| schema["enum"].as_array())
}

fn one_of(known: &[Value]) -> String {
    let values: Vec<String> = known.iter().map(Value::to_string).collect();
    format!("not one of the allowed values: {}", values.join(", "))
}

/// Whether an integer fits the schema's format (`int32` or `int64`).
fn fits(schema: &Value, n: i64) -> bool {
    schema["format"] != "int32" || i32::try_from(n).is_ok()
}

fn expected(schema: &Value) -> String {
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), Some("int64")) => "an integer as a string".to_owned(),
        (Some("integer"), Some("int32")) => "a 32-bit integer".to_owned(),
        (Some(ty), _) => format!("a JSON {ty}"),
        _ => "another type".to_owned(),
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") }
}

/// A JSON value against a schema of the generator's subset of JSON Schema.
fn json(catalogue: &Catalogue, schema: &Value, value: &Value, at: &str, depth: usize) -> Result<(), Violation> {
    if depth > 32 {
        return Ok(());
    }
    let schema = catalogue.resolve(schema);
    if let Some(known) = closed_enum(schema) {
        return if known.contains(value) { Ok(()) } else { Err(violation(at, &short(value), one_of(known))) };
    }
    if let Some(parts) = schema["allOf"].as_array() {
        return parts.iter().try_for_each(|part| json(catalogue, part, value, at, depth + 1));
    }
    if let Some(constant) = schema.get("const") {
        return if constant == value {
            Ok(())
        } else {
            Err(violation(at, &short(value), format!("must be {constant}")))
        };
    }
    let wrong = || violation(at, &short(value), format!("expected {}", expected(schema)));
    match (schema["type"].as_str(), value) {
        (None, _) => Ok(()),
        (Some("string"), Value::String(s)) => {
            if schema["format"] == "int64" && s.parse::<i64>().is_err() {
                return Err(wrong());
            }
            Ok(())
        }
        (Some("integer"), Value::Number(n)) if n.as_i64().is_some_and(|n| fits(schema, n)) => Ok(()),
        (Some("number"), Value::Number(_)) | (Some("boolean"), Value::Bool(_)) => Ok(()),
        (Some("array"), Value::Array(items)) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| json(catalogue, &schema["items"], item, &format!("{at}[{i}]"), depth + 1)),
        (Some("object"), Value::Object(map)) => object(catalogue, schema, map, at, depth),
        _ => Err(wrong()),
    }
}

fn object(
    catalogue: &Catalogue,
    schema: &Value,
    map: &Map<String, Value>,
    at: &str,
    depth: usize,
) -> Result<(), Violation> {
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if map.get(name).is_none_or(Value::is_null) {
            return Err(violation(&join(at, name), "", "required"));
        }
    }
    let properties = schema["properties"].as_object();
    for (name, value) in map {
        // Unknown fields are ignored; an explicit null is a wrong type like any other.
        let inner = properties.and_then(|p| p.get(name)).or_else(|| schema.get("additionalProperties"));
        if let Some(inner) = inner.filter(|s| s.is_object()) {
            json(catalogue, inner, value, &join(at, name), depth + 1)?;
        }
    }
    Ok(())
}

/// A multipart body: its required parts are there, and file parts are files.
fn parts(catalogue: &Catalogue, schema: &Value, request: &FakeRequest) -> Result<(), Violation> {
    let schema = catalogue.resolve(schema);
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if request.part(name).is_none() {
            return Err(violation(name, "", "required"));
        }
    }
    for part in &request.parts {
        let Some(field) = schema["properties"].get(&part.name) else { continue };
        let field = catalogue.resolve(field);
        if field.get("contentMediaType").is_some() {
            continue;
        }
        let param = Param { name: part.name.clone(), required: false, schema: field.clone() };
        text(catalogue, &param, &part.text())?;
    }
    Ok(())
}

/// A value as a violation shows it: short, so that a large body does not flood an error.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 64 { format!("{}…", text.chars().take(64).collect::<String>()) } else { text }
}
