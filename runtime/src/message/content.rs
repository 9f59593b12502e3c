//! What a message says, typed by `msg_type`: the pair `msg_type` and `content` is produced
//! from one value, so the two can never disagree.

use serde_json::{Value, json};

use super::card::Card;
use super::post::Post;
use super::text::Text;

/// The content of a message to send, reply or edit.
///
/// [`msg_type`](Self::msg_type) and [`to_json`](Self::to_json) (or the JSON-encoded
/// string the endpoints want, [`to_content_string`](Self::to_content_string)) come from
/// the same value.
///
/// ```
/// use lark_runtime::message::Content;
///
/// let image = Content::image("img_v3_123");
/// assert_eq!(image.msg_type(), "image");
/// assert_eq!(image.to_content_string(), r#"{"image_key":"img_v3_123"}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// Text with mentions, styles and links; literal parts stay literal (see [`Text`]).
    Text(Text),
    /// Text markup sent exactly as given, for trusted text only: `<at user_id="all">`
    /// in it mentions everyone.
    RawText(String),
    /// Rich text.
    Post(Post),
    /// An uploaded image (`image_key`).
    Image {
        /// From the image upload.
        image_key: String,
    },
    /// An uploaded file (`file_key`).
    File {
        /// From the file upload.
        file_key: String,
    },
    /// An uploaded voice clip (`file_key` of an opus file).
    Audio {
        /// From the file upload.
        file_key: String,
    },
    /// An uploaded video (`file_key` of an mp4) with an optional cover image.
    Media {
        /// From the file upload.
        file_key: String,
        /// The cover's `image_key`.
        image_key: Option<String>,
    },
    /// A sticker the bot has received (`file_key` from that message).
    Sticker {
        /// From a received sticker message.
        file_key: String,
    },
    /// A group's card.
    ShareChat {
        /// The group's chat id.
        chat_id: String,
    },
    /// A user's card.
    ShareUser {
        /// The user's open_id.
        user_id: String,
    },
    /// A system divider line in a one-to-one chat (tenant token and the
    /// `im:message:send_sys_msg` scope).
    System(SystemDivider),
    /// A card.
    Interactive(Interactive),
}

/// A system message: a divider with a text, in a one-to-one chat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SystemDivider {
    text: String,
    i18n: Vec<(String, String)>,
    need_rollup: Option<bool>,
}

impl SystemDivider {
    /// A divider showing `text`.
    pub fn new(text: impl Into<String>) -> Self {
        SystemDivider { text: text.into(), ..SystemDivider::default() }
    }

    /// The text in one locale, e.g. `en_us`.
    #[must_use]
    pub fn i18n(mut self, locale: impl Into<String>, text: impl Into<String>) -> Self {
        self.i18n.push((locale.into(), text.into()));
        self
    }

    /// Whether consecutive dividers fold into one.
    #[must_use]
    pub fn need_rollup(mut self, rollup: bool) -> Self {
        self.need_rollup = Some(rollup);
        self
    }

    fn to_json(&self) -> Value {
        let mut divider_text = json!({ "text": self.text });
        if !self.i18n.is_empty() {
            divider_text["i18n_text"] =
                Value::Object(self.i18n.iter().map(|(l, t)| (l.clone(), Value::from(t.as_str()))).collect());
        }
        let mut content = json!({ "type": "divider", "params": { "divider_text": divider_text } });
        if let Some(rollup) = self.need_rollup {
            content["options"] = json!({ "need_rollup": rollup });
        }
        content
    }
}

/// A card message: a JSON 2.0 card, a published template, a CardKit card entity, or any
/// card JSON (JSON 1.0 cards, say).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Interactive {
    /// A typed JSON 2.0 card; checked with [`Card::validate`] before it is sent.
    Card(Box<Card>),
    /// A card built from a template published in the card builder.
    Template {
        /// The template id, e.g. `AAqk1234`.
        template_id: String,
        /// A published version, e.g. `1.0.0`; the latest when `None`.
        version: Option<String>,
        /// The template's variables.
        variables: Option<Value>,
    },
    /// A card entity created with CardKit, by its `card_id`.
    Entity {
        /// The entity's id.
        card_id: String,
    },
    /// Card JSON sent as is (JSON 1.0, or 2.0 components this crate does not model).
    Raw(Value),
}

impl Interactive {
    /// A template card.
    pub fn template(template_id: impl Into<String>, version: Option<&str>, variables: Option<Value>) -> Self {
        Interactive::Template { template_id: template_id.into(), version: version.map(str::to_owned), variables }
    }

    /// The card part of the content: what goes in `content`, in a callback's `card`
    /// answer (`raw` or `template`), and in a CardKit entity.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Interactive::Card(card) => card.to_json(),
            Interactive::Template { template_id, version, variables } => {
                let mut data = json!({ "template_id": template_id });
                if let Some(version) = version {
                    data["template_version_name"] = Value::from(version.as_str());
                }
                if let Some(variables) = variables {
                    data["template_variable"] = variables.clone();
                }
                json!({ "type": "template", "data": data })
            }
            Interactive::Entity { card_id } => json!({ "type": "card", "data": { "card_id": card_id } }),
            Interactive::Raw(card) => card.clone(),
        }
    }
}

impl Content {
    /// Trusted text markup, sent as is.
    pub fn raw_text(markup: impl Into<String>) -> Self {
        Content::RawText(markup.into())
    }

