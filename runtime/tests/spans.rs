//! One `lark.call` span per API call and one `lark.event` span per delivered push, with
//! the fields an on-call engineer filters on and nothing secret.
//!
//! Alone in its own test binary, like `retry_logs`: `tracing` caches per call site
//! whether anyone listens, process-wide.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::{TENANT_OR_USER, client, endpoint};
use lark_runtime::event::{Dispatcher, EventContext};
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_runtime::{HttpMethod, Request, ResponseKind};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

const THING: &str = "/open-apis/test/v1/things/:thing_id";

static GET_THING: lark_runtime::Endpoint =
    endpoint("test.v1.thing.get", HttpMethod::Get, THING, TENANT_OR_USER, ResponseKind::Data);

/// A span as captured: its name, its fields as text, the events inside it and the name of
/// its parent.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: &'static str,
    parent: Option<usize>,
    fields: BTreeMap<String, String>,
    /// `LEVEL message field=value …` per event.
    events: Vec<String>,
}

/// Keeps every span and the events recorded inside it.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Captured>>>);

/// Where a span sits in [`Spans`].
struct Index(usize);

struct Text<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Text<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        let parent = ctx.span(id).and_then(|s| s.parent()).and_then(|p| p.extensions().get::<Index>().map(|i| i.0));
        let mut captured = Captured { name: attrs.metadata().name(), parent, ..Captured::default() };
        attrs.record(&mut Text(&mut captured.fields));
        spans.push(captured);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Index(spans.len() - 1));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(index) = ctx.span(id).and_then(|s| s.extensions().get::<Index>().map(|i| i.0)) else { return };
        values.record(&mut Text(&mut self.0.lock().unwrap()[index].fields));
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let Some(index) = ctx.event_span(event).and_then(|s| s.extensions().get::<Index>().map(|i| i.0)) else {
            return;
        };
        let mut fields = BTreeMap::new();
        event.record(&mut Text(&mut fields));
        let message = fields.remove("message").unwrap_or_default();
        let rest: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let line = format!("{} {message} {}", event.metadata().level(), rest.join(" "));
        self.0.lock().unwrap()[index].events.push(line);
    }
}

impl Spans {
    fn named(&self, name: &str) -> Vec<Captured> {
        self.0.lock().unwrap().iter().filter(|s| s.name == name).cloned().collect()
    }

    fn call(&self, endpoint: &str) -> Vec<Captured> {
        self.named("lark.call").into_iter().filter(|s| s.fields["lark.endpoint"] == endpoint).collect()
    }

    fn all_text(&self) -> String {
        format!("{:?}", self.0.lock().unwrap())
    }
}

fn get_thing(id: &str) -> Request {
    let mut request = Request::new(&GET_THING);
    request.path_param("thing_id", id.to_owned());
    request
}

