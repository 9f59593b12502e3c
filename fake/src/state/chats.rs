//! Chats and their members: create, read, list the bot's chats, rename, dissolve, add and
//! remove members, and ask whether the bot is in one.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use serde_json::{Value, json};

use super::codes::*;
use super::model::Chat;
use super::page::page;
use super::{Store, TENANT_KEY, refuse};

pub(super) fn answer(store: &mut Store, operation: &str, request: &FakeRequest) -> Option<FakeResponse> {
    let id = request.path_param("chat_id").unwrap_or_default().to_owned();
    let body = request.json();
    let kind = request.query_value("member_id_type").or(request.query_value("user_id_type")).unwrap_or("open_id");
    Some(match operation {
        "im.v1.chat.create" => create(store, kind, &body),
        "im.v1.chat.get" => match store.chat_with_bot(&id) {
            Ok(chat) => FakeResponse::data(chat.to_json(&store.app_id)),
            Err(refusal) => refusal,
        },
        "im.v1.chat.list" => {
            let items = store.chats.iter().filter(|c| c.has_bot && !c.dissolved && c.p2p_with.is_none());
            let items = items.map(|c| c.to_json(&store.app_id)).collect();
            FakeResponse::data(Value::Object(page(items, request, 20, 100)))
        }
        "im.v1.chat.update" => change(store, &id, |chat| {
            if let Some(name) = body["name"].as_str() {
                chat.name = name.to_owned();
            }
            if let Some(description) = body["description"].as_str() {
                chat.description = description.to_owned();
            }
        }),
        "im.v1.chat.delete" => change(store, &id, |chat| chat.dissolved = true),
        "im.v1.chat_members.create" => add_members(store, &id, kind, &body),
        "im.v1.chat_members.delete" => remove_members(store, &id, kind, &body),
        "im.v1.chat_members.get" => members(store, &id, kind, request),
        "im.v1.chat_members.is_in_chat" => match store.chat(&id) {
            Ok(chat) => FakeResponse::data(json!({"is_in_chat": chat.has_bot})),
            Err(refusal) => refusal,
        },
        _ => return None,
    })
}

impl Store {
    /// A chat that exists and was not dissolved.
    pub(crate) fn chat(&self, id: &str) -> Result<&Chat, FakeResponse> {
        match self.chats.iter().find(|c| c.chat_id == id) {
            None => Err(refuse(CHAT_NOT_FOUND, "Your request specifies a chat_id which is invalid.")),
            Some(chat) if chat.dissolved => {
                Err(refuse(CHAT_DISSOLVED, "Your request specifies a chat which has already been dissolved."))
            }
            Some(chat) => Ok(chat),
        }
    }

    /// A chat the bot can act in.
    pub(crate) fn chat_with_bot(&self, id: &str) -> Result<&Chat, FakeResponse> {
        let chat = self.chat(id)?;
        if !chat.has_bot {
            return Err(refuse(OPERATOR_NOT_IN_CHAT, "Operator can NOT be out of the chat."));
        }
        Ok(chat)
    }

    /// A new group with these users, the bot in it or not.
    pub(crate) fn new_group(&mut self, name: &str, members: Vec<String>, has_bot: bool) -> String {
        let chat_id = self.id("oc_");
        self.chats.push(Chat {
            chat_id: chat_id.clone(),
            name: name.to_owned(),
            p2p_with: None,
            members,
            has_bot,
            dissolved: false,
            description: String::new(),
        });
        chat_id
    }

    /// A chat an event names that nobody created: a group with the bot in it, or a
    /// one-to-one chat.
    pub(crate) fn adopt_chat(&mut self, chat_id: &str, p2p: bool) {
        self.chats.push(Chat {
            chat_id: chat_id.to_owned(),
            name: if p2p { String::new() } else { "Group chat".to_owned() },
            p2p_with: p2p.then(String::new),
            members: Vec::new(),
            has_bot: true,
            dissolved: false,
            description: String::new(),
        });
    }

    /// The one-to-one chat between a user and the bot, opened on first use.
    pub(crate) fn p2p_chat(&mut self, open_id: &str) -> String {
        if let Some(chat) = self.chats.iter().find(|c| c.p2p_with.as_deref() == Some(open_id)) {
            return chat.chat_id.clone();
        }
        let chat_id = self.id("oc_");
        self.chats.push(Chat {
            chat_id: chat_id.clone(),
            name: String::new(),
            p2p_with: Some(open_id.to_owned()),
            members: vec![open_id.to_owned()],
            has_bot: true,
            dissolved: false,
            description: String::new(),
        });
        chat_id
    }

