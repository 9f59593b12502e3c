//! The events of what users do, built as the platform builds them, and what the platform
//! remembers of them: the message a user sent, the chat the bot was added to, the card
//! an app's answer to a click put in place.

use serde_json::{Value, json};

use crate::said::Mentioned;
use crate::state::{Message, Sender, Store, TENANT_KEY, User, now_ms};

/// The bot's name in mentions.
pub(crate) const BOT_NAME: &str = "Fake bot";

/// Remembers a user's message and returns its `im.message.receive_v1` event.
pub(crate) fn message(
    store: &mut Store,
    user: &User,
    chat_id: &str,
    msg_type: &str,
    content: String,
    mentions: &[Mentioned],
) -> Value {
    let mut message = Message::new(chat_id, msg_type, content, Sender::User(user.open_id.clone()));
    message.mentions = mentions.iter().map(|m| (m.key.clone(), m.open_id.clone(), m.name.clone())).collect();
    let now = message.create_time;
    let at = store.push_message(message);
    let message = &store.messages[at];
    let chat_type = store.chats.iter().find(|c| c.chat_id == chat_id).map_or("group", |c| c.chat_type());
    let mut event_message = json!({
        "message_id": message.message_id,
        "create_time": now.to_string(),
        "update_time": now.to_string(),
        "chat_id": chat_id,
        "chat_type": chat_type,
        "message_type": msg_type,
        "content": message.content,
    });
    if !mentions.is_empty() {
        event_message["mentions"] = mentions.iter().map(Mentioned::to_event).collect();
    }
    json!({
        "sender": {"sender_id": user.ids(), "sender_type": "user", "tenant_key": TENANT_KEY},
        "message": event_message,
    })
}

/// The `card.action.trigger` callback of a click on a message's card.
pub(crate) fn click(store: &mut Store, user: &User, message: &Message, action: Value) -> Value {
    let n = store.next();
    let token = format!("c-{}", crate::state::hex_id(&store.app_id, "click", n));
    json!({
        "operator": {"tenant_key": TENANT_KEY, "open_id": user.open_id, "user_id": user.user_id, "union_id": user.union_id},
        "token": token,
        "action": action,
        "host": "im_message",
        "context": {"open_message_id": message.message_id, "open_chat_id": message.chat_id},
    })
}

/// The `im.chat.member.bot.added_v1` event; the bot is in the chat from now on.
pub(crate) fn bot_added(store: &mut Store, chat_id: &str, by: &User) -> Value {
    let mut name = String::new();
    if let Some(chat) = store.chats.iter_mut().find(|c| c.chat_id == chat_id) {
        chat.has_bot = true;
        name = chat.name.clone();
    }
    json!({
        "chat_id": chat_id,
        "operator_id": by.ids(),
        "external": false,
        "operator_tenant_key": TENANT_KEY,
        "name": name,
    })
}

/// The action of the button with this text in a card: its callback value.
pub(crate) fn button(card: &Value, text: &str) -> Option<Value> {
    match card {
        Value::Object(map) => {
            let label = map.get("text").and_then(|t| t.get("content")).and_then(Value::as_str);
            if map.get("tag").and_then(Value::as_str) == Some("button") && label == Some(text) {
                let behaviors = map.get("behaviors").and_then(Value::as_array);
                let value = behaviors
                    .and_then(|b| b.iter().find(|b| b["type"] == "callback"))
                    .map(|b| b["value"].clone())
                    .or_else(|| map.get("value").cloned())
                    .unwrap_or(Value::Null);
                let mut action = json!({"tag": "button", "value": value});
                if let Some(name) = map.get("name") {
                    action["name"] = name.clone();
                }
                return Some(action);
            }
            map.values().find_map(|inner| button(inner, text))
        }
        Value::Array(items) => items.iter().find_map(|inner| button(inner, text)),
        _ => None,
    }
}

