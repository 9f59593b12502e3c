//! Whole flows surviving a revoked token, a rate limit and a server error mid-run, with
//! no error the caller sees and no duplicate message.
//!
//! Creating a message is a POST, which the platform does not promise to run only once:
//! after a 503 the message may or may not exist. So a plain POST is never repeated after
//! a 5xx, a timeout or a lost connection; the caller gets the error. A message sent with
//! a `uuid` is different: the platform drops a repeat with the same uuid (for an hour),
//! so such a call is marked retry-safe and repeated. A 429 is always repeated: the
//! platform refused it without acting.

mod common;

use std::sync::{Arc, Mutex};

use common::{client, endpoint};
use futures_util::StreamExt;
use lark_runtime::fake::{FakeLark, FakePages, FakeResponse, Fault};
use lark_runtime::{Endpoint, Error, HttpMethod, Page, PageRequest, Request, ResponseKind, TokenKind};
use serde::Deserialize;
use serde_json::{Value, json};

const MESSAGES: &str = "/open-apis/im/v1/messages";
static SEND_MESSAGE: Endpoint =
    endpoint("im.v1.message.create", HttpMethod::Post, MESSAGES, &[TokenKind::Tenant], ResponseKind::Data);

#[derive(Debug, Deserialize)]
struct Sent {
    message_id: String,
}

/// What generated code would build for `im.v1.message.create`: with a uuid, the request
/// is marked retry-safe.
fn send_message(chat: &str, text: &str, uuid: Option<&str>) -> Request {
    let mut request = Request::new(&SEND_MESSAGE);
    request.query("receive_id_type", "chat_id".to_owned());
    let mut body = json!({ "receive_id": chat, "msg_type": "text", "content": json!({ "text": text }).to_string() });
    if let Some(uuid) = uuid {
        body["uuid"] = json!(uuid);
        request.set_retry_safe();
    }
    request.json_body(&body);
    request
}

/// A chat that stores messages and, like the platform, ignores a repeated uuid.
fn chat(fake: &FakeLark) -> Arc<Mutex<Vec<String>>> {
    let stored = Arc::new(Mutex::new(Vec::<(Option<String>, String)>::new()));
    let texts = Arc::new(Mutex::new(Vec::new()));
    let (store, seen) = (Arc::clone(&stored), Arc::clone(&texts));
    fake.route(HttpMethod::Post, MESSAGES, move |r| {
        let body = r.json();
        let uuid = body["uuid"].as_str().map(str::to_owned);
        let mut store = store.lock().unwrap();
        let index = match store.iter().position(|(u, _)| uuid.is_some() && *u == uuid) {
            Some(existing) => existing,
            None => {
                let content = body["content"].as_str().unwrap_or_default().to_owned();
                seen.lock().unwrap().push(content.clone());
                store.push((uuid, content));
                store.len() - 1
            }
        };
        FakeResponse::data(json!({ "message_id": format!("om_{}", index + 1) }))
    });
    texts
}

/// Before send 2 the tokens are revoked, send 3 is throttled, and send 4 is stored by the
/// server and then answered 503 by the gateway.
fn trouble_before_send(fake: &FakeLark, n: usize) {
    let fault = match n {
        2 => Fault::RevokeTokens,
        3 => Fault::RateLimit { reset_seconds: 0.05 },
        4 => Fault::AfterHandling(503),
        _ => return,
    };
    fake.inject(fault.on(HttpMethod::Post, MESSAGES));
}

fn text(n: usize) -> String {
    json!({ "text": format!("message {n}") }).to_string()
}

