//! Received messages: `message.content` parsed by `message_type`, mention placeholders
//! resolved, and any message rendered as plain text.

use serde::Deserialize;
use serde_json::Value;

use crate::core::error::ContentError;

/// A user mentioned in a received message: `key` is the placeholder (`@_user_1`) that
/// stands for them in the content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mention {
    /// The placeholder, e.g. `@_user_1`.
    pub key: String,
    /// The display name.
    pub name: String,
    /// The user's open_id, when the event carried it.
    pub open_id: Option<String>,
}

impl Mention {
    /// A mention whose placeholder `key` stands for `name`.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Mention { key: key.into(), name: name.into(), open_id: None }
    }
}

/// The content of a received message, by `message_type`.
///
/// ```
/// use lark_runtime::message::{Mention, Received};
///
/// let received = Received::parse("text", r#"{"text":"@_user_1 hello"}"#).unwrap();
/// assert_eq!(received.plain_text(&[Mention::new("@_user_1", "Tom")]), "@Tom hello");
///
/// // A type this crate does not know stays raw instead of failing.
/// let new = Received::parse("hologram", r#"{"x":1}"#).unwrap();
/// assert!(matches!(new, Received::Unknown { .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Received {
    /// Text; mentions appear as placeholders such as `@_user_1`, styles are dropped.
    Text {
        /// The text.
        text: String,
    },
    /// Rich text, without the locale wrapper used when sending.
    Post(ReceivedPost),
    /// An image.
    Image {
        /// Download it with the message resource endpoint.
        image_key: String,
    },
    /// A file.
    File {
        /// Download it with the message resource endpoint.
        file_key: String,
        /// The file's name.
        file_name: String,
    },
    /// A voice clip.
    Audio {
        /// Download it with the message resource endpoint.
        file_key: String,
        /// Length in milliseconds.
        duration: i64,
    },
    /// A video.
    Media {
        /// Download it with the message resource endpoint.
        file_key: String,
        /// The cover.
        image_key: String,
        /// The file's name.
        file_name: String,
        /// Length in milliseconds.
        duration: i64,
    },
    /// A sticker.
    Sticker {
        /// Send it back with [`Content::sticker`](super::Content::sticker).
        file_key: String,
    },
    /// A group's card.
    ShareChat {
        /// The group.
        chat_id: String,
    },
    /// A user's card.
    ShareUser {
        /// The user.
        user_id: String,
    },
    /// A card, simplified by the platform (not the card that was sent).
    Interactive {
        /// The card's title.
        title: String,
        /// The card's content, as the platform simplified it.
        elements: Value,
    },
    /// A system message.
    System {
        /// The message template, e.g. `{from_user} invited {to_chatters} to this chat.`.
        template: String,
        /// The users filling `{from_user}`.
        from_user: Vec<String>,
        /// The users filling `{to_chatters}`.
        to_chatters: Vec<String>,
    },
    /// A shared location.
    Location {
        /// The place.
        name: String,
        /// Longitude, as sent.
        longitude: String,
        /// Latitude, as sent.
        latitude: String,
    },
    /// A task.
    Todo {
        /// The task.
        task_id: String,
        /// Its summary, as rich text.
        summary: Option<ReceivedPost>,
        /// When it is due (milliseconds, as sent).
        due_time: String,
    },
    /// A poll.
    Vote {
        /// The question.
        topic: String,
        /// The choices.
        options: Vec<String>,
    },
    /// Forwarded messages; read them with the get message endpoint.
    MergeForward,
    /// A video meeting.
    VideoChat {
        /// The meeting's topic.
        topic: String,
        /// When it starts (milliseconds, as sent).
        start_time: String,
    },
    /// A calendar event: `share_calendar_event`, `calendar` or `general_calendar`.
    Calendar {
        /// Which of the three.
        kind: String,
        /// The event's title.
        summary: String,
        /// Start (milliseconds, as sent).
        start_time: String,
        /// End (milliseconds, as sent).
        end_time: String,
    },
    /// A red packet.
    Hongbao {
        /// Its text.
        text: String,
    },
    /// A type this crate does not know yet, kept as sent.
    Unknown {
        /// The `message_type`.
        message_type: String,
        /// The content, parsed as JSON.
        content: Value,
    },
}

/// A received post: a title and paragraphs of nodes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ReceivedPost {
    /// The title; empty when there is none.
    #[serde(default)]
    pub title: String,
    /// The paragraphs.
    #[serde(default)]
    pub content: Vec<Vec<ReceivedNode>>,
}

