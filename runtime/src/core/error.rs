//! The error type: what went wrong, and where possible what to do about it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::core::endpoint::Scopes;
use crate::core::excerpt::excerpt;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the platform.
///
/// Messages never contain an app secret or an access token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The platform answered with a non-zero `code`.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The token endpoint refused to issue an access token.
    #[error("could not get an access token: {0}")]
    Token(Box<ApiError>),
    /// A non-2xx reply that is not a Lark error envelope (a proxy or gateway page, say).
    #[error("{}", http_message(*.status, .endpoint, .body_excerpt))]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The endpoint id.
        endpoint: &'static str,
        /// The start of the body, at most about 512 bytes.
        body_excerpt: String,
    },
    /// The request never got a reply: connection, TLS or timeout trouble.
    #[error("{}", transport_message(.0))]
    Transport(#[source] reqwest::Error),
    /// The reply did not have the expected shape.
    #[error("could not decode the reply of {endpoint}: {message}. The body starts with: {body_excerpt}")]
    Decode {
        /// The endpoint id.
        endpoint: &'static str,
        /// What the decoder did not like.
        message: String,
        /// The start of the body, at most about 512 bytes.
        body_excerpt: String,
    },
    /// The request could not be encoded (a body that does not serialise, a bad path
    /// parameter or header).
    #[error("could not encode the request for {endpoint}: {message}")]
    Encode {
        /// The endpoint id.
        endpoint: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The client or the call is configured in a way that cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A user access token was rejected as invalid or expired (codes 99991668, 99991677)
    /// and the call had no way to refresh it.
    #[error("{0}")]
    UserToken(Box<ApiError>),
    /// An app store app has no `app_ticket` yet. The platform has been asked to push one
    /// (it arrives as the `app_ticket` event; hand it to
    /// [`Client::set_app_ticket`](crate::Client::set_app_ticket)); retry in a few seconds.
    #[error(
        "the store app has no app_ticket yet: the platform was asked to resend it; pass the `app_ticket` event to Client::set_app_ticket and retry in a few seconds"
    )]
    AppTicketMissing,
    /// A paginated list did not end: more pages than the cap, or a cursor that repeats.
    #[error("stopped paging {endpoint} after {pages} pages: {reason}")]
    Pagination {
        /// The endpoint id.
        endpoint: &'static str,
        /// How many pages were read.
        pages: usize,
        /// Why paging stopped.
        reason: String,
    },
    /// A call whose body was streamed from a reader failed after sending began; the body
    /// cannot be sent again, so the call was not retried.
    #[error("{endpoint}: {source}; the upload was streamed from a reader and cannot be resent, so it was not retried")]
    NotReplayable {
        /// The endpoint id.
        endpoint: &'static str,
        /// The failure that would otherwise have been retried.
        #[source]
        source: Box<Error>,
    },
    /// Message content or a card breaks a documented rule; nothing was sent.
    #[error("{0}")]
    Content(ContentError),
    /// The request leaves out a field the endpoint requires where its types could not
    /// insist (a field of a model other requests send without it, or one of two
    /// alternatives); nothing was sent. The fields are named as the platform's own
    /// field-validation error (code 99992402) would name them.
    #[error("{}", invalid_message(.endpoint, .violations))]
    Invalid {
        /// The endpoint id.
        endpoint: &'static str,
        /// Every missing field, with its path in the body (`members[1].id`).
        violations: Vec<FieldViolation>,
    },
    /// A local file could not be read or written.
    #[error("could not access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

fn http_message(status: u16, endpoint: &str, body_excerpt: &str) -> String {
    let advice = if status >= 500 {
        "the platform or a gateway failed; calls that are safe to repeat were retried, so try again later"
    } else {
        "check the base URL and any proxy in between"
    };
    format!(
        "{endpoint} answered HTTP {status} without a Lark error body: {advice}. The body starts with: {body_excerpt}"
    )
}

