//! Where tokens are kept between calls: the [`TokenCache`] trait and its in-memory default.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::auth::credentials::AppType;
use crate::core::BoxFuture;

/// What a cached value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CachedKind {
    /// A `tenant_access_token`.
    TenantAccessToken,
    /// An `app_access_token`.
    AppAccessToken,
    /// The `app_ticket` of an app store app.
    AppTicket,
    /// The `jsapi_ticket` web pages sign their JSAPI configuration with.
    JsapiTicket,
}

impl CachedKind {
    fn as_str(self) -> &'static str {
        match self {
            CachedKind::TenantAccessToken => "tenant_access_token",
            CachedKind::AppAccessToken => "app_access_token",
            CachedKind::AppTicket => "app_ticket",
            CachedKind::JsapiTicket => "jsapi_ticket",
        }
    }
}

/// The key of a cached value: app id, app type, kind, and for store apps' tenant tokens
/// the tenant key. Two clients of different apps, or of the same app id configured as a
/// different type, never share an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    kind: CachedKind,
    tenant_key: Option<String>,
    /// `lark:<app type>:<app id>:<kind>[:<tenant key>]`, built once.
    text: String,
}

impl TokenKey {
    pub(crate) fn new(app_id: &str, app_type: AppType, kind: CachedKind, tenant_key: Option<&str>) -> Self {
        let app_type = match app_type {
            AppType::SelfBuilt => "self_built",
            AppType::Store => "store",
        };
        let mut text = format!("lark:{app_type}:{app_id}:{}", kind.as_str());
        if let Some(tenant) = tenant_key {
            text.push(':');
            text.push_str(tenant);
        }
        TokenKey { kind, tenant_key: tenant_key.map(str::to_owned), text }
    }

    /// The key as one string, e.g. `lark:store:cli_123:tenant_access_token:2ed263bf32cf1651`;
    /// use it as the key of an external store.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the value is.
    pub fn kind(&self) -> CachedKind {
        self.kind
    }

    /// The tenant, for a store app's tenant token.
    pub fn tenant_key(&self) -> Option<&str> {
        self.tenant_key.as_deref()
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A cached token (or app ticket) and the moment it stops being used.
///
/// `fresh_until` already includes the early-refresh margin: after it the client fetches a
/// new token even though the platform would still accept the old one for a few minutes.
/// It is wall-clock time so that a cache shared between processes can hold it.
#[derive(Clone, PartialEq, Eq)]
pub struct CachedToken {
    /// The token.
    pub value: String,
    /// When to stop using it.
    pub fresh_until: SystemTime,
}

impl CachedToken {
    /// Whether the token may still be used.
    pub fn is_fresh(&self) -> bool {
        SystemTime::now() < self.fresh_until
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken").field("value", &"<redacted>").field("fresh_until", &self.fresh_until).finish()
    }
}

/// Storage for tenant and app access tokens and app tickets.
///
/// The default, [`MemoryTokenCache`], lives inside one client (and its clones). Implement
/// this trait to share tokens between processes, e.g. in Redis, so that a fleet fetches
/// one token instead of one per process. Methods cannot fail: a cache that is down should
/// answer `None` (the client then fetches a token) and drop writes.
///
/// Fetches are single-flight per client whatever the cache: concurrent calls that miss wait
/// for one fetch.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use lark_runtime::{BoxFuture, CachedToken, TokenCache, TokenKey};
///
/// /// Stands in for a shared store such as Redis.
/// #[derive(Default)]
/// struct SharedStore(Mutex<HashMap<String, CachedToken>>);
///
/// impl TokenCache for SharedStore {
///     fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CachedToken>> {
///         Box::pin(async move { self.0.lock().unwrap().get(key.as_str()).cloned() })
///     }
///     fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()> {
///         Box::pin(async move {
///             self.0.lock().unwrap().insert(key.as_str().to_owned(), token);
///         })
///     }
///     fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()> {
///         Box::pin(async move {
///             let mut map = self.0.lock().unwrap();
///             if map.get(key.as_str()).is_some_and(|t| t.value == value) {
///                 map.remove(key.as_str());
///             }
///         })
///     }
/// }
///
/// let client = lark_runtime::Client::builder("cli_xxx", "secret")
///     .token_cache(SharedStore::default())
///     .build()
///     .unwrap();
/// # let _ = client;
/// ```
pub trait TokenCache: Send + Sync + 'static {
    /// The value stored under `key`, fresh or not (the client checks
    /// [`CachedToken::is_fresh`]).
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CachedToken>>;

    /// Stores `token` under `key`, replacing what was there.
    fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()>;

    /// Removes the entry under `key` only if it still holds `value`: a token that another
    /// caller has already replaced must stay.
    fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()>;

    /// Takes a short lock on `key` shared by every process using this cache, so that one
    /// of them fetches a new token while the others wait for it to appear. `None` means
    /// another holder has it. Caches inside one process need none (the client already
    /// fetches once per key), so the default grants it at once; a cache that cannot reach
    /// its store should grant it too, and the client fetches.
    fn lock<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CacheLock>> {
        let _ = key;
        Box::pin(std::future::ready(Some(CacheLock::default())))
    }

    /// Releases a lock from [`lock`](Self::lock), if it is still this holder's.
    fn unlock<'a>(&'a self, key: &'a TokenKey, lock: CacheLock) -> BoxFuture<'a, ()> {
        let _ = (key, lock);
        Box::pin(std::future::ready(()))
    }
}

/// A lock held on a cache key: the holder's random mark, so that only it releases it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheLock {
    /// The holder's mark (empty for caches that need no lock).
    pub holder: String,
}

