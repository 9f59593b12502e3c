//! Options set on one call, shared by every kind of call.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::user_token::UserTokenSource;
use crate::core::error::{Error, Result};
use crate::core::secret::Secret;
use crate::wire::Wire;
use crate::wire::exchange::Settings;
use crate::wire::retry::RetryPolicy;

/// How a call authenticates as a user.
#[derive(Clone)]
pub(crate) enum UserAuth {
    /// A token the caller manages; rejected means failed.
    Token(Secret),
    /// A source that can refresh the token when the platform rejects it.
    Source(Arc<dyn UserTokenSource>),
}

/// Options set on one call. Not `Debug`: it may hold a user token.
#[derive(Clone, Default)]
pub(crate) struct CallOptions {
    pub user: Option<UserAuth>,
    pub tenant_key: Option<String>,
    pub headers: Vec<(String, String)>,
    pub request_id: Option<String>,
    pub timeout: Option<Duration>,
    pub retry_safe: bool,
    pub retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// The client's default headers, then `X-Request-Id`, then the call's own headers.
    pub(crate) fn headers(&self, defaults: &HeaderMap) -> Result<HeaderMap> {
        let mut map = defaults.clone();
        let ids = self.request_id.iter().map(|id| ("x-request-id", id));
        let custom = self.headers.iter().map(|(n, v)| (n.as_str(), v));
        for (name, value) in ids.chain(custom) {
            let (name, value) = header(name, value)?;
            // A call's header replaces a default of the same name rather than adding to it.
            map.insert(name, value);
        }
        Ok(map)
    }

    /// How the call is sent: the wire's defaults with these options applied.
    pub(crate) fn settings(&self, wire: &Wire) -> Result<Settings> {
        Ok(Settings {
            headers: self.headers(wire.default_headers())?,
            timeout: self.timeout.or(wire.timeout()),
            retry: self.retry.unwrap_or(wire.retry_policy()),
            retry_safe: self.retry_safe,
        })
    }
}

/// A checked header; errors name the header but never show its value, which may be a
/// credential.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the value of header `{name}` is not a valid header value")))?;
    Ok((header, value))
}

/// The per-call option setters, the same on every call builder (each has an `options`
/// field).
macro_rules! option_setters {
    () => {
        /// Calls as a user with this user access token. The endpoint must accept user
        /// tokens, otherwise awaiting the call gives [`Error::Config`](crate::Error::Config).
        /// If the platform rejects the token as invalid or expired, the call fails with
        /// [`Error::UserToken`](crate::Error::UserToken); use
        /// [`user_token_source`](Self::user_token_source) to have it refreshed instead.
        pub fn user_access_token(mut self, token: impl Into<String>) -> Self {
            self.options.user =
                Some($crate::client::options::UserAuth::Token($crate::core::secret::Secret::new(token.into())));
            self
        }

        /// Calls as a user whose token comes from `source`, which is asked to refresh it
        /// when it nears expiry or when the platform rejects it (then the call is retried
        /// once). [`RefreshingUserToken`](crate::RefreshingUserToken) is a ready source.
        pub fn user_token_source(mut self, source: ::std::sync::Arc<dyn $crate::UserTokenSource>) -> Self {
            self.options.user = Some($crate::client::options::UserAuth::Source(source));
            self
        }

        /// The tenant to act in. App store apps need it (to pick the tenant's token);
        /// self-built apps belong to one tenant and ignore it.
        pub fn tenant_key(mut self, key: impl Into<String>) -> Self {
            self.options.tenant_key = Some(key.into());
            self
        }

        /// Adds an HTTP header, replacing one of ours (or a client default) with the same
        /// name.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options.headers.push((name.into(), value.into()));
            self
        }

        /// Sends this id as `X-Request-Id`, to correlate the call with your own logs.
        pub fn request_id(mut self, id: impl Into<String>) -> Self {
            self.options.request_id = Some(id.into());
            self
        }

        /// How long each attempt may take, reply body included, instead of the client's
        /// timeout.
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// Declares the call safe to send more than once, so that server errors (5xx),
        /// timeouts and lost connections are retried even for POST or PATCH. Only do this
        /// when a repeat is harmless, e.g. when the body carries an idempotency key such
        /// as a message `uuid`. Idempotent methods (GET, PUT, DELETE) are retried anyway.
        pub fn retry_safe(mut self) -> Self {
            self.options.retry_safe = true;
            self
        }

        /// Retries this call by `policy` instead of the client's policy.
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.options.retry = Some(policy);
            self
        }
    };
}

pub(crate) use option_setters;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_headers_are_reported_without_their_value() {
        let options =
            CallOptions { headers: vec![("x-secret".to_owned(), "tok\nen".to_owned())], ..CallOptions::default() };
        let err = options.headers(&HeaderMap::new()).unwrap_err().to_string();
        assert!(err.contains("x-secret") && !err.contains("tok"), "{err}");
    }

    #[test]
    fn call_headers_override_defaults() {
        let mut defaults = HeaderMap::new();
        defaults.insert("x-team", HeaderValue::from_static("a"));
        defaults.insert("x-keep", HeaderValue::from_static("k"));
        let options = CallOptions {
            request_id: Some("req-1".to_owned()),
            headers: vec![("X-Team".to_owned(), "b".to_owned())],
            ..CallOptions::default()
        };
        let map = options.headers(&defaults).unwrap();
        assert_eq!(map["x-request-id"], "req-1");
        assert_eq!(map.get_all("x-team").iter().collect::<Vec<_>>(), ["b"]);
        assert_eq!(map["x-keep"], "k");
    }
}
