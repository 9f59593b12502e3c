//! A local stand-in for the Lark API, for trying the other examples offline.
//!
//! ```text
//! cargo run --example fake_server
//! # then, in another shell, with the printed settings:
//! LARK_APP_ID=cli_fake_app LARK_APP_SECRET=fake-secret LARK_BASE_URL=http://127.0.0.1:PORT \
//!     cargo run --example send_message -- chat_id oc_demo "hello"
//! ```
//!
//! It answers message sends and replies, a three-page user list, the CardKit calls of
//! `echo_bot`, and a custom bot hook for `custom_bot` (signed with the printed secret),
//! until interrupted.

use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeResponse};
use serde_json::json;

/// The custom bot hook's signing secret.
const BOT_SECRET: &str = "fake-bot-secret";

#[tokio::main]
async fn main() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/im/v1/messages", |req| {
        let sent = fake_message_count(req.json());
        FakeResponse::data(json!({ "message_id": format!("om_fake_{sent}"), "msg_type": "text" }))
    });
    fake.route(HttpMethod::Get, "/open-apis/contact/v3/users", |req| {
        let page: usize = req.query_value("page_token").and_then(|t| t.parse().ok()).unwrap_or(0);
        let items: Vec<_> = (0..2).map(|i| json!({ "open_id": format!("ou_fake_{}", page * 2 + i) })).collect();
        let next = (page < 2).then(|| (page + 1).to_string());
        FakeResponse::data(
            json!({ "has_more": next.is_some(), "page_token": next.unwrap_or_default(), "items": items }),
        )
    });
    fake.route(HttpMethod::Post, "/open-apis/im/v1/messages/:message_id/reply", |req| {
        let to = req.path_param("message_id").unwrap_or_default();
        FakeResponse::data(json!({ "message_id": format!("om_reply_to_{to}"), "msg_type": req.json()["msg_type"] }))
    });
    fake.route(HttpMethod::Post, "/open-apis/cardkit/v1/cards", |_| {
        FakeResponse::data(json!({ "card_id": "card_fake_1" }))
    });
    for (method, path) in [
        (HttpMethod::Put, "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content"),
        (HttpMethod::Patch, "/open-apis/cardkit/v1/cards/:card_id/settings"),
    ] {
        fake.route(method, path, |_| FakeResponse::data(json!({})));
    }
    let hook = fake.custom_bot(Some(BOT_SECRET));
    println!(
        "LARK_APP_ID={} LARK_APP_SECRET={} LARK_BASE_URL={}",
        FakeLark::APP_ID,
        FakeLark::APP_SECRET,
        fake.base_url()
    );
    println!("LARK_BOT_WEBHOOK={hook} LARK_BOT_SECRET={BOT_SECRET}");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    fake.shutdown().await;
}

/// A stable id derived from the request, so repeated runs print the same thing.
fn fake_message_count(body: serde_json::Value) -> usize {
    body["receive_id"].as_str().map_or(0, str::len)
}
