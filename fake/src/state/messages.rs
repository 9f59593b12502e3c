//! Messages: send, reply, read, list by chat, edit, update a card, recall, and reactions.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use lark_runtime::message::Received;
use serde_json::{Value, json};

use super::codes::*;
use super::model::{Message, Reaction, Sender};
use super::page::page;
use super::{Store, now_ms, refuse};

/// How long a `uuid` makes a repeated send return the first message (one hour).
const UUID_WINDOW_MS: u64 = 3_600_000;

pub(super) fn answer(store: &mut Store, operation: &str, request: &FakeRequest) -> Option<FakeResponse> {
    let id = request.path_param("message_id").unwrap_or_default().to_owned();
    let body = request.json();
    Some(match operation {
        "im.v1.message.create" => create(store, request, &body),
        "im.v1.message.reply" => reply(store, &id, &body),
        "im.v1.message.get" => store
            .message(&id)
            .map(|m| FakeResponse::data(json!({"items": [store.messages[m].to_json()]})))
            .unwrap_or_else(|e| e),
        "im.v1.message.list" => list(store, request),
        "im.v1.message.update" => edit(store, &id, &body, false),
        "im.v1.message.patch" => edit(store, &id, &body, true),
        "im.v1.message.delete" => recall(store, &id),
        "im.v1.message_reaction.create" => react(store, &id, &body),
        "im.v1.message_reaction.list" => reactions(store, &id, request),
        "im.v1.message_reaction.delete" => unreact(store, &id, request.path_param("reaction_id").unwrap_or_default()),
        _ => return None,
    })
}

impl Store {
    /// The index of a message that can be acted on: it exists and was not recalled.
    pub(crate) fn message(&self, id: &str) -> Result<usize, FakeResponse> {
        match self.messages.iter().position(|m| m.message_id == id) {
            None => Err(refuse(INVALID_PARAM, format!("invalid message_id: no message {id}"))),
            Some(i) if self.messages[i].deleted => {
                Err(refuse(DELETED, "Action unavailable as the message has been deleted."))
            }
            Some(i) => Ok(i),
        }
    }

    /// Remembers a message and returns its index.
    pub(crate) fn push_message(&mut self, mut message: Message) -> usize {
        message.seq = self.next();
        if message.message_id.is_empty() {
            message.message_id = self.id("om_");
        }
        self.messages.push(message);
        self.messages.len() - 1
    }

    /// A message the bot sent earlier with the same `uuid` in the last hour.
    fn same_uuid(&self, uuid: Option<&str>) -> Option<&Message> {
        let uuid = uuid.filter(|u| !u.is_empty())?;
        let now = now_ms();
        self.messages.iter().find(|m| {
            m.from_bot() && m.uuid.as_deref() == Some(uuid) && now.saturating_sub(m.create_time) < UUID_WINDOW_MS
        })
    }
}

/// The content must be JSON of the message type's shape, as the platform checks it.
fn check_content(msg_type: &str, content: &str) -> Result<(), FakeResponse> {
    Received::parse(msg_type, content)
        .map(|_| ())
        .map_err(|e| refuse(INVALID_PARAM, format!("Your request contains an invalid request parameter: {e}")))
}

fn create(store: &mut Store, request: &FakeRequest, body: &Value) -> FakeResponse {
    let kind = request.query_value("receive_id_type").unwrap_or("open_id");
    let receive_id = body["receive_id"].as_str().unwrap_or_default();
    let chat_id = if kind == "chat_id" {
        match store.chat(receive_id) {
            Ok(chat) if !chat.has_bot => return refuse(BOT_NOT_IN_CHAT, "The bot can not be outside the group."),
            Ok(chat) => chat.chat_id.clone(),
            Err(refusal) => return refusal,
        }
    } else {
        match store.user_by(kind, receive_id) {
            Some(user) => {
                let open_id = user.open_id.clone();
                store.p2p_chat(&open_id)
            }
            None => return refuse(INVALID_PARAM, format!("invalid receive_id: no user with {kind} {receive_id}")),
        }
    };
    send(store, &chat_id, body, None)
}

