//! Tokens and app tickets in Redis, with a lock so that replicas fetch one token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{DELETE_IF_EQUAL, RedisStore, random_mark};
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
        Box::pin(async move {
            let key = self.key(key);
            let text: Option<String> = self
                .store
                .run("get token", |mut c| async move { redis::cmd("GET").arg(&key).query_async(&mut c).await })
                .await?;
            text.as_deref().and_then(decode)
        })
    }

    fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ttl = token.fresh_until.duration_since(SystemTime::now()).unwrap_or_default();
            if ttl.is_zero() {
                return;
            }
            let (key, value) = (self.key(key), encode(&token));
            let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let _: Option<()> = self
                .store
                .run("put token", |mut c| async move {
                    redis::cmd("SET").arg(&key).arg(&value).arg("PX").arg(millis).query_async(&mut c).await
                })
                .await;
        })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let key = self.key(key);
            let Some(text) = self.get_raw(&key).await else { return };
            // Delete only the entry that still holds this token, in one step.
            if decode(&text).is_some_and(|t| t.value == value) {
                let _: Option<i64> = self
                    .store
                    .run("remove token", |mut c| async move {
                        redis::Script::new(DELETE_IF_EQUAL).key(&key).arg(&text).invoke_async(&mut c).await
                    })
                    .await;
            }
        })
    }

    fn lock<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CacheLock>> {
        Box::pin(async move {
            let lock_key = format!("{}:lock", self.key(key));
            let holder = random_mark();
            let millis = LOCK_TTL.as_millis() as u64;
            let mark = holder.clone();
            let taken: Option<Option<String>> = self
                .store
                .run("lock token fetch", |mut c| async move {
                    redis::cmd("SET")
                        .arg(&lock_key)
                        .arg(&mark)
                        .arg("NX")
                        .arg("PX")
                        .arg(millis)
                        .query_async(&mut c)
                        .await
                })
                .await;
            match taken {
                // Taken by us; or Redis failed, and then we fetch rather than wait.
                Some(Some(_)) | None => Some(CacheLock { holder }),
                Some(None) => None,
            }
        })
    }

    fn unlock<'a>(&'a self, key: &'a TokenKey, lock: CacheLock) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let lock_key = format!("{}:lock", self.key(key));
            let _: Option<i64> = self
                .store
                .run("unlock token fetch", |mut c| async move {
                    redis::Script::new(DELETE_IF_EQUAL).key(&lock_key).arg(&lock.holder).invoke_async(&mut c).await
                })
                .await;
        })
    }
}

impl RedisTokenCache {
    async fn get_raw(&self, key: &str) -> Option<String> {
        let key = key.to_owned();
        self.store
            .run("get token", |mut c| async move { redis::cmd("GET").arg(&key).query_async(&mut c).await })
            .await?
    }
}
