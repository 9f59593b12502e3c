//! The documented rules of JSON 2.0 cards, checked on the card's JSON so that typed,
//! raw and mixed cards are held to the same rules.
//!
//! The rules are listed on [`Card::validate`].

use std::collections::BTreeMap;

use serde_json::Value;

use super::Card;
use crate::core::error::ContentError;

/// Components in one card, at every depth.
pub const MAX_ELEMENTS: usize = 200;
/// Tables in one card.
pub const MAX_TABLES: usize = 5;
/// Text tags in a header.
pub const MAX_HEADER_TAGS: usize = 3;
/// How deep components nest.
pub const MAX_DEPTH: usize = 5;
/// The card's JSON, in bytes.
pub const MAX_BYTES: usize = 30 * 1024;

pub(super) fn card(card: &Card) -> Result<(), ContentError> {
    card_json(&card.to_json())
}

/// Checks a card given as JSON (a JSON 2.0 card built elsewhere, say).
pub fn card_json(card: &Value) -> Result<(), ContentError> {
    if card.get("schema").and_then(Value::as_str) != Some("2.0") {
        return Err(ContentError::new("schema", "must be \"2.0\" (JSON 1.0 cards are sent as raw JSON, unchecked)"));
    }
    if card.pointer("/config/update_multi").is_some_and(|v| v != &Value::Bool(true)) {
        return Err(ContentError::new("config.update_multi", "must be true in JSON 2.0 cards"));
    }
    if let Some(tags) = card.pointer("/header/text_tag_list").and_then(Value::as_array)
        && tags.len() > MAX_HEADER_TAGS
    {
        return Err(ContentError::new(
            "header.text_tag_list",
            format!("{} tags; a header may have at most {MAX_HEADER_TAGS}", tags.len()),
        ));
    }
    if let Some(locales) = card.pointer("/header/i18n_text_tag_list").and_then(Value::as_object) {
        for (locale, tags) in locales {
            let count = tags.as_array().map_or(0, Vec::len);
            if count > MAX_HEADER_TAGS {
                return Err(ContentError::new(
                    format!("header.i18n_text_tag_list.{locale}"),
                    format!("{count} tags; a header may have at most {MAX_HEADER_TAGS}"),
                ));
            }
        }
    }
    let mut walk = Walk::default();
    if let Some(elements) = card.pointer("/body/elements") {
        walk.list(elements, "body.elements", 1)?;
    }
    if walk.count > MAX_ELEMENTS {
        return Err(ContentError::new(
            "body",
            format!("{} components; a card may have at most {MAX_ELEMENTS}, counted at every depth", walk.count),
        ));
    }
    if walk.tables.len() > MAX_TABLES {
        return Err(ContentError::new(
            walk.tables[MAX_TABLES].clone(),
            format!("{} tables; a card may have at most {MAX_TABLES}", walk.tables.len()),
        ));
    }
    let bytes = card.to_string().len();
    if bytes > MAX_BYTES {
        return Err(ContentError::new("", format!("the card is {bytes} bytes of JSON; at most {MAX_BYTES} (30 KB)")));
    }
    Ok(())
}

#[derive(Default)]
struct Walk {
    count: usize,
    /// Paths of the tables, in order.
    tables: Vec<String>,
    /// `element_id` → the path that used it first.
    ids: BTreeMap<String, String>,
}

impl Walk {
    fn list(&mut self, elements: &Value, path: &str, depth: usize) -> Result<(), ContentError> {
        let Some(elements) = elements.as_array() else {
            return Err(ContentError::new(path, "must be a list of components"));
        };
        for (i, element) in elements.iter().enumerate() {
            self.element(element, &format!("{path}[{i}]"), depth)?;
        }
        Ok(())
    }

    fn element(&mut self, element: &Value, path: &str, depth: usize) -> Result<(), ContentError> {
        if !element.is_object() {
            return Err(ContentError::new(path, "a component must be a JSON object"));
        }
        if element.get("tag").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ContentError::new(path, "a component needs a `tag`"));
        }
        if depth > MAX_DEPTH {
            return Err(ContentError::new(path, format!("nested {depth} levels deep; at most {MAX_DEPTH}")));
        }
        self.count += 1;
        if element["tag"] == "table" {
            self.tables.push(path.to_owned());
        }
        if let Some(id) = element.get("element_id") {
            let at = format!("{path}.element_id");
            let Some(id) = id.as_str() else { return Err(ContentError::new(at, "must be a string")) };
            check_id(id).map_err(|problem| ContentError::new(&at, problem))?;
            if let Some(first) = self.ids.insert(id.to_owned(), at.clone()) {
                return Err(ContentError::new(
                    at,
                    format!("`{id}` is already used at {first}; ids are unique in a card"),
                ));
            }
        }
        if let Some(children) = element.get("elements") {
            self.list(children, &format!("{path}.elements"), depth + 1)?;
        }
        if let Some(columns) = element.get("columns").filter(|_| element["tag"] == "column_set") {
            let Some(columns) = columns.as_array() else {
                return Err(ContentError::new(format!("{path}.columns"), "must be a list of columns"));
            };
            for (c, column) in columns.iter().enumerate() {
                if let Some(children) = column.get("elements") {
                    self.list(children, &format!("{path}.columns[{c}].elements"), depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// Letters, digits and underscores, starting with a letter, 1 to 20 characters.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().count() > 20 {
        return Err(format!("`{id}` must be 1 to 20 characters"));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(format!("`{id}` must start with a letter"));
    }
    if let Some(bad) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(format!("`{id}` may hold only letters, digits and underscores, not `{bad}`"));
    }
    Ok(())
}