/// One node of a received post.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "tag")]
#[non_exhaustive]
pub enum ReceivedNode {
    /// Text.
    #[serde(rename = "text")]
    Text {
        /// The words.
        #[serde(default)]
        text: String,
    },
    /// A link.
    #[serde(rename = "a")]
    Link {
        /// The words shown.
        #[serde(default)]
        text: String,
        /// Where it leads.
        #[serde(default)]
        href: String,
    },
    /// A mention: `user_id` is a placeholder such as `@_user_1`.
    #[serde(rename = "at")]
    At {
        /// The placeholder.
        #[serde(default)]
        user_id: String,
        /// The name, when the platform includes it.
        #[serde(default)]
        user_name: Option<String>,
    },
    /// An image.
    #[serde(rename = "img")]
    Image {
        /// The image.
        #[serde(default)]
        image_key: String,
    },
    /// A video.
    #[serde(rename = "media")]
    Media {
        /// The video.
        #[serde(default)]
        file_key: String,
        /// Its cover.
        #[serde(default)]
        image_key: Option<String>,
    },
    /// An emoji.
    #[serde(rename = "emotion")]
    Emotion {
        /// The emoji type, e.g. `SMILE`.
        #[serde(default)]
        emoji_type: String,
    },
    /// A code block.
    #[serde(rename = "code_block")]
    CodeBlock {
        /// The language.
        #[serde(default)]
        language: Option<String>,
        /// The code.
        #[serde(default)]
        text: String,
    },
    /// A horizontal rule.
    #[serde(rename = "hr")]
    Hr,
    /// A node this crate does not know yet.
    #[serde(other)]
    Other,
}

/// Reads the fields of one content object; a field of the wrong JSON type is an error
/// naming it, a missing one reads as empty.
struct Fields<'v>(&'v Value);

impl Fields<'_> {
    /// A string; numbers are accepted as their text (times arrive both ways).
    fn text(&self, key: &str) -> Result<String, ContentError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(ContentError::new(format!("content.{key}"), "must be a string")),
        }
    }

    /// A whole number; strings of digits are accepted.
    fn number(&self, key: &str) -> Result<i64, ContentError> {
        let wrong = || ContentError::new(format!("content.{key}"), "must be a whole number");
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(wrong),
            Some(Value::String(s)) => s.parse().map_err(|_| wrong()),
            Some(_) => Err(wrong()),
        }
    }

    /// A list of strings.
    fn texts(&self, key: &str) -> Result<Vec<String>, ContentError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ContentError::new(format!("content.{key}[{i}]"), "must be a string"))
                })
                .collect(),
            Some(_) => Err(ContentError::new(format!("content.{key}"), "must be a list of strings")),
        }
    }
}

impl Received {
    /// Parses `message.content` of a `message_type`. Only content that is not JSON, or
    /// whose known fields have the wrong JSON type, is an error (with the field's path);
    /// missing fields read as empty and unknown types are kept raw.
    pub fn parse(message_type: &str, content: &str) -> Result<Received, ContentError> {
        let value: Value = serde_json::from_str(content)
            .map_err(|e| ContentError::new("content", format!("not JSON ({e}) for message_type `{message_type}`")))?;
        let f = Fields(&value);
        Ok(match message_type {
            "text" => Received::Text { text: f.text("text")? },
            "post" => Received::Post(post(&value, "content")?),
            "image" => Received::Image { image_key: f.text("image_key")? },
            "file" => Received::File { file_key: f.text("file_key")?, file_name: f.text("file_name")? },
            "audio" => Received::Audio { file_key: f.text("file_key")?, duration: f.number("duration")? },
            "media" => Received::Media {
                file_key: f.text("file_key")?,
                image_key: f.text("image_key")?,
                file_name: f.text("file_name")?,
                duration: f.number("duration")?,
            },
            "sticker" => Received::Sticker { file_key: f.text("file_key")? },
            "share_chat" => Received::ShareChat { chat_id: f.text("chat_id")? },
            "share_user" => Received::ShareUser { user_id: f.text("user_id")? },
            "interactive" => Received::Interactive {
                title: f.text("title")?,
                elements: value.get("elements").cloned().unwrap_or(Value::Null),
            },
            "system" => Received::System {
                template: f.text("template")?,
                from_user: f.texts("from_user")?,
                to_chatters: f.texts("to_chatters")?,
            },
            "location" => Received::Location {
                name: f.text("name")?,
                longitude: f.text("longitude")?,
                latitude: f.text("latitude")?,
            },
            "todo" => Received::Todo {
                task_id: f.text("task_id")?,
                summary: match value.get("summary") {
                    None | Some(Value::Null) => None,
                    Some(summary) => Some(post(summary, "content.summary")?),
                },
                due_time: f.text("due_time")?,
            },
            "vote" => Received::Vote { topic: f.text("topic")?, options: f.texts("options")? },
            "merge_forward" => Received::MergeForward,
            "video_chat" => Received::VideoChat { topic: f.text("topic")?, start_time: f.text("start_time")? },
            "share_calendar_event" | "calendar" | "general_calendar" => Received::Calendar {
                kind: message_type.to_owned(),
                summary: f.text("summary")?,
                start_time: f.text("start_time")?,
                end_time: f.text("end_time")?,
            },
            "hongbao" => Received::Hongbao { text: f.text("text")? },
            other => Received::Unknown { message_type: other.to_owned(), content: value },
        })
    }

