//! The `lark.call` span: one per API call, attempts and token fetches included.
//!
//! Field names follow OpenTelemetry's HTTP client conventions where they exist
//! (`http.request.method`, `url.template`, `http.response.status_code`, `error.type`,
//! and `otel.name` / `otel.kind`, which `tracing-opentelemetry` reads); the rest are
//! `lark.*`:
//!
//! | field | value |
//! |---|---|
//! | `lark.endpoint` | the catalogue id, e.g. `im.v1.message.create` |
//! | `lark.attempts` | how many times the request was sent (a token renewal counts) |
//! | `lark.code` | the platform's `code` in the last reply, when it had one |
//! | `lark.log_id` | the platform's log id of the last reply (`x-tt-logid`), for support tickets |
//! | `lark.duration_ms` | the whole call, waits between attempts included |
//!
//! Nothing secret goes into a field: no token, no body, no path or query values (the
//! template has the parameter names only).

use std::time::Duration;

use tracing::field::Empty;

use crate::core::endpoint::Target;
use crate::core::error::{Error, Result};
use crate::wire::exchange::Outcome;
use crate::wire::head::Head;

/// A new span for a call to `target`; its reply fields are filled in as they come.
pub(crate) fn call(target: &Target<'_>) -> tracing::Span {
    tracing::info_span!(
        "lark.call",
        otel.name = %format_args!("{} {}", target.method.as_str(), template(target.path)),
        otel.kind = "client",
        http.request.method = target.method.as_str(),
        url.template = %template(target.path),
        lark.endpoint = target.id,
        lark.attempts = Empty,
        http.response.status_code = Empty,
        lark.code = Empty,
        lark.log_id = Empty,
        lark.duration_ms = Empty,
        error.type = Empty,
    )
}

/// Records what a reply said.
pub(crate) fn reply(span: &tracing::Span, head: &Head, code: Option<i64>) {
    span.record("http.response.status_code", head.status);
    if let Some(log_id) = &head.log_id {
        span.record("lark.log_id", log_id.as_str());
    }
    if let Some(code) = code {
        span.record("lark.code", code);
    }
}

/// Records how the call ended.
pub(crate) fn finish(span: &tracing::Span, outcome: &Result<Outcome>, took: Duration) {
    span.record("lark.duration_ms", took.as_millis() as u64);
    let failed = match outcome {
        Err(e) => Some(error_type(e)),
        // A reply is a failure the caller decodes later; the span says so now.
        Ok(Outcome::Read(reply)) if reply.code().is_some_and(|code| code != 0) => Some("api"),
        Ok(Outcome::Read(reply)) if !reply.head.is_success() => Some("http"),
        Ok(_) => None,
    };
    if let Some(kind) = failed {
        span.record("error.type", kind);
    }
}

/// The path template in OpenTelemetry's form: `:chat_id` becomes `{chat_id}`.
fn template(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A low-cardinality name for the kind of failure.
fn error_type(e: &Error) -> &'static str {
    match e {
        Error::Transport(e) if e.is_timeout() => "timeout",
        Error::Transport(_) => "transport",
        Error::Api(_) => "api",
        Error::Token(_) => "token",
        Error::UserToken(_) => "user_token",
        Error::Http { .. } => "http",
        Error::Decode { .. } => "decode",
        Error::Encode { .. } => "encode",
        Error::Invalid { .. } => "invalid",
        Error::Config(_) => "config",
        Error::NotReplayable { source, .. } => error_type(source),
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_parameters_in_braces() {
        assert_eq!(template("/open-apis/im/v1/chats/:chat_id/members"), "/open-apis/im/v1/chats/{chat_id}/members");
        assert_eq!(template("/open-apis/im/v1/messages"), "/open-apis/im/v1/messages");
    }
}
