//! The push both webhook benches measure: a ~1 KB encrypted `im.message.receive_v1`.

#![allow(dead_code)] // each bench uses its own subset

use std::hint::black_box;

use bytes::Bytes;
use http::Request;
use lark_runtime::event::{Dispatcher, Envelope, Event, EventContext};
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_runtime::webhook::{DedupeStore, Webhook, WebhookBuilder};
use serde::Deserialize;

pub const KEY: &str = "bench-encrypt-key";
pub const TOKEN: &str = "bench-verification-token";

/// The payload shape the generated `MessageReceiveEvent` has (the runtime cannot depend
/// on the generated crate).
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct MessageReceived {
    sender: Option<serde_json::Value>,
    message: Option<Message>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Message {
    message_id: Option<String>,
    chat_id: Option<String>,
    chat_type: Option<String>,
    message_type: Option<String>,
    content: Option<String>,
    create_time: Option<String>,
    mentions: Option<Vec<serde_json::Value>>,
}

impl Event for MessageReceived {
    const EVENT_TYPE: &'static str = "im.message.receive_v1";
    const ENVELOPE: Envelope = Envelope::V2;
    const SCOPES: lark_runtime::Scopes = lark_runtime::Scopes::Unknown;
}

/// A group message with a mention, about 1 KB of JSON like a real push.
pub fn push(event_id: &str) -> Request<Bytes> {
    let event = r#"{"sender":{"sender_id":{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz",
        "open_id":"ou_84aad35d084aa403a838cf73ee18467"},"sender_type":"user","tenant_key":"736588c9260f175e"},
        "message":{"message_id":"om_5ce6d572455d361153b7cb51da133945","root_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
        "parent_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf","create_time":"1609073151345","update_time":"1687343654666",
        "chat_id":"oc_5ce6d572455d361153b7xx51da133945","thread_id":"omt_d4be107c616","chat_type":"group",
        "message_type":"text","content":"{\"text\":\"@_user_1 hello, could you look at the report before noon?\"}",
        "mentions":[{"key":"@_user_1","id":{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz",
        "open_id":"ou_84aad35d084aa403a838cf73ee18467"},"name":"Tom","tenant_key":"736588c9260f175e"}],
        "user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Lark/6.8.0"}}"#;
    Push::new(v2_envelope(MessageReceived::EVENT_TYPE, event_id, TOKEN, event)).encrypt_and_sign(KEY).request()
}

/// The webhook under test, deduplicating in memory or not at all.
pub fn webhook(dedupe: bool) -> Webhook {
    let builder = builder();
    if dedupe { builder } else { builder.no_dedupe() }.build(dispatcher())
}

/// The webhook under test, deduplicating in `store`.
pub fn webhook_with(store: impl DedupeStore) -> Webhook {
    builder().dedupe(store).build(dispatcher())
}

fn builder() -> WebhookBuilder {
    Webhook::builder().encrypt_key(KEY).verification_token(TOKEN)
}

fn dispatcher() -> Dispatcher {
    Dispatcher::new().on(|_ctx: EventContext, event: MessageReceived| async move {
        black_box(event.message.and_then(|m| m.message_id));
        Ok(())
    })
}
