//! Card components: one [`Element`] type, typed constructors for the documented ones.

use serde_json::{Map, Value, json};

use super::plain_text;

/// One component of a card: its `tag`, an optional `element_id`, its properties, and the
/// components inside it (containers) or its columns (`column_set`).
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub(crate) tag: String,
    pub(crate) element_id: Option<String>,
    pub(crate) props: Map<String, Value>,
    pub(crate) children: Vec<Element>,
    pub(crate) columns: Vec<Column>,
    /// An unmodelled component, sent as given.
    pub(crate) raw: Option<Value>,
}

impl Element {
    /// A component with this `tag` and no properties; add them with
    /// [`property`](Self::property).
    pub fn new(tag: impl Into<String>) -> Self {
        Element {
            tag: tag.into(),
            element_id: None,
            props: Map::new(),
            children: Vec::new(),
            columns: Vec::new(),
            raw: None,
        }
    }

    /// A component given as JSON, for one this crate does not model yet; validation still
    /// counts it and checks its `element_id`.
    pub fn raw(component: Value) -> Self {
        let tag = component.get("tag").and_then(Value::as_str).unwrap_or_default().to_owned();
        let element_id = component.get("element_id").and_then(Value::as_str).map(str::to_owned);
        Element { raw: Some(component), element_id, ..Element::new(tag) }
    }

    /// Markdown text (`markdown`): bold, links, `<at id=...>` mentions, colours.
    pub fn markdown(content: impl Into<String>) -> Self {
        Element::new("markdown").property("content", content.into())
    }

    /// Plain text (`div`), shown as written.
    pub fn text(content: impl Into<String>) -> Self {
        Element::new("div").property("text", plain_text(&content.into()))
    }

    /// An uploaded image (`img`) with its alternative text.
    pub fn image(img_key: impl Into<String>, alt: impl Into<String>) -> Self {
        Element::new("img").property("img_key", img_key.into()).property("alt", plain_text(&alt.into()))
    }

    /// A divider line (`hr`).
    pub fn divider() -> Self {
        Element::new("hr")
    }

    /// A user's avatar and name (`person`).
    pub fn person(user_id: impl Into<String>) -> Self {
        Element::new("person").property("user_id", user_id.into())
    }

    /// A chart (`chart`) from a VChart specification.
    pub fn chart(chart_spec: Value) -> Self {
        Element::new("chart").property("chart_spec", chart_spec)
    }

    /// A table (`table`): column definitions and rows, as documented.
    pub fn table(columns: Value, rows: Value) -> Self {
        Element::new("table").property("columns", columns).property("rows", rows)
    }

    /// A text input (`input`) named `name` inside a form.
    pub fn input(name: impl Into<String>, placeholder: impl Into<String>) -> Self {
        Element::new("input").property("name", name.into()).property("placeholder", plain_text(&placeholder.into()))
    }

    /// A form container (`form`): its inputs are submitted together by a button whose
    /// `form_action_type` is `submit`.
    pub fn form(name: impl Into<String>, elements: impl IntoIterator<Item = Element>) -> Self {
        Element::new("form").property("name", name.into()).children(elements)
    }

    /// A folding panel (`collapsible_panel`) with a title.
    pub fn collapsible_panel(title: impl Into<String>, elements: impl IntoIterator<Item = Element>) -> Self {
        Element::new("collapsible_panel")
            .property("header", json!({ "title": plain_text(&title.into()) }))
            .children(elements)
    }

    /// A clickable container (`interactive_container`) acting through `behaviors`.
    pub fn interactive_container(
        elements: impl IntoIterator<Item = Element>,
        behaviors: impl IntoIterator<Item = Behavior>,
    ) -> Self {
        let behaviors: Vec<Value> = behaviors.into_iter().map(|b| b.to_json()).collect();
        Element::new("interactive_container").property("behaviors", behaviors).children(elements)
    }

