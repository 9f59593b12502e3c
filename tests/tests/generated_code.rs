//! What the fixture outputs do at run time: wire names, int64 strings, unknown enum
//! values, omitted optionals, and requests built from path and query parameters.

use lark_fixture_sdk::enums::v1::{Color, Level, Setting, SettingInput};
use lark_fixture_sdk::events::v1::{ButtonAnswer, ButtonClicked, ThingCreated, ThingDeleted};
use lark_fixture_sdk::models::v1::{
    CreateThingRequest, Label, LabelInput, LabelStyleInput, NewThing, ReplaceThingRequest, Thing,
};
use lark_fixture_sdk::params::v1::{AddMemberRequest, AddMembers, IdType};
use lark_runtime::event::{Callback, Envelope, Event};
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::{HttpMethod, Int64, Scopes};
use serde_json::json;

#[test]
fn read_models_use_wire_names_and_ignore_unknown_fields() {
    let thing: Thing = serde_json::from_value(json!({
        "id": "t1",
        "created_at": "1700000000123",
        "type": "round",
        "async": true,
        "ownerId": "ou_1",
        "parts": [{ "name": "p", "ids": ["9007199254740993", "2"] }],
        "labels": { "a": "b" },
        "a_field_from_the_future": { "x": 1 }
    }))
    .expect("decodes");
    assert_eq!(thing.created_at, Int64(1_700_000_000_123));
    assert_eq!(thing.r#type.as_deref(), Some("round"));
    assert_eq!(thing.r#async, Some(true));
    assert_eq!(thing.owner_id.as_deref(), Some("ou_1"));
    // Above 2^53: only a string keeps this exact.
    assert_eq!(thing.parts.as_ref().expect("parts")[0].ids, Some(vec![Int64(9_007_199_254_740_993), Int64(2)]));
    assert_eq!(thing.size, None);
}

#[test]
fn a_missing_required_field_is_an_error() {
    let error = serde_json::from_value::<Thing>(json!({ "created_at": "1" })).expect_err("id is required");
    assert_eq!(error.to_string(), "id: missing, but `Thing` requires it");
}

#[test]
fn sent_models_omit_unset_optionals_and_keep_keyword_wire_names() {
    let thing = NewThing { self_: Some("me".into()), ..NewThing::new("n") };
    assert_eq!(serde_json::to_value(&thing).expect("encodes"), json!({ "name": "n", "self": "me" }));
}

#[test]
fn a_model_both_sent_and_read_is_strict_when_sent_and_forgiving_when_read() {
    // The read side: a reply that leaves out what a request must send still decodes.
    let label: Label = serde_json::from_value(json!({ "color": "red" })).expect("decodes");
    assert_eq!((label.text, label.color.as_deref()), (None, Some("red")));
    let thing: Thing =
        serde_json::from_value(json!({ "id": "t1", "created_at": "1", "label": { "style": {} } })).expect("decodes");
    assert_eq!(thing.label.and_then(|l| l.style).map(|s| s.bold), Some(None));
    // The sent side: required fields are plain values that `new` takes, at every depth.
    let label = LabelInput { style: Some(LabelStyleInput::new(true)), ..LabelInput::new("urgent") };
    let body = NewThing { label: Some(label), ..NewThing::new("lamp") };
    assert_eq!(
        serde_json::to_value(&body).expect("encodes"),
        json!({ "name": "lamp", "label": { "text": "urgent", "style": { "bold": true } } })
    );
}

#[test]
fn enums_keep_values_they_do_not_know() {
    let setting: Setting = serde_json::from_value(json!({ "color": "purple", "level": 7 })).expect("decodes");
    let color = setting.color.expect("a color");
    assert_eq!(color.as_str(), "purple");
    assert!(matches!(color, Color::Unknown(_)));
    assert_eq!(setting.level.as_ref().map(Level::value), Some(7));
    // Unknown values go back to the server unchanged (`Setting` is sent as `SettingInput`).
    let sent = SettingInput { level: setting.level, ..SettingInput::new(color) };
    assert_eq!(serde_json::to_value(&sent).expect("encodes"), json!({ "color": "purple", "level": 7 }));

    assert_eq!(Color::from("light-blue"), Color::LightBlue);
    assert_eq!(Color::try_parse("purple"), None);
    assert_eq!(Level::try_parse(2), Some(Level::High));
    assert_eq!(Color::KNOWN, ["red", "light-blue"]);
    assert_eq!(Level::Low.to_string(), "1");
}

#[test]
fn events_and_callbacks_carry_their_types() {
    assert_eq!(ThingCreated::EVENT_TYPE, "events.thing.created_v1");
    assert_eq!(ThingCreated::ENVELOPE, Envelope::V2);
    assert_eq!(ThingCreated::SCOPES, Scopes::Known { any: &["demo:thing:readonly"], all: &[] });
    assert_eq!((ThingDeleted::EVENT_TYPE, ThingDeleted::ENVELOPE), ("thing_deleted", Envelope::V1));
    assert_eq!(ThingDeleted::SCOPES, Scopes::Unknown);
    assert_eq!(ButtonClicked::CALLBACK_TYPE, "thing.button.clicked");
    fn respond<C: Callback>(answer: C::Response) -> serde_json::Value {
        serde_json::to_value(answer).expect("encodes")
    }
    let answer = ButtonAnswer { toast: Some("done".into()) };
    assert_eq!(respond::<ButtonClicked>(answer), json!({ "toast": "done" }));
}

#[test]
fn endpoints_describe_themselves() {
    let endpoint = AddMemberRequest::ENDPOINT;
    assert_eq!(endpoint.id, "params.v1.member.add");
    assert_eq!(endpoint.method, HttpMethod::Post);
    assert_eq!(endpoint.path, "/open-apis/params/v1/groups/:group_id/members/:member_id");
    // The scopes come from tests/fixtures/spec/overlays/params/v1.yaml.
    assert_eq!(endpoint.scopes, Scopes::Known { any: &["demo:thing"], all: &[] });
    assert_eq!(endpoint.doc_url, "https://open.feishu.cn/document/fixture/member/add");
}

#[tokio::test]
async fn path_and_query_parameters_reach_the_wire() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/params/v1/groups/:group_id/members/:member_id", |_| {
        FakeResponse::data(json!({}))
    });
    let client = lark_fixture_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .build()
        .expect("client");
    let request = AddMemberRequest::new("g/1 x", Int64(42), IdType::UserId, AddMembers::default())
        .notify(false)
        .emails(vec!["a@x.io".into(), "b@x.io".into()]);
    client.params().v1().member().add(request).await.expect("call");

    let sent = fake.requests().into_iter().last().expect("a request");
    assert_eq!(sent.path, "/open-apis/params/v1/groups/g%2F1%20x/members/42");
    assert_eq!(sent.path_param("group_id"), Some("g/1 x"));
    assert_eq!(sent.query_value("id_type"), Some("user_id"));
    assert_eq!(sent.query_value("notify"), Some("false"));
    assert_eq!(sent.query_values("emails"), ["a@x.io", "b@x.io"]);
    assert_eq!(sent.query_value("limit"), None);
    assert_eq!(sent.json(), json!({}));
}