/// What the platform does with an app's answer to a click: a `raw` card replaces the
/// message's card.
pub(crate) fn show_answer(store: &mut Store, message_id: &str, answer: &Value) {
    let card = &answer["card"];
    let content = match card["type"].as_str() {
        Some("raw") => card["data"].to_string(),
        Some("template") => json!({"type": "template", "data": card["data"]}).to_string(),
        _ => return,
    };
    if let Some(message) = store.messages.iter_mut().find(|m| m.message_id == message_id) {
        message.content = content;
        message.updated = true;
        message.update_time = now_ms();
    }
}

/// Takes in what a pushed event says happened, so that the app can act on it: a
/// received message is remembered in its chat (both made up where missing, with a
/// default sender), a bot added to a chat is in it.
pub(crate) fn adopt(store: &mut Store, event_type: &str, event: &mut Value) {
    match event_type {
        "im.message.receive_v1" => adopt_message(store, event),
        "im.chat.member.bot.added_v1" => {
            if let Some(chat_id) = event["chat_id"].as_str().map(str::to_owned) {
                if !store.chats.iter().any(|c| c.chat_id == chat_id) {
                    store.adopt_chat(&chat_id, false);
                }
                if let Some(chat) = store.chats.iter_mut().find(|c| c.chat_id == chat_id) {
                    chat.has_bot = true;
                }
            }
        }
        _ => {}
    }
}

/// A received message, its chat and its sender, remembered; what is missing made up.
fn adopt_message(store: &mut Store, event: &mut Value) {
    let chat_id = match event["message"]["chat_id"].as_str() {
        Some(id) => id.to_owned(),
        None => {
            let id = store.new_group("Group chat", Vec::new(), true);
            event["message"]["chat_id"] = json!(id);
            id
        }
    };
    if !store.chats.iter().any(|c| c.chat_id == chat_id) {
        store.adopt_chat(&chat_id, event["message"]["chat_type"] == "p2p");
    }
    let open_id = event["sender"]["sender_id"]["open_id"].as_str().map(str::to_owned);
    let user = store.adopt_user(open_id.as_deref());
    if event["sender"].is_null() {
        event["sender"] = json!({"sender_id": user.ids(), "sender_type": "user", "tenant_key": TENANT_KEY});
    }
    let message = &mut event["message"];
    let msg_type = message["message_type"].as_str().unwrap_or("text").to_owned();
    let content = message["content"].as_str().unwrap_or(r#"{"text":""}"#).to_owned();
    let id = message["message_id"].as_str().map(str::to_owned);
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let mut stored = Message::new(&chat_id, &msg_type, content.clone(), Sender::User(user.open_id.clone()));
    let now = stored.create_time;
    stored.message_id = id.unwrap_or_default();
    stored.parent_id = text(&message["parent_id"]);
    stored.root_id = text(&message["root_id"]);
    stored.thread_id = text(&message["thread_id"]);
    stored.mentions = message["mentions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&m["key"]), text(&m["id"]["open_id"]), text(&m["name"]))
        })
        .collect();
    let at = store.push_message(stored);
    let message = &mut event["message"];
    message["message_id"] = json!(store.messages[at].message_id);
    message["message_type"] = json!(msg_type);
    message["content"] = json!(content);
    for (field, value) in [("create_time", now.to_string()), ("update_time", now.to_string())] {
        if message[field].is_null() {
            message[field] = json!(value);
        }
    }
    if message["chat_type"].is_null() {
        let kind =
            store.chats.iter().find(|c| c.chat_id == store.messages[at].chat_id).map_or("group", |c| c.chat_type());
        message["chat_type"] = json!(kind);
    }
}

/// The chat an event happened in, if it says.
pub(crate) fn chat_of(event: &Value) -> Option<String> {
    [&event["message"]["chat_id"], &event["context"]["open_chat_id"], &event["chat_id"], &event["open_chat_id"]]
        .into_iter()
        .find_map(|v| v.as_str().map(str::to_owned))
}
