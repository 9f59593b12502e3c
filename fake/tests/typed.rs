//! The typed SDK against the offline platform: what a user's test sees.

use lark_fake::{Lark, Platform};
use lark_runtime::fake::FakeLark;
use lark_sdk::contact::v3::FindByDepartmentUserRequest;
use lark_sdk::im::v1::{CreateMessageBody, CreateMessageRequest, GetChatRequest, ReceiveIdType};

async fn client(platform: Platform) -> (Lark, lark_sdk::Client) {
    let fake = platform.start().await;
    let client = lark_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .build()
        .expect("a client");
    (fake, client)
}

#[tokio::test]
async fn a_permission_mistake_shows_up_in_the_test_with_the_scopes_that_would_do() {
    let (fake, client) = client(Platform::new().grant(["im:message:send"])).await;
    let team = fake.group("Team", &[]);
    let body = CreateMessageBody::new(&team.chat_id, "text", r#"{"text":"hello"}"#);
    let sent = client.im().v1().message().create(CreateMessageRequest::new(ReceiveIdType::ChatId, body)).await;
    let message = sent.expect("the grant covers sending");
    assert!(message.message_id.as_deref().is_some_and(|id| id.starts_with("om_")), "{message:?}");

    let err = client
        .im()
        .v1()
        .chat()
        .get(GetChatRequest::new(&team.chat_id))
        .await
        .expect_err("reading a chat needs a scope");
    assert_eq!(err.code(), Some(99991672));
    let shown = err.to_string();
    // What the user reads: the platform's message and the runtime's hint from the catalogue.
    println!("{shown}");
    assert!(shown.contains("im:chat:read"), "{shown}");
    let api = err.api_error().expect("an API error");
    assert!(api.permission_violations.iter().any(|v| v.subject == "im:chat:read"), "{api:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn a_malformed_call_names_the_field_and_lists_page_to_the_end() {
    let (fake, client) = client(Platform::new()).await;
    // A wrong enum value cannot get through the types; the raw call shows the field error.
    let err = client
        .raw(lark_runtime::HttpMethod::Post, "/open-apis/im/v1/messages")
        .query("receive_id_type", "phone")
        .json(&serde_json::json!({"receive_id": "oc_1", "msg_type": "text", "content": "{}"}))
        .send::<serde_json::Value>()
        .await
        .expect_err("phone is not an id type");
    assert_eq!(err.code(), Some(99992402));
    assert_eq!(err.field_violations()[0].field, "receive_id_type");

    for name in ["Ann", "Bo", "Cy", "Di", "Ed"] {
        fake.user(name);
    }
    // They join the root department, "0".
    let request = FindByDepartmentUserRequest::new("0").page_size(2);
    let users = client.contact().v3().user().find_by_department_all(request).items();
    let users: Vec<_> = futures_util::TryStreamExt::try_collect(users).await.expect("every page");
    let names: Vec<_> = users.iter().filter_map(|u| u.name.as_deref()).collect();
    assert_eq!(names, ["Ann", "Bo", "Cy", "Di", "Ed"], "five users, two per page, each once");
    fake.shutdown().await;
}

#[tokio::test]
async fn routes_a_test_registers_still_win_and_faults_still_fire() {
    use lark_runtime::HttpMethod;
    use lark_runtime::fake::{FakeResponse, Fault};
    const CHAT: &str = "/open-apis/im/v1/chats/:chat_id";
    let (fake, client) = client(Platform::new()).await;
    let team = fake.group("Team", &[]);
    let remembered = client.im().v1().chat().get(GetChatRequest::new(&team.chat_id)).await.expect("the fake answers");
    assert_eq!(remembered.name.as_deref(), Some("Team"), "{remembered:?}");

    fake.route(HttpMethod::Get, CHAT, |_| FakeResponse::data(serde_json::json!({ "name": "registered" })));
    let chat = client.im().v1().chat().get(GetChatRequest::new(&team.chat_id)).await.expect("the route answers");
    assert_eq!(chat.name.as_deref(), Some("registered"));

    fake.inject(Fault::Reply(FakeResponse::api_error(232011, "the bot is not in the chat")).on(HttpMethod::Get, CHAT));
    let err = client.im().v1().chat().get(GetChatRequest::new(&team.chat_id)).await.expect_err("the fault fires");
    assert_eq!(err.code(), Some(232011));
    let recorded = fake.requests_to(HttpMethod::Get, CHAT);
    let codes: Vec<Option<i64>> = recorded.iter().map(|r| r.reply.and_then(|reply| reply.code)).collect();
    assert_eq!(codes, [Some(0), Some(0), Some(232011)], "each request's answer is on record");
    fake.shutdown().await;
}
