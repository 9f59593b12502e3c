//! What a user writes: text or a post, with mentions, as the platform delivers it to a
//! bot (mentions as `@_user_N` placeholders with a list that resolves them).

use serde_json::{Value, json};

use crate::state::{TENANT_KEY, User};

/// A message a user sends in a test: text or a post, with mentions.
///
/// ```
/// # fn demo(ann: &lark_fake::User) {
/// use lark_fake::Said;
///
/// let text = Said::text("hi ").mention_bot().words(", please ping ").mention(ann);
/// let post = Said::post("Standup").words("done: ").mention(ann);
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "pass it to Lark::user_sends"]
pub struct Said {
    title: Option<String>,
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Words(String),
    User(User),
    Bot,
}

/// A mention as the receiving bot sees it.
pub(crate) struct Mentioned {
    pub key: String,
    pub ids: Value,
    pub name: String,
    pub open_id: String,
    pub bot: bool,
}

impl Said {
    /// A text message starting with these words.
    pub fn text(words: impl Into<String>) -> Said {
        Said { title: None, parts: vec![Part::Words(words.into())] }
    }

    /// A post (rich text) with a title; add its words and mentions.
    pub fn post(title: impl Into<String>) -> Said {
        Said { title: Some(title.into()), parts: Vec::new() }
    }

    /// More words.
    pub fn words(self, words: impl Into<String>) -> Said {
        self.push(Part::Words(words.into()))
    }

    /// Mentions a user.
    pub fn mention(self, user: &User) -> Said {
        self.push(Part::User(user.clone()))
    }

    /// Mentions the bot, as users do to address it in a group.
    pub fn mention_bot(self) -> Said {
        self.push(Part::Bot)
    }

    fn push(mut self, part: Part) -> Said {
        self.parts.push(part);
        self
    }

    /// The message type, the content string and the mentions, with the bot known by its
    /// open_id and name.
    pub(crate) fn render(&self, bot_open_id: &str, bot_name: &str) -> (&'static str, String, Vec<Mentioned>) {
        let mut mentions: Vec<Mentioned> = Vec::new();
        let mut text = String::new();
        let mut nodes = Vec::new();
        for part in &self.parts {
            let words = match part {
                Part::Words(words) => {
                    text.push_str(words);
                    nodes.push(json!({"tag": "text", "text": words}));
                    continue;
                }
                Part::User(user) => Mentioned {
                    key: String::new(),
                    ids: user.ids(),
                    name: user.name.clone(),
                    open_id: user.open_id.clone(),
                    bot: false,
                },
                Part::Bot => Mentioned {
                    key: String::new(),
                    ids: json!({"open_id": bot_open_id, "user_id": "", "union_id": ""}),
                    name: bot_name.to_owned(),
                    open_id: bot_open_id.to_owned(),
                    bot: true,
                },
            };
            let key = format!("@_user_{}", mentions.len() + 1);
            text.push_str(&key);
            nodes.push(json!({"tag": "at", "user_id": key, "user_name": words.name}));
            mentions.push(Mentioned { key, ..words });
        }
        match &self.title {
            None => ("text", json!({"text": text}).to_string(), mentions),
            Some(title) => ("post", json!({"title": title, "content": [nodes]}).to_string(), mentions),
        }
    }
}

impl Mentioned {
    /// The mention in an `im.message.receive_v1` event.
    pub(crate) fn to_event(&self) -> Value {
        let kind = if self.bot { "bot" } else { "user" };
        json!({"key": self.key, "id": self.ids, "name": self.name, "tenant_key": TENANT_KEY, "mentioned_type": kind})
    }
}
