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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_stream_numbers_every_change_from_1_even_with_concurrent_callers() {
    use lark_runtime::message::CardStream;

    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/cardkit/v1/cards", |_| FakeResponse::data(json!({ "card_id": "card_7" })));
    // Like the platform: a sequence that does not grow is refused with 300317.
    let last = Arc::new(Mutex::new(0_i64));
    let seen = Arc::clone(&last);
    let check = move |r: &lark_runtime::fake::FakeRequest| {
        let sequence = r.json()["sequence"].as_i64().unwrap_or_default();
        let mut last = seen.lock().unwrap();
        if sequence <= *last {
            return FakeResponse::api_error(300317, "sequence number compare failed").status(400);
        }
        *last = sequence;
        FakeResponse::data(json!({}))
    };
    let settings = check.clone();
    fake.route(HttpMethod::Put, "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content", check);
    fake.route(HttpMethod::Patch, "/open-apis/cardkit/v1/cards/:card_id/settings", settings);
    let client = client(&fake);

    let stream = CardStream::create(&client, Card::new().element(Element::markdown("").id("answer"))).await.unwrap();
    assert_eq!(stream.card_id(), "card_7");
    let created = fake.requests_to(HttpMethod::Post, "/open-apis/cardkit/v1/cards")[0].json();
    assert_eq!(created["type"], "card_json");
    let card: Value = serde_json::from_str(created["data"].as_str().unwrap()).unwrap();
    assert_eq!(card["config"]["streaming_mode"], true, "created in streaming mode");

    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let stream = stream.clone();
            tokio::spawn(async move { stream.text("answer", &format!("part {i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every concurrent change is accepted");
    }
    stream.finish().await.expect("streaming ends with the next sequence");

    let contents =
        fake.requests_to(HttpMethod::Put, "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content");
    let sequences: Vec<i64> = contents.iter().map(|r| r.json()["sequence"].as_i64().unwrap()).collect();
    assert_eq!(sequences, (1..=8).collect::<Vec<_>>(), "sent in order, from 1");
    assert_eq!(contents[0].path_param("element_id"), Some("answer"));
    let end = fake.requests_to(HttpMethod::Patch, "/open-apis/cardkit/v1/cards/:card_id/settings")[0].json();
    assert_eq!(end["sequence"], 9);
    assert_eq!(end["settings"], r#"{"config":{"streaming_mode":false}}"#);
    assert_eq!(stream.last_sequence().await, 9);
}

#[tokio::test]
async fn a_stream_change_is_resent_after_a_server_error_with_the_same_sequence() {
    use lark_runtime::message::CardStream;

    let fake = FakeLark::start().await;
    let path = "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content";
    fake.route(HttpMethod::Put, path, |_| FakeResponse::data(json!({})));
    fake.inject(Fault::AfterHandling(503).on(HttpMethod::Put, path));
    let client = client(&fake);
    let stream = CardStream::resume(&client, "card_1", 4);
    stream.text("answer", "hello").await.expect("resent after the 503");
    let sent = fake.requests_to(HttpMethod::Put, path);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].json(), sent[1].json(), "same sequence 5 and uuid both times");
    assert_eq!(sent[0].json()["sequence"], 5);
}

#[tokio::test]
async fn delayed_card_updates_and_batch_sends_have_their_own_bodies() {
    use lark_runtime::message::card::CardAnswer;
    use lark_runtime::message::{BatchTo, Post, PostBody};

    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/interactive/v1/card/update", |_| FakeResponse::data(json!({})));
    fake.route(HttpMethod::Post, "/open-apis/message/v4/batch_send/", |_| {
        FakeResponse::data(json!({ "message_id": "bm_1", "invalid_open_ids": ["ou_gone"] }))
    });
    let client = client(&fake);

    client.update_card_later("c-token", Card::new().element(Element::markdown("done"))).await.unwrap();
    let update = fake.requests_to(HttpMethod::Post, "/open-apis/interactive/v1/card/update")[0].json();
    assert_eq!(update["token"], "c-token");
    assert_eq!(update["card"]["body"]["elements"][0]["content"], "done", "the card as an object, not a string");
    assert!(client.update_card_later("c-token", "text").await.is_err());
    let _ = CardAnswer::nothing();

    let to = BatchTo::open_ids(["ou_1", "ou_gone"]).and_departments(["od_1"]);
    let sent = client.batch_send(to.clone(), "hi all").await.unwrap();
    assert_eq!((sent.message_id.as_str(), sent.invalid_open_ids.as_slice()), ("bm_1", &["ou_gone".to_owned()][..]));
    client.batch_send(to.clone(), Post::zh_cn(PostBody::titled("T"))).await.unwrap();
    client.batch_send(to.clone(), Content::share_chat("oc_1")).await.unwrap();
    client.batch_send(to.clone(), Card::new().element(Element::markdown("c"))).await.unwrap();
    let bodies: Vec<Value> =
        fake.requests_to(HttpMethod::Post, "/open-apis/message/v4/batch_send/").iter().map(|r| r.json()).collect();
    assert_eq!(
        bodies[0],
        json!({ "msg_type": "text", "content": { "text": "hi all" }, "open_ids": ["ou_1", "ou_gone"], "department_ids": ["od_1"] })
    );
    assert_eq!(bodies[1]["content"], json!({ "post": { "zh_cn": { "title": "T", "content": [] } } }));
    assert_eq!(bodies[2]["content"], json!({ "share_chat_id": "oc_1" }));
    assert_eq!(bodies[3]["card"]["schema"], "2.0");
    assert!(bodies[3].get("content").is_none(), "cards go in `card`");
    let refused = client.batch_send(to, Content::file("f")).await.unwrap_err();
    assert!(matches!(&refused, Error::Content(e) if e.path == "msg_type"), "{refused}");
}
