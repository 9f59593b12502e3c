//! Every failure mode the fake can inject, each with the exact number of requests the
//! client made and what the caller got.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{TENANT_OR_USER, builder, client, endpoint};
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::{Error, Form, HttpMethod, Request, ResponseKind, UploadFile};
use serde_json::{Value, json};

const THING: &str = "/open-apis/test/v1/things/:thing_id";
const ITEMS: &str = "/open-apis/test/v1/items";
const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// The fake's answer to a tenant token it no longer knows, as after a revocation.
const TOKEN_INVALID: i64 = 99991663;

static GET_THING: lark_runtime::Endpoint =
    endpoint("test.v1.thing.get", HttpMethod::Get, THING, TENANT_OR_USER, ResponseKind::Data);
static CREATE_ITEM: lark_runtime::Endpoint =
    endpoint("test.v1.item.create", HttpMethod::Post, ITEMS, TENANT_OR_USER, ResponseKind::Data);

fn get_thing(id: &str) -> Request {
    let mut request = Request::new(&GET_THING);
    request.path_param("thing_id", id.to_owned());
    request
}

fn create_item(name: &str) -> Request {
    let mut request = Request::new(&CREATE_ITEM);
    request.json_body(&json!({ "name": name }));
    request
}

async fn fake() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, THING, |r| FakeResponse::data(json!({ "id": r.path_param("thing_id") })));
    fake.route(HttpMethod::Post, ITEMS, |r| FakeResponse::data(json!({ "name": r.json()["name"] })));
    fake
}

fn gets(fake: &FakeLark) -> usize {
    fake.requests_to(HttpMethod::Get, THING).len()
}

fn posts(fake: &FakeLark) -> usize {
    fake.requests_to(HttpMethod::Post, ITEMS).len()
}

#[tokio::test]
async fn a_token_revoked_mid_run_costs_one_extra_request() {
    let fake = fake().await;
    fake.inject(Fault::RevokeTokens.on(HttpMethod::Get, THING).skip(1));
    let client = client(&fake);
    for id in ["1", "2", "3"] {
        let thing: Value = client.call(get_thing(id)).await.unwrap();
        assert_eq!(thing["id"], id);
    }
    // 1, then 2 refused and resent with a new token, then 3.
    assert_eq!(gets(&fake), 4);
    assert_eq!(fake.token_requests(), 2);
    let tokens: Vec<_> =
        fake.requests_to(HttpMethod::Get, THING).iter().map(|r| r.bearer_token().unwrap().to_owned()).collect();
    assert_eq!(tokens, ["t-fake-1", "t-fake-1", "t-fake-2", "t-fake-2"]);
}

#[tokio::test]
async fn a_rate_limit_is_retried_after_the_reset_even_for_post() {
    let fake = fake().await;
    fake.inject(Fault::RateLimit { reset_seconds: 0.2 }.on(HttpMethod::Post, ITEMS));
    let client = client(&fake);
    let started = Instant::now();
    let item: Value = client.call(create_item("a")).await.unwrap();
    assert_eq!(item["name"], "a");
    assert!(started.elapsed() >= Duration::from_millis(200), "waited {:?}", started.elapsed());
    assert_eq!(posts(&fake), 2);
}

#[tokio::test]
async fn a_reset_beyond_the_cap_is_returned_at_once() {
    let fake = fake().await;
    fake.inject(Fault::RateLimit { reset_seconds: 60.0 }.on(HttpMethod::Get, THING));
    let client = client(&fake);
    let started = Instant::now();
    let err = client.call::<Value>(get_thing("1")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.is_rate_limited(), "{err:?}");
    let api = err.api_error().unwrap();
    assert_eq!((api.code, api.http_status, api.retry_after), (99991400, 429, Some(Duration::from_secs(60))));
    assert!(err.to_string().contains("wait 60000 ms"), "{err}");
    assert_eq!(gets(&fake), 1);
}