/// Sends the body's message into a chat, as a reply to the message at `parent` if given.
fn send(store: &mut Store, chat_id: &str, body: &Value, parent: Option<usize>) -> FakeResponse {
    let msg_type = body["msg_type"].as_str().unwrap_or_default();
    let content = body["content"].as_str().unwrap_or_default();
    if let Err(refusal) = check_content(msg_type, content) {
        return refusal;
    }
    let uuid = body["uuid"].as_str();
    if let Some(earlier) = store.same_uuid(uuid) {
        return FakeResponse::data(earlier.to_json());
    }
    let mut message = Message::new(chat_id, msg_type, content.to_owned(), Sender::App(store.app_id.clone()));
    message.uuid = uuid.map(str::to_owned);
    if let Some(parent) = parent.map(|p| store.messages[p].clone()) {
        message.root_id = Some(parent.root_id.clone().unwrap_or_else(|| parent.message_id.clone()));
        message.parent_id = Some(parent.message_id.clone());
        message.thread_id = parent.thread_id.clone();
        if body["reply_in_thread"] == true && message.thread_id.is_none() {
            let thread = store.id("omt_");
            store.messages.iter_mut().filter(|m| m.message_id == parent.message_id).for_each(|m| {
                m.thread_id = Some(thread.clone());
            });
            message.thread_id = Some(thread);
        }
    }
    let at = store.push_message(message);
    FakeResponse::data(store.messages[at].to_json())
}

fn reply(store: &mut Store, id: &str, body: &Value) -> FakeResponse {
    let parent = match store.messages.iter().position(|m| m.message_id == id) {
        None => return refuse(INVALID_PARAM, format!("invalid message_id: no message {id}")),
        Some(i) if store.messages[i].deleted => return refuse(RECALLED, "The message is recalled."),
        Some(i) => i,
    };
    let chat_id = store.messages[parent].chat_id.clone();
    match store.chat(&chat_id) {
        Ok(chat) if !chat.has_bot => return refuse(BOT_NOT_IN_CHAT, "The bot can not be outside the group."),
        Ok(_) => {}
        Err(refusal) => return refusal,
    }
    send(store, &chat_id, body, Some(parent))
}

fn list(store: &Store, request: &FakeRequest) -> FakeResponse {
    let container = request.query_value("container_id").unwrap_or_default();
    let in_thread = request.query_value("container_id_type") == Some("thread");
    if !in_thread {
        match store.chat(container) {
            Ok(chat) if !chat.has_bot => return refuse(BOT_NOT_IN_CHAT, "The bot can not be outside the group."),
            Ok(_) => {}
            Err(refusal) => return refusal,
        }
    }
    let seconds = |name: &str| request.query_value(name).and_then(|s| s.parse::<u64>().ok());
    let (start, end) = (seconds("start_time").unwrap_or(0), seconds("end_time").unwrap_or(u64::MAX / 1000));
    let mut items: Vec<&Message> = store
        .messages
        .iter()
        .filter(|m| if in_thread { m.thread_id.as_deref() == Some(container) } else { m.chat_id == container })
        .filter(|m| {
            (start.saturating_mul(1000)..=end.saturating_mul(1000).saturating_add(999)).contains(&m.create_time)
        })
        .collect();
    if request.query_value("sort_type") == Some("ByCreateTimeDesc") {
        items.reverse();
    }
    let items = items.into_iter().map(Message::to_json).collect();
    FakeResponse::data(Value::Object(page(items, request, 20, 50)))
}

