//! Failures the fake injects on purpose, and the listener that lets it hang up.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::response::FakeResponse;
use super::server::Route;
use crate::core::endpoint::HttpMethod;

/// A failure for [`FakeLark::inject`](super::FakeLark::inject).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and a small non-Lark body, as a gateway does; the
    /// route does not run.
    Status(u16),
    /// Answer HTTP 429 with code 99991400 and `x-ogw-ratelimit-reset` set to this many
    /// seconds (fractions allowed, so tests stay fast); the route does not run.
    RateLimit {
        /// The value of the reset header, in seconds.
        reset_seconds: f64,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
    /// Revoke every tenant and app token issued so far, then answer normally (so this
    /// very request is refused with code 99991663).
    RevokeTokens,
    /// Run the route (the server acts, e.g. stores a message), then answer with this
    /// status instead: the failure a client cannot tell from [`Fault::Status`].
    AfterHandling(u16),
    /// Answer with this reply; the route does not run.
    Reply(FakeResponse),
}

impl Fault {
    /// The fault for requests of `method` to paths matching `path_template`.
    pub fn on(self, method: HttpMethod, path_template: &str) -> FaultRule {
        FaultRule { fault: self, route: Some(Route::template(method, path_template)), skip: 0, times: 1 }
    }

    /// The fault for any request, token requests included.
    pub fn anywhere(self) -> FaultRule {
        FaultRule { fault: self, route: None, skip: 0, times: 1 }
    }
}

/// When a [`Fault`] fires: which requests, after how many, how often.
#[derive(Debug, Clone)]
#[must_use = "pass the rule to FakeLark::inject"]
pub struct FaultRule {
    pub(crate) fault: Fault,
    route: Option<Route>,
    skip: usize,
    times: usize,
}

impl FaultRule {
    /// Lets this many matching requests through before firing (default 0).
    pub fn skip(mut self, requests: usize) -> Self {
        self.skip = requests;
        self
    }

    /// Fires for this many matching requests (default 1).
    pub fn times(mut self, requests: usize) -> Self {
        self.times = requests;
        self
    }

    fn matches(&self, method: HttpMethod, path: &str) -> bool {
        self.route.as_ref().is_none_or(|route| route.matches(method, path).is_some())
    }
}

/// The first armed rule matching the request, consuming one of its firings; rules that
/// are used up are removed.
pub(crate) fn take(rules: &mut Vec<FaultRule>, method: HttpMethod, path: &str) -> Option<Fault> {
    let mut fired = None;
    for rule in rules.iter_mut().filter(|r| r.times > 0) {
        if !rule.matches(method, path) {
            continue;
        }
        if rule.skip > 0 {
            rule.skip -= 1;
            continue;
        }
        rule.times -= 1;
        fired = Some(rule.fault.clone());
        break;
    }
    rules.retain(|r| r.times > 0);
    fired
}

/// A handle on one accepted connection; setting it makes the connection hang up.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hangup(Arc<AtomicBool>);

impl Hangup {
    pub(crate) fn now(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Connected<IncomingStream<'_, HangupListener>> for Hangup {
    fn connect_info(stream: IncomingStream<'_, HangupListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections can be cut from a handler.
pub(crate) struct HangupListener(pub TcpListener);

impl Listener for HangupListener {
    type Io = HangupStream;
    type Addr = Hangup;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let hangup = Hangup::default();
                    return (HangupStream { inner: stream, hangup: hangup.clone() }, hangup);
                }
                // Out of file descriptors and the like: wait rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Hangup::default())
    }
}

/// A connection that reads as closed and refuses writes once hung up, so that the server
/// drops it without sending the reply.
pub(crate) struct HangupStream {
    inner: TcpStream,
    hangup: Hangup,
}

fn cut() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "fake Lark hung up on purpose")
}

impl AsyncRead for HangupStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.hangup.is_set() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for HangupStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.hangup.is_set() {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.hangup.is_set() {
            return Poll::Ready(Err(cut()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_skip_fire_and_expire_in_order() {
        let mut rules = vec![
            Fault::Status(503).on(HttpMethod::Post, "/open-apis/im/v1/messages").skip(1).times(2),
            Fault::Drop.anywhere().skip(3),
        ];
        let post = |rules: &mut Vec<FaultRule>| take(rules, HttpMethod::Post, "/open-apis/im/v1/messages");
        assert!(post(&mut rules).is_none()); // skipped by the first rule, counts for the second
        assert!(matches!(post(&mut rules), Some(Fault::Status(503))));
        assert!(matches!(post(&mut rules), Some(Fault::Status(503))));
        assert_eq!(rules.len(), 1);
        assert!(take(&mut rules, HttpMethod::Get, "/x").is_none());
        assert!(take(&mut rules, HttpMethod::Get, "/x").is_none());
        assert!(matches!(take(&mut rules, HttpMethod::Get, "/x"), Some(Fault::Drop)));
        assert!(rules.is_empty());
    }
}
