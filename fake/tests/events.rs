//! Events the offline Lark pushes: to a webhook, encrypted, signed and retried as the
//! platform does; over the long connection, to one client at a time; and through the
//! control API, for tests in any language.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lark_fake::{Lark, Outcome, Platform, PushError};
use lark_runtime::event::{Dispatcher, EventContext, HandlerError};
use lark_runtime::webhook::{self, Webhook};
use lark_runtime::ws::WsClient;
use lark_runtime::{Client, HttpMethod};
use serde_json::{Value, json};

const KEY: &str = "events-key";
const TOKEN: &str = "events-token";

/// An app's event URL served on 127.0.0.1 by the runtime's webhook (which decrypts and
/// checks the signature and token) with this dispatcher; returns the URL.
async fn serve(dispatcher: Dispatcher) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/events", listener.local_addr().expect("address"));
    let hook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher);
    let app = axum::Router::new().route("/events", webhook::axum::events(hook));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn platform(url: &str) -> Platform {
    Platform::new().push_to(url).encrypt_key(KEY).verification_token(TOKEN)
}

/// Each handled event: its id and when it arrived.
type Seen = Arc<Mutex<Vec<(String, Instant)>>>;

fn recording(fail: bool) -> (Dispatcher, Seen) {
    let seen: Seen = Arc::default();
    let keep = Arc::clone(&seen);
    let dispatcher = Dispatcher::new().fallback(move |ctx: EventContext| {
        keep.lock().unwrap().push((ctx.event_id().unwrap_or_default().to_owned(), Instant::now()));
        async move { if fail { Err(HandlerError::from("the app is down")) } else { Ok(()) } }
    });
    (dispatcher, seen)
}

#[tokio::test]
async fn an_app_that_answers_500_gets_the_event_again_on_the_schedule_then_it_is_given_up() {
    let (dispatcher, seen) = recording(true);
    let delays = [Duration::from_millis(15), Duration::from_millis(60), Duration::from_millis(120)];
    let lark = platform(&serve(dispatcher).await).retry_delays(delays).start().await;
    let tom = lark.user("Tom");
    let chat = lark.p2p(&tom);

    let pushed = lark.user_says(&tom, &chat, "hello?").await.expect("pushed");
    let delivery = pushed.delivery();
    for attempt in &delivery.attempts {
        println!("attempt after {:>4} ms: {}", attempt.after.as_millis(), attempt.outcome);
    }
    assert!(!delivery.delivered);
    let outcomes: Vec<&Outcome> = delivery.attempts.iter().map(|a| &a.outcome).collect();
    assert_eq!(outcomes, [&Outcome::Answered(500); 4], "the first push and three retries");
    let mut waited = Duration::ZERO;
    for (attempt, delay) in delivery.attempts[1..].iter().zip(delays) {
        waited += delay;
        assert!(attempt.after >= waited, "{:?} came before {waited:?}", attempt.after);
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "each attempt reached the app, decrypted and verified");
    assert!(seen.iter().all(|(id, _)| id == pushed.event_id()), "every redelivery keeps the event id");
    assert_eq!(lark.deliveries(), std::slice::from_ref(delivery));
    lark.shutdown().await;
}