/// Edits a text or post (`PUT`), or updates a card (`PATCH`): only the bot's own messages.
fn edit(store: &mut Store, id: &str, body: &Value, card: bool) -> FakeResponse {
    let at = match store.messages.iter().position(|m| m.message_id == id) {
        None => return refuse(INVALID_PARAM, format!("invalid message_id: no message {id}")),
        Some(i) if store.messages[i].deleted => return refuse(RECALLED, "The message is recalled."),
        Some(i) => i,
    };
    if !store.messages[at].from_bot() {
        return refuse(NOT_SENDER, "The operator is not the sender of the message.");
    }
    let msg_type = if card { "interactive" } else { body["msg_type"].as_str().unwrap_or_default() };
    if card != (store.messages[at].msg_type == "interactive") {
        let expected = if card { "a card (interactive) message" } else { "a text or post message" };
        return refuse(INVALID_PARAM, format!("message {id} is not {expected}"));
    }
    let content = body["content"].as_str().unwrap_or_default();
    if let Err(refusal) = check_content(msg_type, content) {
        return refusal;
    }
    let message = &mut store.messages[at];
    message.msg_type = msg_type.to_owned();
    message.content = content.to_owned();
    message.updated = true;
    message.update_time = now_ms();
    if card { FakeResponse::data(json!({})) } else { FakeResponse::data(message.to_json()) }
}

fn recall(store: &mut Store, id: &str) -> FakeResponse {
    let at = match store.message(id) {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    if !store.messages[at].from_bot() {
        return refuse(CANNOT_RECALL, "No permission to recall this message.");
    }
    store.messages[at].deleted = true;
    FakeResponse::data(json!({}))
}

fn reaction_json(reaction: &Reaction) -> Value {
    let (operator_id, operator_type) = match &reaction.operator {
        Sender::App(id) => (id, "app"),
        Sender::User(id) => (id, "user"),
    };
    json!({
        "reaction_id": reaction.id,
        "operator": {"operator_id": operator_id, "operator_type": operator_type},
        "action_time": reaction.time.to_string(),
        "reaction_type": {"emoji_type": reaction.emoji},
    })
}

/// The index of a message reactions can be added to or read from.
fn reactable(store: &Store, id: &str) -> Result<usize, FakeResponse> {
    match store.messages.iter().position(|m| m.message_id == id && !m.deleted) {
        Some(i) => Ok(i),
        None => Err(refuse(REACTION_MESSAGE_NOT_FOUND, "The message is not found, maybe not exist or deleted.")),
    }
}

fn react(store: &mut Store, id: &str, body: &Value) -> FakeResponse {
    let at = match reactable(store, id) {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    let reaction = Reaction {
        id: store.id("rc_"),
        emoji: body["reaction_type"]["emoji_type"].as_str().unwrap_or_default().to_owned(),
        operator: Sender::App(store.app_id.clone()),
        time: now_ms(),
    };
    let answer = reaction_json(&reaction);
    store.messages[at].reactions.push(reaction);
    FakeResponse::data(answer)
}

fn reactions(store: &Store, id: &str, request: &FakeRequest) -> FakeResponse {
    let at = match reactable(store, id) {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    let emoji = request.query_value("reaction_type");
    let items =
        store.messages[at].reactions.iter().filter(|r| emoji.is_none_or(|e| e == r.emoji)).map(reaction_json).collect();
    FakeResponse::data(Value::Object(page(items, request, 20, 50)))
}

fn unreact(store: &mut Store, id: &str, reaction_id: &str) -> FakeResponse {
    let at = match reactable(store, id) {
        Ok(at) => at,
        Err(refusal) => return refusal,
    };
    if let Some(i) = store.messages[at].reactions.iter().position(|r| r.id == reaction_id) {
        let removed = store.messages[at].reactions.remove(i);
        return FakeResponse::data(reaction_json(&removed));
    }
    if store.messages.iter().any(|m| m.reactions.iter().any(|r| r.id == reaction_id)) {
        return refuse(REACTION_NOT_ON_MESSAGE, "The reaction does not belong to the message.");
    }
    refuse(REACTION_NOT_FOUND, "The request has an invalid reaction_id.")
}