    /// The open_ids of the users these ids of a kind name, and the ids nobody has.
    fn resolve(&self, kind: &str, ids: &Value) -> (Vec<String>, Vec<String>) {
        let (mut found, mut unknown) = (Vec::new(), Vec::new());
        for id in ids.as_array().into_iter().flatten().filter_map(Value::as_str) {
            match self.user_by(kind, id) {
                Some(user) => found.push(user.open_id.clone()),
                None => unknown.push(id.to_owned()),
            }
        }
        (found, unknown)
    }
}

fn create(store: &mut Store, kind: &str, body: &Value) -> FakeResponse {
    let (members, unknown) = store.resolve(kind, &body["user_id_list"]);
    if !unknown.is_empty() {
        return refuse(NO_VALID_MEMBERS, format!("these ids do not exist: {}", unknown.join(", ")));
    }
    let chat_id = store.new_group(body["name"].as_str().unwrap_or("Group chat"), members, true);
    let Some(chat) = store.chats.iter_mut().find(|c| c.chat_id == chat_id) else {
        return refuse(CHAT_NOT_FOUND, "the chat just created is gone");
    };
    chat.description = body["description"].as_str().unwrap_or_default().to_owned();
    let chat = chat.to_json(&store.app_id);
    FakeResponse::data(chat)
}

/// Changes a group the bot is in.
fn change(store: &mut Store, id: &str, apply: impl FnOnce(&mut Chat)) -> FakeResponse {
    if let Err(refusal) = store.chat_with_bot(id) {
        return refusal;
    }
    if let Some(chat) = store.chats.iter_mut().find(|c| c.chat_id == id) {
        apply(chat);
    }
    FakeResponse::data(json!({}))
}

/// The chat to change the members of, the users the id list names and the ids nobody has.
fn member_change<'a>(
    store: &'a mut Store,
    id: &str,
    kind: &str,
    body: &Value,
) -> Result<(&'a mut Chat, Vec<String>, Vec<String>), FakeResponse> {
    store.chat_with_bot(id)?;
    let (found, unknown) = store.resolve(kind, &body["id_list"]);
    if found.is_empty() {
        return Err(refuse(NO_VALID_MEMBERS, "There are no valid members in the ID list specified in your request."));
    }
    let chat = store.chats.iter_mut().find(|c| c.chat_id == id).ok_or_else(|| refuse(CHAT_NOT_FOUND, "gone"))?;
    Ok((chat, found, unknown))
}

fn add_members(store: &mut Store, id: &str, kind: &str, body: &Value) -> FakeResponse {
    match member_change(store, id, kind, body) {
        Ok((chat, found, unknown)) => {
            for open_id in found {
                if !chat.members.contains(&open_id) {
                    chat.members.push(open_id);
                }
            }
            let answer = json!({"invalid_id_list": [], "not_existed_id_list": unknown, "pending_approval_id_list": []});
            FakeResponse::data(answer)
        }
        Err(refusal) => refusal,
    }
}

fn remove_members(store: &mut Store, id: &str, kind: &str, body: &Value) -> FakeResponse {
    match member_change(store, id, kind, body) {
        Ok((chat, found, unknown)) => {
            chat.members.retain(|m| !found.contains(m));
            FakeResponse::data(json!({"invalid_id_list": unknown}))
        }
        Err(refusal) => refusal,
    }
}

fn members(store: &Store, id: &str, kind: &str, request: &FakeRequest) -> FakeResponse {
    let chat = match store.chat_with_bot(id) {
        Ok(chat) => chat,
        Err(refusal) => return refusal,
    };
    let items: Vec<Value> = chat
        .members
        .iter()
        .filter_map(|open_id| store.user_by("open_id", open_id))
        .map(|user| json!({"member_id_type": kind, "member_id": user.id(kind), "name": user.name, "tenant_key": TENANT_KEY}))
        .collect();
    let total = items.len();
    let mut data = page(items, request, 20, 100);
    data.insert("member_total".to_owned(), json!(total));
    FakeResponse::data(Value::Object(data))
}
