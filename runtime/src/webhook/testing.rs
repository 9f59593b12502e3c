//! Requests shaped like the platform's, for tests, benchmarks and local trials.
//!
//! ```
//! use lark_runtime::event::Dispatcher;
//! use lark_runtime::webhook::Webhook;
//! use lark_runtime::webhook::testing::{Push, v2_envelope};
//!
//! # async fn run() {
//! let webhook = Webhook::builder().encrypt_key("k").verification_token("t").build(Dispatcher::new());
//! let json = v2_envelope("im.message.receive_v1", "ev_1", "t", r#"{"message":{}}"#);
//! let response = webhook.handle(Push::new(json).encrypt_and_sign("k").request()).await;
//! assert_eq!(response.status(), 200);
//! # }
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Method, Request};
use ring::rand::{SecureRandom, SystemRandom};

use super::{EncryptKey, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, card_signature, event_signature};

/// A v2 envelope around `event` (a JSON object), as the platform pushes it.
pub fn v2_envelope(event_type: &str, event_id: &str, token: &str, event: &str) -> String {
    let header = serde_json::json!({
        "event_id": event_id,
        "event_type": event_type,
        "create_time": "1700000000000",
        "token": token,
        "app_id": "cli_test",
        "tenant_key": "tenant_test",
    });
    format!(r#"{{"schema":"2.0","header":{header},"event":{event}}}"#)
}

/// A v1 envelope around `event`, a JSON object that must hold the `type` field.
pub fn v1_envelope(uuid: &str, token: &str, event: &str) -> String {
    let head = serde_json::json!({ "uuid": uuid, "token": token, "ts": "1700000000.123", "type": "event_callback" });
    let head = head.to_string();
    format!(r#"{},"event":{event}}}"#, &head[..head.len() - 1])
}

/// One push: its body, optionally encrypted, and its signature headers.
#[derive(Debug, Clone)]
pub struct Push {
    body: Vec<u8>,
    timestamp: String,
    nonce: String,
    signature: Option<String>,
}

impl Push {
    /// An unsigned push of `json` as it is, stamped now.
    pub fn new(json: impl Into<String>) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        Push {
            body: json.into().into_bytes(),
            timestamp: now.to_string(),
            nonce: crate::core::random::hex(8),
            signature: None,
        }
    }

    /// Changes the timestamp header (seconds since the epoch); call before signing.
    pub fn timestamp(mut self, secs: u64) -> Self {
        self.timestamp = secs.to_string();
        self
    }

    /// Encrypts the body with a random IV and signs it as an event push.
    pub fn encrypt_and_sign(mut self, encrypt_key: &str) -> Self {
        let mut iv = [0u8; 16];
        // The system RNG only fails on exotic platforms; a zero IV still makes a valid push.
        let _ = SystemRandom::new().fill(&mut iv);
        let encrypted = EncryptKey::new(encrypt_key).encrypt(&self.body, iv);
        self.body = serde_json::json!({ "encrypt": encrypted }).to_string().into_bytes();
        self.sign_event(encrypt_key)
    }

    /// Signs the body as it is as an event push (SHA-256 with the encrypt key).
    pub fn sign_event(mut self, encrypt_key: &str) -> Self {
        self.signature = Some(event_signature(&self.timestamp, &self.nonce, encrypt_key, &self.body));
        self
    }

    /// Signs the body as a legacy card action (SHA-1 with the verification token).
    pub fn sign_card(mut self, verification_token: &str) -> Self {
        self.signature = Some(card_signature(&self.timestamp, &self.nonce, verification_token, &self.body));
        self
    }

    /// The body as sent.
    pub fn body(&self) -> Bytes {
        Bytes::from(self.body.clone())
    }

    /// A `POST` request carrying the body and, when signed, the three signature headers.
    pub fn request(&self) -> Request<Bytes> {
        let mut request = Request::new(self.body());
        *request.method_mut() = Method::POST;
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(signature) = &self.signature {
            for (name, value) in
                [(TIMESTAMP_HEADER, &self.timestamp), (NONCE_HEADER, &self.nonce), (SIGNATURE_HEADER, signature)]
            {
                // Constant names, digits and hex: both always parse.
                if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                    headers.insert(name, value);
                }
            }
        }
        request
    }
}
