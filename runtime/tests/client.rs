//! The client against the fake Lark server: tokens, retries, encoding, uploads, downloads.

use std::time::Duration;

mod common;

use common::{client, endpoint};
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::{
    Client, Empty, Endpoint, Error, Form, HttpMethod, Request, ResponseKind, RetryPolicy, TokenKind, UploadFile,
};
use serde_json::{Value, json};

const TENANT: &[TokenKind] = &[TokenKind::Tenant, TokenKind::User];

static GET_THING: Endpoint =
    endpoint("test.v1.thing.get", HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", TENANT, ResponseKind::Data);
static CREATE_THING: Endpoint = endpoint(
    "test.v1.thing.create",
    HttpMethod::Post,
    "/open-apis/test/v1/things/:thing_id/items",
    TENANT,
    ResponseKind::Data,
);
static UPLOAD: Endpoint =
    endpoint("test.v1.file.create", HttpMethod::Post, "/open-apis/test/v1/files", TENANT, ResponseKind::Data);
static DOWNLOAD: Endpoint =
    endpoint("test.v1.file.get", HttpMethod::Get, "/open-apis/test/v1/files/:file_key", TENANT, ResponseKind::Binary);
static USER_ONLY: Endpoint =
    endpoint("test.v1.me.get", HttpMethod::Get, "/open-apis/test/v1/me", &[TokenKind::User], ResponseKind::Data);
static APP_ONLY: Endpoint =
    endpoint("test.v1.app.get", HttpMethod::Get, "/open-apis/test/v1/app", &[TokenKind::App], ResponseKind::Flat);
static PUBLIC: Endpoint =
    endpoint("test.v1.public.delete", HttpMethod::Delete, "/open-apis/test/v1/public", &[], ResponseKind::Empty);

fn get_thing(id: &str) -> Request {
    let mut request = Request::new(&GET_THING);
    request.path_param("thing_id", id.to_owned());
    request
}

/// A fake that answers GET /things/:thing_id with the id it saw.
async fn fake_with_things() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", |r| {
        FakeResponse::data(json!({"id": r.path_param("thing_id")}))
    });
    fake
}

fn calls_to(fake: &FakeLark, prefix: &str) -> Vec<lark_runtime::fake::FakeRequest> {
    fake.requests().into_iter().filter(|r| r.path.starts_with(prefix)).collect()
}

#[tokio::test]
async fn tenant_token_is_fetched_once_and_cached() {
    let fake = fake_with_things().await;
    let client = client(&fake);
    for id in ["1", "2", "3"] {
        let thing: Value = client.call(get_thing(id)).await.unwrap();
        assert_eq!(thing["id"], id);
    }
    assert_eq!(fake.token_requests(), 1);
    let calls = calls_to(&fake, "/open-apis/test/");
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|r| r.bearer_token() == Some("t-fake-1")));
    assert_eq!(client.tenant_access_token().await.unwrap(), "t-fake-1");
    assert_eq!(fake.token_requests(), 1);
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let fake = fake_with_things().await;
    let client = client(&fake);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let client = client.clone();
        tasks.spawn(async move { client.call::<Value>(get_thing(&i.to_string())).await });
    }
    let mut ok = 0;
    while let Some(joined) = tasks.join_next().await {
        joined.unwrap().unwrap();
        ok += 1;
    }
    assert_eq!(ok, 50);
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(calls_to(&fake, "/open-apis/test/").len(), 50);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_call_retried_once() {
    let fake = fake_with_things().await;
    let client = client(&fake);
    let _: Value = client.call(get_thing("before")).await.unwrap();
    fake.revoke_tokens();
    let after: Value = client.call(get_thing("after")).await.unwrap();
    assert_eq!(after["id"], "after");

    assert_eq!(fake.token_requests(), 2);
    let calls = calls_to(&fake, "/open-apis/test/");
    let tokens: Vec<_> = calls.iter().map(|r| r.bearer_token().unwrap()).collect();
    // One call before, then the rejected attempt and its single retry.
    assert_eq!(tokens, ["t-fake-1", "t-fake-1", "t-fake-2"]);
    let _: Value = client.call(get_thing("later")).await.unwrap();
    assert_eq!(fake.token_requests(), 2);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_error_after_one_retry() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", |_| {
        FakeResponse::api_error(99991663, "Invalid access token for authorization.")
    });
    let client = client(&fake);
    let err = client.call::<Value>(get_thing("x")).await.unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    assert_eq!(calls_to(&fake, "/open-apis/test/").len(), 2);
    assert_eq!(fake.token_requests(), 2);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_is_a_token_error() {
    let fake = fake_with_things().await;
    let client = Client::builder(FakeLark::APP_ID, "not-the-secret").base_url(fake.base_url()).build().unwrap();
    let err = client.call::<Value>(get_thing("x")).await.unwrap_err();
    let Error::Token(api) = &err else {
        panic!("expected a token error, got {err:?}");
    };
    assert_eq!(api.code, 10014);
    assert!(api.is_bad_credentials());
    assert!(api.log_id.as_deref().is_some_and(|id| id.starts_with("fake-log-")));
    let text = err.to_string();
    assert!(text.contains("app id or app secret is wrong"), "{text}");
    assert!(!text.contains("not-the-secret") && !format!("{err:?}").contains("not-the-secret"));
    assert!(calls_to(&fake, "/open-apis/test/").is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn path_query_headers_and_json_body_arrive_as_sent() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/test/v1/things/:thing_id/items", |_| {
        FakeResponse::data(json!({"ok": true}))
    });
    let client = client(&fake);
    let mut request = Request::new(&CREATE_THING);
    request.path_param("thing_id", "a/b c".to_owned());
    request.query("ids", "1".to_owned());
    request.query("ids", "2 & 3".to_owned());
    request.json_body(&json!({"name": "名字"}));
    let reply: Value = client.call(request).request_id("req-42").header("X-Custom", "yes").await.unwrap();
    assert_eq!(reply["ok"], true);

    let sent = calls_to(&fake, "/open-apis/test/").pop().unwrap();
    assert_eq!(sent.method, HttpMethod::Post);
    assert_eq!(sent.path, "/open-apis/test/v1/things/a%2Fb%20c/items");
    assert_eq!(sent.path_param("thing_id"), Some("a/b c"));
    assert_eq!(sent.query_values("ids"), ["1", "2 & 3"]);
    assert_eq!(sent.json(), json!({"name": "名字"}));
    assert_eq!(sent.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(sent.header("x-request-id"), Some("req-42"));
    assert_eq!(sent.header("x-custom"), Some("yes"));
    fake.shutdown().await;
}

