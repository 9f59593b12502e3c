//! The answer to a card interaction (`card.action.trigger`): a toast, a new card, both, or
//! neither.

use serde::ser::{Error as _, Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::Card;
use crate::message::content::Interactive;

/// How a toast looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// Neutral.
    Info,
    /// Green.
    Success,
    /// Yellow.
    Warning,
    /// Red.
    Error,
}

/// A short popup shown to the user who interacted, optionally per locale.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    kind: ToastKind,
    content: String,
    i18n: Vec<(String, String)>,
}

impl Toast {
    /// A neutral toast.
    pub fn info(content: impl Into<String>) -> Self {
        Toast { kind: ToastKind::Info, content: content.into(), i18n: Vec::new() }
    }

    /// A success toast.
    pub fn success(content: impl Into<String>) -> Self {
        Toast { kind: ToastKind::Success, ..Toast::info(content) }
    }

    /// A warning toast.
    pub fn warning(content: impl Into<String>) -> Self {
        Toast { kind: ToastKind::Warning, ..Toast::info(content) }
    }

    /// An error toast.
    pub fn error(content: impl Into<String>) -> Self {
        Toast { kind: ToastKind::Error, ..Toast::info(content) }
    }

    /// The text in a locale such as `en_us` or `zh_cn`; readers of other locales see
    /// the default text.
    #[must_use]
    pub fn i18n(mut self, locale: impl Into<String>, content: impl Into<String>) -> Self {
        self.i18n.push((locale.into(), content.into()));
        self
    }

    fn to_json(&self) -> Value {
        let kind = match self.kind {
            ToastKind::Info => "info",
            ToastKind::Success => "success",
            ToastKind::Warning => "warning",
            ToastKind::Error => "error",
        };
        let mut toast = json!({ "type": kind, "content": self.content });
        if !self.i18n.is_empty() {
            toast["i18n"] =
                Value::Object(self.i18n.iter().map(|(l, t)| (l.clone(), Value::from(t.as_str()))).collect());
        }
        toast
    }
}

/// The answer to `card.action.trigger`, sent back within 3 seconds as the callback's HTTP
/// response: a toast, a card that replaces the one clicked, both, or `{}` (nothing).
///
/// A typed card is checked when the answer is serialized; a broken one fails the
/// callback with the path of the problem instead of reaching the user.
///
/// ```
/// use lark_runtime::message::card::{Card, CardAnswer, Element, Toast};
///
/// let answer = CardAnswer::toast(Toast::success("Liked").i18n("zh_cn", "已赞"))
///     .card(Card::new().element(Element::markdown("Liked by you")));
/// let json = serde_json::to_value(&answer).unwrap();
/// assert_eq!(json["toast"]["type"], "success");
/// assert_eq!(json["card"]["type"], "raw");
/// assert_eq!(json["card"]["data"]["schema"], "2.0");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardAnswer {
    toast: Option<Toast>,
    card: Option<Interactive>,
}

impl CardAnswer {
    /// Leaves the card as it is and shows nothing.
    pub fn nothing() -> Self {
        CardAnswer::default()
    }

    /// Shows a toast.
    pub fn toast(toast: Toast) -> Self {
        CardAnswer { toast: Some(toast), card: None }
    }

    /// Replaces the card with this JSON 2.0 card.
    #[must_use]
    pub fn card(mut self, card: Card) -> Self {
        self.card = Some(Interactive::Card(Box::new(card)));
        self
    }

    /// Replaces the card with card JSON given as is (use the schema the card was sent
    /// with).
    #[must_use]
    pub fn raw_card(mut self, card: Value) -> Self {
        self.card = Some(Interactive::Raw(card));
        self
    }

    /// Replaces the card with a published template.
    #[must_use]
    pub fn template(mut self, template_id: impl Into<String>, version: Option<&str>, variables: Option<Value>) -> Self {
        self.card = Some(Interactive::template(template_id, version, variables));
        self
    }

    /// The answer's JSON, after checking a typed card.
    pub fn to_json(&self) -> Result<Value, crate::core::error::ContentError> {
        let mut answer = json!({});
        if let Some(toast) = &self.toast {
            answer["toast"] = toast.to_json();
        }
        match &self.card {
            None => {}
            Some(Interactive::Card(card)) => {
                card.validate()?;
                answer["card"] = json!({ "type": "raw", "data": card.to_json() });
            }
            Some(Interactive::Raw(card)) => answer["card"] = json!({ "type": "raw", "data": card }),
            Some(template @ Interactive::Template { .. }) => answer["card"] = template.to_json(),
            // A card entity cannot replace a card in an answer; `card` never stores one.
            Some(Interactive::Entity { .. }) => {}
        }
        Ok(answer)
    }
}

impl Serialize for CardAnswer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(answer) = self.to_json().map_err(S::Error::custom)? else {
            return Err(S::Error::custom("a card answer is a JSON object"));
        };
        let mut map = serializer.serialize_map(Some(answer.len()))?;
        for (key, value) in &answer {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