#[tokio::test]
async fn a_slow_answer_counts_as_failed_and_the_event_is_pushed_again() {
    // A plain endpoint: the first push takes longer than the platform waits.
    let hits = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&hits);
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |body: axum::body::Bytes| {
            let record = Arc::clone(&record);
            async move {
                let first = {
                    let mut hits = record.lock().unwrap();
                    hits.push(body.len());
                    hits.len() == 1
                };
                if first {
                    tokio::time::sleep(Duration::from_millis(400)).await;
                }
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/events", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let lark = platform(&url)
        .answer_within(Duration::from_millis(150))
        .retry_delays([Duration::from_millis(10)])
        .start()
        .await;
    let tom = lark.user("Tom");
    let pushed = lark.user_says(&tom, &lark.p2p(&tom), "slow").await.expect("pushed");
    let outcomes: Vec<&Outcome> = pushed.delivery().attempts.iter().map(|a| &a.outcome).collect();
    assert_eq!(outcomes, [&Outcome::TimedOut, &Outcome::Answered(200)]);
    assert!(pushed.delivery().attempts[0].took >= Duration::from_millis(150));
    assert!(pushed.delivered());
    assert_eq!(hits.lock().unwrap().len(), 2);
    lark.shutdown().await;
}

#[tokio::test]
async fn v1_events_come_in_the_v1_envelope() {
    let got: Arc<Mutex<Option<Value>>> = Arc::default();
    let keep = Arc::clone(&got);
    let dispatcher = Dispatcher::new().on_raw("p2p_chat_create", move |ctx: EventContext| {
        *keep.lock().unwrap() =
            Some(json!({"id": ctx.event_id(), "event": serde_json::from_str::<Value>(ctx.raw_event().get()).ok()}));
        async { Ok(()) }
    });
    let lark = platform(&serve(dispatcher).await).start().await;
    let pushed = lark.push("p2p_chat_create", json!({"chat_id": "oc_1"})).await.expect("pushed");
    assert!(pushed.delivered(), "{:?}", pushed.delivery());
    let got = got.lock().unwrap().clone().expect("handled");
    assert_eq!(got["id"], pushed.event_id(), "the v1 uuid");
    assert_eq!(got["event"]["type"], "p2p_chat_create");
    assert_eq!(got["event"]["chat_id"], "oc_1");
    lark.shutdown().await;
}

#[tokio::test]
async fn bad_pushes_name_what_is_wrong() {
    let (dispatcher, _) = recording(false);
    let lark = platform(&serve(dispatcher).await).start().await;
    let unknown = lark.push("im.message.teleported_v9", json!({})).await.expect_err("unknown");
    assert_eq!(unknown, PushError::UnknownEvent("im.message.teleported_v9".to_owned()));
    let wrong = lark.push("im.message.receive_v1", json!({"message": {"chat_id": 5}})).await.expect_err("a number");
    assert!(matches!(&wrong, PushError::Invalid { field, .. } if field == "event.message.chat_id"), "{wrong}");
    lark.shutdown().await;

    let nowhere = Platform::new().start().await;
    let tom = nowhere.user("Tom");
    let err = nowhere.user_says(&tom, &nowhere.p2p(&tom), "hi").await.expect_err("no URL, no client");
    assert_eq!(err, PushError::NoTarget);
    nowhere.shutdown().await;
}

/// A long-connection client of `lark` with this dispatcher, connected.
async fn connect(lark: &Lark, dispatcher: Dispatcher) -> lark_runtime::ws::ShutdownHandle {
    let client = Client::builder(lark.app_id(), lark.app_secret()).base_url(lark.base_url()).build().expect("client");
    let ws = WsClient::builder(&client).build(dispatcher);
    let stop = ws.shutdown_handle();
    tokio::spawn(ws.run());
    stop
}

#[tokio::test]
async fn over_the_long_connection_each_event_goes_to_one_client() {
    let lark = Platform::new().start().await;
    let (first, seen_first) = recording(false);
    let (second, seen_second) = recording(false);
    let stops = [connect(&lark, first).await, connect(&lark, second).await];
    assert!(lark.wait_for_clients(2, Duration::from_secs(5)).await, "both connect");

    let tom = lark.user("Tom");
    let chat = lark.p2p(&tom);
    let mut connections = Vec::new();
    for text in ["one", "two"] {
        let pushed = lark.user_says(&tom, &chat, text).await.expect("pushed");
        match pushed.delivery().attempts[..] {
            [ref only] => match only.outcome {
                Outcome::Acked { connection, code: 200 } => connections.push(connection),
                ref other => panic!("{other}"),
            },
            ref attempts => panic!("{attempts:?}"),
        }
    }
    assert_ne!(connections[0], connections[1], "one event each");
    assert_eq!((seen_first.lock().unwrap().len(), seen_second.lock().unwrap().len()), (1, 1));
    for stop in stops {
        stop.shutdown();
    }
    lark.shutdown().await;
}

#[tokio::test]
async fn discovery_refuses_wrong_credentials() {
    let lark = Platform::new().start().await;
    let client = Client::builder(lark.app_id(), "wrong").base_url(lark.base_url()).build().expect("client");
    let refused = WsClient::builder(&client).build(Dispatcher::new()).run().await;
    assert!(matches!(refused, Err(lark_runtime::ws::WsError::Refused { code: 10014, .. })), "{refused:?}");
    lark.shutdown().await;
}

#[tokio::test]
async fn the_control_api_pushes_events_and_lists_the_bots_replies() {
    // A bot in "another language": it only speaks HTTP to the fake.
    let slot: Arc<Mutex<Option<Client>>> = Arc::default();
    let client_slot = Arc::clone(&slot);
    let dispatcher = Dispatcher::new().on_raw("im.message.receive_v1", move |ctx: EventContext| {
        let client = client_slot.lock().unwrap().clone().expect("the client");
        async move {
            let event: Value = serde_json::from_str(ctx.raw_event().get())?;
            let id = event["message"]["message_id"].as_str().unwrap_or_default().to_owned();
            let body = json!({"msg_type": "text", "content": json!({"text": "pong"}).to_string()});
            let path = format!("/open-apis/im/v1/messages/{id}/reply");
            client.raw(HttpMethod::Post, path).json(&body).send::<Value>().await?;
            Ok(())
        }
    });
    let lark = platform(&serve(dispatcher).await).start().await;
    *slot.lock().unwrap() =
        Some(Client::builder(lark.app_id(), lark.app_secret()).base_url(lark.base_url()).build().expect("client"));
    let http = reqwest::Client::new();
    let base = lark.base_url();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();

    let user: Value = post("/__fake/users", json!({"name": "Tom"})).await.unwrap().json().await.unwrap();
    let chat: Value = post("/__fake/chats", json!({"name": "Ops", "members": [user["data"]["open_id"]]}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chat_id = chat["data"]["chat_id"].as_str().expect("a chat").to_owned();
    let event = json!({"message": {"chat_id": chat_id, "message_type": "text", "content": "{\"text\":\"ping\"}"}});
    let pushed = post("/__fake/events", json!({"event_type": "im.message.receive_v1", "event": event})).await.unwrap();
    assert_eq!(pushed.status(), 200);
    let pushed: Value = pushed.json().await.unwrap();
    assert_eq!(pushed["data"]["delivered"], true, "{pushed}");
    assert_eq!(pushed["data"]["attempts"][0]["outcome"], "HTTP 200");
    let event_id = pushed["data"]["event_id"].as_str().expect("an id");

    let listed: Value = http
        .get(format!("{base}/__fake/messages?chat_id={chat_id}&after={event_id}&from=bot"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = listed["data"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["plain_text"], "pong");
    let all: Value =
        http.get(format!("{base}/__fake/messages?chat_id={chat_id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all["data"]["items"][0]["plain_text"], "ping", "the pushed message is remembered");

    let bad = post("/__fake/events", json!({"event_type": "nope", "event": {}})).await.unwrap();
    assert_eq!(bad.status(), 400);
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(
        (bad["code"].as_i64(), bad["error"]["field_violations"][0]["field"].as_str()),
        (Some(99992402), Some("event_type"))
    );
    let deliveries: Value = http.get(format!("{base}/__fake/deliveries")).send().await.unwrap().json().await.unwrap();
    assert_eq!(deliveries["data"]["items"].as_array().map(Vec::len), Some(1));
    assert!(lark.requests().iter().all(|r| !r.path.starts_with("/__fake/")), "control calls are not the platform's");
    lark.shutdown().await;

    let nowhere = Platform::new().start().await;
    let refused = http
        .post(format!("{}/__fake/events", nowhere.base_url()))
        .json(&json!({"event_type": "im.message.receive_v1", "event": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    nowhere.shutdown().await;
}