async fn fake() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, THING, |r| FakeResponse::data(json!({ "id": r.path_param("thing_id") })));
    fake
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_is_one_span_with_its_token_fetch_inside_a_retry_and_a_failure_show() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let fake = fake().await;
    let client = client(&fake);

    // Success, with the first token fetched on the way.
    let _: Value = client.call(get_thing("secret-looking-id-1")).await.unwrap();
    let call = &spans.call("test.v1.thing.get")[0];
    let f = &call.fields;
    assert_eq!(f["otel.name"], "GET /open-apis/test/v1/things/{thing_id}");
    assert_eq!(f["otel.kind"], "client");
    assert_eq!(f["http.request.method"], "GET");
    assert_eq!(f["url.template"], "/open-apis/test/v1/things/{thing_id}");
    assert_eq!(f["http.response.status_code"], "200");
    assert_eq!(f["lark.code"], "0");
    assert_eq!(f["lark.attempts"], "1");
    assert!(f["lark.log_id"].starts_with("fake-log-"), "{f:?}");
    assert!(f["lark.duration_ms"].parse::<u64>().is_ok(), "{f:?}");
    assert!(!f.contains_key("error.type"), "{f:?}");
    let token = &spans.call("auth.v3.tenant_access_token.internal")[0];
    assert_eq!(token.parent, Some(0), "the token fetch is a span inside the call");
    assert_eq!(token.fields["http.response.status_code"], "200");
    let fetched = call.events.iter().find(|e| e.contains("fetched an access token")).expect("a token event");
    assert!(fetched.starts_with("INFO") && fetched.contains("token_kind=tenant_access_token"), "{fetched}");

    // A retried call: one span, two attempts, the retry inside it.
    fake.inject(Fault::Status(503).on(HttpMethod::Get, THING));
    let _: Value = client.call(get_thing("2")).await.unwrap();
    let retried = spans.call("test.v1.thing.get").pop().unwrap();
    assert_eq!(
        (retried.fields["lark.attempts"].as_str(), retried.fields["http.response.status_code"].as_str()),
        ("2", "200")
    );
    assert!(
        retried.events.iter().any(|e| e.starts_with("WARN retrying lark call") && e.contains("status=503")),
        "{:?}",
        retried.events
    );

    // Rate limited: the wait is an event of its own.
    fake.inject(Fault::RateLimit { reset_seconds: 0.01 }.on(HttpMethod::Get, THING));
    let _: Value = client.call(get_thing("3")).await.unwrap();
    let limited = spans.call("test.v1.thing.get").pop().unwrap();
    assert!(limited.events.iter().any(|e| e.contains("rate limited: waiting")), "{:?}", limited.events);

    // A failure the platform reports: its code, the status, the kind of error.
    fake.inject(
        Fault::Reply(FakeResponse::api_error(99991672, "no permission").status(400)).on(HttpMethod::Get, THING),
    );
    let err = client.call::<Value>(get_thing("4")).await.unwrap_err();
    assert!(err.api_error().is_some(), "{err:?}");
    let failed = spans.call("test.v1.thing.get").pop().unwrap();
    let f = &failed.fields;
    assert_eq!((f["http.response.status_code"].as_str(), f["lark.code"].as_str()), ("400", "99991672"));
    assert_eq!(f["error.type"], "api");

    let everything = spans.all_text();
    for secret in ["t-fake-", FakeLark::APP_SECRET, "secret-looking-id-1"] {
        assert!(!everything.contains(secret), "{secret} leaked: {everything}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_push_is_one_span_with_its_outcome_and_a_redelivery_logs_at_debug() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let webhook = Webhook::builder()
        .encrypt_key("k")
        .verification_token("v")
        .build(Dispatcher::new().on_raw("im.message.receive_v1", |_: EventContext| async { Ok(()) }));
    let push = || Push::new(v2_envelope("im.message.receive_v1", "ev_1", "v", "{}")).encrypt_and_sign("k").request();
    assert_eq!(webhook.handle(push()).await.status(), 200);
    assert_eq!(webhook.handle(push()).await.status(), 200);
    let unsigned = http::Request::post("/").body(bytes::Bytes::from_static(b"{}")).unwrap();
    assert_eq!(webhook.handle(unsigned).await.status(), 401);

    let events = spans.named("lark.event");
    let outcomes: Vec<(&str, &str)> = events
        .iter()
        .map(|s| (s.fields["lark.outcome"].as_str(), s.fields.get("lark.event_id").map_or("", String::as_str)))
        .collect();
    assert_eq!(outcomes, [("handled", "ev_1"), ("duplicate", "ev_1"), ("rejected", "")]);
    assert_eq!(events[0].fields["lark.transport"], "webhook");
    assert_eq!(events[0].fields["lark.event_type"], "im.message.receive_v1");
    assert!(events[1].events.iter().all(|e| e.starts_with("DEBUG")), "{:?}", events[1].events);
    assert!(events[1].events.iter().any(|e| e.contains("redelivery of a handled event")), "{:?}", events[1].events);
}