fn invalid_message(endpoint: &str, violations: &[FieldViolation]) -> String {
    let fields: Vec<String> = violations.iter().map(|v| format!("{}: {}", v.field, v.description)).collect();
    format!("{endpoint} was not sent, a required field is missing: {}", fields.join("; "))
}

fn transport_message(e: &reqwest::Error) -> String {
    format!("could not reach the Lark server: {}: {}", unreachable_because(e), with_causes(e))
}

/// Why a request got no answer, read off the error and its causes: the cause decides
/// what to check (the address, the name, the certificate, the timeout).
pub(crate) fn unreachable_because(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        return "the request timed out (raise the client's timeout if the call is slow by nature)";
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(_) => "the server's TLS certificate was not accepted",
                _ => "the TLS handshake failed",
            };
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "the connection was refused (nothing listens there)",
                std::io::ErrorKind::TimedOut => return "connecting timed out",
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return "the connection was cut";
                }
                _ => {}
            }
        }
        // hyper's connector says so in its message; its error type is private.
        if c.to_string().starts_with("dns error") {
            return "the host name did not resolve";
        }
        cause = next_cause(c);
    }
    "the request got no answer"
}

/// The cause below `e`. An `io::Error` that wraps another error hands out the wrapped
/// error's own cause as its `source`, skipping the wrapped error (TLS errors sit there),
/// so descend into it instead.
fn next_cause<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    match e.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
        Some(inner) => Some(inner),
        None => e.source(),
    }
}

/// The error's message followed by each cause's, `: `-separated, skipping causes whose
/// text the message already holds.
pub(crate) fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = next_cause(e);
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = next_cause(c);
    }
    text
}

impl Error {
    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_timeout(),
            Error::NotReplayable { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// The platform's error details, for [`Error::Api`], [`Error::Token`] and
    /// [`Error::UserToken`] (and the same wrapped in [`Error::NotReplayable`]).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::Token(e) | Error::UserToken(e) => Some(e),
            Error::NotReplayable { source, .. } => source.api_error(),
            _ => None,
        }
    }

    /// The request fields found invalid: by the platform ([`Error::Api`]) or, before
    /// sending, by the client ([`Error::Invalid`]). Empty for other errors.
    pub fn field_violations(&self) -> &[FieldViolation] {
        match self {
            Error::Invalid { violations, .. } => violations,
            _ => self.api_error().map_or(&[], |e| &e.field_violations),
        }
    }

    /// Whether the platform throttled the call and retrying later may succeed.
    pub fn is_rate_limited(&self) -> bool {
        self.api_error().is_some_and(ApiError::is_rate_limited)
    }

    /// The HTTP status of the reply, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            Error::NotReplayable { source, .. } => source.http_status(),
            _ => self.api_error().map(|e| e.http_status),
        }
    }

    /// The platform's error code, if the platform sent one.
    pub fn code(&self) -> Option<i64> {
        self.api_error().map(|e| e.code)
    }

    /// The platform's log id, to quote when asking Lark support about a failed call.
    pub fn log_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.log_id.as_deref())
    }

    pub(crate) fn decode(endpoint: &'static str, message: impl fmt::Display, body: &[u8]) -> Self {
        Error::Decode { endpoint, message: message.to_string(), body_excerpt: excerpt(body) }
    }

    pub(crate) fn encode(endpoint: &'static str, message: impl Into<String>) -> Self {
        Error::Encode { endpoint, message: message.into() }
    }
}

