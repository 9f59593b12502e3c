//! An imported service file and its deterministic YAML text.
//!
//! The writer is ours rather than serde_yaml's so the files read like the curated
//! ones: fields as one-line flow mappings, bare enum values as flow lists, and quotes
//! only where YAML needs them. Maps are `BTreeMap`s or ordered `Vec`s, so the text
//! depends on the facts alone.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Models by name; each a list of fields by wire name, in wire order.
pub type Models = BTreeMap<String, Vec<(String, Field)>>;

#[derive(Debug, Default)]
pub struct File {
    pub service: String,
    pub version: String,
    pub title: String,
    pub source: String,
    pub resources: BTreeMap<String, BTreeMap<String, Method>>,
    pub models: Models,
    pub enums: BTreeMap<String, Enum>,
    pub events: BTreeMap<String, Event>,
    pub callbacks: BTreeMap<String, Callback>,
}

#[derive(Debug, Clone, Default)]
pub struct Method {
    pub summary: String,
    pub http: String,
    pub doc: Option<String>,
    pub official_id: Option<String>,
    pub tokens: Vec<String>,
    pub path: Vec<(String, Field)>,
    pub query: Vec<(String, Field)>,
    /// (`json` or `multipart`, model).
    pub body: Option<(&'static str, String)>,
    pub response: Option<Response>,
    pub pagination: Option<String>,
    pub deprecated: Option<Deprecated>,
    pub source: Option<String>,
}

/// The platform no longer recommends a method or event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deprecated {
    /// Official ids of the catalogued methods its notice names instead.
    pub instead: Vec<String>,
    /// The page its notice links when that is not a catalogued method.
    pub doc: Option<String>,
}

