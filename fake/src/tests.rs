//! The platform's answers and refusals, checked against the built-in document.

use lark_runtime::HttpMethod;
use lark_runtime::fake::{Caller, FakeRequest};
use serde_json::{Value, json};

use crate::Platform;
use crate::catalogue::Answer;
use crate::check;

fn request(method: HttpMethod, path: &str, query: Option<&str>, body: Value) -> FakeRequest {
    let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    FakeRequest::from_parts(method, path, query, Vec::new(), body)
}

/// What the fallback answers a tenant-token call, as JSON, with the HTTP status.
fn call(platform: &Platform, request: &FakeRequest) -> (u16, Value) {
    use lark_runtime::fake::FakeFallback;
    let reply = platform.answer(request, &Caller::Tenant).expect("the fallback answers everything");
    (reply.http_status(), serde_json::from_slice(reply.body()).unwrap_or(Value::Null))
}

#[test]
fn every_answer_is_valid_against_its_response_model() {
    let platform = Platform::new();
    let catalogue = platform.catalogue();
    let mut checked = 0;
    for op in catalogue.operations() {
        let path: Vec<(String, String)> = op.path.iter().map(|p| (p.name.clone(), "x".to_owned())).collect();
        let template = format!("/open-apis/{}", op.id);
        let sent = request(op.method, &template, Some("page_size=2"), Value::Null);
        let reply = crate::answer::answer(catalogue, op, &path, &sent);
        assert_eq!(reply.http_status(), 200, "{}", op.id);
        let schema = match &op.answer {
            Answer::Data(schema) => schema,
            Answer::Flat(schema) => schema,
            Answer::Empty | Answer::Binary => continue,
        };
        let body: Value = serde_json::from_slice(reply.body()).expect("JSON");
        let value = if matches!(op.answer, Answer::Data(_)) { &body["data"] } else { &body };
        check::value(catalogue, schema, value).unwrap_or_else(|v| panic!("{}: {v:?} in {value}", op.id));
        checked += 1;
    }
    assert!(checked > 1200, "{checked} answers checked");
}

#[test]
fn a_literal_segment_beats_a_placeholder() {
    let platform = Platform::new();
    let (op, params) = platform.catalogue().find(HttpMethod::Get, "/open-apis/im/v1/chats/search").expect("found");
    assert_eq!(op.id, "im.v1.chat.search");
    assert!(params.is_empty());
    let (op, params) = platform.catalogue().find(HttpMethod::Get, "/open-apis/im/v1/chats/oc_%2F1").expect("found");
    assert_eq!(op.id, "im.v1.chat.get");
    assert_eq!(params, [("chat_id".to_owned(), "oc_/1".to_owned())]);
}

