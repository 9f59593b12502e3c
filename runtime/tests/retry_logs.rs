//! Retries are logged with what identifies the call and the failure, never a token.
//!
//! Alone in its own test binary: `tracing` caches per call site whether anyone listens,
//! process-wide, so tests running in parallel without a subscriber could hide the log
//! lines this test captures.

mod common;

use std::sync::{Arc, Mutex};

use common::{TENANT_OR_USER, client, endpoint};
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::{HttpMethod, Request, ResponseKind};
use serde_json::{Value, json};

const THING: &str = "/open-apis/test/v1/things/:thing_id";

static GET_THING: lark_runtime::Endpoint =
    endpoint("test.v1.thing.get", HttpMethod::Get, THING, TENANT_OR_USER, ResponseKind::Data);

/// A tracing subscriber that keeps every event's fields as text.
#[derive(Default, Clone)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text(String);
        impl tracing::field::Visit for Text {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={:?} ", field.name(), value));
            }
        }
        let mut text = Text(format!("{} ", event.metadata().level()));
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(flavor = "current_thread")]
async fn every_retry_is_logged_without_tokens() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, THING, |r| FakeResponse::data(json!({ "id": r.path_param("thing_id") })));
    fake.inject(Fault::Status(503).on(HttpMethod::Get, THING));
    fake.inject(Fault::RevokeTokens.on(HttpMethod::Get, THING));
    let client = client(&fake);
    let mut request = Request::new(&GET_THING);
    request.path_param("thing_id", "1".to_owned());
    let _: Value = client.call(request).await.unwrap();
    assert_eq!(fake.requests_to(HttpMethod::Get, THING).len(), 3);
    let lines = capture.0.lock().unwrap().clone();
    let retries: Vec<_> = lines.iter().filter(|l| l.contains("retrying lark call")).collect();
    assert_eq!(retries.len(), 1, "{lines:#?}");
    let retry = retries[0];
    for field in
        ["WARN", "endpoint=\"test.v1.thing.get\"", "attempt=1", "wait_ms=", "status=503", "reason=\"server error\""]
    {
        assert!(retry.contains(field), "{field} missing in {retry}");
    }
    assert!(lines.iter().any(|l| l.contains("token rejected")), "{lines:#?}");
    assert!(lines.iter().all(|l| !l.contains("t-fake-")), "a token leaked into the logs: {lines:#?}");
}