    /// The message as plain text: mentions as `@Name`, a post's title and then its
    /// paragraphs one per line (link texts kept, images as `[image]`), other kinds as a
    /// short bracketed description such as `[file report.pdf]`.
    pub fn plain_text(&self, mentions: &[Mention]) -> String {
        match self {
            Received::Text { text } => resolve(text, mentions),
            Received::Post(post) => post.plain_text(mentions),
            Received::Image { .. } => "[image]".to_owned(),
            Received::File { file_name, .. } => format!("[file {file_name}]"),
            Received::Audio { .. } => "[audio]".to_owned(),
            Received::Media { file_name, .. } => format!("[video {file_name}]"),
            Received::Sticker { .. } => "[sticker]".to_owned(),
            Received::ShareChat { .. } => "[shared chat]".to_owned(),
            Received::ShareUser { .. } => "[shared contact]".to_owned(),
            Received::Interactive { title, .. } => format!("[card {title}]"),
            Received::System { template, from_user, to_chatters } => {
                template.replace("{from_user}", &from_user.join(", ")).replace("{to_chatters}", &to_chatters.join(", "))
            }
            Received::Location { name, .. } => format!("[location {name}]"),
            Received::Todo { summary, .. } => {
                format!("[task {}]", summary.as_ref().map(|s| s.plain_text(mentions)).unwrap_or_default())
            }
            Received::Vote { topic, .. } => format!("[vote {topic}]"),
            Received::MergeForward => "[forwarded messages]".to_owned(),
            Received::VideoChat { topic, .. } => format!("[video meeting {topic}]"),
            Received::Calendar { summary, .. } => format!("[calendar event {summary}]"),
            Received::Hongbao { text } => format!("[red packet {text}]"),
            Received::Unknown { message_type, .. } => format!("[{message_type}]"),
        }
    }
}

impl ReceivedPost {
    /// The title, then each paragraph on its own line.
    pub fn plain_text(&self, mentions: &[Mention]) -> String {
        let mut lines = Vec::new();
        if !self.title.is_empty() {
            lines.push(self.title.clone());
        }
        for paragraph in &self.content {
            let mut line = String::new();
            for node in paragraph {
                match node {
                    ReceivedNode::Text { text } | ReceivedNode::Link { text, .. } => line.push_str(text),
                    ReceivedNode::At { user_id, user_name } => {
                        let resolved = resolve(user_id, mentions);
                        match user_name {
                            Some(name) if resolved == *user_id => line.push_str(&format!("@{name}")),
                            _ => line.push_str(&resolved),
                        }
                    }
                    ReceivedNode::Image { .. } => line.push_str("[image]"),
                    ReceivedNode::Media { .. } => line.push_str("[video]"),
                    ReceivedNode::Emotion { emoji_type } => line.push_str(&format!("[{emoji_type}]")),
                    ReceivedNode::CodeBlock { text, .. } => line.push_str(text),
                    ReceivedNode::Hr => line.push_str("---"),
                    ReceivedNode::Other => {}
                }
            }
            lines.push(line);
        }
        lines.join("\n")
    }
}

/// Replaces each mention's placeholder with `@Name`, longest placeholders first so that
/// `@_user_10` is not read as `@_user_1` followed by `0`.
fn resolve(text: &str, mentions: &[Mention]) -> String {
    let mut sorted: Vec<&Mention> = mentions.iter().filter(|m| !m.key.is_empty()).collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.key.len()));
    let mut out = text.to_owned();
    for mention in sorted {
        out = out.replace(&mention.key, &format!("@{}", mention.name));
    }
    out
}

fn post(value: &Value, at: &str) -> Result<ReceivedPost, ContentError> {
    let text = value.to_string();
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ContentError::new(format!("{at}.{}", e.path()), e.inner().to_string()))
}
