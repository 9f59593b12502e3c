//! The one loop every request goes through: send, and on failure renew the token or retry
//! as the rules allow. Non-generic over endpoints: 1,600 of them share this code.

use std::borrow::Cow;
use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use tracing::Instrument as _;

use crate::core::endpoint::Target;
use crate::core::error::{Error, Result};
use crate::core::excerpt::excerpt;
use crate::wire::Wire;
use crate::wire::decode;
use crate::wire::request::Body;
use crate::wire::retry::{self, Failure, Repeatable, RetryPolicy};
use crate::wire::span;
use crate::wire::transport::{self, Outgoing, Reply, Response, SendError};

/// A request ready to send: the URL is built and the body encoded.
pub(crate) struct Prepared<'a> {
    pub target: Target<'a>,
    pub url: String,
    pub body: &'a Body,
    /// The request itself says a repeat is harmless (it carries an idempotency key).
    pub retry_safe: bool,
}

/// How one call is sent, beyond the request: the wire's defaults with the call's own
/// settings applied.
pub(crate) struct Settings {
    pub headers: HeaderMap,
    /// For each attempt, reply body included.
    pub timeout: Option<Duration>,
    pub retry: RetryPolicy,
    /// The caller says a repeat is harmless.
    pub retry_safe: bool,
}

/// How a call ended, when it got a reply.
pub(crate) enum Outcome {
    /// The whole reply, read into memory.
    Read(Reply),
    /// A successful file reply whose body is still on the wire.
    Streaming(Response),
}

/// Where the attempts of one call get their token. The client implements it over its
/// token cache and the call's user token; it is declared here so that the loop can renew
/// a rejected token without knowing where tokens come from.
pub(crate) trait Authorize: Sync {
    /// The token to send with the next attempt, if the call sends one.
    fn token(&self) -> impl Future<Output = Result<Option<Cow<'_, str>>>> + Send;

    /// The platform answered `code` to a call that sent `token`: if that means the token
    /// was rejected, arrange a new one for the next attempt and return whether there is
    /// one. Asked at most once per call.
    fn renew(&self, endpoint: &'static str, token: &str, code: i64) -> impl Future<Output = Result<bool>> + Send;
}

/// Sends no token: the token and OAuth endpoints, and endpoints that take none.
pub(crate) struct Anonymous;

impl Authorize for Anonymous {
    async fn token(&self) -> Result<Option<Cow<'_, str>>> {
        Ok(None)
    }

    async fn renew(&self, _: &'static str, _: &str, _: i64) -> Result<bool> {
        Ok(false)
    }
}

impl Wire {
    /// Sends a call and reads the whole reply.
    pub(crate) async fn exchange_read(
        &self,
        call: &Prepared<'_>,
        settings: &Settings,
        auth: &impl Authorize,
    ) -> Result<Reply> {
        match self.exchange(call, settings, auth, false).await? {
            Outcome::Read(reply) => Ok(reply),
            // Not produced without `stream`; reading it anyway keeps this total.
            Outcome::Streaming(response) => response.read().await.map_err(Error::Transport),
        }
    }

    /// Sends a call until it succeeds, fails for good, or runs out of attempts. With
    /// `stream`, a successful non-JSON reply is returned unread. The call is one
    /// `lark.call` span ([`span`]); a token fetched on the way is a span inside it.
    pub(crate) async fn exchange(
        &self,
        call: &Prepared<'_>,
        settings: &Settings,
        auth: &impl Authorize,
        stream: bool,
    ) -> Result<Outcome> {
        let span = span::call(&call.target);
        let started = Instant::now();
        let outcome = self.attempts(call, settings, auth, stream, &span).instrument(span.clone()).await;
        span::finish(&span, &outcome, started.elapsed());
        outcome
    }

