//! One exchange with the platform, without tokens: assembling the request (URL, body,
//! uploads), sending it over the [`Wire`], retrying by the rules, and reading the reply
//! (the envelope, errors, downloads).

pub(crate) mod decode;
pub(crate) mod download;
pub(crate) mod envelope;
pub(crate) mod exchange;
pub(crate) mod head;
pub(crate) mod request;
pub(crate) mod required;
pub(crate) mod retry;
pub(crate) mod span;
pub(crate) mod transport;
pub(crate) mod upload;
pub(crate) mod url;

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::core::endpoint::Target;
use crate::core::error::{Error, Result};
use crate::wire::exchange::{Anonymous, Prepared, Settings};
use crate::wire::request::Request;
use crate::wire::retry::RetryPolicy;
use crate::wire::transport::Reply;

/// Sent by the default HTTP client, so that platform logs show which SDK called.
const USER_AGENT: &str = concat!("lark-runtime-rust/", env!("CARGO_PKG_VERSION"));

/// The wire handle: the HTTP client, where the platform is, and what every request
/// carries unless a call says otherwise. It can send a request and knows nothing of
/// tokens; the client and the auth code that fetches tokens for it share one.
pub(crate) struct Wire {
    http: reqwest::Client,
    /// Without a trailing slash.
    base_url: String,
    default_headers: HeaderMap,
    timeout: Option<Duration>,
    retry: RetryPolicy,
}

impl Wire {
    /// A wire to `base_url` (already checked, without a trailing slash).
    pub(crate) fn new(
        http: reqwest::Client,
        base_url: String,
        default_headers: HeaderMap,
        timeout: Option<Duration>,
        retry: RetryPolicy,
    ) -> Self {
        Wire { http, base_url, default_headers, timeout, retry }
    }

    /// The HTTP client used when the caller brings none.
    pub(crate) fn default_http(connect_timeout: Option<Duration>) -> Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder().user_agent(USER_AGENT);
        if let Some(timeout) = connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        builder.build().map_err(Error::Transport)
    }

    /// The base URL, without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The headers every request carries unless the call replaces them.
    pub(crate) fn default_headers(&self) -> &HeaderMap {
        &self.default_headers
    }

    /// How long one attempt may take unless the call says otherwise.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// How failed requests are retried unless the call says otherwise.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// How a request with no per-call options is sent.
    pub(crate) fn defaults(&self) -> Settings {
        Settings { headers: self.default_headers.clone(), timeout: self.timeout, retry: self.retry, retry_safe: false }
    }

    /// The full URL of a call to `target`.
    pub(crate) fn url<K: AsRef<str>>(
        &self,
        target: &Target<'_>,
        params: &[(K, String)],
        query: &[(K, String)],
    ) -> Result<String> {
        url::build(&self.base_url, target, params, query)
    }

    /// Builds the URL of a generated request and checks that its body encoded.
    pub(crate) fn prepare<'r>(&self, request: &'r Request) -> Result<Prepared<'r>> {
        let endpoint = request.endpoint();
        if let Some(message) = &request.encode_error {
            return Err(Error::encode(endpoint.id, message.clone()));
        }
        if let Some(error) = &request.content_error {
            return Err(Error::Content(error.clone()));
        }
        if !request.violations.is_empty() {
            return Err(Error::Invalid { endpoint: endpoint.id, violations: request.violations.clone() });
        }
        let target = Target::of(endpoint);
        let url = self.url(&target, &request.path_params, &request.query)?;
        Ok(Prepared { target, url, body: &request.body, retry_safe: request.retry_safe })
    }

    /// Sends a request that carries no token (the token and OAuth endpoints) with the
    /// wire's defaults, retried by the usual rules, and reads the whole reply.
    pub(crate) async fn fetch(&self, request: &Request) -> Result<Reply> {
        self.exchange_read(&self.prepare(request)?, &self.defaults(), &Anonymous).await
    }
}

impl fmt::Debug for Wire {
    // Never the default headers: they may carry a credential of the caller's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wire").field("base_url", &self.base_url).field("timeout", &self.timeout).finish_non_exhaustive()
    }
}
