//! When a failed attempt is tried again, and after how long.
//!
//! The rules, in order:
//! - a body streamed from a reader is never sent twice;
//! - HTTP 429 or code 99991400: the server did not process the call, so it is retried
//!   whatever the method, after `x-ogw-ratelimit-reset` (or `Retry-After`) seconds;
//! - a connection that could not be opened: nothing reached the server, retried for any
//!   method;
//! - HTTP 500/502/503/504, a timeout or a connection dropped mid-call: the server may have
//!   acted, so only idempotent methods (GET, PUT, DELETE) or calls marked safe are retried.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::core::endpoint::HttpMethod;
use crate::core::error::RATE_LIMITED_CODE;

/// The reason a retry waits for the platform's rate limit to reset.
pub(crate) const RATE_LIMITED: &str = "rate limited";

/// How often and how patiently failed calls are retried.
///
/// The delay before retry `n` (1-based) is drawn at random from the upper half of
/// `base_delay * 2^(n-1)`, capped at `max_delay`; a rate-limited call waits as long as the
/// server asks instead, unless that is longer than `max_delay`, in which case the error
/// is returned at once (see [`ApiError::retry_after`](crate::ApiError::retry_after)).
///
/// ```
/// use std::time::Duration;
/// use lark_runtime::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(6).max_delay(Duration::from_secs(60));
/// let never = RetryPolicy::none();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts in all, 200 ms base delay, waits capped at 30 s.
    fn default() -> Self {
        RetryPolicy { max_attempts: 4, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// No retries: every call is attempted once. The token refresh after a rejected
    /// token still happens, since it is not a retry of a failure on the server's side.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// How many attempts a call may make in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry; it doubles with each further retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait before a retry, for backoff and rate limits alike.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The number of attempts allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The randomised backoff before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let ceiling = exp.min(self.max_delay);
        // "Equal jitter": half fixed, half random, so clients that failed together spread
        // out but none retries immediately.
        ceiling / 2 + ceiling.mul_f64(unit_random() / 2.0)
    }
}

/// What went wrong with one attempt, as far as the retry decision cares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// A reply arrived with this status and Lark code.
    Reply { status: u16, code: Option<i64>, retry_after: Option<Duration> },
    /// No connection could be opened: the request never left.
    Connect,
    /// A timeout or a connection lost after sending began.
    Lost,
}

/// What the caller of an attempt knows about repeating it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Repeatable {
    /// The method is idempotent or the call was marked safe to repeat.
    pub safe: bool,
    /// The body can be produced again (not streamed from a reader).
    pub replayable: bool,
}

impl Repeatable {
    pub(crate) fn new(method: HttpMethod, marked_safe: bool, replayable: bool) -> Self {
        let idempotent = matches!(method, HttpMethod::Get | HttpMethod::Put | HttpMethod::Delete);
        Repeatable { safe: idempotent || marked_safe, replayable }
    }
}

/// Whether `failure` on attempt number `attempt` (1-based) is retried: the wait and a
/// short reason for the log, or `None`.
pub(crate) fn decide(
    policy: &RetryPolicy,
    failure: Failure,
    attempt: u32,
    call: Repeatable,
) -> Option<(Duration, &'static str)> {
    if !call.replayable || attempt >= policy.max_attempts {
        return None;
    }
    let backoff = || policy.backoff(attempt);
    let (wait, reason) = match failure {
        Failure::Reply { status, code, retry_after } if status == 429 || code == Some(RATE_LIMITED_CODE) => {
            let wait = match retry_after {
                // A little jitter on top, so that throttled clients do not return in step.
                Some(reset) => reset + policy.base_delay.mul_f64(unit_random()),
                None => backoff(),
            };
            (wait, RATE_LIMITED)
        }
        Failure::Reply { status: 500 | 502 | 503 | 504, .. } if call.safe => (backoff(), "server error"),
        Failure::Connect => (backoff(), "connection failed"),
        Failure::Lost if call.safe => (backoff(), "timeout or connection lost"),
        _ => return None,
    };
    (wait <= policy.max_delay + policy.base_delay).then_some((wait, reason))
}