    async fn attempts(
        &self,
        call: &Prepared<'_>,
        settings: &Settings,
        auth: &impl Authorize,
        stream: bool,
        span: &tracing::Span,
    ) -> Result<Outcome> {
        let target = &call.target;
        let policy = settings.retry;
        let repeat = Repeatable::new(target.method, call.retry_safe || settings.retry_safe, call.body.is_replayable());
        let mut attempt = 1;
        let mut token_renewed = false;
        loop {
            span.record("lark.attempts", attempt);
            let token = auth.token().await?;
            let out = Outgoing {
                endpoint: target.id,
                method: target.method,
                url: &call.url,
                authorization: token.as_deref().map(authorization).transpose()?,
                headers: &settings.headers,
                body: call.body,
                timeout: settings.timeout,
            };
            let (failure, ended) = match transport::send(self.http(), &out).await {
                Err(SendError::Local(e)) => return Err(e),
                Err(SendError::Network(e)) => (network_failure(&e), Ended::Failed(Error::Transport(e))),
                Ok(response) if stream && response.head.is_success() && !response.head.is_json() => {
                    span::reply(span, &response.head, None);
                    return Ok(Outcome::Streaming(response));
                }
                Ok(response) => match response.read().await {
                    Err(e) => (Failure::Lost, Ended::Failed(Error::Transport(e))),
                    Ok(reply) => {
                        span::reply(span, &reply.head, reply.code());
                        // Once per call, and never with a body that cannot be sent again.
                        if let (Some(token), Some(code)) = (token.as_deref(), reply.code())
                            && !token_renewed
                            && repeat.replayable
                            && auth.renew(target.id, token, code).await?
                        {
                            token_renewed = true;
                            continue;
                        }
                        let head = &reply.head;
                        (
                            Failure::Reply { status: head.status, code: reply.code(), retry_after: head.retry_after },
                            Ended::Reply(reply),
                        )
                    }
                },
            };
            if wait_for_retry(target, &policy, failure, attempt, repeat).await {
                attempt += 1;
                continue;
            }
            return match ended {
                _ if refused_replay(&policy, failure, attempt, repeat) => {
                    Err(Error::NotReplayable { endpoint: target.id, source: Box::new(ended.into_error(target)) })
                }
                Ended::Reply(reply) => Ok(Outcome::Read(reply)),
                Ended::Failed(error) => Err(error),
            };
        }
    }
}

/// Decides on a retry, and if there is one logs it and waits; returns whether to retry.
async fn wait_for_retry(
    target: &Target<'_>,
    policy: &RetryPolicy,
    failure: Failure,
    attempt: u32,
    repeat: Repeatable,
) -> bool {
    let Some((wait, reason)) = retry::decide(policy, failure, attempt, repeat) else {
        return false;
    };
    let status = match failure {
        Failure::Reply { status, .. } => status,
        _ => 0,
    };
    // Never the token or the body: only what identifies the call and the failure.
    let wait_ms = wait.as_millis() as u64;
    if reason == retry::RATE_LIMITED {
        tracing::warn!(
            endpoint = target.id,
            attempt,
            wait_ms,
            status,
            reason,
            "rate limited: waiting, then retrying lark call"
        );
    } else {
        tracing::warn!(endpoint = target.id, attempt, wait_ms, status, reason, "retrying lark call");
    }
    tokio::time::sleep(wait).await;
    true
}

/// How an attempt that was not handed over as a stream ended.
enum Ended {
    Reply(Reply),
    Failed(Error),
}

impl Ended {
    /// The error to report: a reply that is one, or the failure itself.
    fn into_error(self, target: &Target<'_>) -> Error {
        match self {
            Ended::Failed(error) => error,
            Ended::Reply(reply) => decode::check(&reply, target.id, target.scopes).err().unwrap_or_else(|| {
                Error::Http { status: reply.head.status, endpoint: target.id, body_excerpt: excerpt(&reply.body) }
            }),
        }
    }
}

/// The `Authorization` header for a token.
fn authorization(token: &str) -> Result<HeaderValue> {
    transport::bearer(token)
        .ok_or_else(|| Error::Config("the access token contains characters not allowed in a header".to_owned()))
}

/// Whether the failure would have been retried but for a body that cannot be resent.
fn refused_replay(policy: &RetryPolicy, failure: Failure, attempt: u32, repeat: Repeatable) -> bool {
    !repeat.replayable && retry::decide(policy, failure, attempt, Repeatable { replayable: true, ..repeat }).is_some()
}

fn network_failure(error: &reqwest::Error) -> Failure {
    // A refused or failed connect sent nothing, so any method may be retried.
    if error.is_connect() { Failure::Connect } else { Failure::Lost }
}