/// An error reported by the platform: a non-zero `code` in the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The platform's error code.
    pub code: i64,
    /// The platform's message.
    pub msg: String,
    /// The HTTP status of the reply.
    pub http_status: u16,
    /// The request's log id (header `X-Tt-Logid`, else `error.log_id` in the body).
    pub log_id: Option<String>,
    /// A link to the platform's troubleshooting page for this error.
    pub troubleshooter: Option<String>,
    /// Missing permissions named by the platform.
    pub permission_violations: Vec<PermissionViolation>,
    /// Invalid request fields named by the platform.
    pub field_violations: Vec<FieldViolation>,
    /// Links to documentation the platform suggests.
    pub helps: Vec<Help>,
    /// The id of the endpoint that failed.
    pub endpoint: &'static str,
    /// The scopes the endpoint needs, as the catalogue knows them.
    pub scopes: Scopes,
    /// How long the platform asked us to wait before trying again (rate limits).
    pub retry_after: Option<Duration>,
}

/// A permission the platform says is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct PermissionViolation {
    /// The kind of violation, as the platform names it.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Usually the missing scope.
    #[serde(default)]
    pub subject: String,
    /// A human-readable explanation.
    #[serde(default)]
    pub description: String,
}

/// A request field the platform rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct FieldViolation {
    /// The field's wire name.
    #[serde(default)]
    pub field: String,
    /// The value the platform saw, if it says.
    #[serde(default)]
    pub value: String,
    /// What is wrong with it.
    #[serde(default)]
    pub description: String,
}

/// A documentation link attached to an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[non_exhaustive]
pub struct Help {
    /// The link.
    #[serde(default)]
    pub url: String,
    /// What it explains.
    #[serde(default)]
    pub description: String,
}

/// Codes meaning the app lacks a permission or scope.
const PERMISSION_CODES: [i64; 3] = [99991672, 99991676, 99991679];
/// Codes meaning the app id or app secret is wrong.
const CREDENTIAL_CODES: [i64; 2] = [99991543, 10014];
/// Codes meaning a tenant or app token was rejected; the client evicts and retries once.
pub(crate) const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];
/// Codes meaning a user access token was rejected: 99991668 invalid, 99991677 expired.
pub(crate) const USER_TOKEN_CODES: [i64; 2] = [99991668, 99991677];
/// The platform's rate-limit code, sent with HTTP 429.
pub(crate) const RATE_LIMITED_CODE: i64 = 99991400;

impl ApiError {
    /// Whether the app lacks a permission or scope the call needs.
    pub fn is_permission_denied(&self) -> bool {
        PERMISSION_CODES.contains(&self.code)
    }

    /// Whether the platform throttled the call (HTTP 429 or code 99991400).
    pub fn is_rate_limited(&self) -> bool {
        self.http_status == 429 || self.code == 99991400
    }

    /// Whether the app id or app secret is wrong.
    pub fn is_bad_credentials(&self) -> bool {
        CREDENTIAL_CODES.contains(&self.code)
    }

