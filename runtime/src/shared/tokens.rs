//! Tokens and app tickets in Redis, with a lock so that replicas fetch one token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::RedisStore;
use crate::auth::token::cache::{CacheLock, CachedToken, TokenCache, TokenKey};
use crate::core::BoxFuture;

/// How long a fetch lock lives if its holder dies before releasing it.
const LOCK_TTL: Duration = Duration::from_secs(5);

/// A [`TokenCache`] in Redis: tenant, app and per-tenant tokens and app tickets under
/// `<prefix>:<app type>:<app id>:<kind>[:<tenant key>]`, each expiring when the client
/// would stop using it (its expiry minus the early-refresh margin). Replicas that miss
/// at the same moment take turns through a short lock (`SET NX PX`) so that one fetches.
#[derive(Debug, Clone)]
pub struct RedisTokenCache {
    store: RedisStore,
}

impl RedisTokenCache {
    pub(super) fn new(store: RedisStore) -> Self {
        RedisTokenCache { store }
    }

    /// The Redis key of a cache key: the prefix instead of the default `lark`.
    fn key(&self, key: &TokenKey) -> String {
        self.store.key(key.as_str().strip_prefix("lark:").unwrap_or(key.as_str()))
    }
}

/// `<milliseconds since the epoch>:<token>`.
fn encode(token: &CachedToken) -> String {
    let millis = token.fresh_until.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    format!("{millis}:{}", token.value)
}

fn decode(text: &str) -> Option<CachedToken> {
    let (millis, value) = text.split_once(':')?;
    let fresh_until = UNIX_EPOCH + Duration::from_millis(millis.parse().ok()?);
    Some(CachedToken { value: value.to_owned(), fresh_until })
}

impl TokenCache for RedisTokenCache {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CachedToken>> {
        Box::pin(async move { self.store.get("get token", &self.key(key)).await.flatten().as_deref().and_then(decode) })
    }

    fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ttl = token.fresh_until.duration_since(SystemTime::now()).unwrap_or_default();
            if !ttl.is_zero() {
                self.store.set("put token", &self.key(key), &encode(&token), ttl, false).await;
            }
        })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(key);
            let Some(Some(text)) = self.store.get("get token", &key).await else { return };
            // Delete only the entry that still holds this token, in one step.
            if decode(&text).is_some_and(|t| t.value == value) {
                self.store.delete_if_equal("remove token", &key, &text).await;
            }
        })
    }

    fn lock<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CacheLock>> {
        Box::pin(async move {
            let holder = crate::core::random::hex(16);
            let lock_key = format!("{}:lock", self.key(key));
            match self.store.set("lock token fetch", &lock_key, &holder, LOCK_TTL, true).await {
                // Taken by us; or Redis failed, and then we fetch rather than wait.
                Some(true) | None => Some(CacheLock { holder }),
                Some(false) => None,
            }
        })
    }

    fn unlock<'a>(&'a self, key: &'a TokenKey, lock: CacheLock) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let lock_key = format!("{}:lock", self.key(key));
            self.store.delete_if_equal("unlock token fetch", &lock_key, &lock.holder).await;
        })
    }
}