#[tokio::test]
async fn five_sends_with_uuids_survive_revoke_429_and_503_exactly_once() {
    let fake = FakeLark::start().await;
    let stored = chat(&fake);
    let client = client(&fake);
    let mut ids = Vec::new();
    for n in 1..=5 {
        trouble_before_send(&fake, n);
        let uuid = format!("send-{n}");
        let sent: Sent = client.call(send_message("oc_1", &format!("message {n}"), Some(&uuid))).await.unwrap();
        ids.push(sent.message_id);
    }
    assert_eq!(ids, ["om_1", "om_2", "om_3", "om_4", "om_5"]);
    assert_eq!(*stored.lock().unwrap(), (1..=5).map(text).collect::<Vec<_>>(), "each message exactly once");
    // 1 + (refused, resent) + (429, resent) + (503, resent) + 1.
    assert_eq!(fake.requests_to(HttpMethod::Post, MESSAGES).len(), 8);
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn a_send_without_uuid_is_not_repeated_after_a_503() {
    let fake = FakeLark::start().await;
    let stored = chat(&fake);
    let client = client(&fake);
    let mut outcomes = Vec::new();
    for n in 1..=5 {
        trouble_before_send(&fake, n);
        outcomes.push(client.call::<Sent>(send_message("oc_1", &format!("message {n}"), None)).await);
    }
    // The revoke and the 429 are invisible; the 503 is reported, since repeating the
    // send could post the message twice (here the server had in fact stored it).
    assert!(outcomes.iter().enumerate().all(|(i, o)| o.is_ok() == (i != 3)), "{outcomes:?}");
    let err = outcomes[3].as_ref().unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(*stored.lock().unwrap(), (1..=5).map(text).collect::<Vec<_>>(), "no duplicate");
    assert_eq!(fake.requests_to(HttpMethod::Post, MESSAGES).len(), 7);
}

const USERS: &str = "/open-apis/contact/v3/users";
static LIST_USERS: Endpoint =
    endpoint("contact.v3.user.list", HttpMethod::Get, USERS, &[TokenKind::Tenant], ResponseKind::Data);

#[derive(Clone, Default)]
struct ListUsers {
    page_token: Option<String>,
}

impl PageRequest for ListUsers {
    type Page = UserPage;
    fn set_page_token(&mut self, token: Option<String>) {
        self.page_token = token;
    }
    fn to_request(&self) -> Request {
        let mut request = Request::new(&LIST_USERS);
        request.query("page_size", "2".to_owned());
        if let Some(token) = &self.page_token {
            request.query("page_token", token.clone());
        }
        request
    }
}

#[derive(Deserialize)]
struct UserPage {
    has_more: Option<bool>,
    page_token: Option<String>,
    items: Option<Vec<Value>>,
}

impl Page for UserPage {
    type Item = Value;
    fn has_more(&self) -> Option<bool> {
        self.has_more
    }
    fn next_page_token(&self) -> Option<&str> {
        self.page_token.as_deref()
    }
    fn into_items(self) -> Vec<Value> {
        self.items.unwrap_or_default()
    }
}

#[tokio::test]
async fn listing_users_survives_revoke_429_and_503_between_pages() {
    let fake = FakeLark::start().await;
    let users: Vec<_> = (1..=8).map(|i| json!({ "open_id": format!("ou_{i}") })).collect();
    fake.route_pages(
        HttpMethod::Get,
        USERS,
        FakePages::new(users).last_page(lark_runtime::fake::LastPage::EmptyTokenButHasMore),
    );
    let client = client(&fake);
    let mut pages = client.paginate(ListUsers::default()).items();
    let mut seen = Vec::new();
    let faults = [Fault::RevokeTokens, Fault::RateLimit { reset_seconds: 0.05 }, Fault::Status(503)];
    let mut faults = faults.into_iter();
    while let Some(user) = pages.next().await {
        let user = user.unwrap();
        seen.push(user["open_id"].as_str().unwrap().to_owned());
        // After each page's last item, arm the next fault for the next page.
        if seen.len() % 2 == 0
            && let Some(fault) = faults.next()
        {
            fake.inject(fault.on(HttpMethod::Get, USERS));
        }
    }
    assert_eq!(seen, (1..=8).map(|i| format!("ou_{i}")).collect::<Vec<_>>());
    // Four pages, three of them faulted once.
    assert_eq!(fake.requests_to(HttpMethod::Get, USERS).len(), 7);
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn raw_calls_share_tokens_retries_and_errors() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/x/v1/things/:id", |r| {
        FakeResponse::data(json!({ "id": r.path_param("id"), "q": r.query_values("tag") }))
    });
    fake.route(HttpMethod::Post, "/open-apis/x/v1/things", |r| FakeResponse::data(r.json()));
    fake.route_public(HttpMethod::Get, "/open-apis/x/v1/public", |r| {
        FakeResponse::json(json!({ "code": 0, "auth": r.header("authorization") }))
    });
    let client = client(&fake);
    fake.inject(Fault::Status(503).on(HttpMethod::Get, "/open-apis/x/v1/things/:id"));
    let thing: Value = client
        .raw(HttpMethod::Get, "/open-apis/x/v1/things/:id")
        .path_param("id", "a/b")
        .query("tag", "1")
        .query("tag", "2")
        .send()
        .await
        .unwrap();
    assert_eq!(thing, json!({ "id": "a/b", "q": ["1", "2"] }));
    assert_eq!(fake.requests_to(HttpMethod::Get, "/open-apis/x/v1/things/:id").len(), 2);

    fake.inject(Fault::RateLimit { reset_seconds: 0.01 }.on(HttpMethod::Post, "/open-apis/x/v1/things"));
    let created: Value =
        client.raw(HttpMethod::Post, "/open-apis/x/v1/things").json(&json!({ "name": "n" })).send().await.unwrap();
    assert_eq!(created["name"], "n");

    let public: Value = client
        .raw(HttpMethod::Get, "/open-apis/x/v1/public")
        .tokens(&[])
        .response(ResponseKind::Flat)
        .send()
        .await
        .unwrap();
    assert_eq!(public["auth"], Value::Null);

    fake.inject(
        Fault::Reply(FakeResponse::api_error(99991672, "denied")).on(HttpMethod::Get, "/open-apis/x/v1/things/:id"),
    );
    let err = client
        .raw(HttpMethod::Get, "/open-apis/x/v1/things/:id")
        .path_param("id", "1")
        .send::<Value>()
        .await
        .unwrap_err();
    assert_eq!(err.api_error().unwrap().endpoint, "/open-apis/x/v1/things/:id");
    let owned = String::from("/open-apis/x/v1/things/:id");
    fake.inject(
        Fault::Reply(FakeResponse::api_error(99991672, "denied")).on(HttpMethod::Get, "/open-apis/x/v1/things/:id"),
    );
    let err = client.raw(HttpMethod::Get, owned).path_param("id", "1").send::<Value>().await.unwrap_err();
    assert_eq!(err.api_error().unwrap().endpoint, "raw call");
    let err = client.raw(HttpMethod::Get, "/open-apis/x/v1/things/:id").send::<Value>().await.unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
}
