//! One push to the app's event URL: encrypted and signed with its encrypt key when it
//! has one, plaintext otherwise, as the platform sends it.

use std::time::Duration;

use lark_runtime::webhook::testing::Push;
use serde_json::Value;

use super::Outcome;

/// POSTs the envelope; a 2xx within `within` is delivered, with the body as the answer.
pub(crate) async fn post(
    http: &reqwest::Client,
    url: &str,
    encrypt_key: &str,
    envelope: &Value,
    within: Duration,
) -> (Outcome, Option<Value>) {
    let push = Push::new(envelope.to_string());
    let push = if encrypt_key.is_empty() { push } else { push.encrypt_and_sign(encrypt_key) };
    let signed = push.request();
    let mut request = http.post(url).timeout(within).body(push.body());
    for (name, value) in signed.headers() {
        request = request.header(name.as_str(), value.as_bytes());
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.ok();
            let answer = body.and_then(|b| serde_json::from_slice(&b).ok());
            (Outcome::Answered(status), answer)
        }
        Err(e) if e.is_timeout() => (Outcome::TimedOut, None),
        Err(e) => (Outcome::Failed(error_chain(&e)), None),
    }
}

/// An error with its causes, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
