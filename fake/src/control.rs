//! The fake's control API for the platform's side, for tests in any language:
//!
//! - `POST /__fake/events` with `{"event_type": T, "event": {…}}` pushes one event or
//!   callback of the catalogue (the event checked against its schema) and answers once it
//!   is delivered or given up: `{"code": 0, "data": {"event_id", "delivered", "attempts":
//!   [{"after_ms", "took_ms", "outcome"}], "answer"}}`. For `im.message.receive_v1` the
//!   message is remembered, so that the app can reply to it; `message_id`, `chat_id`,
//!   `chat_type`, the times and the `sender` are made up where missing, so
//!   `{"message": {"chat_id": "oc_1", "message_type": "text", "content": "{\"text\":\"hi\"}"}}`
//!   is a whole event. An unknown type or a field that does not fit gets HTTP 400 with
//!   code 99992402 naming it; nowhere to push (no `--push-url`, no connected client) HTTP
//!   409.
//! - `GET /__fake/messages?chat_id=C[&after=EVENT_ID][&from=bot]` lists a chat's messages,
//!   oldest first (each with its `plain_text`): those after an event was pushed, or only
//!   the bot's.
//! - `GET /__fake/deliveries` lists every delivery with its attempts.
//! - `POST /__fake/users` with `{"name": N}` adds a user; `POST /__fake/chats` with
//!   `{"name": N, "members": [open_id, …], "bot": true}` a group.

use std::sync::Arc;

use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeRequest, FakeResponse};
use serde_json::{Value, json};

use crate::check::Violation;
use crate::lark::{PushError, Shared};
use crate::push::Delivery;

/// Adds the routes to `fake`.
pub(crate) fn install(fake: &FakeLark, shared: &Arc<Shared>) {
    let on = Arc::clone(shared);
    fake.control(HttpMethod::Post, "/__fake/events", move |request| {
        let shared = Arc::clone(&on);
        async move { push(&shared, &request).await }
    });
    let on = Arc::clone(shared);
    fake.control(HttpMethod::Get, "/__fake/messages", move |request| {
        let answer = messages(&on, &request);
        async move { answer }
    });
    let on = Arc::clone(shared);
    fake.control(HttpMethod::Get, "/__fake/deliveries", move |_| {
        let deliveries: Vec<Value> = on.pusher.deliveries().iter().map(delivery).collect();
        async move { ok(json!({ "items": deliveries })) }
    });
    let on = Arc::clone(shared);
    fake.control(HttpMethod::Post, "/__fake/users", move |request| {
        let answer = match request.json()["name"].as_str() {
            Some(name) => ok(on.world.lock().add_user(name, "0").to_json()),
            None => invalid("name", "a user's name is required"),
        };
        async move { answer }
    });
    let on = Arc::clone(shared);
    fake.control(HttpMethod::Post, "/__fake/chats", move |request| {
        let body = request.json();
        let members = body["members"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned);
        let mut store = on.world.lock();
        let id =
            store.new_group(body["name"].as_str().unwrap_or("Group chat"), members.collect(), body["bot"] != false);
        let app_id = store.app_id.clone();
        let chat = store.chats.iter().find(|c| c.chat_id == id).map(|c| c.to_json(&app_id)).unwrap_or_default();
        async move { ok(chat) }
    });
}

fn ok(data: Value) -> FakeResponse {
    FakeResponse::data(data)
}

/// The platform's field-validation error, as for any other endpoint.
fn invalid(field: &str, problem: &str) -> FakeResponse {
    let violation = Violation { field: field.to_owned(), value: String::new(), problem: problem.to_owned() };
    crate::refuse::invalid(&violation)
}

async fn push(shared: &Shared, request: &FakeRequest) -> FakeResponse {
    let body = request.json();
    let Some(event_type) = body["event_type"].as_str() else {
        return invalid("event_type", "the event's type is required, e.g. im.message.receive_v1");
    };
    let event = if body["event"].is_null() { json!({}) } else { body["event"].clone() };
    match shared.push(event_type, event).await {
        Ok(pushed) => ok(delivery(pushed.delivery())),
        Err(PushError::NoTarget) => {
            FakeResponse::json(json!({"code": 409, "msg": PushError::NoTarget.to_string()})).status(409)
        }
        Err(PushError::Invalid { field, problem }) => invalid(&field, &problem),
        Err(other) => invalid("event_type", &other.to_string()),
    }
}

fn delivery(delivery: &Delivery) -> Value {
    let attempts: Vec<Value> = delivery
        .attempts
        .iter()
        .map(|a| {
            json!({"after_ms": a.after.as_millis() as u64, "took_ms": a.took.as_millis() as u64, "outcome": a.outcome.to_string()})
        })
        .collect();
    json!({
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "delivered": delivery.delivered,
        "attempts": attempts,
        "answer": delivery.answer,
    })
}

fn messages(shared: &Shared, request: &FakeRequest) -> FakeResponse {
    let Some(chat_id) = request.query_value("chat_id") else {
        return invalid("chat_id", "the chat whose messages to list is required");
    };
    let after = match request.query_value("after") {
        None => 0,
        Some(event_id) => match shared.mark_of(event_id) {
            Some(mark) => mark,
            None => return invalid("after", "no event with this id was pushed"),
        },
    };
    let bot_only = request.query_value("from") == Some("bot");
    let store = shared.world.lock();
    let items: Vec<Value> = store
        .messages
        .iter()
        .filter(|m| m.chat_id == chat_id && m.seq > after && (!bot_only || m.from_bot()))
        .map(|m| {
            let mut item = m.to_json();
            item["plain_text"] = json!(m.plain_text());
            item
        })
        .collect();
    ok(json!({ "items": items }))
}
