//! State shared by replicas through Redis (feature `redis`): access tokens and app tickets
//! ([`RedisTokenCache`]) and event deduplication ([`RedisDedupe`]).
//!
//! Every Redis operation has a deadline ([`RedisStore::timeout`], 250 ms by default), so
//! a slow or unreachable Redis never hangs a call: the token cache then answers "not
//! cached" and grants its lock (the client fetches a token itself), and deduplication
//! either handles the event anyway (open, the default, with a warning) or answers so that
//! the platform pushes again (closed), as configured ([`DedupeFailure`]).
//!
//! ```no_run
//! # async fn run() -> lark_runtime::Result<()> {
//! use lark_runtime::shared::RedisStore;
//!
//! let redis = RedisStore::connect("redis://127.0.0.1:6379").await?.prefix("my-bot");
//! let client = lark_runtime::Client::builder("cli_xxx", "secret").token_cache(redis.token_cache()).build()?;
//! let webhook = lark_runtime::webhook::Webhook::builder()
//!     .dedupe(redis.dedupe())
//!     .build(lark_runtime::event::Dispatcher::new());
//! # let _ = (client, webhook);
//! # Ok(())
//! # }
//! ```

mod dedupe;
pub mod testing;
mod tokens;

use std::fmt;
use std::future::Future;
use std::time::Duration;

pub use dedupe::{DedupeFailure, RedisDedupe};
pub use tokens::RedisTokenCache;

use crate::core::error::{Error, Result};

/// A connection to Redis (reconnecting by itself) with a key prefix and a deadline for
/// each operation. Cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    connection: redis::aio::ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl fmt::Debug for RedisStore {
    // Never the URL: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// The default deadline of one Redis operation.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

    /// Connects to `url` (`redis://[:password@]host:port[/db]`, or `rediss://` for TLS).
    /// Keys start with `lark:` unless [`prefix`](Self::prefix) says otherwise.
    ///
    /// A Redis that cannot be reached here is an error: at start-up it is a deployment
    /// mistake worth stopping for. Once connected, outages only degrade (see the module
    /// docs), and the connection comes back by itself.
    pub async fn connect(url: &str) -> Result<RedisStore> {
        // The error may quote the URL, and the URL may hold a password: say neither.
        let client = redis::Client::open(url)
            .map_err(|e| Error::Config(format!("not a Redis URL ({:?}): expected redis:// or rediss://", e.kind())))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Self::DEFAULT_TIMEOUT))
            .set_number_of_retries(1);
        let connection = redis::aio::ConnectionManager::new_with_config(client, config).await.map_err(|e| {
            let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
            Error::Config(format!("cannot connect to Redis ({:?} error{detail}); is it running?", e.kind()))
        })?;
        Ok(RedisStore { connection, prefix: "lark".to_owned(), timeout: Self::DEFAULT_TIMEOUT })
    }

    /// Starts every key with `prefix:` (default `lark`), so apps can share a Redis.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The deadline of one Redis operation (default [`DEFAULT_TIMEOUT`](Self::DEFAULT_TIMEOUT)).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A token cache on this store, for [`ClientBuilder::token_cache`](crate::ClientBuilder::token_cache).
    pub fn token_cache(&self) -> RedisTokenCache {
        RedisTokenCache::new(self.clone())
    }

    /// A deduplication store on this store, for
    /// [`WebhookBuilder::dedupe`](crate::webhook::WebhookBuilder::dedupe), failing open.
    pub fn dedupe(&self) -> RedisDedupe {
        RedisDedupe::new(self.clone())
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.prefix)
    }

    /// Runs one command with the deadline; `None` (logged) when Redis failed or was slow.
    async fn run<T, F>(&self, what: &str, command: impl FnOnce(redis::aio::ConnectionManager) -> F) -> Option<T>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.timeout, command(self.connection.clone())).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                tracing::warn!(operation = what, error = ?e.kind(), "Redis failed");
                None
            }
            Err(_) => {
                tracing::warn!(
                    operation = what,
                    timeout_ms = self.timeout.as_millis() as u64,
                    "Redis did not answer in time"
                );
                None
            }
        }
    }

    /// `GET key`: `None` when Redis failed, `Some(None)` when the key is absent.
    async fn get(&self, what: &str, key: &str) -> Option<Option<String>> {
        self.run(what, |mut c| async move { redis::cmd("GET").arg(key).query_async(&mut c).await }).await
    }

    /// `SET key value PX ttl`, with `NX` when `if_absent`: `None` when Redis failed,
    /// `Some(false)` when `NX` found the key taken.
    async fn set(&self, what: &str, key: &str, value: &str, ttl: Duration, if_absent: bool) -> Option<bool> {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let answer: Option<Option<String>> = self
            .run(what, |mut c| async move {
                let mut command = redis::cmd("SET");
                command.arg(key).arg(value).arg("PX").arg(millis);
                if if_absent {
                    command.arg("NX");
                }
                command.query_async(&mut c).await
            })
            .await;
        answer.map(|ok| ok.is_some())
    }

    /// Deletes `key` only if it still holds `value`, in one step; `None` when Redis failed.
    async fn delete_if_equal(&self, what: &str, key: &str, value: &str) -> Option<()> {
        let deleted: Option<i64> = self
            .run(what, |mut c| async move {
                redis::Script::new(DELETE_IF_EQUAL).key(key).arg(value).invoke_async(&mut c).await
            })
            .await;
        deleted.map(|_| ())
    }
}

/// Deletes `KEYS[1]` only if it holds `ARGV[1]`, in one step.
const DELETE_IF_EQUAL: &str =
    r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
