//! The generated `lark-sdk` crate end to end against the fake Lark server on 127.0.0.1:
//! tokens, a JSON call, pagination, a multipart upload, a binary download and errors.

use futures_util::TryStreamExt;
use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_sdk::contact::v3::FindByDepartmentUserRequest;
use lark_sdk::im::v1::{
    CreateImageBody, CreateImageRequest, CreateMessageBody, CreateMessageRequest, GetMessageResourceRequest, ImageType,
    ReceiveIdType,
};
use serde_json::json;

fn client(fake: &FakeLark) -> lark_sdk::Client {
    lark_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET).base_url(fake.base_url()).build().expect("client")
}

fn text_message(chat: &str, text: &str) -> CreateMessageRequest {
    let body = CreateMessageBody::new(chat, "text", json!({ "text": text }).to_string());
    CreateMessageRequest::new(ReceiveIdType::ChatId, body)
}

#[tokio::test]
async fn sends_messages_with_one_cached_tenant_token() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/im/v1/messages", |req| {
        let n = req.json()["content"].as_str().map_or(0, str::len);
        FakeResponse::data(
            json!({ "message_id": format!("om_{n}"), "msg_type": "text", "create_time": "1700000000000" }),
        )
    });
    let client = client(&fake);
    let first = client.im().v1().message().create(text_message("oc_1", "hello")).await.expect("send");
    let second = client.im().v1().message().create(text_message("oc_1", "hello again")).await.expect("send");

    assert_eq!(first.message_id.as_deref(), Some("om_16"));
    assert_eq!(second.message_id.as_deref(), Some("om_22"));
    assert_eq!(first.create_time, Some(lark_runtime::Int64(1_700_000_000_000)));
    assert_eq!(fake.token_requests(), 1, "the tenant token is fetched once and cached");

    let calls: Vec<_> = fake.requests().into_iter().filter(|r| r.path == "/open-apis/im/v1/messages").collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].query_value("receive_id_type"), Some("chat_id"));
    assert_eq!(calls[0].bearer_token(), Some("t-fake-1"));
    // Optional fields that were not set are left out, not sent as null.
    assert_eq!(calls[0].json(), json!({ "receive_id": "oc_1", "msg_type": "text", "content": "{\"text\":\"hello\"}" }));
}

#[tokio::test]
async fn walks_every_page_of_users() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/contact/v3/users/find_by_department", |req| {
        let (ids, next) = match req.query_value("page_token") {
            None => (vec!["ou_1", "ou_2"], Some("p2")),
            Some("p2") => (vec!["ou_3", "ou_4"], Some("p3")),
            Some(_) => (vec!["ou_5"], None),
        };
        let items: Vec<_> = ids.iter().map(|id| json!({ "open_id": id, "name": "someone", "gender": 9 })).collect();
        FakeResponse::data(json!({ "has_more": next.is_some(), "page_token": next, "items": items }))
    });
    let client = client(&fake);
    let request = FindByDepartmentUserRequest::new("0").page_size(2);
    let users: Vec<_> =
        client.contact().v3().user().find_by_department_all(request).items().try_collect().await.expect("every page");
    // A gender the SDK does not know decodes instead of failing the page.
    assert!(users.iter().all(|u| u.gender.as_ref().map(|g| g.as_str()) == Some("9")));
    let open_ids: Vec<_> = users.into_iter().filter_map(|u| u.open_id).collect();
    assert_eq!(open_ids, ["ou_1", "ou_2", "ou_3", "ou_4", "ou_5"]);
    let pages: Vec<_> =
        fake.requests().into_iter().filter(|r| r.path == "/open-apis/contact/v3/users/find_by_department").collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2].query_value("page_token"), Some("p3"));
    assert_eq!(pages[0].query_value("department_id"), Some("0"));
    assert_eq!(pages[0].query_value("page_size"), Some("2"));
}

#[tokio::test]
async fn uploads_an_image_as_multipart() {
    let fake = FakeLark::start().await;
    // The key echoes what arrived, so a missing part shows in the assertion below rather
    // than as a handler panic (which the client would only see as a dropped connection).
    fake.route(HttpMethod::Post, "/open-apis/im/v1/images", |req| {
        let kind = req.part("image_type").map_or_else(|| "no-type".to_owned(), |p| p.text());
        let (len, name) = req.part("image").map_or((0, None), |p| (p.bytes.len(), p.file_name.clone()));
        FakeResponse::data(json!({ "image_key": format!("img_{kind}_{len}_{}", name.as_deref().unwrap_or("?")) }))
    });
    let body = CreateImageBody {
        image_type: ImageType::Message,
        image: lark_runtime::UploadFile::from_bytes("cat.png", vec![0x89, b'P', b'N', b'G']).content_type("image/png"),
    };
    let uploaded = client(&fake).im().v1().image().create(CreateImageRequest::new(body)).await.expect("upload");
    assert_eq!(uploaded.image_key.as_deref(), Some("img_message_4_cat.png"));
}

#[tokio::test]
async fn downloads_a_message_resource_with_its_file_name() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, "/open-apis/im/v1/messages/:message_id/resources/:file_key", |_| {
        FakeResponse::binary(&b"%PDF-1.7"[..], "application/pdf", Some("résumé.pdf"))
    });
    let request = GetMessageResourceRequest::new("om_1", "file_v2_abc", "file");
    let file = client(&fake).im().v1().message_resource().get(request).await.expect("download");
    assert_eq!(&file.bytes[..], b"%PDF-1.7");
    assert_eq!(file.file_name.as_deref(), Some("résumé.pdf"));
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    let sent = fake.requests().pop().expect("the download request");
    assert_eq!(sent.path_param("message_id"), Some("om_1"));
    assert_eq!(sent.path_param("file_key"), Some("file_v2_abc"));
    assert_eq!(sent.query_value("type"), Some("file"));
}

#[tokio::test]
async fn platform_errors_are_typed_and_name_the_scopes() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/im/v1/messages", |_| {
        FakeResponse::api_error(99991672, "Access denied. One of the following scopes is required")
    });
    let error = client(&fake).im().v1().message().create(text_message("oc_1", "hi")).await.expect_err("denied");
    let api = error.api_error().expect("an API error");
    assert_eq!((api.code, api.endpoint), (99991672, "im.v1.message.create"));
    assert!(api.log_id.is_some(), "the log id is kept for support requests");
    let text = error.to_string();
    assert!(text.contains("im:message:send_as_bot"), "the message names a scope to grant: {text}");
}
