//! The echo bot end to end: its webhook served on 127.0.0.1, pushes encrypted and signed
//! as the platform sends them, and the fake Lark answering its calls.

use std::sync::{Arc, Mutex};

use lark_examples::echo::{self, STREAM_STEPS, STREAMED};
use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeRequest, FakeResponse};
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_runtime::webhook::{self, Webhook};
use serde_json::{Value, json};

const KEY: &str = "echo-encrypt-key";
const TOKEN: &str = "echo-verification-token";
const REPLY: &str = "/open-apis/im/v1/messages/:message_id/reply";
const CONTENT: &str = "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content";
const SETTINGS: &str = "/open-apis/cardkit/v1/cards/:card_id/settings";

struct Bot {
    fake: FakeLark,
    url: String,
    lines: Arc<Mutex<Vec<Value>>>,
    http: reqwest::Client,
}

impl Bot {
    async fn start() -> Bot {
        let fake = FakeLark::start().await;
        fake.route(HttpMethod::Post, REPLY, |_| {
            FakeResponse::data(json!({ "message_id": "om_reply", "chat_id": "oc_1" }))
        });
        fake.route(HttpMethod::Post, "/open-apis/cardkit/v1/cards", |_| {
            FakeResponse::data(json!({ "card_id": "card_1" }))
        });
        // Like the platform: each change needs a larger sequence than the last.
        let last = Arc::new(Mutex::new(0_i64));
        let sequenced = move |r: &FakeRequest| {
            let sequence = r.json()["sequence"].as_i64().unwrap_or_default();
            let mut last = last.lock().unwrap();
            if sequence <= *last {
                return FakeResponse::api_error(300317, "sequence number compare failed").status(400);
            }
            *last = sequence;
            FakeResponse::data(json!({}))
        };
        fake.route(HttpMethod::Put, CONTENT, sequenced.clone());
        fake.route(HttpMethod::Patch, SETTINGS, sequenced);

        let client = lark_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
            .base_url(fake.base_url())
            .build()
            .expect("client");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&lines);
        let hook = Webhook::builder()
            .encrypt_key(KEY)
            .verification_token(TOKEN)
            .build(echo::dispatcher(client, Arc::new(move |line| keep.lock().unwrap().push(line))));
        let app = axum::Router::new().route("/webhook/event", webhook::axum::events(hook));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/webhook/event", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Bot { fake, url, lines, http: reqwest::Client::new() }
    }

    /// Pushes an event as the platform does; returns the status and the body.
    async fn push(&self, event_type: &str, event_id: &str, event: Value) -> (u16, Value) {
        let body = v2_envelope(event_type, event_id, TOKEN, &event.to_string());
        let push = Push::new(body).encrypt_and_sign(KEY);
        let request = push.request();
        let mut post = self.http.post(&self.url).body(push.body());
        for (name, value) in request.headers() {
            post = post.header(name.as_str(), value.to_str().unwrap());
        }
        let response = post.send().await.expect("the bot answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn message(&self, event_id: &str, message_id: &str, text: &str, mentions: Value) -> u16 {
        let message = json!({
            "message_id": message_id,
            "chat_id": "oc_1",
            "message_type": "text",
            "content": json!({ "text": text }).to_string(),
            "mentions": mentions,
        });
        self.push("im.message.receive_v1", event_id, json!({ "message": message })).await.0
    }

    fn replies(&self) -> Vec<(String, Value)> {
        self.fake
            .requests_to(HttpMethod::Post, REPLY)
            .iter()
            .map(|r| (r.path_param("message_id").unwrap_or_default().to_owned(), r.json()))
            .collect()
    }
}

fn content(reply: &Value) -> Value {
    serde_json::from_str(reply["content"].as_str().expect("content is a string")).expect("content is JSON")
}

