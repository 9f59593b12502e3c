//! JSON Schemas for the catalogue's types, and the one naming scheme of components.
//!
//! Model and enum names repeat across services (`User` is in a dozen), so every component
//! is named `<service>.<version>.<RustName>`, e.g. `im.v1.Message` or
//! `calendar.v4.CalendarEventInput`; the pieces of the platform's protocol that belong to
//! no service (envelopes, the event header) are `lark.<Name>`.

use crate::ir::{self, EnumRepr, Type};
use crate::openapi::json::Json;

/// Where a version's types live: its service and version wire names.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub service: &'a str,
    pub version: &'a str,
}

impl Scope<'_> {
    /// The component name of a model or enum of this version.
    pub fn name(&self, rust: &str) -> String {
        format!("{}.{}.{rust}", self.service, self.version)
    }

    /// A `$ref` to a model or enum of this version.
    pub fn reference(&self, rust: &str) -> Json {
        component(&self.name(rust))
    }

    /// The schema of a field's type.
    pub fn ty(&self, ty: &Type) -> Json {
        match ty {
            Type::String => Json::object().with("type", "string"),
            Type::Bool => Json::object().with("type", "boolean"),
            Type::I32 => Json::object().with("type", "integer").with("format", "int32"),
            Type::I64 => Json::object().with("type", "integer").with("format", "int64"),
            Type::F64 => Json::object().with("type", "number").with("format", "double"),
            // Ids and timestamps above 2^53 travel as decimal strings.
            Type::Int64String => {
                Json::object().with("type", "string").with("format", "int64").with("pattern", "^-?[0-9]+$")
            }
            Type::File => binary(),
            Type::Json => Json::object(),
            Type::Model(name) | Type::Enum(name) => self.reference(name),
            Type::List(inner) => Json::object().with("type", "array").with("items", self.ty(inner)),
            Type::Map(inner) => Json::object().with("type", "object").with("additionalProperties", self.ty(inner)),
        }
    }

    /// A field's schema with its summary as the description.
    pub fn field(&self, field: &ir::Field) -> Json {
        let schema = self.ty(&field.ty);
        match &field.summary {
            Some(summary) => with_description(schema, summary),
            None => schema,
        }
    }

    /// The component of a model: an object with its fields, or a `$ref` to the model it
    /// is an alias of.
    pub fn model(&self, model: &ir::Model) -> Json {
        if let Some(original) = &model.alias_of {
            return self.reference(original);
        }
        let mut schema = Json::object().with("type", "object");
        if let Some(summary) = &model.summary {
            schema.set("description", summary);
        }
        let properties = model.fields.iter().map(|f| (f.wire.clone(), self.field(f))).collect();
        schema.set("properties", Json::Object(properties));
        let required: Vec<Json> = model.fields.iter().filter(|f| f.required).map(|f| Json::from(&f.wire)).collect();
        if !required.is_empty() {
            schema.set("required", required);
        }
        schema
    }

    /// The component of an enum: its known values, or any value of its type, because the
    /// platform adds values and the SDK reads and sends ones it does not know unchanged.
    /// A tool that wants the closed set reads the first branch.
    pub fn enumeration(&self, e: &ir::Enum) -> Json {
        if let Some(original) = &e.alias_of {
            return self.reference(original);
        }
        let (ty, values): (&str, Vec<Json>) = match e.repr {
            EnumRepr::String => ("string", e.variants.iter().map(|v| Json::from(&v.wire)).collect()),
            EnumRepr::Int => (
                "integer",
                e.variants.iter().map(|v| Json::Int(v.wire.parse().expect("validated integer value"))).collect(),
            ),
        };
        let known = Json::object().with("type", ty).with("enum", values);
        let known = if e.variants.iter().any(|v| v.summary.is_some()) {
            let descriptions = e.variants.iter().map(|v| Json::from(v.summary.clone().unwrap_or_default())).collect();
            known.with("x-enum-descriptions", Json::Array(descriptions))
        } else {
            known
        };
        let other = Json::object().with("type", ty).with("description", "A value added after this catalogue was made.");
        let mut schema = Json::object();
        if let Some(summary) = &e.summary {
            schema.set("description", summary);
        }
        schema.with("anyOf", vec![known, other])
    }
}

/// A `$ref` to a component schema by its full name.
pub fn component(name: &str) -> Json {
    Json::object().with("$ref", format!("#/components/schemas/{name}"))
}

/// Bytes: a file part of an upload or a download.
pub fn binary() -> Json {
    Json::object().with("type", "string").with("contentMediaType", "application/octet-stream")
}

/// `schema` with a description; beside a `$ref` too, which OpenAPI 3.1 allows.
pub fn with_description(schema: Json, description: &str) -> Json {
    schema.with("description", description)
}
