//! The client and its builder.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::call::{Call, DownloadCall};
use crate::endpoint::FEISHU_BASE_URL;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::secret::Secret;
use crate::token::{AppToken, TokenCache};

/// How long a call may take by default, reply body included; raise it with
/// [`ClientBuilder::timeout`] for large files.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether the app is built for one tenant or sold in the app store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppType {
    /// A custom app built by and for one tenant (the usual case).
    #[default]
    SelfBuilt,
    /// An app store app, installed by many tenants. Its tokens need the `app_ticket`
    /// the platform pushes as an event, which this version does not handle yet.
    Store,
}

/// A client for the Lark Open Platform.
///
/// It holds the app credentials, the HTTP connection pool and the token cache behind an
/// `Arc`, so clone it freely and share one per app. `Debug` output never shows the secret.
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
    pub tokens: TokenCache,
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

    /// A tenant access token, from the cache when it has a fresh one.
    pub async fn tenant_access_token(&self) -> Result<String> {
        self.inner.tokens.get(AppToken::Tenant, &self.inner).await
    }

    /// An app access token, from the cache when it has a fresh one.
    pub async fn app_access_token(&self) -> Result<String> {
        self.inner.tokens.get(AppToken::App, &self.inner).await
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
    http: Option<reqwest::Client>,
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
            http: None,
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

    /// Uses this reqwest client (proxy, TLS or pool settings of your own). The builder's
    /// timeout still applies to each call.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
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
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder().build().map_err(Error::Transport)?,
        };
        let client = Client {
            inner: Arc::new(ClientInner {
                app_id: self.app_id,
                app_secret: self.app_secret,
                app_type: self.app_type,
                base_url,
                timeout: self.timeout,
                http,
                tokens: TokenCache::default(),
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
        ];
        for case in cases {
            assert!(matches!(case, Err(Error::Config(_))), "{case:?}");
        }
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