    /// Several users' avatars (`person_list`).
    pub fn person_list<I: IntoIterator<Item = S>, S: Into<String>>(user_ids: I) -> Self {
        let persons: Vec<Value> = user_ids.into_iter().map(|id| json!({ "id": id.into() })).collect();
        Element::new("person_list").property("persons", persons)
    }

    /// Several images laid out together (`img_combination`), e.g. mode `double`,
    /// `triple` or `bisect`.
    pub fn image_combination<I: IntoIterator<Item = S>, S: Into<String>>(mode: &str, img_keys: I) -> Self {
        let images: Vec<Value> = img_keys.into_iter().map(|key| json!({ "img_key": key.into() })).collect();
        Element::new("img_combination").property("combination_mode", mode).property("img_list", images)
    }

    /// A voice clip (`audio`) from an uploaded opus file.
    pub fn audio(file_key: impl Into<String>) -> Self {
        Element::new("audio").property("file_key", file_key.into())
    }

    /// A date picker (`date_picker`) named `name`.
    pub fn date_picker(name: impl Into<String>, placeholder: impl Into<String>) -> Self {
        Element::new("date_picker")
            .property("name", name.into())
            .property("placeholder", plain_text(&placeholder.into()))
    }

    /// A time picker (`picker_time`) named `name`.
    pub fn time_picker(name: impl Into<String>, placeholder: impl Into<String>) -> Self {
        Element::new("picker_time")
            .property("name", name.into())
            .property("placeholder", plain_text(&placeholder.into()))
    }

    /// A date and time picker (`picker_datetime`) named `name`.
    pub fn datetime_picker(name: impl Into<String>, placeholder: impl Into<String>) -> Self {
        Element::new("picker_datetime")
            .property("name", name.into())
            .property("placeholder", plain_text(&placeholder.into()))
    }

    /// A people picker (`select_person`, or `multi_select_person` when several may be
    /// picked) offering these users.
    pub fn person_picker<I: IntoIterator<Item = S>, S: Into<String>>(
        name: impl Into<String>,
        user_ids: I,
        multiple: bool,
    ) -> Self {
        let options: Vec<Value> = user_ids.into_iter().map(|id| json!({ "value": id.into() })).collect();
        let tag = if multiple { "multi_select_person" } else { "select_person" };
        Element::new(tag).property("name", name.into()).property("options", options)
    }

    /// An image picker (`select_img`) offering these images, each with its value.
    pub fn image_picker<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(
        name: impl Into<String>,
        images: I,
    ) -> Self {
        let options: Vec<Value> =
            images.into_iter().map(|(key, value)| json!({ "img_key": key.into(), "value": value.into() })).collect();
        Element::new("select_img").property("name", name.into()).property("options", options)
    }

    /// A "more" menu (`overflow`) whose options each send `card.action.trigger` with
    /// their value.
    pub fn overflow<I: IntoIterator<Item = (T, V)>, T: Into<String>, V: Into<String>>(options: I) -> Self {
        let options: Vec<Value> = options
            .into_iter()
            .map(|(text, value)| json!({ "text": plain_text(&text.into()), "value": value.into() }))
            .collect();
        Element::new("overflow").property("options", options)
    }

    /// A checkbox with a label (`checker`); a change acts through `behaviors`.
    pub fn checker(text: impl Into<String>, checked: bool, behaviors: impl IntoIterator<Item = Behavior>) -> Self {
        let behaviors: Vec<Value> = behaviors.into_iter().map(|b| b.to_json()).collect();
        let element = Element::new("checker").property("text", plain_text(&text.into())).property("checked", checked);
        if behaviors.is_empty() { element } else { element.property("behaviors", behaviors) }
    }

    /// Sets the `element_id`, which streaming and partial updates address: letters,
    /// digits and underscores, starting with a letter, at most 20 characters, unique in the
    /// card.
    #[must_use]
    pub fn id(mut self, element_id: impl Into<String>) -> Self {
        let element_id = element_id.into();
        if let Some(Value::Object(raw)) = &mut self.raw {
            raw.insert("element_id".into(), Value::from(element_id.as_str()));
        }
        self.element_id = Some(element_id);
        self
    }

