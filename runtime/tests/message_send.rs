//! Sending, replying and editing through `Client::send` and friends, against the fake.

mod common;

use std::sync::{Arc, Mutex};

use common::client;
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::message::card::{Card, Element};
use lark_runtime::message::{Content, Text, To};
use lark_runtime::{Error, HttpMethod};
use serde_json::{Value, json};

const MESSAGES: &str = "/open-apis/im/v1/messages";

/// Stores each message once per uuid, like the platform, and answers with its id.
fn store(fake: &FakeLark, path: &str) -> Arc<Mutex<Vec<Value>>> {
    let stored = Arc::new(Mutex::new(Vec::<Value>::new()));
    let seen = Arc::clone(&stored);
    fake.route(HttpMethod::Post, path, move |r| {
        let body = r.json();
        let mut seen = seen.lock().unwrap();
        let index = match seen.iter().position(|b| b["uuid"] == body["uuid"]) {
            Some(existing) => existing,
            None => {
                seen.push(body);
                seen.len() - 1
            }
        };
        FakeResponse::data(json!({ "message_id": format!("om_{}", index + 1), "chat_id": "oc_1", "msg_type": seen[index]["msg_type"] }))
    });
    stored
}

#[tokio::test]
async fn a_text_to_a_chat_is_one_line_and_resent_safely_after_a_server_error() {
    let fake = FakeLark::start().await;
    let stored = store(&fake, MESSAGES);
    fake.inject(Fault::AfterHandling(503).on(HttpMethod::Post, MESSAGES));
    let client = client(&fake);

    let sent = client.send(To::chat("oc_1"), Text::new("hello ").mention("ou_2", "Tom")).await.expect("sent");

    assert_eq!(sent.message_id, "om_1");
    let requests = fake.requests_to(HttpMethod::Post, MESSAGES);
    assert_eq!(requests.len(), 2, "the 503 was retried: the body carries a uuid");
    assert_eq!(requests[0].query_value("receive_id_type"), Some("chat_id"));
    assert_eq!(requests[0].json()["uuid"], requests[1].json()["uuid"], "the same uuid both times");
    let stored = stored.lock().unwrap();
    assert_eq!(stored.len(), 1, "stored once");
    assert_eq!(stored[0]["receive_id"], "oc_1");
    assert_eq!(stored[0]["msg_type"], "text");
    assert_eq!(stored[0]["content"], r#"{"text":"hello <at user_id=\"ou_2\">Tom</at>"}"#);
    assert_eq!(stored[0]["uuid"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn every_send_gets_its_own_uuid() {
    let fake = FakeLark::start().await;
    let stored = store(&fake, MESSAGES);
    let client = client(&fake);
    client.send(To::open_id("ou_1"), "same words").await.unwrap();
    client.send(To::email("a@example.com"), "same words").await.unwrap();
    assert_eq!(stored.lock().unwrap().len(), 2, "two sends are two messages");
    let kinds: Vec<String> = fake
        .requests_to(HttpMethod::Post, MESSAGES)
        .iter()
        .map(|r| r.query_value("receive_id_type").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(kinds, ["open_id", "email"]);
}

#[tokio::test]
async fn an_invalid_card_never_reaches_the_network() {
    let fake = FakeLark::start().await;
    store(&fake, MESSAGES);
    let client = client(&fake);
    let card = Card::new().element(Element::markdown("x").id("bad-id"));
    let error = client.send(To::chat("oc_1"), card).await.unwrap_err();
    let Error::Content(error) = error else { panic!("{error}") };
    assert_eq!(error.path, "body.elements[0].element_id");
    assert!(fake.requests_to(HttpMethod::Post, MESSAGES).is_empty());
    assert_eq!(fake.token_requests(), 0, "not even a token was fetched");
}

#[tokio::test]
async fn replies_edits_and_card_updates() {
    let fake = FakeLark::start().await;
    let replies = store(&fake, "/open-apis/im/v1/messages/:message_id/reply");
    fake.route(HttpMethod::Put, "/open-apis/im/v1/messages/:message_id", |_| {
        FakeResponse::data(json!({ "message_id": "om_9" }))
    });
    fake.route(HttpMethod::Patch, "/open-apis/im/v1/messages/:message_id", |_| FakeResponse::data(json!({})));
    let client = client(&fake);

    client.reply("om_9", Content::image("img_1"), true).await.expect("replied");
    let reply = replies.lock().unwrap()[0].clone();
    assert_eq!(reply["msg_type"], "image");
    assert_eq!(reply["reply_in_thread"], true);
    assert_eq!(fake.requests()[1].path_param("message_id"), Some("om_9"));

    client.edit("om_9", "fixed typo").await.expect("edited");
    let edit = fake.requests_to(HttpMethod::Put, "/open-apis/im/v1/messages/:message_id")[0].json();
    assert_eq!(edit, json!({ "msg_type": "text", "content": r#"{"text":"fixed typo"}"# }));

    let refused = client.edit("om_9", Content::image("img_1")).await.unwrap_err();
    assert!(matches!(&refused, Error::Content(e) if e.path == "msg_type"), "{refused}");

    client.update_card("om_9", Card::new().element(Element::markdown("v2"))).await.expect("updated");
    let patch = fake.requests_to(HttpMethod::Patch, "/open-apis/im/v1/messages/:message_id")[0].json();
    let card: Value = serde_json::from_str(patch["content"].as_str().unwrap()).unwrap();
    assert_eq!(card["body"]["elements"][0]["content"], "v2");
    assert!(client.update_card("om_9", "text").await.is_err(), "a text is not a card");
}
