//! Event deduplication in Redis: one claim per event id across every replica.

use std::time::Duration;

use super::RedisStore;
use crate::core::BoxFuture;
use crate::event::HandlerError;
use crate::webhook::{Claim, DedupeStore};

/// What deduplication does when Redis fails or is slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DedupeFailure {
    /// Handle the event anyway and log a warning: a redelivery may then run twice, but
    /// no event waits on Redis.
    #[default]
    Open,
    /// Answer the push with an error so the platform delivers it again later: nothing
    /// runs twice, but events wait until Redis is back.
    Closed,
}

/// A [`DedupeStore`] in Redis: claiming is one `SET NX` on `<prefix>:event:<id>`, so of
/// replicas receiving the same event at once exactly one handles it. A failed handler
/// deletes its claim, so the platform's retry is handled; a handled event is remembered
/// for [`done_for`](Self::done_for) (12 hours by default, past the last redelivery).
#[derive(Debug, Clone)]
pub struct RedisDedupe {
    store: RedisStore,
    running_for: Duration,
    done_for: Duration,
    failure: DedupeFailure,
}

const RUNNING: &str = "running";
const DONE: &str = "done";

impl RedisDedupe {
    pub(super) fn new(store: RedisStore) -> Self {
        RedisDedupe {
            store,
            running_for: Duration::from_secs(60),
            done_for: Duration::from_secs(12 * 3600),
            failure: DedupeFailure::Open,
        }
    }

    /// What to do when Redis fails (default [`DedupeFailure::Open`]).
    #[must_use]
    pub fn on_failure(mut self, failure: DedupeFailure) -> Self {
        self.failure = failure;
        self
    }

    /// How long a claim lasts if its holder dies mid-handler (default 60 s).
    #[must_use]
    pub fn running_for(mut self, ttl: Duration) -> Self {
        self.running_for = ttl;
        self
    }

    /// How long a handled event is remembered (default 12 hours).
    #[must_use]
    pub fn done_for(mut self, ttl: Duration) -> Self {
        self.done_for = ttl;
        self
    }

    fn key(&self, id: &str) -> String {
        self.store.key(&format!("event:{id}"))
    }

    fn failed(&self, what: &str) -> Result<Claim, HandlerError> {
        match self.failure {
            DedupeFailure::Open => {
                tracing::warn!(operation = what, "Redis is unavailable; handling the event without deduplication");
                Ok(Claim::New)
            }
            DedupeFailure::Closed => Err(HandlerError::msg("Redis is unavailable; the event will be pushed again")),
        }
    }
}

impl DedupeStore for RedisDedupe {
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Claim, HandlerError>> {
        Box::pin(async move {
            let key = self.key(id);
            match self.store.set("claim event", &key, RUNNING, self.running_for, true).await {
                Some(true) => Ok(Claim::New),
                None => self.failed("claim event"),
                Some(false) => match self.store.get("read claim", &key).await {
                    Some(Some(state)) if state == DONE => Ok(Claim::Done),
                    // Running, or released between the two steps: the retry can claim it.
                    Some(_) => Ok(Claim::InProgress),
                    None => self.failed("read claim"),
                },
            }
        })
    }

    fn complete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            let done = self.store.set("mark event done", &self.key(id), DONE, self.done_for, false).await;
            done.map(|_| ()).ok_or_else(|| HandlerError::msg("Redis did not record the handled event"))
        })
    }

    fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            let released = self.store.delete_if_equal("release event", &self.key(id), RUNNING).await;
            released.ok_or_else(|| HandlerError::msg("Redis did not release the failed event"))
        })
    }
}