    /// Sets a documented property of this component.
    #[must_use]
    pub fn property(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        match &mut self.raw {
            Some(Value::Object(raw)) => {
                raw.insert(key.into(), value.into());
            }
            _ => {
                self.props.insert(key.into(), value.into());
            }
        }
        self
    }

    /// Appends components inside this container.
    #[must_use]
    pub fn children(mut self, elements: impl IntoIterator<Item = Element>) -> Self {
        self.children.extend(elements);
        self
    }

    /// The component's `tag`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The component's `element_id`.
    pub fn element_id(&self) -> Option<&str> {
        self.element_id.as_deref()
    }

    pub(crate) fn to_json(&self) -> Value {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut out = Map::new();
        out.insert("tag".into(), Value::from(self.tag.as_str()));
        if let Some(id) = &self.element_id {
            out.insert("element_id".into(), Value::from(id.as_str()));
        }
        out.extend(self.props.clone());
        if !self.children.is_empty() {
            out.insert("elements".into(), Value::from(self.children.iter().map(Element::to_json).collect::<Vec<_>>()));
        }
        if !self.columns.is_empty() {
            out.insert("columns".into(), Value::from(self.columns.iter().map(Column::to_json).collect::<Vec<_>>()));
        }
        Value::Object(out)
    }
}

/// What an interactive component does when used (2.0 `behaviors`).
#[derive(Debug, Clone, PartialEq)]
pub enum Behavior {
    /// Opens a link.
    OpenUrl(String),
    /// Sends `card.action.trigger` to the app with this value.
    Callback(Value),
    /// Submits (`submit`) or resets (`reset`) the enclosing form.
    FormAction(String),
}

impl Behavior {
    fn to_json(&self) -> Value {
        match self {
            Behavior::OpenUrl(url) => json!({ "type": "open_url", "default_url": url }),
            Behavior::Callback(value) => json!({ "type": "callback", "value": value }),
            Behavior::FormAction(kind) => json!({ "type": "form_action", "behavior": kind }),
        }
    }
}

/// A button's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonType {
    /// The default outlined button.
    Default,
    /// Filled in the theme colour.
    Primary,
    /// Red, for destructive actions.
    Danger,
    /// Text only.
    Text,
}

/// A button (`button`).
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    text: String,
    kind: ButtonType,
    behaviors: Vec<Behavior>,
    element: Element,
}

impl Button {
    /// A default button showing `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Button { text: text.into(), kind: ButtonType::Default, behaviors: Vec::new(), element: Element::new("button") }
    }

    /// Filled in the theme colour.
    #[must_use]
    pub fn primary(self) -> Self {
        self.kind(ButtonType::Primary)
    }

    /// Red.
    #[must_use]
    pub fn danger(self) -> Self {
        self.kind(ButtonType::Danger)
    }

    /// The look.
    #[must_use]
    pub fn kind(mut self, kind: ButtonType) -> Self {
        self.kind = kind;
        self
    }

    /// A click sends `card.action.trigger` with this value.
    #[must_use]
    pub fn callback(mut self, value: Value) -> Self {
        self.behaviors.push(Behavior::Callback(value));
        self
    }

    /// A click opens this link.
    #[must_use]
    pub fn open_url(mut self, url: impl Into<String>) -> Self {
        self.behaviors.push(Behavior::OpenUrl(url.into()));
        self
    }

    /// A click submits the enclosing form; `name` tells buttons apart in the callback.
    #[must_use]
    pub fn submit(mut self, name: impl Into<String>) -> Self {
        self.behaviors.push(Behavior::FormAction("submit".into()));
        self.element = self.element.property("name", name.into()).property("form_action_type", "submit");
        self
    }

    /// The `element_id`.
    #[must_use]
    pub fn id(mut self, element_id: impl Into<String>) -> Self {
        self.element = self.element.id(element_id);
        self
    }

    /// Sets another documented property, e.g. `disabled` or `confirm`.
    #[must_use]
    pub fn property(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.element = self.element.property(key, value);
        self
    }
}