#[tokio::test]
async fn server_errors_are_retried_for_get_only() {
    for status in [500, 502, 503, 504] {
        let fake = fake().await;
        fake.inject(Fault::Status(status).on(HttpMethod::Get, THING));
        fake.inject(Fault::Status(status).on(HttpMethod::Post, ITEMS));
        let client = client(&fake);
        let thing: Value = client.call(get_thing("1")).await.unwrap();
        assert_eq!(thing["id"], "1");
        assert_eq!(gets(&fake), 2, "GET after HTTP {status}");

        let err = client.call::<Value>(create_item("a")).await.unwrap_err();
        assert!(matches!(err, Error::Http { status: s, .. } if s == status), "{err:?}");
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(posts(&fake), 1, "POST after HTTP {status} is not repeated");
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn a_post_marked_safe_is_retried_after_a_server_error() {
    let fake = fake().await;
    fake.inject(Fault::Status(503).on(HttpMethod::Post, ITEMS));
    let client = client(&fake);
    let item: Value = client.call(create_item("a")).retry_safe().await.unwrap();
    assert_eq!(item["name"], "a");
    assert_eq!(posts(&fake), 2);

    let mut marked = create_item("b");
    marked.set_retry_safe();
    fake.inject(Fault::Status(502).on(HttpMethod::Post, ITEMS));
    let _: Value = client.call(marked).await.unwrap();
    assert_eq!(posts(&fake), 4);
}

#[tokio::test]
async fn retries_stop_after_the_last_attempt() {
    let fake = fake().await;
    fake.inject(Fault::Status(503).on(HttpMethod::Get, THING).times(10));
    let client = builder(&fake).retry_policy(common::fast_retries().max_attempts(3)).build().unwrap();
    let err = client.call::<Value>(get_thing("1")).await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(gets(&fake), 3);
    // A per-call policy overrides the client's.
    let err = client.call::<Value>(get_thing("1")).retry_policy(lark_runtime::RetryPolicy::none()).await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(gets(&fake), 4);
}

#[tokio::test]
async fn a_slow_reply_times_out_and_only_get_is_retried() {
    let fake = fake().await;
    fake.inject(Fault::Delay(Duration::from_millis(400)).on(HttpMethod::Get, THING));
    fake.inject(Fault::Delay(Duration::from_millis(400)).on(HttpMethod::Post, ITEMS));
    let client = builder(&fake).timeout(Duration::from_millis(150)).build().unwrap();
    client.tenant_access_token().await.unwrap();
    let thing: Value = client.call(get_thing("1")).await.unwrap();
    assert_eq!(thing["id"], "1");
    let err = client.call::<Value>(create_item("a")).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(gets(&fake), 2);
    assert_eq!(posts(&fake), 1);
    // A per-call timeout wins over the client's.
    fake.inject(Fault::Delay(Duration::from_millis(300)).on(HttpMethod::Post, ITEMS));
    let _: Value = client.call(create_item("b")).timeout(Duration::from_secs(5)).await.unwrap();
    assert_eq!(posts(&fake), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_get_only() {
    let fake = fake().await;
    fake.inject(Fault::Drop.on(HttpMethod::Get, THING));
    fake.inject(Fault::Drop.on(HttpMethod::Post, ITEMS));
    let client = client(&fake);
    let thing: Value = client.call(get_thing("1")).await.unwrap();
    assert_eq!(thing["id"], "1");
    assert_eq!(gets(&fake), 2);
    let err = client.call::<Value>(create_item("a")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.to_string().contains("could not reach the Lark server"), "{err}");
    assert_eq!(posts(&fake), 1);
}

#[tokio::test]
async fn token_fetches_are_retried_too() {
    let fake = fake().await;
    fake.inject(Fault::Status(503).on(HttpMethod::Post, TOKEN));
    fake.inject(Fault::Drop.on(HttpMethod::Post, TOKEN));
    let client = client(&fake);
    let _: Value = client.call(get_thing("1")).await.unwrap();
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(gets(&fake), 1);
}

#[tokio::test]
async fn a_streamed_upload_is_never_sent_twice() {
    let fake = fake().await;
    let upload = |content: &'static [u8]| {
        let mut form = Form::new();
        form.file("file", UploadFile::from_reader("data.bin", content));
        let mut request = create_item("x");
        request.multipart_body(form);
        request
    };
    fake.inject(Fault::Status(503).on(HttpMethod::Post, ITEMS));
    let err = upload(b"abc").retry_safe_call(&client(&fake)).await.unwrap_err();
    assert!(matches!(err, Error::NotReplayable { .. }), "{err:?}");
    assert_eq!(err.http_status(), Some(503));
    assert!(err.to_string().contains("cannot be resent"), "{err}");
    assert_eq!(posts(&fake), 1);

    fake.inject(Fault::RateLimit { reset_seconds: 0.01 }.on(HttpMethod::Post, ITEMS));
    let err = client(&fake).call::<Value>(upload(b"abc")).await.unwrap_err();
    assert!(matches!(err, Error::NotReplayable { .. }) && err.is_rate_limited(), "{err:?}");
    assert_eq!(posts(&fake), 2);

    // A revoked token is not renewed by sending the stream again: the rejection is the error.
    fake.inject(Fault::RevokeTokens.on(HttpMethod::Post, ITEMS));
    let err = upload(b"abc").retry_safe_call(&client(&fake)).await.unwrap_err();
    assert!(err.api_error().is_some_and(|e| e.code == TOKEN_INVALID), "{err:?}");
    assert_eq!(posts(&fake), 3);

    // Nor after a connection dropped mid-call, even for a call marked safe to repeat.
    fake.inject(Fault::Drop.on(HttpMethod::Post, ITEMS));
    let err = upload(b"abc").retry_safe_call(&client(&fake)).await.unwrap_err();
    assert!(matches!(&err, Error::NotReplayable { source, .. } if matches!(**source, Error::Transport(_))), "{err:?}");
    assert_eq!(posts(&fake), 4);

    // Without a fault it goes through, content intact.
    let _: Value = client(&fake).call(upload(b"streamed bytes")).await.unwrap();
    let sent = fake.requests_to(HttpMethod::Post, ITEMS).pop().unwrap();
    assert_eq!(&sent.part("file").unwrap().bytes[..], b"streamed bytes");
}

trait RetrySafeCall {
    fn retry_safe_call(self, client: &lark_runtime::Client) -> lark_runtime::Call<'_, Value>;
}

impl RetrySafeCall for Request {
    fn retry_safe_call(self, client: &lark_runtime::Client) -> lark_runtime::Call<'_, Value> {
        client.call(self).retry_safe()
    }
}

#[tokio::test]
async fn a_server_that_acts_but_fails_is_not_asked_twice() {
    let fake = FakeLark::start().await;
    let created = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&created);
    fake.route(HttpMethod::Post, ITEMS, move |r| {
        seen.lock().unwrap().push(r.json()["name"].as_str().unwrap_or_default().to_owned());
        FakeResponse::data(json!({}))
    });
    fake.inject(Fault::AfterHandling(503).on(HttpMethod::Post, ITEMS));
    let err = client(&fake).call::<Value>(create_item("once")).await.unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(*created.lock().unwrap(), ["once"]);
    assert_eq!(posts(&fake), 1);
}
