//! A JSON tree that keeps the order it was built in, and a writer for it.
//!
//! The document is reviewed as a diff after every re-import, so its layout matters: keys
//! stay in the order OpenAPI readers expect (`openapi`, `info`, … `components`) rather
//! than sorted, and a value whose one-line form is short stays on one line, which keeps
//! the file about half as long as one key per line. Nothing here depends on a crate
//! feature that could change the output between builds.

/// A JSON value with ordered objects.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// Integers only: the document has no fractional numbers.
    Int(i64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Values shorter than this (as one line, after the indent) are written on one line.
const INLINE: usize = 100;

impl Json {
    /// An empty object.
    pub fn object() -> Json {
        Json::Object(Vec::new())
    }

    /// Sets `key: value` in an object, in place if the key is there already (a JSON object
    /// cannot hold a key twice), else appended; a no-op on anything else.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<Json>) {
        if let Json::Object(entries) = self {
            let (key, value) = (key.into(), value.into());
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
    }

    /// `self` with `key: value` appended.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Json>) -> Json {
        self.set(key, value);
        self
    }

    /// The value at `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The document as text: two-space indents, short values inline, a final newline.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        if !self.is_container() || self.fits(INLINE.saturating_sub(indent * 2)).is_some() {
            out.push_str(&self.compact());
            return;
        }
        let pad = "  ".repeat(indent + 1);
        match self {
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(indent));
                out.push(']');
            }
            Json::Object(entries) => {
                out.push_str("{\n");
                for (i, (key, value)) in entries.iter().enumerate() {
                    out.push_str(&pad);
                    out.push_str(&string(key));
                    out.push_str(": ");
                    value.write(out, indent + 1);
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
            _ => unreachable!("scalars are written compactly"),
        }
    }

    fn is_container(&self) -> bool {
        matches!(self, Json::Array(v) if !v.is_empty()) || matches!(self, Json::Object(v) if !v.is_empty())
    }

    /// The length of the one-line form if it is at most `budget`; stops counting early,
    /// so asking of a large subtree costs little.
    fn fits(&self, budget: usize) -> Option<usize> {
        let len = match self {
            Json::Array(items) => {
                let mut len = 2;
                for (i, item) in items.iter().enumerate() {
                    len += item.fits(budget.checked_sub(len)?)? + if i > 0 { 2 } else { 0 };
                }
                len
            }
            Json::Object(entries) => {
                let mut len = 2;
                for (i, (key, value)) in entries.iter().enumerate() {
                    len += string(key).len() + 2 + if i > 0 { 2 } else { 0 };
                    len += value.fits(budget.checked_sub(len)?)?;
                }
                len
            }
            scalar => scalar.compact().len(),
        };
        (len <= budget).then_some(len)
    }

    /// The one-line form, with a space after `:` and `,` for readability.
    fn compact(&self) -> String {
        match self {
            Json::Null => "null".to_owned(),
            Json::Bool(b) => b.to_string(),
            Json::Int(n) => n.to_string(),
            Json::Str(s) => string(s),
            Json::Array(items) => {
                let parts: Vec<String> = items.iter().map(Json::compact).collect();
                format!("[{}]", parts.join(", "))
            }
            Json::Object(entries) => {
                let parts: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{}: {}", string(k), v.compact())).collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }
}

/// A JSON string literal; serde_json's escaping is fixed, whatever its features.
fn string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::Str(s)
    }
}

impl From<&String> for Json {
    fn from(s: &String) -> Json {
        Json::Str(s.clone())
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Json {
        Json::Int(n)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Json {
        Json::Array(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_a_key_twice_keeps_one_entry_in_its_place() {
        let mut doc = Json::object().with("a", 1).with("b", 2);
        doc.set("a", 3);
        assert_eq!(doc.pretty(), "{\"a\": 3, \"b\": 2}\n");
    }

    #[test]
    fn keeps_key_order_and_inlines_short_values() {
        let doc = Json::object()
            .with("openapi", "3.1.1")
            .with("info", Json::object().with("title", "T").with("version", "1"))
            .with("long", Json::Array((0..40).map(|n| Json::Int(n * 1000)).collect()));
        let text = doc.pretty();
        assert!(
            text.starts_with("{\n  \"openapi\": \"3.1.1\",\n  \"info\": {\"title\": \"T\", \"version\": \"1\"},\n"),
            "{text}"
        );
        assert!(text.contains("\"long\": [\n    0,\n    1000,\n"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["info"]["version"], "1");
        assert_eq!(back["long"][39], 39000);
    }

    #[test]
    fn strings_are_escaped() {
        let text = Json::from("a \"quote\", a \\ and \u{1}").pretty();
        let back: String = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, "a \"quote\", a \\ and \u{1}");
    }
}