#[tokio::test]
async fn text_replies_resolve_mentions_keep_user_text_literal_and_are_sent_once() {
    let bot = Bot::start().await;
    let tom = json!([{ "key": "@_user_1", "name": "Tom", "id": { "open_id": "ou_tom" } }]);

    assert_eq!(bot.message("ev_1", "om_1", "hi @_user_1", tom.clone()).await, 200);
    assert_eq!(bot.message("ev_1", "om_1", "hi @_user_1", tom.clone()).await, 200, "a redelivery is acknowledged");
    assert_eq!(bot.message("ev_2", "om_2", "<at user_id=\"all\"></at> [x](https://evil)", json!([])).await, 200);

    let replies = bot.replies();
    assert_eq!(replies.len(), 2, "the redelivery was not answered again: {replies:?}");
    assert_eq!(replies[0].0, "om_1");
    assert_eq!(replies[0].1["msg_type"], "text");
    assert_eq!(content(&replies[0].1), json!({ "text": "you said: hi @Tom" }));
    assert!(replies[0].1["uuid"].is_string(), "replies carry a uuid, so a retry never doubles them");
    // Markup typed by a user comes back literally, as post text nodes.
    assert_eq!(replies[1].1["msg_type"], "post");
    assert_eq!(
        content(&replies[1].1)["zh_cn"]["content"][0][1],
        json!({ "tag": "text", "text": "<at user_id=\"all\"></at> [x](https://evil)", "style": [] })
    );
    let lines = bot.lines.lock().unwrap();
    assert_eq!(lines.len(), 2, "one line per handled event");
    assert_eq!((lines[0]["event_id"].as_str(), lines[0]["typed"]["reply"].as_str()), (Some("ev_1"), Some("text")));
}

#[tokio::test]
async fn card_then_click_answers_with_a_toast_and_the_changed_card() {
    let bot = Bot::start().await;
    assert_eq!(bot.message("ev_3", "om_3", "card", json!([])).await, 200);
    let (_, reply) = bot.replies().pop().expect("a reply");
    assert_eq!(reply["msg_type"], "interactive");
    let card = content(&reply);
    assert_eq!(card["schema"], "2.0");
    let button = &card["body"]["elements"][1];
    assert_eq!(button["tag"], "button");
    assert_eq!(button["behaviors"], json!([{ "type": "callback", "value": { "action": "like" } }]));

    let click = json!({
        "operator": { "open_id": "ou_9" },
        "token": "c-update",
        "action": { "tag": "button", "value": { "action": "like" } },
        "context": { "open_message_id": "om_reply", "open_chat_id": "oc_1" },
    });
    let (status, answer) = bot.push("card.action.trigger", "ev_4", click).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["toast"],
        json!({ "type": "success", "content": "Thanks for the like", "i18n": { "zh_cn": "感谢点赞" } })
    );
    assert_eq!(answer["card"]["type"], "raw");
    assert_eq!(answer["card"]["data"]["schema"], "2.0");
    assert_eq!(answer["card"]["data"]["body"]["elements"][0]["content"], "Liked by <at id=ou_9></at>.");
}

#[tokio::test]
async fn stream_creates_an_entity_replies_with_it_and_streams_in_sequence() {
    let bot = Bot::start().await;
    assert_eq!(bot.message("ev_5", "om_5", "stream", json!([])).await, 200);

    let created = bot.fake.requests_to(HttpMethod::Post, "/open-apis/cardkit/v1/cards");
    let card: Value = serde_json::from_str(created[0].json()["data"].as_str().unwrap()).unwrap();
    assert_eq!(card["config"]["streaming_mode"], true);
    let (_, reply) = bot.replies().pop().expect("a reply");
    assert_eq!(reply["msg_type"], "interactive");
    assert_eq!(content(&reply), json!({ "type": "card", "data": { "card_id": "card_1" } }));

    let steps = bot.fake.requests_to(HttpMethod::Put, CONTENT);
    let sent: Vec<(i64, String)> = steps
        .iter()
        .map(|r| (r.json()["sequence"].as_i64().unwrap(), r.json()["content"].as_str().unwrap().to_owned()))
        .collect();
    let expected: Vec<(i64, String)> = (1..).zip(STREAM_STEPS.iter().map(|s| (*s).to_owned())).collect();
    assert_eq!(sent, expected);
    assert!(steps.iter().all(|r| r.path_param("element_id") == Some(STREAMED)));
    let end = bot.fake.requests_to(HttpMethod::Patch, SETTINGS);
    assert_eq!(end.len(), 1);
    assert_eq!(end[0].json()["sequence"], 4, "ending streaming continues the sequence");
    assert_eq!(end[0].json()["settings"], r#"{"config":{"streaming_mode":false}}"#);
}
