//! Recognising redeliveries, so that an event pushed again is acknowledged but not handled
//! twice.
//!
//! The platform pushes an event again when it got no 200 within 3 seconds (after about
//! 15 s, 5 min, 1 h and 6 h). Handling is claimed before the handler runs, so two copies
//! arriving together run it once; it is released when the handler fails, so the next
//! redelivery runs it again and no event is lost.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::BoxFuture;
use crate::event::HandlerError;

/// What a store knows about an event id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First sight: the caller now owns the handling.
    New,
    /// Another copy is being handled right now.
    InProgress,
    /// Already handled successfully.
    Done,
}

/// Remembers which event ids were handled. Implement it over Redis or a database to
/// deduplicate across several instances of the app; [`MemoryDedupe`] is the in-process
/// default.
///
/// Methods return boxed futures so that the trait stays object safe.
pub trait DedupeStore: Send + Sync + 'static {
    /// Atomically records `id` as in progress unless it is known, and says what it was.
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Claim, HandlerError>>;
    /// Records that `id` was handled successfully.
    fn complete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>>;
    /// Forgets `id` after a failed handler, so that a redelivery runs it again.
    fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>>;
}

/// A bounded in-memory [`DedupeStore`]: ids are kept for `ttl` and at most `capacity` of
/// them, the oldest dropped first.
///
/// The defaults (65,536 ids, 12 hours) cover the platform's last redelivery, about
/// 7 hours after the first push, at up to ~1.5 events per second; raise the capacity for
/// busier apps. Memory is about 100 bytes per id.
#[derive(Debug)]
pub struct MemoryDedupe {
    capacity: usize,
    ttl: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Box<str>, Entry>,
    /// Ids in claim order, with the sequence number of the claim, so that an id released
    /// and claimed again is not evicted by its older position.
    order: VecDeque<(Box<str>, u64)>,
    next_seq: u64,
}

#[derive(Debug)]
struct Entry {
    claim: Claim,
    seq: u64,
    at: Instant,
}

impl MemoryDedupe {
    /// Default number of ids kept.
    pub const DEFAULT_CAPACITY: usize = 65_536;
    /// Default time an id is kept.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(12 * 60 * 60);

    /// A store keeping at most `capacity` ids (at least one), each for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        MemoryDedupe { capacity: capacity.max(1), ttl, state: Mutex::default() }
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves the maps consistent (every mutation is a
        // single insert or remove), so a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn claim_now(&self, id: &str, now: Instant) -> Claim {
        let mut state = self.lock();
        self.expire(&mut state, now);
        if let Some(entry) = state.entries.get(id) {
            return entry.claim;
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state.entries.insert(id.into(), Entry { claim: Claim::InProgress, seq, at: now });
        state.order.push_back((id.into(), seq));
        // The new id is at the back and the capacity is at least one, so it survives.
        while state.entries.len() > self.capacity {
            let Some((old, seq)) = state.order.pop_front() else { break };
            remove_if_current(&mut state, &old, seq);
        }
        Claim::New
    }

    fn expire(&self, state: &mut State, now: Instant) {
        while let Some((id, seq)) = state.order.front() {
            let expired = match state.entries.get(id) {
                Some(entry) if entry.seq == *seq => now.duration_since(entry.at) >= self.ttl,
                // Released or claimed again since: the queue slot is stale.
                _ => true,
            };
            if !expired {
                break;
            }
            if let Some((id, seq)) = state.order.pop_front() {
                remove_if_current(state, &id, seq);
            }
        }
    }
}

fn remove_if_current(state: &mut State, id: &str, seq: u64) {
    if state.entries.get(id).is_some_and(|e| e.seq == seq) {
        state.entries.remove(id);
    }
}

impl Default for MemoryDedupe {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY, Self::DEFAULT_TTL)
    }
}

impl DedupeStore for MemoryDedupe {
    fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Claim, HandlerError>> {
        let claim = self.claim_now(id, Instant::now());
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn complete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        if let Some(entry) = self.lock().entries.get_mut(id) {
            entry.claim = Claim::Done;
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        self.lock().entries.remove(id);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_claim_wins_then_done_after_complete() {
        let store = MemoryDedupe::default();
        let now = Instant::now();
        assert_eq!(store.claim_now("a", now), Claim::New);
        assert_eq!(store.claim_now("a", now), Claim::InProgress);
        futures_util::FutureExt::now_or_never(store.complete("a")).unwrap().unwrap();
        assert_eq!(store.claim_now("a", now), Claim::Done);
        assert_eq!(store.claim_now("b", now), Claim::New);
    }

    #[test]
    fn release_lets_a_redelivery_run_again() {
        let store = MemoryDedupe::default();
        let now = Instant::now();
        assert_eq!(store.claim_now("a", now), Claim::New);
        futures_util::FutureExt::now_or_never(store.release("a")).unwrap().unwrap();
        assert_eq!(store.claim_now("a", now), Claim::New);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn bounded_by_capacity_oldest_first() {
        let store = MemoryDedupe::new(3, Duration::from_secs(60));
        let now = Instant::now();
        for id in ["a", "b", "c", "d"] {
            assert_eq!(store.claim_now(id, now), Claim::New);
        }
        assert_eq!(store.len(), 3);
        assert_eq!(store.claim_now("a", now), Claim::New, "the oldest was evicted");
        assert_eq!(store.claim_now("d", now), Claim::InProgress);
    }

    #[test]
    fn ids_expire_after_the_ttl() {
        let store = MemoryDedupe::new(10, Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(store.claim_now("a", start), Claim::New);
        assert_eq!(store.claim_now("a", start + Duration::from_secs(59)), Claim::InProgress);
        assert_eq!(store.claim_now("b", start + Duration::from_secs(60)), Claim::New);
        assert_eq!(store.claim_now("a", start + Duration::from_secs(61)), Claim::New);
    }

    #[test]
    fn a_reclaimed_id_is_not_evicted_by_its_stale_slot() {
        let store = MemoryDedupe::new(2, Duration::from_secs(60));
        let now = Instant::now();
        store.claim_now("a", now);
        futures_util::FutureExt::now_or_never(store.release("a")).unwrap().unwrap();
        store.claim_now("b", now);
        store.claim_now("a", now);
        assert_eq!(store.len(), 2);
        assert_eq!(store.claim_now("a", now), Claim::InProgress);
        assert_eq!(store.claim_now("b", now), Claim::InProgress);
    }
}