#[tokio::test]
async fn multipart_upload_sends_text_and_file_parts() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/test/v1/files", |_| FakeResponse::data(json!({"file_key": "file_1"})));
    let client = client(&fake);
    let mut form = Form::new();
    form.text("file_type", "pdf".to_owned());
    form.file(
        "file",
        UploadFile::from_bytes("report.pdf", &b"%PDF-1.7\r\n\x00binary"[..]).content_type("application/pdf"),
    );
    let mut request = Request::new(&UPLOAD);
    request.multipart_body(form);
    let reply: Value = client.call(request).await.unwrap();
    assert_eq!(reply["file_key"], "file_1");

    let sent = calls_to(&fake, "/open-apis/test/").pop().unwrap();
    assert!(sent.header("content-type").unwrap().starts_with("multipart/form-data; boundary="));
    assert_eq!(sent.parts.len(), 2);
    assert_eq!(sent.part("file_type").unwrap().text(), "pdf");
    let file = sent.part("file").unwrap();
    assert_eq!(file.file_name.as_deref(), Some("report.pdf"));
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(&file.bytes[..], b"%PDF-1.7\r\n\x00binary");
    fake.shutdown().await;
}

#[tokio::test]
async fn multipart_upload_is_resent_whole_after_a_token_refresh() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/test/v1/files", |_| FakeResponse::data(json!({})));
    let client = client(&fake);
    client.tenant_access_token().await.unwrap();
    fake.revoke_tokens();
    let mut form = Form::new();
    form.file("file", UploadFile::from_bytes("a.txt", "hello"));
    let mut request = Request::new(&UPLOAD);
    request.multipart_body(form);
    let _: Empty = client.call(request).await.unwrap();
    let calls = calls_to(&fake, "/open-apis/test/");
    assert_eq!(calls.len(), 2);
    for call in calls {
        assert_eq!(&call.part("file").unwrap().bytes[..], b"hello");
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn download_returns_bytes_and_the_extended_file_name() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/files/:file_key", |r| match r.path_param("file_key") {
        Some("missing") => FakeResponse::api_error(234003, "file not found"),
        _ => FakeResponse::binary(&b"\x89PNG bytes"[..], "image/png", Some("图 1.png")),
    });
    let client = client(&fake);
    let mut request = Request::new(&DOWNLOAD);
    request.path_param("file_key", "file_1".to_owned());
    let file = client.download(request).await.unwrap();
    assert_eq!(&file.bytes[..], b"\x89PNG bytes");
    assert_eq!(file.file_name.as_deref(), Some("图 1.png"));
    assert_eq!(file.content_type.as_deref(), Some("image/png"));

    let mut missing = Request::new(&DOWNLOAD);
    missing.path_param("file_key", "missing".to_owned());
    let err = client.download(missing).await.unwrap_err();
    assert_eq!(err.code(), Some(234003));
    assert!(err.log_id().is_some());
    fake.shutdown().await;
}

