//! Tenant and app access tokens: fetched on demand, cached, refreshed early, fetched once
//! however many calls wait for them, and evicted when the platform rejects them.

pub(crate) mod cache;
mod fetch;
mod store_app;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cache::{CachedKind, CachedToken, TokenCache, TokenKey};

use crate::auth::credentials::{AppType, Credentials};
use crate::core::error::{Error, Result};
use crate::wire::Wire;

/// A token the client fetches by itself, as opposed to a user token the caller supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppToken {
    Tenant,
    App,
}

/// Refresh this long before expiry; the platform keeps handing out the same token until
/// 30 minutes remain, and the official SDKs refresh 3 to 10 minutes early.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How long to wait for a token another process is fetching before fetching one here.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// How long a token that lives `expire` seconds is used before fetching a new one:
/// until five minutes remain, or half its life if it is that short.
pub(crate) fn use_for(expire: Duration) -> Duration {
    expire - REFRESH_MARGIN.min(expire / 2)
}

/// The tokens of one app: its credentials, where its tokens are cached and who is
/// fetching which.
pub(crate) struct TokenManager {
    credentials: Credentials,
    cache: Arc<dyn TokenCache>,
    /// Keys of the app-wide entries, built once so that a cache hit allocates no key.
    tenant: TokenKey,
    app: TokenKey,
    ticket: TokenKey,
    /// One lock per key, held while fetching, so concurrent misses share one fetch.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// When an app_ticket resend was last requested, to ask at most every few seconds.
    last_resend: Mutex<Option<std::time::Instant>>,
    /// The last app_ticket handed to this client.
    local_ticket: Mutex<Option<CachedToken>>,
}

impl TokenManager {
    pub(crate) fn new(cache: Arc<dyn TokenCache>, credentials: Credentials) -> Self {
        let key = |kind| TokenKey::new(&credentials.app_id, credentials.app_type, kind, None);
        TokenManager {
            tenant: key(CachedKind::TenantAccessToken),
            app: key(CachedKind::AppAccessToken),
            ticket: key(CachedKind::AppTicket),
            flights: Mutex::new(HashMap::new()),
            last_resend: Mutex::new(None),
            local_ticket: Mutex::new(None),
            credentials,
            cache,
        }
    }

