//! What the platform remembers for a bot: messages and their reactions, chats and their
//! members, users and departments, uploaded files and images, and CardKit cards; and for
//! a web app, who signed in and the JSAPI ticket.
//!
//! A call to one of these endpoints is answered from here once it has passed the checks
//! every endpoint gets (token, scopes, fields); an id nobody created gets the platform's
//! business error (HTTP 400 with the code its page gives). Every other endpoint keeps the
//! answers made up from its schema.

mod cards;
mod chats;
mod codes;
mod directory;
mod files;
mod messages;
mod model;
mod page;
mod web;

use std::sync::{Mutex, MutexGuard};

use lark_runtime::fake::{Caller, FakeRequest, FakeResponse};
use serde_json::json;

pub(crate) use model::{Card, Department, File};
pub use model::{Chat, Message, Sender, User};

/// The tenant every user, chat and event of the fake belongs to.
pub const TENANT_KEY: &str = "tenant_fake";

/// Everything the platform remembers, behind one lock.
pub(crate) struct World {
    store: Mutex<Store>,
    /// Wakes whoever waits for a message (a test waiting for the bot's reply).
    pub(crate) changed: tokio::sync::Notify,
}

/// The remembered data.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub app_id: String,
    /// Numbers every id and message in order of creation.
    counter: u64,
    pub users: Vec<User>,
    pub departments: Vec<Department>,
    pub chats: Vec<Chat>,
    pub messages: Vec<Message>,
    pub files: Vec<File>,
    pub cards: Vec<Card>,
}

impl World {
    pub(crate) fn new(app_id: &str) -> World {
        let store = Store { app_id: app_id.to_owned(), ..Store::default() };
        World { store: Mutex::new(store), changed: tokio::sync::Notify::new() }
    }

    /// The data, locked; a panicking test thread does not poison it for the others.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The answer of a stateful endpoint, or `None` for the others.
    pub(crate) fn answer(&self, operation: &str, request: &FakeRequest, caller: &Caller) -> Option<FakeResponse> {
        let mut store = self.lock();
        let store = &mut *store;
        let before = store.messages.len();
        let reply = messages::answer(store, operation, request)
            .or_else(|| chats::answer(store, operation, request))
            .or_else(|| directory::answer(store, operation, request))
            .or_else(|| files::answer(store, operation, request))
            .or_else(|| cards::answer(store, operation, request))
            .or_else(|| web::answer(store, operation, caller));
        if store.messages.len() != before || operation.starts_with("im.v1.message.") {
            self.changed.notify_waiters();
        }
        reply
    }
}

impl Store {
    /// The next number, for ids and ordering.
    pub(crate) fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A new id with the platform's prefix (`om_`, `oc_`, `ou_`, …): 32 hex digits made
    /// from the app and a counter, so that a run is reproducible.
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        let n = self.next();
        format!("{prefix}{}", hex_id(&self.app_id, prefix, n))
    }

    /// The bot's own open_id, as users see it in mentions.
    pub(crate) fn bot_open_id(&self) -> String {
        format!("ou_{}", hex_id(&self.app_id, "bot", 0))
    }
}

/// 32 hex digits from a seed, stable across runs.
pub(crate) fn hex_id(seed: &str, kind: &str, n: u64) -> String {
    let a = crate::answer::fnv(&[seed.as_bytes(), kind.as_bytes(), &n.to_le_bytes()]);
    let b = crate::answer::fnv(&[&a.to_le_bytes(), kind.as_bytes()]);
    format!("{a:016x}{b:016x}")
}

/// The platform's business error: HTTP 400 with its code.
pub(crate) fn refuse(code: i64, msg: impl Into<String>) -> FakeResponse {
    FakeResponse::json(json!({"code": code, "msg": msg.into(), "error": {}})).status(400)
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests;