impl Deprecated {
    /// `{ instead: [a, b] }`, `{ doc: url }`, both, or `{}` when the notice names nothing.
    fn flow(&self) -> String {
        let mut parts = Vec::new();
        if !self.instead.is_empty() {
            parts.push(format!("instead: [{}]", self.instead.join(", ")));
        }
        if let Some(doc) = &self.doc {
            parts.push(format!("doc: {}", scalar(doc, true)));
        }
        if parts.is_empty() { "{}".into() } else { format!("{{ {} }}", parts.join(", ")) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Json(String),
    Binary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub ty: String,
    pub required: bool,
    pub as_string: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub int: bool,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub summary: String,
    pub v1: bool,
    pub payload: String,
    pub deprecated: Option<Deprecated>,
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Callback {
    pub summary: String,
    pub payload: String,
    pub response: String,
}

impl File {
    /// The file's path under `spec/`.
    pub fn relative(&self) -> String {
        format!("services/{}/{}.yaml", self.service, self.version)
    }

    pub fn endpoint_count(&self) -> usize {
        self.resources.values().map(BTreeMap::len).sum()
    }

    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(w, "# Imported by `cargo xtask import` from the packages pinned in spec/upstream.toml.");
        let _ = writeln!(w, "# Do not edit: curated facts go to spec/overlays/{}/{}.yaml.", self.service, self.version);
        let _ = writeln!(w, "service: {}", scalar(&self.service, false));
        let _ = writeln!(w, "version: {}", scalar(&self.version, false));
        let _ = writeln!(w, "title: {}", scalar(&self.title, false));
        let _ = writeln!(w, "source: {}", scalar(&self.source, false));
        if !self.resources.is_empty() {
            let _ = writeln!(w, "\nresources:");
            for (name, methods) in &self.resources {
                let _ = writeln!(w, "  {}:\n    methods:", key(name));
                for (method_name, method) in methods {
                    let _ = writeln!(w, "      {}:", key(method_name));
                    write_method(w, method);
                }
            }
        }
        if !self.models.is_empty() {
            let _ = writeln!(w, "\nmodels:");
            for (name, fields) in &self.models {
                if fields.is_empty() {
                    let _ = writeln!(w, "  {name}:\n    fields: {{}}");
                    continue;
                }
                let _ = writeln!(w, "  {name}:\n    fields:");
                for (wire, field) in fields {
                    let _ = writeln!(w, "      {}: {}", key(wire), field.flow());
                }
            }
        }
        if !self.enums.is_empty() {
            let _ = writeln!(w, "\nenums:");
            for (name, e) in &self.enums {
                let _ = writeln!(w, "  {name}:");
                if e.int {
                    let _ = writeln!(w, "    type: int32\n    values:");
                    for v in &e.values {
                        let _ = writeln!(w, "      - {{ value: {v}, name: {} }}", int_name(v));
                    }
                } else {
                    let values: Vec<String> = e.values.iter().map(|v| scalar(v, true)).collect();
                    let _ = writeln!(w, "    values: [{}]", values.join(", "));
                }
            }
        }
        if !self.events.is_empty() {
            let _ = writeln!(w, "\nevents:");
            for (name, e) in &self.events {
                let _ = writeln!(w, "  {}:", key(name));
                let _ = writeln!(w, "    summary: {}", scalar(&e.summary, false));
                let _ = writeln!(w, "    envelope: {}", if e.v1 { "v1" } else { "v2" });
                let _ = writeln!(w, "    payload: {}", e.payload);
                if let Some(deprecated) = &e.deprecated {
                    let _ = writeln!(w, "    deprecated: {}", deprecated.flow());
                }
                if let Some(source) = &e.source {
                    let _ = writeln!(w, "    source: {}", scalar(source, false));
                }
            }
        }
        if !self.callbacks.is_empty() {
            let _ = writeln!(w, "\ncallbacks:");
            for (name, c) in &self.callbacks {
                let _ = writeln!(w, "  {}:", key(name));
                let _ = writeln!(w, "    summary: {}", scalar(&c.summary, false));
                let _ = writeln!(w, "    envelope: v2");
                let _ = writeln!(w, "    payload: {}", c.payload);
                let _ = writeln!(w, "    response: {}", c.response);
            }
        }
        out
    }
}

fn write_method(w: &mut String, m: &Method) {
    let _ = writeln!(w, "        summary: {}", scalar(&m.summary, false));
    let _ = writeln!(w, "        http: {}", scalar(&m.http, false));
    if let Some(doc) = &m.doc {
        let _ = writeln!(w, "        doc: {}", scalar(doc, false));
    }
    if let Some(id) = &m.official_id {
        let _ = writeln!(w, "        official_id: {}", scalar(id, false));
    }
    let _ = writeln!(w, "        tokens: [{}]", m.tokens.join(", "));
    for (section, params) in [("path", &m.path), ("query", &m.query)] {
        if !params.is_empty() {
            let _ = writeln!(w, "        {section}:");
            for (wire, field) in params {
                let _ = writeln!(w, "          {}: {}", key(wire), field.flow());
            }
        }
    }
    if let Some((kind, model)) = &m.body {
        let _ = writeln!(w, "        body: {{ {kind}: {model} }}");
    }
    match &m.response {
        Some(Response::Json(model)) => {
            let _ = writeln!(w, "        response: {{ json: {model} }}");
        }
        Some(Response::Binary) => {
            let _ = writeln!(w, "        response: binary");
        }
        None => {}
    }
    if let Some(items) = &m.pagination {
        let _ = writeln!(w, "        pagination: {{ items: {} }}", scalar(items, true));
    }
    if let Some(deprecated) = &m.deprecated {
        let _ = writeln!(w, "        deprecated: {}", deprecated.flow());
    }
    if let Some(source) = &m.source {
        let _ = writeln!(w, "        source: {}", scalar(source, false));
    }
}

impl Field {
    fn flow(&self) -> String {
        let mut s = format!("{{ type: {}", self.ty);
        if self.required {
            s.push_str(", required: true");
        }
        if self.as_string {
            s.push_str(", as_string: true");
        }
        s.push_str(" }");
        s
    }
}

/// The Rust-facing name of an integer enum value: `1` → `v1`, `-1` → `minus_1`.
pub fn int_name(value: &str) -> String {
    match value.strip_prefix('-') {
        Some(rest) => format!("minus_{rest}"),
        None => format!("v{value}"),
    }
}

fn key(text: &str) -> String {
    scalar(text, true)
}

/// A string as YAML: plain when that reads back as the same string, else double-quoted.
pub fn scalar(text: &str, flow: bool) -> String {
    if plain_ok(text, flow) { text.to_owned() } else { quoted(text) }
}

fn plain_ok(text: &str, flow: bool) -> bool {
    let Some(first) = text.chars().next() else { return false };
    if !(first.is_ascii_alphanumeric() || first == '_' || first == '/') {
        return false;
    }
    if text.ends_with([' ', ':']) || text.contains(": ") || text.contains(" #") {
        return false;
    }
    // `,` would end a plain scalar inside `{ }` or `[ ]`.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_-./:@<>+?&=%' `()!;".contains(c) || (!flow && c == ',');
    if !text.chars().all(allowed) {
        return false;
    }
    // Words and numbers YAML would read as something other than a string.
    let lower = text.to_ascii_lowercase();
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];
    if reserved.contains(&lower.as_str()) {
        return false;
    }
    let numeric = text.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower.starts_with("0b")
        || lower.starts_with(".inf")
        || lower == ".nan";
    !numeric
}

fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_the_same_string() {
        for text in [
            "open_id",
            "1",
            "true",
            "No",
            "a: b",
            "x #y",
            "",
            "-1",
            "{a}",
            "zh-CN",
            "with \"quotes\"",
            "1e3",
            "`code` first",
            "https://open.feishu.cn/api-explorer?from=op_doc_tab&apiName=create",
        ] {
            for flow in [false, true] {
                let yaml = format!("v: {}\n", scalar(text, flow));
                let value: BTreeMap<String, serde_yaml::Value> = serde_yaml::from_str(&yaml).expect("valid YAML");
                assert_eq!(value["v"], serde_yaml::Value::String(text.into()), "{yaml}");
            }
        }
    }
}
