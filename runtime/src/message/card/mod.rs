//! JSON 2.0 cards: the card, its header and body, and the components in it.
//!
//! Every component is an [`Element`]; typed constructors ([`Element::markdown`],
//! [`Button`], [`ColumnSet`], ...) set the documented properties, and
//! [`Element::raw`] carries a component this crate does not model yet. [`Card::validate`]
//! checks the documented rules and names the path of what breaks one; sending a card
//! checks it first.

mod answer;
mod components;
mod validate;

pub use answer::{CardAnswer, Toast, ToastKind};
pub use components::{Behavior, Button, ButtonType, Column, ColumnSet, Element, Select, SelectOption};
pub use validate::{MAX_BYTES, MAX_DEPTH, MAX_ELEMENTS, MAX_HEADER_TAGS, MAX_TABLES, card_json as validate_json};

use serde_json::{Map, Value, json};

use crate::core::error::ContentError;

/// A JSON 2.0 card.
///
/// ```
/// use lark_runtime::message::card::{Button, Card, Element, Header};
/// use serde_json::json;
///
/// let card = Card::new()
///     .header(Header::new("Deploy finished").template("green").tag("prod", "green"))
///     .element(Element::markdown("**api** is live on 12 hosts"))
///     .element(Button::new("Like").primary().callback(json!({"action": "like"})).id("like"));
/// assert!(card.validate().is_ok());
/// assert_eq!(card.to_json()["schema"], "2.0");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Card {
    config: Map<String, Value>,
    card_link: Option<Value>,
    header: Option<Header>,
    body: Map<String, Value>,
    elements: Vec<Element>,
}

impl Card {
    /// An empty card.
    pub fn new() -> Self {
        Card::default()
    }

    /// Sets the header.
    #[must_use]
    pub fn header(mut self, header: Header) -> Self {
        self.header = Some(header);
        self
    }

    /// Appends a component to the body.
    #[must_use]
    pub fn element(mut self, element: impl Into<Element>) -> Self {
        self.elements.push(element.into());
        self
    }

    /// Appends components to the body.
    #[must_use]
    pub fn elements(mut self, elements: impl IntoIterator<Item = Element>) -> Self {
        self.elements.extend(elements);
        self
    }

    /// Turns streaming mode on: text elements can then be streamed into through CardKit.
    #[must_use]
    pub fn streaming(mut self, on: bool) -> Self {
        self.config.insert("streaming_mode".into(), Value::Bool(on));
        self
    }

    /// The text shown in the chat list and notifications.
    #[must_use]
    pub fn summary(mut self, text: impl Into<String>) -> Self {
        self.config.insert("summary".into(), json!({ "content": text.into() }));
        self
    }

    /// `default`, `fill` (full width) or `compact`.
    #[must_use]
    pub fn width_mode(mut self, mode: &str) -> Self {
        self.config.insert("width_mode".into(), Value::from(mode));
        self
    }

    /// Whether the card may be forwarded.
    #[must_use]
    pub fn enable_forward(mut self, enabled: bool) -> Self {
        self.config.insert("enable_forward".into(), Value::Bool(enabled));
        self
    }

    /// Makes the whole card a link (`url`; per client with a JSON object instead).
    #[must_use]
    pub fn card_link(mut self, url: impl Into<String>) -> Self {
        self.card_link = Some(json!({ "url": url.into() }));
        self
    }

    /// Sets a `body` property such as `direction`, `padding` or `vertical_spacing`.
    #[must_use]
    pub fn body_property(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.insert(key.into(), value.into());
        self
    }

    /// The body's components.
    pub fn body_elements(&self) -> &[Element] {
        &self.elements
    }

    /// The card JSON. `config.update_multi` is always true: JSON 2.0 cards are shared by
    /// everyone who sees them.
    pub fn to_json(&self) -> Value {
        let mut config = self.config.clone();
        config.insert("update_multi".into(), Value::Bool(true));
        let mut card = json!({ "schema": "2.0", "config": config });
        if let Some(link) = &self.card_link {
            card["card_link"] = link.clone();
        }
        if let Some(header) = &self.header {
            card["header"] = header.to_json();
        }
        let mut body = self.body.clone();
        body.insert("elements".into(), Value::from(self.elements.iter().map(Element::to_json).collect::<Vec<_>>()));
        card["body"] = Value::Object(body);
        card
    }

    /// Checks the documented rules of JSON 2.0 cards; the error names the path of the
    /// first element that breaks one (e.g. `body.elements[1].elements[0].element_id`).
    ///
    /// - `schema` is `"2.0"`; `config.update_multi`, when given, is true;
    /// - the header has at most [`MAX_HEADER_TAGS`] text tags (per locale too);
    /// - at most [`MAX_ELEMENTS`] components, counted at every depth (the columns of a
    ///   `column_set` are part of it and not counted);
    /// - at most [`MAX_TABLES`] tables;
    /// - components nest at most [`MAX_DEPTH`] levels (a top-level component is level 1;
    ///   one in a container, or in a column, is a level deeper);
    /// - an `element_id` is 1 to 20 letters, digits or underscores, starts with a letter
    ///   and is unique in the card;
    /// - the JSON, serialized without spaces, is at most [`MAX_BYTES`] bytes: the
    ///   documented 30 KB read as 30 × 1024.
    pub fn validate(&self) -> Result<(), ContentError> {
        validate::card(self)
    }
}

/// The card's header: a title, an optional subtitle, up to three tags, a colour theme.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    title: String,
    subtitle: Option<String>,
    template: Option<String>,
    tags: Vec<(String, String)>,
    extra: Map<String, Value>,
}

impl Header {
    /// A header with this title.
    pub fn new(title: impl Into<String>) -> Self {
        Header { title: title.into(), ..Header::default() }
    }

    /// A subtitle.
    #[must_use]
    pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// The colour theme, e.g. `blue`, `green`, `red`, `orange`, `grey`.
    #[must_use]
    pub fn template(mut self, colour: impl Into<String>) -> Self {
        self.template = Some(colour.into());
        self
    }

    /// A text tag beside the title (at most 3), in a colour such as `blue`.
    #[must_use]
    pub fn tag(mut self, text: impl Into<String>, colour: impl Into<String>) -> Self {
        self.tags.push((text.into(), colour.into()));
        self
    }

    /// Sets another documented header property, e.g. `icon` or `padding`.
    #[must_use]
    pub fn property(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    fn to_json(&self) -> Value {
        let mut header = self.extra.clone();
        header.insert("title".into(), plain_text(&self.title));
        if let Some(subtitle) = &self.subtitle {
            header.insert("subtitle".into(), plain_text(subtitle));
        }
        if let Some(template) = &self.template {
            header.insert("template".into(), Value::from(template.as_str()));
        }
        if !self.tags.is_empty() {
            let tags = self
                .tags
                .iter()
                .map(|(text, colour)| json!({ "tag": "text_tag", "text": plain_text(text), "color": colour }))
                .collect::<Vec<_>>();
            header.insert("text_tag_list".into(), Value::from(tags));
        }
        Value::Object(header)
    }
}

/// `{"tag": "plain_text", "content": text}`.
pub(crate) fn plain_text(text: &str) -> Value {
    json!({ "tag": "plain_text", "content": text })
}