impl From<Button> for Element {
    fn from(button: Button) -> Self {
        let kind = match button.kind {
            ButtonType::Default => "default",
            ButtonType::Primary => "primary",
            ButtonType::Danger => "danger",
            ButtonType::Text => "text",
        };
        let mut element = button.element.property("text", plain_text(&button.text)).property("type", kind);
        if !button.behaviors.is_empty() {
            let behaviors: Vec<Value> = button.behaviors.iter().map(Behavior::to_json).collect();
            element = element.property("behaviors", behaviors);
        }
        element
    }
}

/// One choice of a select menu.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    /// What the user sees.
    pub text: String,
    /// What the callback carries.
    pub value: String,
}

/// A drop-down menu (`select_static`, or `multi_select_static` when several may be
/// picked).
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    multi: bool,
    options: Vec<SelectOption>,
    element: Element,
}

impl Select {
    /// A single-choice menu named `name` (the form field, or the callback's `name`).
    pub fn new(name: impl Into<String>, placeholder: impl Into<String>) -> Self {
        let element =
            Element::new("").property("name", name.into()).property("placeholder", plain_text(&placeholder.into()));
        Select { multi: false, options: Vec::new(), element }
    }

    /// Lets the user pick several.
    #[must_use]
    pub fn multiple(mut self) -> Self {
        self.multi = true;
        self
    }

    /// Adds a choice.
    #[must_use]
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(SelectOption { text: text.into(), value: value.into() });
        self
    }

    /// A pick sends `card.action.trigger` with this value (outside a form).
    #[must_use]
    pub fn callback(mut self, value: Value) -> Self {
        self.element = self.element.property("behaviors", vec![Behavior::Callback(value).to_json()]);
        self
    }

    /// The `element_id`.
    #[must_use]
    pub fn id(mut self, element_id: impl Into<String>) -> Self {
        self.element = self.element.id(element_id);
        self
    }
}

impl From<Select> for Element {
    fn from(select: Select) -> Self {
        let options: Vec<Value> =
            select.options.iter().map(|o| json!({ "text": plain_text(&o.text), "value": o.value })).collect();
        let mut element = select.element.property("options", options);
        element.tag = if select.multi { "multi_select_static" } else { "select_static" }.to_owned();
        element
    }
}

/// One column of a [`ColumnSet`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    props: Map<String, Value>,
    pub(crate) elements: Vec<Element>,
}

impl Column {
    /// An empty column of automatic width.
    pub fn new() -> Self {
        Column::default()
    }

    /// A weighted column: its share of the width among weighted columns.
    #[must_use]
    pub fn weight(mut self, weight: u8) -> Self {
        self.props.insert("width".into(), Value::from("weighted"));
        self.props.insert("weight".into(), Value::from(weight));
        self
    }

    /// Sets another documented column property, e.g. `vertical_align`.
    #[must_use]
    pub fn property(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.props.insert(key.into(), value.into());
        self
    }

    /// Appends a component.
    #[must_use]
    pub fn element(mut self, element: impl Into<Element>) -> Self {
        self.elements.push(element.into());
        self
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("tag".into(), Value::from("column"));
        out.extend(self.props.clone());
        out.insert("elements".into(), Value::from(self.elements.iter().map(Element::to_json).collect::<Vec<_>>()));
        Value::Object(out)
    }
}

/// Columns side by side (`column_set`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnSet {
    columns: Vec<Column>,
    element_id: Option<String>,
}

impl ColumnSet {
    /// No columns yet.
    pub fn new() -> Self {
        ColumnSet::default()
    }

    /// Appends a column.
    #[must_use]
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// The `element_id`.
    #[must_use]
    pub fn id(mut self, element_id: impl Into<String>) -> Self {
        self.element_id = Some(element_id.into());
        self
    }
}

impl From<ColumnSet> for Element {
    fn from(set: ColumnSet) -> Self {
        Element { element_id: set.element_id, columns: set.columns, ..Element::new("column_set") }
    }
}