#[test]
fn requests_are_checked_like_the_platform_checks_them() {
    let platform = Platform::new();
    let send = |query: Option<&str>, body: Value| {
        call(&platform, &request(HttpMethod::Post, "/open-apis/im/v1/messages", query, body))
    };
    let good = json!({"receive_id": "oc_1", "msg_type": "text", "content": "{\"text\":\"hi\"}"});

    let (status, body) = send(Some("receive_id_type=chat_id"), good.clone());
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");
    assert!(body["data"]["message_id"].as_str().is_some_and(|id| id.starts_with("om_")), "{body}");
    // The same request gets the same answer.
    assert_eq!(send(Some("receive_id_type=chat_id"), good.clone()).1, body);

    let violation = |(status, body): (u16, Value)| {
        assert_eq!((status, body["code"].as_i64()), (400, Some(99992402)), "{body}");
        let v = &body["error"]["field_violations"][0];
        (v["field"].as_str().unwrap_or_default().to_owned(), v["description"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(violation(send(None, good.clone())).0, "receive_id_type");
    let (field, problem) = violation(send(Some("receive_id_type=phone"), good.clone()));
    assert_eq!(field, "receive_id_type");
    assert!(problem.contains("\"chat_id\""), "{problem}");
    assert_eq!(
        violation(send(Some("receive_id_type=chat_id"), json!({"msg_type": "text", "content": "{}"}))).0,
        "receive_id"
    );
    let (field, problem) =
        violation(send(Some("receive_id_type=chat_id"), json!({"receive_id": 7, "msg_type": "text", "content": "{}"})));
    assert_eq!((field.as_str(), problem.as_str()), ("receive_id", "expected a JSON string"));
    assert_eq!(
        violation(call(
            &platform,
            &request(HttpMethod::Post, "/open-apis/im/v1/messages", Some("receive_id_type=chat_id"), Value::Null)
        ))
        .0,
        "body"
    );

    // Nested fields, rules beyond the schema, and int64 strings are named with their path.
    let create_task = |body: Value| call(&platform, &request(HttpMethod::Post, "/open-apis/task/v2/tasks", None, body));
    let (field, _) = violation(create_task(
        json!({"summary": "s", "members": [{"id": "ou_1", "role": "assignee"}, {"role": "follower"}]}),
    ));
    assert_eq!(field, "members[1].id");
    let (status, body) = create_task(json!({"summary": "s"}));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn tokens_and_scopes_are_refused_as_the_platform_refuses_them() {
    use lark_runtime::fake::FakeFallback;
    let chat = request(HttpMethod::Get, "/open-apis/im/v1/chats/oc_1", None, Value::Null);
    let refusal = |platform: &Platform, caller: Caller| {
        let reply = platform.answer(&chat, &caller).expect("answered");
        (reply.http_status(), serde_json::from_slice::<Value>(reply.body()).expect("JSON"))
    };
    let narrow = Platform::new().grant(["im:message:send"]);
    let (status, body) = refusal(&narrow, Caller::Tenant);
    assert_eq!((status, body["code"].as_i64()), (400, Some(99991672)), "{body}");
    let msg = body["msg"].as_str().unwrap_or_default();
    assert!(msg.contains("im:chat:read") && msg.starts_with("Access denied. One of the following scopes"), "{msg}");
    assert_eq!(body["error"]["permission_violations"][0]["type"], "action_scope_required");
    assert_eq!(refusal(&narrow, Caller::User(None)).1["code"], 99991679);
    assert_eq!(refusal(&Platform::new().grant(["im:chat:read"]), Caller::Tenant).0, 200);
    assert_eq!(refusal(&Platform::new(), Caller::Anonymous).1["code"], 99991661);

    // A token kind the endpoint does not take.
    let platform = Platform::new();
    let user_only = platform
        .catalogue()
        .operations()
        .iter()
        .find(|op| op.tokens == [lark_runtime::TokenKind::User])
        .expect("a user-only endpoint");
    let refused = crate::refuse::token(user_only, &Caller::Tenant).expect("a tenant token is refused");
    assert_eq!(serde_json::from_slice::<Value>(refused.body()).expect("JSON")["code"], 99991668);
    assert!(crate::refuse::token(user_only, &Caller::User(None)).is_none());

    // An unknown path or method.
    let unknown = request(HttpMethod::Delete, "/open-apis/im/v1/chats/oc_1/nowhere", None, Value::Null);
    let reply = platform.answer(&unknown, &Caller::Tenant).expect("answered");
    assert_eq!(reply.http_status(), 404);
}

#[test]
fn lists_are_paged_and_end() {
    let platform = Platform::new();
    let page = |token: Option<&str>| {
        let query = match token {
            Some(t) => format!("page_size=2&page_token={t}"),
            None => "page_size=2".to_owned(),
        };
        call(&platform, &request(HttpMethod::Get, "/open-apis/contact/v3/users", Some(&query), Value::Null)).1
    };
    let mut token = None;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let body = page(token.as_deref());
        let items = body["data"]["items"].as_array().expect("items").clone();
        assert!(items.len() <= 2);
        seen.extend(items.into_iter().map(|u| u["open_id"].as_str().unwrap_or_default().to_owned()));
        if body["data"]["has_more"] != true {
            assert_eq!(body["data"]["page_token"], "");
            break;
        }
        token = body["data"]["page_token"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(seen.iter().all(|id| id.starts_with("ou_")), "{seen:?}");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "every item once");
}