/// Reads `x-ogw-ratelimit-reset` (seconds), else `Retry-After` (seconds). Fractions are
/// accepted; a date form of `Retry-After` or a bad value is ignored.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["x-ogw-ratelimit-reset", "retry-after"].iter().find_map(|name| {
        let text = headers.get(*name)?.to_str().ok()?;
        let seconds: f64 = text.trim().parse().ok()?;
        (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
    })
}

/// A number in `[0, 1)`. Jitter only needs to differ between clients and calls, so the
/// randomly keyed std hasher over a counter is enough; no RNG dependency.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default().base_delay(ms(100)).max_delay(ms(1000)).max_attempts(4)
    }

    const GET: Repeatable = Repeatable { safe: true, replayable: true };
    const POST: Repeatable = Repeatable { safe: false, replayable: true };

    fn reply(status: u16, code: Option<i64>) -> Failure {
        Failure::Reply { status, code, retry_after: None }
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = policy();
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= ms(50) && first <= ms(100), "{first:?}");
            let third = p.backoff(3);
            assert!(third >= ms(200) && third <= ms(400), "{third:?}");
            let capped = p.backoff(30);
            assert!(capped >= ms(500) && capped <= ms(1000), "{capped:?}");
        }
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| p.backoff(2)).collect();
        assert!(spread.len() > 1, "jitter must vary");
    }

    #[test]
    fn idempotent_methods_and_safe_calls_retry_server_errors() {
        assert!(Repeatable::new(HttpMethod::Get, false, true).safe);
        assert!(Repeatable::new(HttpMethod::Put, false, true).safe);
        assert!(Repeatable::new(HttpMethod::Delete, false, true).safe);
        assert!(!Repeatable::new(HttpMethod::Post, false, true).safe);
        assert!(!Repeatable::new(HttpMethod::Patch, false, true).safe);
        assert!(Repeatable::new(HttpMethod::Post, true, true).safe);
        for status in [500, 502, 503, 504] {
            assert!(decide(&policy(), reply(status, None), 1, GET).is_some());
            assert!(decide(&policy(), reply(status, None), 1, POST).is_none());
        }
        assert!(decide(&policy(), reply(501, None), 1, GET).is_none());
        assert!(decide(&policy(), reply(400, Some(1)), 1, GET).is_none());
        assert!(decide(&policy(), Failure::Lost, 1, GET).is_some());
        assert!(decide(&policy(), Failure::Lost, 1, POST).is_none());
        assert!(decide(&policy(), Failure::Connect, 1, POST).is_some());
    }

    #[test]
    fn rate_limits_are_retried_for_any_method_after_the_reset() {
        let limited = Failure::Reply { status: 429, code: Some(99991400), retry_after: Some(ms(300)) };
        let (wait, reason) = decide(&policy(), limited, 1, POST).unwrap();
        assert!(wait >= ms(300) && wait < ms(400), "{wait:?}");
        assert_eq!(reason, "rate limited");
        // The code alone, with HTTP 200, counts too.
        assert!(decide(&policy(), reply(200, Some(99991400)), 1, POST).is_some());
        // A reset beyond the cap is not waited for.
        let far = Failure::Reply { status: 429, code: None, retry_after: Some(Duration::from_secs(60)) };
        assert!(decide(&policy(), far, 1, GET).is_none());
    }

    #[test]
    fn attempts_are_bounded_and_streams_never_repeat() {
        assert!(decide(&policy(), reply(503, None), 3, GET).is_some());
        assert!(decide(&policy(), reply(503, None), 4, GET).is_none());
        let streamed = Repeatable { safe: true, replayable: false };
        assert!(decide(&policy(), reply(429, None), 1, streamed).is_none());
        assert!(decide(&policy(), Failure::Connect, 1, streamed).is_none());
        assert!(decide(&RetryPolicy::none(), reply(503, None), 1, GET).is_none());
    }

    #[test]
    fn reset_headers_are_read_in_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("x-ogw-ratelimit-reset", "0.25".parse().unwrap());
        assert_eq!(retry_after(&h), Some(ms(250)));
        h.insert("x-ogw-ratelimit-reset", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after", "-1".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