/// The generated rule, not a hand-set flag: a body with a `uuid` makes a POST safe to
/// resend. The fake stores the thing, then answers 503 once; the client sends it again,
/// and the server, like the platform, ignores the repeated uuid.
#[tokio::test]
async fn a_body_with_a_uuid_is_resent_after_a_server_error_and_stored_once() {
    const THINGS: &str = "/open-apis/models/v1/things";
    let fake = FakeLark::start().await;
    let stored = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Option<String>, String)>::new()));
    let store = stored.clone();
    fake.route(HttpMethod::Post, THINGS, move |r| {
        let body = r.json();
        let (uuid, name) = (body["uuid"].as_str().map(str::to_owned), body["name"].as_str().unwrap_or("").to_owned());
        let mut store = store.lock().unwrap();
        if uuid.is_none() || !store.iter().any(|(u, _)| *u == uuid) {
            store.push((uuid, name.clone()));
        }
        FakeResponse::data(json!({ "id": format!("t{}", store.len()), "created_at": "1" }))
    });
    let client = lark_fixture_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .build()
        .expect("client");
    let create = |uuid: Option<&str>| {
        let body = NewThing { uuid: uuid.map(Into::into), ..NewThing::new("lamp") };
        client.models().v1().thing().create(CreateThingRequest::new(body))
    };

    fake.inject(Fault::AfterHandling(503).on(HttpMethod::Post, THINGS));
    let thing = create(Some("u-1")).await.expect("resent after the 503");
    assert_eq!(thing.id, "t1");
    assert_eq!(fake.requests_to(HttpMethod::Post, THINGS).len(), 2);
    assert_eq!(*stored.lock().unwrap(), [(Some("u-1".to_owned()), "lamp".to_owned())]);

    // Without a uuid a repeat could store a second thing, so the 503 is the answer.
    fake.inject(Fault::AfterHandling(503).on(HttpMethod::Post, THINGS));
    let err = create(None).await.expect_err("not resent");
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(fake.requests_to(HttpMethod::Post, THINGS).len(), 3);
    assert_eq!(stored.lock().unwrap().len(), 2);
}

