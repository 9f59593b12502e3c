//! Instructions per webhook request, for `valgrind --tool=callgrind` (stable on a noisy
//! machine, where times are not). Only `handle_all` is counted:
//!
//! ```sh
//! cargo bench -p lark-runtime --bench webhook_instructions --no-run
//! valgrind --tool=callgrind --toggle-collect='*handle_all*' --callgrind-out-file=/tmp/cg.out \
//!     target/release/deps/webhook_instructions-* 2000
//! callgrind_annotate /tmp/cg.out | head   # total Ir / 2000 = instructions per request
//! ```
//!
//! The pushes are the `webhook` bench's: a ~1 KB encrypted `im.message.receive_v1`, each
//! with its own event id, handled with in-memory deduplication (or without, given `plain`).

use std::hint::black_box;

use bytes::Bytes;
use http::Request;
use lark_runtime::event::{Dispatcher, Envelope, Event, EventContext};
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v2_envelope};
use serde::Deserialize;

const KEY: &str = "bench-encrypt-key";
const TOKEN: &str = "bench-verification-token";

#[derive(Deserialize)]
#[allow(dead_code)]
struct MessageReceived {
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

const EVENT: &str = r#"{"sender":{"sender_id":{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz",
    "open_id":"ou_84aad35d084aa403a838cf73ee18467"},"sender_type":"user","tenant_key":"736588c9260f175e"},
    "message":{"message_id":"om_5ce6d572455d361153b7cb51da133945","root_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
    "parent_id":"om_5ce6d572455d361153b7cb5xxfsdfsdfdsf","create_time":"1609073151345","update_time":"1687343654666",
    "chat_id":"oc_5ce6d572455d361153b7xx51da133945","thread_id":"omt_d4be107c616","chat_type":"group",
    "message_type":"text","content":"{\"text\":\"@_user_1 hello, could you look at the report before noon?\"}",
    "mentions":[{"key":"@_user_1","id":{"union_id":"on_8ed6aa67826108097d9ee143816345","user_id":"e33ggbyz",
    "open_id":"ou_84aad35d084aa403a838cf73ee18467"},"name":"Tom","tenant_key":"736588c9260f175e"}],
    "user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Lark/6.8.0"}}"#;

#[inline(never)]
fn handle_all(runtime: &tokio::runtime::Runtime, webhook: &Webhook, requests: Vec<Request<Bytes>>) {
    runtime.block_on(async {
        for request in requests {
            assert_eq!(webhook.handle(request).await.status(), 200);
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; only a number means a measured run.
    let Some(count) = args.iter().find_map(|a| a.parse::<usize>().ok()) else { return };
    let dedupe = !args.iter().any(|a| a == "plain");
    let dispatcher = Dispatcher::new().on(|_ctx: EventContext, event: MessageReceived| async move {
        black_box(event.message.and_then(|m| m.message_id));
        Ok(())
    });
    let builder = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN);
    let webhook = if dedupe { builder } else { builder.no_dedupe() }.build(dispatcher);
    let requests: Vec<_> = (0..count)
        .map(|n| {
            Push::new(v2_envelope(MessageReceived::EVENT_TYPE, &format!("ev_{n}"), TOKEN, EVENT))
                .encrypt_and_sign(KEY)
                .request()
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    handle_all(&runtime, &webhook, requests);
}
