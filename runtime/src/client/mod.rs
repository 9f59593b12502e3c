//! The composition root: [`Client`] puts the wire, the app's credentials and its tokens
//! together, and runs each call (token, wire, retries). Calls, their options, pagination
//! and raw calls hang off it.

pub(crate) mod builder;
pub(crate) mod call;
mod exec;
pub(crate) mod options;
pub(crate) mod paginate;
pub(crate) mod raw;
pub(crate) mod user_token;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::credentials::{AppType, Credentials};
use crate::auth::oauth::OAuth;
use crate::auth::token::{AppToken, TokenManager};
use crate::client::builder::ClientBuilder;
use crate::client::call::{Call, DownloadCall};
use crate::core::error::Result;
use crate::wire::Wire;
use crate::wire::request::Request;
use crate::wire::retry::RetryPolicy;

/// How long a call may take by default, reply body included; raise it with
/// [`ClientBuilder::timeout`] for large files.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How many pages a paginated list may have by default before paging stops with an error;
/// a guard against a server that never says it is done.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

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
    pub wire: Wire,
    /// The app's credentials and tokens.
    pub tokens: Arc<TokenManager>,
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
        &self.credentials().app_id
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.wire.base_url()
    }

    /// The app type.
    pub fn app_type(&self) -> AppType {
        self.credentials().app_type
    }

    /// The retry policy calls use unless they set their own.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.wire.retry_policy()
    }

    /// User sign-in: the authorization URL, the code exchange and token refresh.
    pub fn oauth(&self) -> OAuth<'_> {
        OAuth::new(&self.inner.wire, self.credentials())
    }

    /// A tenant access token, from the cache when it has a fresh one. For a store app use
    /// [`tenant_access_token_for`](Self::tenant_access_token_for).
    pub async fn tenant_access_token(&self) -> Result<String> {
        self.inner.tokens.get(&self.inner.wire, AppToken::Tenant, None).await
    }

    /// A store app's tenant access token for the tenant `tenant_key` (a self-built app
    /// ignores the key).
    pub async fn tenant_access_token_for(&self, tenant_key: &str) -> Result<String> {
        self.inner.tokens.get(&self.inner.wire, AppToken::Tenant, Some(tenant_key)).await
    }

    /// An app access token, from the cache when it has a fresh one.
    pub async fn app_access_token(&self) -> Result<String> {
        self.inner.tokens.get(&self.inner.wire, AppToken::App, None).await
    }

    /// Stores the `app_ticket` of an app store app, from the `app_ticket` event the
    /// platform pushes about every hour. Store apps cannot get tokens without one; when
    /// it is missing or stale the client asks the platform to push it again.
    ///
    /// It is synchronous so that a webhook can call it from any handler; the ticket is
    /// written to the [`TokenCache`](crate::TokenCache) in the background when a Tokio runtime is running.
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
        self.inner.tokens.resend_ticket(&self.inner.wire).await
    }

    /// The connection the client's calls go over.
    pub(crate) fn wire(&self) -> &Wire {
        &self.inner.wire
    }

    /// The app's identity.
    pub(crate) fn credentials(&self) -> &Credentials {
        self.inner.tokens.credentials()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credentials = self.credentials();
        f.debug_struct("Client")
            .field("app_id", &credentials.app_id)
            .field("app_secret", &credentials.app_secret)
            .field("app_type", &credentials.app_type)
            .field("base_url", &self.base_url())
            .field("timeout", &self.inner.wire.timeout())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::FEISHU_BASE_URL;
    use crate::core::error::Error;

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
        // A clone shares the connection pool and the token cache rather than copying them.
        assert!(Arc::ptr_eq(&client.inner, &clone.inner));
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