#[tokio::test]
async fn a_user_only_endpoint_without_a_user_token_sends_nothing() {
    let fake = FakeLark::start().await;
    let client = client(&fake);
    let err = client.call::<Value>(Request::new(&USER_ONLY)).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains(".user_access_token("), "{err}");
    assert!(fake.requests().is_empty());
    fake.shutdown().await;
}

#[tokio::test]
async fn a_user_token_is_sent_as_given() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/me", |r| FakeResponse::data(json!({"token": r.bearer_token()})));
    let client = client(&fake);
    let token = fake.user_token();
    let me: Value = client.call(Request::new(&USER_ONLY)).user_access_token(token.clone()).await.unwrap();
    assert_eq!(me["token"], token.as_str());
    assert_eq!(fake.token_requests(), 0);

    // A rejected user token is not ours to refresh: no retry.
    let err = client.call::<Value>(Request::new(&USER_ONLY)).user_access_token("u-unknown").await.unwrap_err();
    assert_eq!(err.code(), Some(99991668));
    assert_eq!(calls_to(&fake, "/open-apis/test/").len(), 2);
    fake.shutdown().await;
}

#[tokio::test]
async fn api_errors_carry_status_log_id_and_scope_advice() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", |_| {
        FakeResponse::api_error(99991672, "Access denied").header("X-Tt-Logid", "log-xyz")
    });
    let client = client(&fake);
    let err = client.call::<Value>(get_thing("x")).await.unwrap_err();
    let api = err.api_error().unwrap();
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(api.http_status, 400);
    assert_eq!(api.endpoint, "test.v1.thing.get");
    assert_eq!(err.log_id(), Some("log-xyz"));
    let text = err.to_string();
    assert!(text.contains("grant `test:read`"), "{text}");
    assert!(!text.contains("t-fake"), "{text}");
    fake.shutdown().await;
}

#[tokio::test]
async fn app_token_flat_and_public_empty_endpoints() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/app", |r| {
        FakeResponse::json(json!({"code": 0, "msg": "ok", "token": r.bearer_token()}))
    });
    fake.route_public(HttpMethod::Delete, "/open-apis/test/v1/public", |_| {
        FakeResponse::json(json!({"code": 0, "msg": "ok"}))
    });
    let client = client(&fake);
    let flat: Value = client.call(Request::new(&APP_ONLY)).await.unwrap();
    assert_eq!(flat["token"], "a-fake-1");
    assert_eq!(flat["msg"], "ok");
    let _: Empty = client.call(Request::new(&PUBLIC)).await.unwrap();
    let public = calls_to(&fake, "/open-apis/test/v1/public").pop().unwrap();
    assert_eq!(public.header("authorization"), None);
    assert_eq!(fake.token_requests(), 1);
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_server_is_a_timeout() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", |_| {
        std::thread::sleep(Duration::from_millis(800));
        FakeResponse::data(json!({}))
    });
    let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.call::<Value>(get_thing("x")).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn unrouted_paths_and_bad_requests_are_reported() {
    let fake = FakeLark::start().await;
    let client = client(&fake);
    let err = client.call::<Value>(get_thing("x")).await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.http_status, 404);
    assert!(api.msg.contains("no route for GET"), "{}", api.msg);

    let mut missing_param = Request::new(&GET_THING);
    missing_param.query("q", "1".to_owned());
    let err = client.call::<Value>(missing_param).await.unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");

    let err = client.call::<Value>(Request::new(&DOWNLOAD)).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn a_reply_of_the_wrong_shape_is_a_decode_error() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/test/v1/things/:thing_id", |_| {
        FakeResponse::data(json!({"count": "many"}))
    });
    #[derive(serde::Deserialize, Debug)]
    struct Thing {
        #[allow(dead_code)]
        count: u32,
    }
    let client = client(&fake);
    let err = client.call::<Thing>(get_thing("x")).await.unwrap_err();
    match err {
        Error::Decode { endpoint, body_excerpt, .. } => {
            assert_eq!(endpoint, "test.v1.thing.get");
            assert!(body_excerpt.contains("many"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    fake.shutdown().await;
}

#[tokio::test]
async fn default_headers_and_the_user_agent_are_sent() {
    let fake = fake_with_things().await;
    let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .default_header("X-Team", "payments")
        .default_header("X-Env", "test")
        .build()
        .unwrap();
    let _: Value = client.call(get_thing("1")).header("x-env", "override").await.unwrap();
    let sent = calls_to(&fake, "/open-apis/test/").pop().unwrap();
    assert_eq!(sent.header("x-team"), Some("payments"));
    assert_eq!(sent.header("x-env"), Some("override"));
    assert!(sent.header("user-agent").is_some_and(|ua| ua.starts_with("lark-runtime-rust/")), "{:?}", sent.headers);
    // The token request carries the defaults too (a proxy may need them).
    let token_request = fake.requests().into_iter().find(|r| r.path.contains("tenant_access_token")).unwrap();
    assert_eq!(token_request.header("x-team"), Some("payments"));
    fake.shutdown().await;
}