/// What a request's types cannot insist on (a field another request sends the same model
/// without, or one of two fields) is checked before sending: the call fails naming every
/// missing field, and the fake sees no request at all.
#[tokio::test]
async fn fields_a_request_requires_beyond_its_types_are_checked_before_sending() {
    const THING: &str = "/open-apis/models/v1/things/:thing_id";
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Put, THING, |_| FakeResponse::data(json!({ "id": "t1", "created_at": "1" })));
    let client = lark_fixture_sdk::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .build()
        .expect("client");
    let replace = |body: NewThing| client.models().v1().thing().replace(ReplaceThingRequest::new("t1", body));

    // `replace` requires `label.color` (where a label is sent) and `self` or `count`.
    let body = NewThing { label: Some(LabelInput::new("urgent")), ..NewThing::new("lamp") };
    let err = replace(body).await.expect_err("two rules broken");
    let fields: Vec<&str> = err.field_violations().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["label.color", "self | count"]);
    assert!(matches!(&err, lark_runtime::Error::Invalid { endpoint: "models.v1.thing.replace", .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "models.v1.thing.replace was not sent, a required field is missing: \
         label.color: required by this endpoint, but not set; \
         self | count: one of self, count is required by this endpoint, but none is set"
    );
    assert!(fake.requests().is_empty(), "nothing reached the network, not even a token request");

    // Either alternative will do; without a label its colour is not asked for.
    let thing = replace(NewThing { count: Some(2), ..NewThing::new("lamp") }).await.expect("sent");
    assert_eq!(thing.id, "t1");
    let label = LabelInput { color: Some("red".into()), ..LabelInput::new("urgent") };
    replace(NewThing { self_: Some("me".into()), label: Some(label), ..NewThing::new("lamp") }).await.expect("sent");
    assert_eq!(fake.requests_to(HttpMethod::Put, THING).len(), 2);
    // `create` sends the same model without these rules.
    fake.route(HttpMethod::Post, "/open-apis/models/v1/things", |_| {
        FakeResponse::data(json!({ "id": "t2", "created_at": "1" }))
    });
    let created = client.models().v1().thing().create(CreateThingRequest::new(NewThing::new("lamp"))).await;
    assert_eq!(created.expect("created").id, "t2");
}
