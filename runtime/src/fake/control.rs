//! The fake's control API under `/__fake/`, for tests written in any language:
//!
//! - `GET /__fake/requests`: every request so far as a JSON array of
//!   `{method, path, query, body, status, code}`; `query` is a list of `[name, value]`
//!   pairs, `body` the JSON body with credentials replaced by `"<redacted>"` (or, for an
//!   upload, its parts' names and sizes; `null` when empty). No header is listed, so no
//!   token appears.
//! - `POST /__fake/faults` with `{"fault": KIND, …}` arms a [`Fault`], where KIND is
//!   `status` (`status`), `rate_limit` (`reset_seconds`), `delay` (`millis`), `drop`,
//!   `revoke_tokens`, `after_handling` (`status`) or `reply` (`status`, `body`); with
//!   `method` and `path` (a template, `:name` matching a segment) it fires only there;
//!   `skip` and `times` as in [`FaultRule`].
//! - `DELETE /__fake/faults` disarms every fault.
//! - `POST /__fake/sign_in` with `{"user": SUBJECT}` makes the next sign-ins on the
//!   authorization page that user's; with `{"deny": true}` the user refuses the next one.

use std::time::Duration;

use serde_json::{Value, json};

use super::faults::{Fault, FaultRule};
use super::request::FakeRequest;
use super::response::FakeResponse;
use super::server::{Shared, lock};
use crate::core::endpoint::HttpMethod;

/// Body fields that carry credentials, never listed.
const SECRETS: [&str; 7] =
    ["app_secret", "client_secret", "app_access_token", "app_ticket", "refresh_token", "code", "code_verifier"];

/// The control API's answer, or `None` for a path outside `/__fake/`.
pub(crate) fn answer(shared: &Shared, request: &FakeRequest) -> Option<FakeResponse> {
    Some(match (request.method, request.path.as_str()) {
        (HttpMethod::Get, "/__fake/requests") => {
            let listed: Vec<Value> = lock(&shared.requests).iter().map(describe).collect();
            FakeResponse::json(Value::Array(listed))
        }
        (HttpMethod::Post, "/__fake/faults") => match rule(&request.json()) {
            Ok(rule) => {
                lock(&shared.faults).push(rule);
                FakeResponse::json(json!({"code": 0, "msg": "armed"}))
            }
            Err((field, problem)) => invalid(field, problem),
        },
        (HttpMethod::Delete, "/__fake/faults") => {
            lock(&shared.faults).clear();
            FakeResponse::json(json!({"code": 0, "msg": "cleared"}))
        }
        (HttpMethod::Post, "/__fake/sign_in") => {
            let body = request.json();
            let mut tokens = lock(&shared.tokens);
            match (body["user"].as_str(), body["deny"].as_bool()) {
                (Some(user), _) => tokens.signing_in = Some(user.to_owned()),
                (None, Some(true)) => tokens.deny_next = true,
                _ => return Some(invalid("user", "give the signing-in user, or `\"deny\": true`".to_owned())),
            }
            FakeResponse::json(json!({"code": 0, "msg": "set"}))
        }
        (_, path) if path.starts_with("/__fake/") => FakeResponse::api_error(
            404,
            "the control API has GET /__fake/requests, POST and DELETE /__fake/faults and POST /__fake/sign_in",
        )
        .status(404),
        _ => return None,
    })
}

fn describe(request: &FakeRequest) -> Value {
    let body = if !request.parts.is_empty() {
        let parts: Vec<Value> = request
            .parts
            .iter()
            .map(|p| json!({"name": p.name, "file_name": p.file_name, "bytes": p.bytes.len()}))
            .collect();
        json!({ "parts": parts })
    } else if request.body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(mut value) => {
                redact(&mut value);
                value
            }
            Err(_) => Value::String(format!("<{} bytes that are not JSON>", request.body.len())),
        }
    };
    let query: Vec<Value> = request.query.iter().map(|(k, v)| json!([k, v])).collect();
    json!({
        "method": request.method.as_str(),
        "path": request.path,
        "query": query,
        "body": body,
        "status": request.reply.map(|r| r.status),
        "code": request.reply.and_then(|r| r.code),
    })
}

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if SECRETS.contains(&key.as_str()) {
                    *inner = Value::String("<redacted>".to_owned());
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// A fault rule from its JSON form; the error names the field at fault.
fn rule(body: &Value) -> Result<FaultRule, (&'static str, String)> {
    let status = || {
        body["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .ok_or(("status", "an HTTP status is required".into()))
    };
    let fault = match body["fault"].as_str() {
        Some("status") => Fault::Status(status()?),
        Some("rate_limit") => Fault::RateLimit { reset_seconds: body["reset_seconds"].as_f64().unwrap_or(1.0) },
        Some("delay") => Fault::Delay(Duration::from_millis(
            body["millis"].as_u64().ok_or(("millis", "a number of milliseconds is required".to_owned()))?,
        )),
        Some("drop") => Fault::Drop,
        Some("revoke_tokens") => Fault::RevokeTokens,
        Some("after_handling") => Fault::AfterHandling(status()?),
        Some("reply") => Fault::Reply(FakeResponse::json(body["body"].clone()).status(status()?)),
        _ => {
            return Err((
                "fault",
                "one of status, rate_limit, delay, drop, revoke_tokens, after_handling, reply".to_owned(),
            ));
        }
    };
    let mut rule = match (body["method"].as_str(), body["path"].as_str()) {
        (Some(method), Some(path)) => fault.on(method_of(method).ok_or(("method", format!("`{method}`")))?, path),
        (None, None) => fault.anywhere(),
        _ => return Err(("path", "give both `method` and `path`, or neither".to_owned())),
    };
    if let Some(skip) = body["skip"].as_u64() {
        rule = rule.skip(skip as usize);
    }
    if let Some(times) = body["times"].as_u64() {
        rule = rule.times(times as usize);
    }
    Ok(rule)
}

fn method_of(text: &str) -> Option<HttpMethod> {
    [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(text))
}

/// The platform's field-validation error (code 99992402).
fn invalid(field: &str, problem: String) -> FakeResponse {
    FakeResponse::json(json!({
        "code": 99992402,
        "msg": "field validation failed",
        "error": {"field_violations": [{"field": field, "description": problem}]},
    }))
    .status(400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_read_from_json_and_bad_ones_name_the_field() {
        let ok =
            rule(&json!({"fault": "status", "status": 503, "method": "get", "path": "/open-apis/x/:id", "times": 2}));
        assert!(matches!(ok.map(|r| r.fault), Ok(Fault::Status(503))));
        assert!(matches!(rule(&json!({"fault": "delay", "millis": 5})).map(|r| r.fault), Ok(Fault::Delay(_))));
        assert_eq!(rule(&json!({"fault": "status"})).err().map(|e| e.0), Some("status"));
        assert_eq!(rule(&json!({"fault": "boom"})).err().map(|e| e.0), Some("fault"));
        assert_eq!(rule(&json!({"fault": "drop", "method": "GET"})).err().map(|e| e.0), Some("path"));
        assert_eq!(rule(&json!({"fault": "drop", "method": "FETCH", "path": "/x"})).err().map(|e| e.0), Some("method"));
    }

    #[test]
    fn credentials_are_redacted_at_any_depth() {
        let mut body = json!({"app_id": "cli_1", "app_secret": "s", "nested": [{"refresh_token": "r", "keep": 1}]});
        redact(&mut body);
        assert_eq!(
            body,
            json!({"app_id": "cli_1", "app_secret": "<redacted>", "nested": [{"refresh_token": "<redacted>", "keep": 1}]})
        );
    }
}
