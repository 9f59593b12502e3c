//! CardKit card entities: create, replace, change settings and elements, stream text into
//! an element. Every change carries a `sequence` that must be larger than the card's last
//! one (else code 300317), as on the platform.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use serde_json::{Map, Value, json};

use super::codes::*;
use super::model::Card;
use super::{Store, refuse};

pub(super) fn answer(store: &mut Store, operation: &str, request: &FakeRequest) -> Option<FakeResponse> {
    let body = request.json();
    if operation == "cardkit.v1.card.create" {
        return Some(create(store, &body));
    }
    let change: fn(&mut Value, &str, &Value) -> Result<(), FakeResponse> = match operation {
        "cardkit.v1.card.update" => replace,
        "cardkit.v1.card.settings" => settings,
        "cardkit.v1.card_element.content" => content,
        "cardkit.v1.card_element.create" => add,
        "cardkit.v1.card_element.update" => update_element,
        "cardkit.v1.card_element.patch" => patch_element,
        "cardkit.v1.card_element.delete" => delete_element,
        _ => return None,
    };
    let card_id = request.path_param("card_id").unwrap_or_default();
    let element = request.path_param("element_id").unwrap_or_default();
    let Some(card) = store.cards.iter_mut().find(|c| c.card_id == card_id) else {
        return Some(refuse(CARD_NOT_FOUND, "The card entity does not exist"));
    };
    let sequence = body["sequence"].as_i64().unwrap_or_default();
    if sequence <= card.sequence {
        let msg = format!("sequence number compare failed: {sequence} is not above the card's last {}", card.sequence);
        return Some(refuse(SEQUENCE, msg));
    }
    // The change applies to a copy, so that a refused one leaves the card as it was.
    let mut changed = card.card.clone();
    Some(match change(&mut changed, element, &body) {
        Ok(()) => {
            card.card = changed;
            card.sequence = sequence;
            FakeResponse::data(json!({}))
        }
        Err(refusal) => refusal,
    })
}

impl Store {
    /// The card a message shows: its own JSON, or the entity it refers to.
    pub(crate) fn card_of(&self, content: &Value) -> Option<Value> {
        if content["type"] == "card" {
            let id = content["data"]["card_id"].as_str()?;
            return self.cards.iter().find(|c| c.card_id == id).map(|c| c.card.clone());
        }
        Some(content.clone())
    }
}

/// A JSON value sent as a string field.
fn parse(body: &Value, field: &str) -> Result<Value, FakeResponse> {
    let text = body[field].as_str().unwrap_or_default();
    serde_json::from_str(text).map_err(|e| refuse(INVALID_PARAM, format!("{field} is not JSON: {e}")))
}

fn create(store: &mut Store, body: &Value) -> FakeResponse {
    let card = match body["type"].as_str() {
        Some("card_json") => match parse(body, "data") {
            Ok(card) => card,
            Err(refusal) => return refusal,
        },
        // A template card keeps its reference: the fake does not know the template.
        _ => json!({"type": body["type"], "data": body["data"]}),
    };
    // Card ids are long numbers on the platform.
    let card_id = format!("7{:018}", store.next());
    store.cards.push(Card { card_id: card_id.clone(), card, sequence: 0 });
    FakeResponse::data(json!({"card_id": card_id}))
}

fn replace(card: &mut Value, _: &str, body: &Value) -> Result<(), FakeResponse> {
    *card = parse(&body["card"], "data")?;
    Ok(())
}

fn settings(card: &mut Value, _: &str, body: &Value) -> Result<(), FakeResponse> {
    let settings = parse(body, "settings")?;
    for (section, values) in settings.as_object().into_iter().flatten() {
        let target = card.as_object_mut().ok_or_else(|| refuse(INVALID_PARAM, "the card is not a JSON object"))?;
        let slot = target.entry(section.clone()).or_insert_with(|| Value::Object(Map::new()));
        match (slot.as_object_mut(), values.as_object()) {
            (Some(slot), Some(values)) => slot.extend(values.clone()),
            _ => *slot = values.clone(),
        }
    }
    Ok(())
}

fn content(card: &mut Value, element: &str, body: &Value) -> Result<(), FakeResponse> {
    let (list, at) = locate(card, element).ok_or_else(|| missing(element))?;
    list[at]["content"] = body["content"].clone();
    Ok(())
}

fn add(card: &mut Value, _: &str, body: &Value) -> Result<(), FakeResponse> {
    let elements = match parse(body, "elements")? {
        Value::Array(elements) => elements,
        one => vec![one],
    };
    let target = body["target_element_id"].as_str().unwrap_or_default();
    let not_added = || refuse(ELEMENT_NOT_ADDED, format!("Failed to add element: no element {target}"));
    match body["type"].as_str() {
        Some(kind @ ("insert_before" | "insert_after")) => {
            let (list, at) = locate(card, target).ok_or_else(not_added)?;
            let at = if kind == "insert_after" { at + 1 } else { at };
            list.splice(at..at, elements);
        }
        _ => {
            let list = if target.is_empty() {
                card["body"]["elements"].as_array_mut()
            } else {
                let (list, at) = locate(card, target).ok_or_else(not_added)?;
                list[at]["elements"].as_array_mut()
            };
            list.ok_or_else(not_added)?.extend(elements);
        }
    }
    Ok(())
}

fn update_element(card: &mut Value, element: &str, body: &Value) -> Result<(), FakeResponse> {
    let replacement = parse(body, "element")?;
    let (list, at) = locate(card, element).ok_or_else(|| missing(element))?;
    list[at] = replacement;
    Ok(())
}

fn patch_element(card: &mut Value, element: &str, body: &Value) -> Result<(), FakeResponse> {
    let partial = parse(body, "partial_element")?;
    let (list, at) = locate(card, element).ok_or_else(|| missing(element))?;
    if let (Some(target), Some(partial)) = (list[at].as_object_mut(), partial.as_object()) {
        target.extend(partial.clone());
    }
    Ok(())
}

fn delete_element(card: &mut Value, element: &str, _: &Value) -> Result<(), FakeResponse> {
    let (list, at) = locate(card, element).ok_or_else(|| missing(element))?;
    list.remove(at);
    Ok(())
}

fn missing(element: &str) -> FakeResponse {
    refuse(ELEMENT_NOT_UPDATED, format!("Failed to update element properties: no element {element}"))
}

/// The list holding the element with this `element_id`, and its index, at any depth.
fn locate<'a>(value: &'a mut Value, element: &str) -> Option<(&'a mut Vec<Value>, usize)> {
    if element.is_empty() {
        return None;
    }
    match value {
        Value::Array(list) => {
            if let Some(at) = list.iter().position(|v| v["element_id"] == element) {
                return Some((list, at));
            }
            list.iter_mut().find_map(|item| locate(item, element))
        }
        Value::Object(map) => map.values_mut().find_map(|inner| locate(inner, element)),
        _ => None,
    }
}
