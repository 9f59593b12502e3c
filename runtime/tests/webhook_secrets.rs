//! Secrets never reach logs, `Debug` output or answers, whatever a request gets wrong.
//!
//! Alone in its own test binary: `tracing` caches per call site whether anyone listens,
//! process-wide, so tests running in parallel without a subscriber could hide the log
//! lines this test captures.

use std::sync::{Arc, Mutex};

use lark_runtime::event::{Dispatcher, EventContext};
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v2_envelope};

const KEY: &str = "encrypt-key-Zq8";
const TOKEN: &str = "verification-token-Wm3";
const MESSAGE: &str = "im.message.receive_v1";

fn message(id: &str) -> String {
    v2_envelope(MESSAGE, id, TOKEN, r#"{"message":{"message_id":"om_1"}}"#)
}

/// Collects everything logged while it is the default subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_logs_debug_output_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let dispatcher = Dispatcher::new().fallback(|_ctx: EventContext| async { Ok(()) });
    let webhook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher);
    let mut responses = Vec::new();
    let wrong_token = v2_envelope(MESSAGE, "e", "not-the-token", "{}");
    for request in [
        Push::new(message("ev_1")).encrypt_and_sign(KEY).request(),
        Push::new(message("ev_1")).encrypt_and_sign(KEY).request(),
        Push::new(message("ev_2")).encrypt_and_sign("other").request(),
        Push::new(wrong_token).encrypt_and_sign(KEY).request(),
        Push::new(message("ev_3")).request(),
    ] {
        let response = webhook.handle(request).await;
        responses.push((response.status(), response.body().clone()));
    }
    let builder = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN);
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("bad_signature") && logged.contains("bad_token"), "{logged}");
    let texts = [logged, format!("{webhook:?}"), format!("{builder:?}"), format!("{responses:?}")];
    for text in texts {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains(TOKEN), "{text}");
    }
}
