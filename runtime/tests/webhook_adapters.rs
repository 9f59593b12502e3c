//! The axum routes and the hyper service, served over real TCP and called with reqwest.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use lark_runtime::event::{Dispatcher, EventContext};
use lark_runtime::webhook::hyper::WebhookService;
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_runtime::webhook::{self, Webhook};
use tokio::net::TcpListener;

const KEY: &str = "encrypt-key-Zq8";
const TOKEN: &str = "verification-token-Wm3";

fn recording_webhook(limit: usize) -> (Webhook, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let dispatcher = Dispatcher::new()
        .fallback(move |ctx: EventContext| {
            log.lock().unwrap().push(ctx.event_id().unwrap_or_default().to_owned());
            async { Ok(()) }
        })
        .on_card_action(|_ctx, _action| async { Ok(serde_json::json!({ "ok": true })) });
    let hook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).max_body_bytes(limit).build(dispatcher);
    (hook, seen)
}

async fn post(url: &str, push: &Push) -> (u16, String) {
    let request = push.request();
    let mut call = reqwest::Client::new().post(url).body(request.body().clone());
    for (name, value) in request.headers() {
        call = call.header(name.as_str(), value.to_str().unwrap());
    }
    let response = call.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn check_endpoints(events: &str, cards: &str, seen: &Mutex<Vec<String>>) {
    let event = Push::new(v2_envelope("im.message.receive_v1", "ev_1", TOKEN, "{}")).encrypt_and_sign(KEY);
    assert_eq!(post(events, &event).await, (200, "{}".into()));
    assert_eq!(post(events, &Push::new("{}")).await.0, 401);
    let card = Push::new(r#"{"open_id":"ou","action":{"tag":"button"}}"#).sign_card(TOKEN);
    assert_eq!(post(cards, &card).await, (200, r#"{"ok":true}"#.into()));
    // Far over the 4 KiB limit: the adapter stops reading and answers 413.
    let big = Push::new(format!(r#"{{"pad":"{}"}}"#, "x".repeat(64 * 1024)));
    assert_eq!(post(events, &big).await, (413, r#"{"error":"body_too_large"}"#.into()));
    assert_eq!(*seen.lock().unwrap(), ["ev_1"]);
}

#[tokio::test]
async fn axum_routes() {
    let (hook, seen) = recording_webhook(4096);
    let app = axum::Router::new()
        .route("/webhook/event", webhook::axum::events(hook.clone()))
        .route("/webhook/card", webhook::axum::cards(hook));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    check_endpoints(&format!("http://{addr}/webhook/event"), &format!("http://{addr}/webhook/card"), &seen).await;
    let get = reqwest::get(format!("http://{addr}/webhook/event")).await.unwrap();
    assert_eq!(get.status(), 405);
}

async fn serve_hyper(service: WebhookService) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = service.clone();
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    addr
}

#[tokio::test]
async fn hyper_service() {
    let (hook, seen) = recording_webhook(4096);
    let events = serve_hyper(WebhookService::events(hook.clone())).await;
    let cards = serve_hyper(WebhookService::cards(hook)).await;
    check_endpoints(&format!("http://{events}/"), &format!("http://{cards}/"), &seen).await;
}

#[tokio::test]
async fn hyper_functions_for_custom_routing() {
    let (hook, seen) = recording_webhook(4096);
    let push = Push::new(v2_envelope("x", "ev_2", TOKEN, "{}")).encrypt_and_sign(KEY);
    let request = push.request().map(http_body_util::Full::new);
    let response = webhook::hyper::events(&hook, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(*seen.lock().unwrap(), ["ev_2"], "the event reached its handler");
    let card = Push::new(r#"{"action":{}}"#).sign_card(TOKEN).request().map(http_body_util::Full::new);
    let response = webhook::hyper::cards(&hook, card).await;
    assert_eq!(response.status(), 200);
    // Only the card handler answers `{"ok":true}`.
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    assert_eq!(&body[..], br#"{"ok":true}"#);
}
