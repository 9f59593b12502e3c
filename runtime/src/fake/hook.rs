//! Custom bot hooks: `POST /open-apis/bot/v2/hook/:token`, signature checked as the
//! platform documents it.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::hmac;
use serde_json::{Value, json};

use super::request::FakeRequest;
use super::response::FakeResponse;

/// The body limit of a custom bot (20 KB, read as 20 × 1024 bytes).
const LIMIT: usize = 20 * 1024;

/// Answers one hook request: code 0, or the platform's error code for a bad body (9499)
/// or a bad signature or timestamp (19021).
pub(crate) fn answer(request: &FakeRequest, secret: Option<&str>) -> FakeResponse {
    if request.body.len() > LIMIT {
        return refuse(9499, "request body too large");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else { return refuse(9499, "Bad Request") };
    if let Some(secret) = secret
        && !signed(&body, secret)
    {
        return refuse(19021, "sign match fail or timestamp is not within one hour from current time");
    }
    if body.get("msg_type").and_then(Value::as_str).is_none() {
        return refuse(9499, "Bad Request: msg_type");
    }
    FakeResponse::json(json!({ "code": 0, "msg": "success", "data": {} }))
}

/// `sign` is Base64 of HMAC-SHA256 keyed by `timestamp + "\n" + secret` over nothing, and
/// `timestamp` (seconds, a string) is within an hour of now.
fn signed(body: &Value, secret: &str) -> bool {
    let (Some(timestamp), Some(sign)) = (body["timestamp"].as_str(), body["sign"].as_str()) else { return false };
    let Ok(seconds) = timestamp.parse::<u64>() else { return false };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if now.abs_diff(seconds) > 3600 {
        return false;
    }
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(sign) else { return false };
    let key = hmac::Key::new(hmac::HMAC_SHA256, format!("{timestamp}\n{secret}").as_bytes());
    hmac::verify(&key, b"", &given).is_ok()
}

fn refuse(code: i64, msg: &str) -> FakeResponse {
    FakeResponse::json(json!({ "code": code, "msg": msg, "data": {} }))
}
