//! Configuring a [`Client`]: credentials, platform, timeouts, retries, token cache.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::auth::credentials::{AppType, Credentials};
use crate::auth::token::TokenManager;
use crate::auth::token::cache::{MemoryTokenCache, TokenCache};
use crate::client::options::header;
use crate::client::{Client, ClientInner, DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT};
use crate::core::endpoint::FEISHU_BASE_URL;
use crate::core::error::{Error, Result};
use crate::core::secret::Secret;
use crate::wire::Wire;
use crate::wire::retry::RetryPolicy;

/// Configures a [`Client`].
///
/// Generic over the client type so that a wrapper crate can write
/// `lark_sdk::Client::builder(..).build()?` for its own client type, which only needs
/// `From<lark_runtime::Client>`.
pub struct ClientBuilder<C = Client> {
    app_id: String,
    app_secret: Secret,
    app_type: AppType,
    base_url: String,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    cache: Option<Arc<dyn TokenCache>>,
    headers: Vec<(String, String)>,
    max_pages: usize,
    client: PhantomData<fn() -> C>,
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder for the app with these credentials.
    pub fn new(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        ClientBuilder {
            app_id: app_id.into(),
            app_secret: Secret::new(app_secret.into()),
            app_type: AppType::SelfBuilt,
            base_url: FEISHU_BASE_URL.to_owned(),
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: None,
            http: None,
            retry: RetryPolicy::default(),
            cache: None,
            headers: Vec::new(),
            max_pages: DEFAULT_MAX_PAGES,
            client: PhantomData,
        }
    }

    /// The platform to talk to: [`FEISHU_BASE_URL`] (the default),
    /// [`LARK_BASE_URL`](crate::LARK_BASE_URL), or a test server. A trailing slash is fine.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How long one HTTP exchange may take, reply body included (default
    /// [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Calls have no time limit (not recommended; a call can then hang forever).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// How long opening a connection may take (default: no limit beyond the call's
    /// timeout). Ignored with [`http_client`](Self::http_client), which has its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Uses this reqwest client (proxy, TLS or pool settings of your own). The builder's
    /// timeout still applies to each call.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How failed calls are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where tokens are cached (default: [`MemoryTokenCache`], private to this client and
    /// its clones). A shared cache lets several processes use one token.
    pub fn token_cache(mut self, cache: impl TokenCache) -> Self {
        self.cache = Some(Arc::new(cache));
        self
    }

    /// A header sent with every call (a call's own header of the same name wins).
    /// An invalid name or value is reported by [`build`](Self::build).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How many pages a paginated list may have before paging stops with
    /// [`Error::Pagination`] (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// Whether the app is self-built (the default) or an app store app.
    pub fn app_type(mut self, app_type: AppType) -> Self {
        self.app_type = app_type;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<C> {
        if self.app_id.trim().is_empty() {
            return Err(Error::Config("the app id is empty: copy it from the developer console".to_owned()));
        }
        if self.app_secret.expose().trim().is_empty() {
            return Err(Error::Config("the app secret is empty: copy it from the developer console".to_owned()));
        }
        let base_url = checked_base_url(&self.base_url)?;
        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let (name, value) = header(name, value)?;
            default_headers.insert(name, value);
        }
        let http = match self.http {
            Some(http) => http,
            None => Wire::default_http(self.connect_timeout)?,
        };
        let cache = self.cache.unwrap_or_else(|| Arc::new(MemoryTokenCache::new()));
        let credentials = Credentials { app_id: self.app_id, app_secret: self.app_secret, app_type: self.app_type };
        let client = Client {
            inner: Arc::new(ClientInner {
                wire: Wire::new(http, base_url, default_headers, self.timeout, self.retry),
                tokens: Arc::new(TokenManager::new(cache, credentials)),
                max_pages: self.max_pages,
            }),
        };
        Ok(C::from(client))
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret)
            .field("app_type", &self.app_type)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// An http or https URL with a host and nothing after the path, returned without its
/// trailing slashes.
fn checked_base_url(url: &str) -> Result<String> {
    let bad = |why: &str| Error::Config(format!("the base URL `{url}` {why}"));
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| bad(&format!("does not parse: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}
