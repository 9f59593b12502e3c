//! The platform's reply envelope, `{code, msg, data, error}`, and the error details in it.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::core::endpoint::Scopes;
use crate::core::error::{ApiError, FieldViolation, Help, PermissionViolation};
use crate::wire::head::Head;

/// The envelope `{code, msg, data, error}`. Every field is optional so that any JSON
/// object parses; what is missing is judged by the caller.
#[derive(Deserialize, Default)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    msg: Option<String>,
    /// The OAuth v2 endpoints put their message here instead of in `msg`.
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    pub data: Option<Box<RawValue>>,
    /// Kept raw: the OAuth endpoints send a string here rather than an object.
    #[serde(default)]
    error: Option<Box<RawValue>>,
}

/// The `error` object of a failed call.
#[derive(Deserialize, Default)]
struct ErrorDetail {
    #[serde(default)]
    log_id: Option<String>,
    #[serde(default)]
    troubleshooter: Option<String>,
    #[serde(default)]
    permission_violations: Vec<PermissionViolation>,
    #[serde(default)]
    field_violations: Vec<FieldViolation>,
    #[serde(default)]
    helps: Vec<Help>,
}

impl Envelope {
    /// Parses a body that looks like JSON; a file download is not parsed at all.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> std::result::Result<Self, String> {
        let json_type = content_type.is_some_and(|t| t.contains("json"));
        let starts_like_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !json_type && !starts_like_object {
            return Err("the body is not JSON".to_owned());
        }
        serde_json::from_slice(body).map_err(|e| e.to_string())
    }

    /// The error details of a reply whose code is not 0.
    pub fn api_error(&self, head: &Head, endpoint: &'static str, scopes: Scopes) -> ApiError {
        let detail = self
            .error
            .as_deref()
            .and_then(|raw| serde_json::from_str::<ErrorDetail>(raw.get()).ok())
            .unwrap_or_default();
        let msg = match (&self.msg, &self.error_description) {
            (Some(m), _) if !m.is_empty() => m.clone(),
            (_, Some(d)) => d.clone(),
            _ => String::new(),
        };
        ApiError {
            code: self.code.unwrap_or_default(),
            msg,
            http_status: head.status,
            log_id: head.log_id.clone().or(detail.log_id),
            troubleshooter: detail.troubleshooter,
            permission_violations: detail.permission_violations,
            field_violations: detail.field_violations,
            helps: detail.helps,
            endpoint,
            scopes,
            retry_after: head.retry_after,
        }
    }
}
