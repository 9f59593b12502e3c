//! The client and its builder.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::call::{Call, DownloadCall};
use crate::endpoint::FEISHU_BASE_URL;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::token::cache::{MemoryTokenCache, TokenCache};
use crate::token::{AppToken, TokenManager};

/// How long a call may take by default, reply body included; raise it with
/// [`ClientBuilder::timeout`] for large files.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How many pages a paginated list may have by default before paging stops with an error;
/// a guard against a server that never says it is done.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Whether the app is built for one tenant or sold in the app store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppType {
    /// A custom app built by and for one tenant (the usual case).
    #[default]
    SelfBuilt,
    /// An app store app, installed by many tenants. Its tokens need the `app_ticket`
    /// the platform pushes as an event (hand it to [`Client::set_app_ticket`]), and
    /// tenant-token calls need [`Call::tenant_key`].
    Store,
}

/// A client for the Lark Open Platform.
///
/// It holds the app credentials, the HTTP connection pool and the token cache behind an
/// `Arc`, so clone it freely and share one per app; it is `Send + Sync`. `Debug` output
/// never shows the secret.
///
/// ```no_run
/// use std::time::Duration;
/// use lark_runtime::{Client, LARK_BASE_URL, RetryPolicy};
///
/// let client = Client::builder("cli_xxx", "app secret")
///     .base_url(LARK_BASE_URL)
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().max_attempts(5))
///     .default_header("x-team", "payments")
///     .build()?;
/// # Ok::<(), lark_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub app_id: String,
    pub app_secret: Secret,
    pub app_type: AppType,
    /// Without a trailing slash.
    pub base_url: String,
    pub timeout: Option<Duration>,
    pub http: reqwest::Client,
    pub tokens: Arc<TokenManager>,
    pub retry: RetryPolicy,
    pub default_headers: HeaderMap,
    pub max_pages: usize,
}

impl Client {
    /// Starts configuring a client for the app with these credentials, from the
    /// developer console's "Credentials & Basic Info" page.
    pub fn builder(app_id: impl Into<String>, app_secret: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(app_id, app_secret)
    }

    /// Prepares a call; set per-call options on the result, then `.await` it.
    pub fn call<T>(&self, request: Request) -> Call<'_, T> {
        Call::new(self, request)
    }

    /// Prepares a file download; set per-call options on the result, then `.await` it.
    pub fn download(&self, request: Request) -> DownloadCall<'_> {
        DownloadCall::new(self, request)
    }

    /// The app id.
    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The app type.
    pub fn app_type(&self) -> AppType {
        self.inner.app_type
    }

    /// The retry policy calls use unless they set their own.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// A tenant access token, from the cache when it has a fresh one. For a store app use
    /// [`tenant_access_token_for`](Self::tenant_access_token_for).
    pub async fn tenant_access_token(&self) -> Result<String> {
        self.inner.tokens.get(self, AppToken::Tenant, None).await
    }

    /// A store app's tenant access token for the tenant `tenant_key` (a self-built app
    /// ignores the key).
    pub async fn tenant_access_token_for(&self, tenant_key: &str) -> Result<String> {
        self.inner.tokens.get(self, AppToken::Tenant, Some(tenant_key)).await
    }

    /// An app access token, from the cache when it has a fresh one.
    pub async fn app_access_token(&self) -> Result<String> {
        self.inner.tokens.get(self, AppToken::App, None).await
    }

    /// Stores the `app_ticket` of an app store app, from the `app_ticket` event the
    /// platform pushes about every hour. Store apps cannot get tokens without one; when
    /// it is missing or stale the client asks the platform to push it again.
    ///
    /// It is synchronous so that a webhook can call it from any handler; the ticket is
    /// written to the [`TokenCache`] in the background when a Tokio runtime is running.
    ///
    /// ```no_run
    /// # fn on_event(client: &lark_runtime::Client, ticket_from_event: &str) {
    /// client.set_app_ticket(ticket_from_event);
    /// # }
    /// ```
    pub fn set_app_ticket(&self, ticket: impl Into<String>) {
        self.inner.tokens.set_ticket(ticket.into());
    }

    /// Asks the platform to push the `app_ticket` event again now (store apps). The client
    /// does this by itself when it needs a ticket it does not have.
    pub async fn resend_app_ticket(&self) -> Result<()> {
        crate::token::resend_ticket(self).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("app_id", &inner.app_id)
            .field("app_secret", &inner.app_secret)
            .field("app_type", &inner.app_type)
            .field("base_url", &inner.base_url)
            .field("timeout", &inner.timeout)
            .finish_non_exhaustive()
    }
}

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
            let (name, value) = crate::options::header(name, value)?;
            default_headers.insert(name, value);
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(USER_AGENT);
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(Error::Transport)?
            }
        };
        let cache = self.cache.unwrap_or_else(|| Arc::new(MemoryTokenCache::new()));
        let client = Client {
            inner: Arc::new(ClientInner {
                tokens: Arc::new(TokenManager::new(cache, &self.app_id, self.app_type)),
                app_id: self.app_id,
                app_secret: self.app_secret,
                app_type: self.app_type,
                base_url,
                timeout: self.timeout,
                http,
                retry: self.retry,
                default_headers,
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

/// Sent by the default HTTP client, so that platform logs show which SDK called.
const USER_AGENT: &str = concat!("lark-runtime-rust/", env!("CARGO_PKG_VERSION"));

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let builder = Client::builder("cli_1", "s3cr3t-value");
        assert!(!format!("{builder:?}").contains("s3cr3t-value"));
        let client = builder.build().unwrap();
        let text = format!("{client:?}");
        assert!(text.contains("cli_1"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
    }

    #[test]
    fn base_url_is_normalised() {
        let client = Client::builder("a", "b").base_url("http://127.0.0.1:8080/").build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:8080");
        let default = Client::builder("a", "b").build().unwrap();
        assert_eq!(default.base_url(), FEISHU_BASE_URL);
        assert_eq!(default.app_id(), "a");
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let cases = [
            Client::builder("", "b").build(),
            Client::builder("a", " ").build(),
            Client::builder("a", "b").base_url("ftp://x").build(),
            Client::builder("a", "b").base_url("not a url").build(),
            Client::builder("a", "b").base_url("https://x/?q=1").build(),
            Client::builder("a", "b").default_header("bad header", "v").build(),
            Client::builder("a", "b").default_header("x-ok", "line\nbreak").build(),
        ];
        for case in cases {
            assert!(matches!(case, Err(Error::Config(_))), "{case:?}");
        }
    }

    #[test]
    fn clients_are_cheap_to_share() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Client>();
        let client = Client::builder("a", "b").build().unwrap();
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.inner, &clone.inner));
        assert_eq!(client.retry_policy(), RetryPolicy::default());
        assert_eq!(client.inner.max_pages, DEFAULT_MAX_PAGES);
    }

    #[test]
    fn wrapper_types_build_through_from() {
        struct Wrapper(Client);
        impl From<Client> for Wrapper {
            fn from(c: Client) -> Self {
                Wrapper(c)
            }
        }
        let wrapped: Wrapper = ClientBuilder::<Wrapper>::new("a", "b").build().unwrap();
        assert_eq!(wrapped.0.app_id(), "a");
    }
}
