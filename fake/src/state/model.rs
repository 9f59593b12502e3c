//! The remembered things, and how the platform shows them in answers.

use lark_runtime::message::{Mention, Received};
use serde_json::{Value, json};

use super::TENANT_KEY;

/// A user of the fake tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// The id apps see (`ou_…`).
    pub open_id: String,
    /// The tenant's own id for the user.
    pub user_id: String,
    /// The id shared by the apps of one developer (`on_…`).
    pub union_id: String,
    /// The display name.
    pub name: String,
    /// The email address.
    pub email: String,
    /// The department the user belongs to (`0`, the root, unless placed elsewhere).
    pub department_id: String,
}

impl User {
    /// The user's id of a kind (`open_id`, `user_id`, `union_id`, `email`).
    pub(crate) fn id(&self, kind: &str) -> &str {
        match kind {
            "user_id" => &self.user_id,
            "union_id" => &self.union_id,
            "email" => &self.email,
            _ => &self.open_id,
        }
    }

    /// The three ids, as events carry them.
    pub(crate) fn ids(&self) -> Value {
        json!({"open_id": self.open_id, "user_id": self.user_id, "union_id": self.union_id})
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "open_id": self.open_id,
            "user_id": self.user_id,
            "union_id": self.union_id,
            "name": self.name,
            "en_name": self.name,
            "email": self.email,
            "department_ids": [self.department_id],
            "status": {"is_activated": true, "is_frozen": false, "is_resigned": false, "is_exited": false},
        })
    }
}

/// A department.
#[derive(Debug, Clone)]
pub(crate) struct Department {
    pub department_id: String,
    pub open_department_id: String,
    pub name: String,
    pub parent: String,
}

impl Department {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "department_id": self.department_id,
            "open_department_id": self.open_department_id,
            "name": self.name,
            "parent_department_id": self.parent,
            "status": {"is_deleted": false},
        })
    }
}

/// A chat: a group, or a one-to-one chat between a user and the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chat {
    /// The chat's id (`oc_…`).
    pub chat_id: String,
    /// The group's name; empty for a one-to-one chat.
    pub name: String,
    /// A one-to-one chat with this user (open_id), or `None` for a group.
    pub p2p_with: Option<String>,
    /// The open_ids of the users in it.
    pub members: Vec<String>,
    /// Whether the bot is in it.
    pub has_bot: bool,
    /// Whether it was dissolved.
    pub dissolved: bool,
    pub(crate) description: String,
}

impl Chat {
    /// `group` or `p2p`, as events say.
    pub fn chat_type(&self) -> &'static str {
        if self.p2p_with.is_some() { "p2p" } else { "group" }
    }

    pub(crate) fn to_json(&self, app_id: &str) -> Value {
        json!({
            "chat_id": self.chat_id,
            "name": self.name,
            "description": self.description,
            "avatar": "https://fake.invalid/avatar.png",
            "owner_id_type": "app_id",
            "owner_id": app_id,
            "chat_mode": "group",
            "chat_type": "private",
            "chat_tag": "inner",
            "external": false,
            "tenant_key": TENANT_KEY,
            "user_count": self.members.len().to_string(),
            "bot_count": u8::from(self.has_bot).to_string(),
            "chat_status": if self.dissolved { "dissolved" } else { "normal" },
        })
    }
}

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sender {
    /// A user, by open_id.
    User(String),
    /// The app (the bot), by app id.
    App(String),
}

/// A message in a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// Its id (`om_…`).
    pub message_id: String,
    /// The chat it is in.
    pub chat_id: String,
    /// The message it replies to.
    pub parent_id: Option<String>,
    /// The first message of its reply chain.
    pub root_id: Option<String>,
    /// The thread it is in, for replies in a thread.
    pub thread_id: Option<String>,
    /// `text`, `post`, `interactive`, `image`, …
    pub msg_type: String,
    /// The content as the sender sent it: a JSON string.
    pub content: String,
    /// Who sent it.
    pub sender: Sender,
    /// The users it mentions, in order: `(key, open_id, name)`.
    pub mentions: Vec<(String, String, String)>,
    /// Whether it was recalled.
    pub deleted: bool,
    /// Whether it was edited or its card updated.
    pub updated: bool,
    /// When it was sent, in milliseconds.
    pub create_time: u64,
    pub(crate) update_time: u64,
    pub(crate) uuid: Option<String>,
    /// Its place in the order of everything the fake remembers.
    pub(crate) seq: u64,
    pub(crate) reactions: Vec<Reaction>,
}