    /// An uploaded image.
    pub fn image(image_key: impl Into<String>) -> Self {
        Content::Image { image_key: image_key.into() }
    }

    /// An uploaded file.
    pub fn file(file_key: impl Into<String>) -> Self {
        Content::File { file_key: file_key.into() }
    }

    /// An uploaded voice clip.
    pub fn audio(file_key: impl Into<String>) -> Self {
        Content::Audio { file_key: file_key.into() }
    }

    /// An uploaded video with an optional cover.
    pub fn media(file_key: impl Into<String>, cover_image_key: Option<&str>) -> Self {
        Content::Media { file_key: file_key.into(), image_key: cover_image_key.map(str::to_owned) }
    }

    /// A received sticker, sent again.
    pub fn sticker(file_key: impl Into<String>) -> Self {
        Content::Sticker { file_key: file_key.into() }
    }

    /// A group's card.
    pub fn share_chat(chat_id: impl Into<String>) -> Self {
        Content::ShareChat { chat_id: chat_id.into() }
    }

    /// A user's card.
    pub fn share_user(open_id: impl Into<String>) -> Self {
        Content::ShareUser { user_id: open_id.into() }
    }

    /// A card entity created with CardKit.
    pub fn card_entity(card_id: impl Into<String>) -> Self {
        Content::Interactive(Interactive::Entity { card_id: card_id.into() })
    }

    /// A template card.
    pub fn template_card(template_id: impl Into<String>, version: Option<&str>, variables: Option<Value>) -> Self {
        Content::Interactive(Interactive::template(template_id, version, variables))
    }

    /// The `msg_type` this content is sent as.
    pub fn msg_type(&self) -> &'static str {
        match self {
            Content::Text(text) if !text.is_markup_safe() => "post",
            Content::Text(_) | Content::RawText(_) => "text",
            Content::Post(_) => "post",
            Content::Image { .. } => "image",
            Content::File { .. } => "file",
            Content::Audio { .. } => "audio",
            Content::Media { .. } => "media",
            Content::Sticker { .. } => "sticker",
            Content::ShareChat { .. } => "share_chat",
            Content::ShareUser { .. } => "share_user",
            Content::System(_) => "system",
            Content::Interactive(_) => "interactive",
        }
    }

    /// The content as a JSON object, before the platform's string encoding.
    pub fn to_json(&self) -> Value {
        match self {
            Content::Text(text) => text.to_json(),
            Content::RawText(markup) => json!({ "text": markup }),
            Content::Post(post) => post.to_json(),
            Content::Image { image_key } => json!({ "image_key": image_key }),
            Content::File { file_key } | Content::Audio { file_key } | Content::Sticker { file_key } => {
                json!({ "file_key": file_key })
            }
            Content::Media { file_key, image_key } => {
                let mut content = json!({ "file_key": file_key });
                if let Some(cover) = image_key {
                    content["image_key"] = Value::from(cover.as_str());
                }
                content
            }
            Content::ShareChat { chat_id } => json!({ "chat_id": chat_id }),
            Content::ShareUser { user_id } => json!({ "user_id": user_id }),
            Content::System(divider) => divider.to_json(),
            Content::Interactive(card) => card.to_json(),
        }
    }

    /// The JSON-encoded string the `content` field of send, reply and edit carries.
    pub fn to_content_string(&self) -> String {
        self.to_json().to_string()
    }

    /// Checks what can be checked before sending: a typed card's rules, and the size
    /// limits (150 KB of text, 30 KB for posts and cards, counted in bytes of the encoded
    /// `content`).
    pub fn validate(&self) -> Result<(), crate::core::error::ContentError> {
        if let Content::Interactive(Interactive::Card(card)) = self {
            card.validate()?;
        }
        let size = self.to_content_string().len();
        let limit = match self.msg_type() {
            "text" => TEXT_LIMIT,
            "post" | "interactive" => CARD_AND_POST_LIMIT,
            _ => return Ok(()),
        };
        if size > limit {
            return Err(crate::core::error::ContentError::new(
                "content",
                format!("{size} bytes encoded; a {} may be at most {limit} bytes", self.msg_type()),
            ));
        }
        Ok(())
    }
}

/// The largest `text` content, in bytes of the encoded string (150 KB).
pub const TEXT_LIMIT: usize = 150 * 1024;
/// The largest `post` or `interactive` content, in bytes of the encoded string (30 KB).
pub const CARD_AND_POST_LIMIT: usize = 30 * 1024;

impl From<Text> for Content {
    fn from(text: Text) -> Self {
        Content::Text(text)
    }
}

impl From<&str> for Content {
    fn from(words: &str) -> Self {
        Content::Text(Text::new(words))
    }
}

impl From<String> for Content {
    fn from(words: String) -> Self {
        Content::Text(Text::new(words))
    }
}

impl From<Post> for Content {
    fn from(post: Post) -> Self {
        Content::Post(post)
    }
}

impl From<SystemDivider> for Content {
    fn from(divider: SystemDivider) -> Self {
        Content::System(divider)
    }
}

impl From<Interactive> for Content {
    fn from(card: Interactive) -> Self {
        Content::Interactive(card)
    }
}

impl From<Card> for Content {
    fn from(card: Card) -> Self {
        Content::Interactive(Interactive::Card(Box::new(card)))
    }
}