    /// What the user should do about this error, when we know.
    fn advice(&self) -> Option<String> {
        let code = self.code;
        if PERMISSION_CODES.contains(&code) {
            let named: Vec<&str> =
                self.permission_violations.iter().map(|v| v.subject.as_str()).filter(|s| !s.is_empty()).collect();
            let what = match (self.scopes.advice(), named.is_empty()) {
                (Some(scopes), _) => scopes,
                (None, false) => format!("`{}`", named.join("`, `")),
                (None, true) => "the scopes its documentation lists".to_owned(),
            };
            return Some(format!(
                "the app lacks a permission for this call: grant {what} in the developer console (Permissions & Scopes), then publish a new app version"
            ));
        }
        if CREDENTIAL_CODES.contains(&code) {
            return Some(
                "the app id or app secret is wrong: copy both from the developer console (Credentials & Basic Info)"
                    .to_owned(),
            );
        }
        let text = match code {
            99991661 => "the request carried no access token",
            99991663 | 99991664 | 99991671 => {
                "the access token was rejected even after fetching a fresh one; check that the app is enabled for this tenant"
            }
            99991668 | 99991677 => {
                "the user access token is invalid or expired: refresh it, or ask the user to sign in again"
            }
            99991400 => "the call was rate limited: slow down and retry later",
            10012 => "the app_ticket is invalid: the client asked the platform to resend it; retry in a few seconds",
            20026 | 20037 | 20064 | 20073 => {
                "the refresh token is invalid, expired, revoked or already used (each one works once): ask the user to sign in again"
            }
            20050 => "the OAuth server failed; retry later",
            _ if self.http_status == 429 => "the call was rate limited: slow down and retry later",
            _ => return None,
        };
        Some(text.to_owned())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with code {}: {}", self.endpoint, self.code, self.msg)?;
        if let Some(advice) = self.advice() {
            write!(f, "; {advice}")?;
        }
        for v in &self.field_violations {
            write!(f, "; field `{}`: {}", v.field, v.description)?;
        }
        if let (true, Some(wait)) = (self.is_rate_limited(), self.retry_after) {
            write!(f, " (the platform asks to wait {} ms)", wait.as_millis())?;
        }
        if let Some(log_id) = &self.log_id {
            write!(f, " (log id {log_id})")?;
        }
        if let Some(link) = &self.troubleshooter {
            write!(f, " troubleshooter: {link}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64) -> ApiError {
        ApiError {
            code,
            msg: "denied".to_owned(),
            http_status: 400,
            log_id: Some("log-1".to_owned()),
            troubleshooter: None,
            permission_violations: Vec::new(),
            field_violations: Vec::new(),
            helps: Vec::new(),
            endpoint: "im.v1.message.create",
            scopes: Scopes::Known { any: &["im:message", "im:message:send_as_bot"], all: &[] },
            retry_after: None,
        }
    }

    #[test]
    fn permission_errors_name_the_scopes() {
        let text = Error::Api(Box::new(api(99991672))).to_string();
        assert!(text.contains("`im:message`, `im:message:send_as_bot`"), "{text}");
        assert!(text.contains("developer console"), "{text}");
        assert!(text.contains("log id log-1"), "{text}");
    }

    #[test]
    fn permission_errors_fall_back_to_violations() {
        let mut e = api(99991676);
        e.scopes = Scopes::Unknown;
        e.permission_violations.push(PermissionViolation {
            kind: "action_scope_required".to_owned(),
            subject: "drive:drive".to_owned(),
            description: String::new(),
        });
        assert!(e.to_string().contains("grant `drive:drive`"), "{e}");
    }

    #[test]
    fn http_errors_advise_by_status() {
        let gateway = Error::Http { status: 503, endpoint: "e", body_excerpt: "<html>".to_owned() };
        assert!(gateway.to_string().contains("try again later"), "{gateway}");
        assert_eq!(gateway.http_status(), Some(503));
        let proxy = Error::Http { status: 404, endpoint: "e", body_excerpt: String::new() };
        assert!(proxy.to_string().contains("check the base URL"), "{proxy}");
    }

    #[test]
    fn not_replayable_errors_expose_the_cause() {
        let mut limited = api(99991400);
        limited.http_status = 429;
        let err = Error::NotReplayable { endpoint: "e", source: Box::new(Error::Api(Box::new(limited))) };
        assert!(err.is_rate_limited() && err.code() == Some(99991400));
        assert!(err.to_string().contains("cannot be resent"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn credential_errors_say_what_to_fix() {
        for code in [99991543, 10014] {
            let text = Error::Token(Box::new(api(code))).to_string();
            assert!(text.contains("app id or app secret is wrong"), "{text}");
        }
    }
}

/// Message content or a card that breaks a documented rule, with the path of the
/// offending element (e.g. `body.elements[2].columns[0].elements[1].element_id`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid message content at {path}: {problem}")]
pub struct ContentError {
    /// Where in the content, as field names and indexes.
    pub path: String,
    /// What rule it breaks.
    pub problem: String,
}

impl ContentError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        ContentError { path: path.into(), problem: problem.into() }
    }
}

impl From<ContentError> for Error {
    fn from(e: ContentError) -> Self {
        Error::Content(e)
    }
}