/// The default [`TokenCache`]: a map in memory, shared by a client and its clones.
#[derive(Default)]
pub struct MemoryTokenCache {
    entries: Mutex<HashMap<String, CachedToken>>,
}

impl MemoryTokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        MemoryTokenCache::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedToken>> {
        // The map stays consistent even if a holder panicked: each operation is one call.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for MemoryTokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenCache").field("entries", &self.entries().len()).finish()
    }
}

impl TokenCache for MemoryTokenCache {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CachedToken>> {
        let found = self.entries().get(key.as_str()).cloned();
        Box::pin(std::future::ready(found))
    }

    fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()> {
        self.entries().insert(key.as_str().to_owned(), token);
        Box::pin(std::future::ready(()))
    }

    fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()> {
        let mut entries = self.entries();
        if entries.get(key.as_str()).is_some_and(|t| t.value == value) {
            entries.remove(key.as_str());
        }
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn keys_separate_apps_types_kinds_and_tenants() {
        let k = |id, ty, kind, tenant| TokenKey::new(id, ty, kind, tenant).as_str().to_owned();
        let tenant = CachedKind::TenantAccessToken;
        assert_eq!(k("cli_1", AppType::SelfBuilt, tenant, None), "lark:self_built:cli_1:tenant_access_token");
        assert_eq!(k("cli_1", AppType::Store, tenant, Some("t1")), "lark:store:cli_1:tenant_access_token:t1");
        let all = [
            k("cli_1", AppType::SelfBuilt, tenant, None),
            k("cli_2", AppType::SelfBuilt, tenant, None),
            k("cli_1", AppType::Store, tenant, None),
            k("cli_1", AppType::SelfBuilt, CachedKind::AppAccessToken, None),
            k("cli_1", AppType::Store, tenant, Some("t2")),
        ];
        let unique: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
    }

    #[tokio::test]
    async fn memory_cache_removes_only_the_named_token() {
        let cache = MemoryTokenCache::new();
        let key = TokenKey::new("a", AppType::SelfBuilt, CachedKind::TenantAccessToken, None);
        let token =
            |v: &str| CachedToken { value: v.to_owned(), fresh_until: SystemTime::now() + Duration::from_secs(60) };
        cache.put(&key, token("t-1")).await;
        cache.remove(&key, "t-0").await;
        assert_eq!(cache.get(&key).await.map(|t| t.value).as_deref(), Some("t-1"));
        cache.remove(&key, "t-1").await;
        assert!(cache.get(&key).await.is_none());
        assert!(!format!("{:?}", token("t-9")).contains("t-9"));
    }
}