    /// The app these tokens belong to.
    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The cache key of a token. Self-built apps have one tenant, so the tenant key is
    /// ignored for them; store apps need it for tenant tokens.
    fn key(&self, kind: AppToken, tenant_key: Option<&str>) -> Result<std::borrow::Cow<'_, TokenKey>> {
        use std::borrow::Cow;
        Ok(match (kind, self.credentials.app_type) {
            (AppToken::App, _) => Cow::Borrowed(&self.app),
            (AppToken::Tenant, AppType::SelfBuilt) => Cow::Borrowed(&self.tenant),
            (AppToken::Tenant, AppType::Store) => {
                let tenant = tenant_key.filter(|t| !t.is_empty()).ok_or_else(|| {
                    Error::Config(
                        "a store app acts inside one tenant: set `.tenant_key(key)` on the call (the key arrives with every event of that tenant)".to_owned(),
                    )
                })?;
                let Credentials { app_id, app_type, .. } = &self.credentials;
                Cow::Owned(TokenKey::new(app_id, *app_type, CachedKind::TenantAccessToken, Some(tenant)))
            }
        })
    }

    /// A valid token of this kind, fetched over `wire` if the cache has no fresh one.
    pub(crate) async fn get(&self, wire: &Wire, kind: AppToken, tenant_key: Option<&str>) -> Result<String> {
        let key = self.key(kind, tenant_key)?;
        self.cached(&key, || async {
            let fetched = self.fetch(wire, kind, key.tenant_key()).await;
            if let Ok((_, expire)) = &fetched {
                let token_kind = match kind {
                    AppToken::Tenant => "tenant_access_token",
                    AppToken::App => "app_access_token",
                };
                // Which token and for how long; never the token.
                tracing::info!(
                    token_kind,
                    tenant_key = key.tenant_key(),
                    expires_in_s = expire.as_secs(),
                    "fetched an access token"
                );
            }
            fetched
        })
        .await
    }

    /// The cache key of another app-wide value (a JSAPI ticket, say), per tenant for
    /// store apps.
    pub(crate) fn key_of(&self, kind: CachedKind, tenant_key: Option<&str>) -> TokenKey {
        let Credentials { app_id, app_type, .. } = &self.credentials;
        let tenant = tenant_key.filter(|_| *app_type == AppType::Store);
        TokenKey::new(app_id, *app_type, kind, tenant)
    }

    /// The fresh value under `key`, or one from `fetch` (the value and how long it
    /// lives), stored for all. Concurrent misses in this client share one fetch, and
    /// processes sharing the cache take its lock so that one of them fetches.
    pub(crate) async fn cached<F, Fut>(&self, key: &TokenKey, fetch: F) -> Result<String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, Duration)>>,
    {
        if let Some(token) = self.fresh(key).await {
            return Ok(token);
        }
        let flight = self.flight(key);
        let _fetching = flight.lock().await;
        // Whoever held the lock before us has probably just fetched one.
        if let Some(token) = self.fresh(key).await {
            return Ok(token);
        }
        // Other processes sharing the cache may be fetching too: one holds the lock and
        // fetches, the others wait for its value, and fetch themselves if none comes.
        let lock = self.cache.lock(key).await;
        if lock.is_none()
            && let Some(token) = self.wait_for(key).await
        {
            return Ok(token);
        }
        let fetched = fetch().await;
        if let Ok((token, expire)) = &fetched {
            let fresh_until = SystemTime::now() + use_for(*expire);
            self.cache.put(key, CachedToken { value: token.clone(), fresh_until }).await;
        }
        if let Some(lock) = lock {
            self.cache.unlock(key, lock).await;
        }
        fetched.map(|(token, _)| token)
    }

    /// Waits, a little longer than a fetch takes, for another process's token.
    async fn wait_for(&self, key: &TokenKey) -> Option<String> {
        let deadline = tokio::time::Instant::now() + LOCK_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if let Some(token) = self.fresh(key).await {
                return Some(token);
            }
        }
        None
    }

    /// Forgets `token` if it is still the cached one; a token another caller has already
    /// replaced is left alone.
    pub(crate) async fn evict(&self, kind: AppToken, tenant_key: Option<&str>, token: &str) {
        if let Ok(key) = self.key(kind, tenant_key) {
            self.cache.remove(&key, token).await;
        }
    }

    async fn fresh(&self, key: &TokenKey) -> Option<String> {
        self.cache.get(key).await.filter(CachedToken::is_fresh).map(|t| t.value)
    }

    fn flight(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(flights.entry(key.as_str().to_owned()).or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::secret::Secret;

    #[test]
    fn refreshes_five_minutes_early_or_at_half_life() {
        let s = Duration::from_secs;
        assert_eq!(use_for(s(7200)), s(6900));
        assert_eq!(use_for(s(600)), s(300));
        assert_eq!(use_for(s(400)), s(200));
        assert_eq!(use_for(s(0)), s(0));
    }

    fn manager(app_type: AppType) -> TokenManager {
        let credentials = Credentials { app_id: "cli_1".to_owned(), app_secret: Secret::new("s".to_owned()), app_type };
        TokenManager::new(Arc::new(cache::MemoryTokenCache::new()), credentials)
    }

    #[test]
    fn store_tenant_tokens_need_a_tenant_key() {
        let store = manager(AppType::Store);
        assert!(matches!(store.key(AppToken::Tenant, None), Err(Error::Config(_))));
        assert!(matches!(store.key(AppToken::Tenant, Some("")), Err(Error::Config(_))));
        let key = store.key(AppToken::Tenant, Some("t1")).unwrap();
        assert_eq!(key.as_str(), "lark:store:cli_1:tenant_access_token:t1");
        assert_eq!(store.key(AppToken::App, Some("t1")).unwrap().as_str(), "lark:store:cli_1:app_access_token");
        let own = manager(AppType::SelfBuilt);
        assert_eq!(
            own.key(AppToken::Tenant, Some("t1")).unwrap().as_str(),
            "lark:self_built:cli_1:tenant_access_token"
        );
    }
}