/// A reaction on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reaction {
    pub id: String,
    pub emoji: String,
    pub operator: Sender,
    pub time: u64,
}

impl Message {
    /// A new message, sent now; its id and place are given when it is remembered.
    pub(crate) fn new(chat_id: &str, msg_type: &str, content: String, sender: Sender) -> Message {
        let now = super::now_ms();
        Message {
            message_id: String::new(),
            chat_id: chat_id.to_owned(),
            parent_id: None,
            root_id: None,
            thread_id: None,
            msg_type: msg_type.to_owned(),
            content,
            sender,
            mentions: Vec::new(),
            deleted: false,
            updated: false,
            create_time: now,
            update_time: now,
            uuid: None,
            seq: 0,
            reactions: Vec::new(),
        }
    }

    /// Whether the bot sent it.
    pub fn from_bot(&self) -> bool {
        matches!(self.sender, Sender::App(_))
    }

    /// The content as JSON.
    pub fn content_json(&self) -> Value {
        serde_json::from_str(&self.content).unwrap_or_default()
    }

    /// The message as plain text, as a user would read it: mentions by name, a post's
    /// title and paragraphs, other kinds as a short description (`[image]`).
    pub fn plain_text(&self) -> String {
        let mut content = self.content_json();
        // A post is sent wrapped in its locales; it is read back with one.
        if self.msg_type == "post"
            && content.get("content").is_none()
            && let Some(first) = content.as_object().and_then(|locales| locales.values().next())
        {
            content = first.clone();
        }
        let mentions: Vec<Mention> =
            self.mentions.iter().map(|(key, _, name)| Mention::new(key.clone(), name.clone())).collect();
        Received::parse(&self.msg_type, &content.to_string())
            .map_or_else(|_| self.content.clone(), |r| r.plain_text(&mentions))
    }

    pub(crate) fn sender_json(&self) -> Value {
        match &self.sender {
            Sender::User(open_id) => {
                json!({"id": open_id, "id_type": "open_id", "sender_type": "user", "tenant_key": TENANT_KEY})
            }
            Sender::App(app_id) => {
                json!({"id": app_id, "id_type": "app_id", "sender_type": "app", "tenant_key": TENANT_KEY})
            }
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut message = json!({
            "message_id": self.message_id,
            "msg_type": self.msg_type,
            "create_time": self.create_time.to_string(),
            "update_time": self.update_time.to_string(),
            "deleted": self.deleted,
            "updated": self.updated,
            "chat_id": self.chat_id,
            "sender": self.sender_json(),
            "body": {"content": if self.deleted { r#"{"text":"This message was recalled"}"# } else { &self.content }},
            "mentions": self.mentions.iter().map(|(key, id, name)| {
                json!({"key": key, "id": id, "id_type": "open_id", "name": name, "tenant_key": TENANT_KEY})
            }).collect::<Vec<_>>(),
        });
        for (name, value) in
            [("parent_id", &self.parent_id), ("root_id", &self.root_id), ("thread_id", &self.thread_id)]
        {
            if let Some(value) = value {
                message[name] = json!(value);
            }
        }
        message
    }
}

/// An uploaded file or image.
#[derive(Debug, Clone)]
pub(crate) struct File {
    pub key: String,
    pub name: String,
    pub bytes: bytes::Bytes,
    pub image: bool,
}

/// A CardKit card entity.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    pub card_id: String,
    /// The card JSON as it is now.
    pub card: Value,
    /// The last sequence a change used.
    pub sequence: i64,
}
