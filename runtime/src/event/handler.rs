//! What a handler is: the function shapes the dispatcher accepts and the error they return.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::EventContext;

/// What a handler returns: `Ok` with the answer (`()` for events), or an error that makes
/// the webhook answer 500 so the platform pushes the event again later.
pub type HandlerResult<T = ()> = Result<T, HandlerError>;

/// The error of a failed handler.
///
/// Any error converts into it with `?`, as do `&str` and `String`. It deliberately does
/// not implement [`std::error::Error`] itself: that is what lets the blanket `From` impl
/// exist (the same trade-off `anyhow::Error` makes). [`HandlerError::source_error`] gives
/// the original error back.
pub struct HandlerError {
    source: Box<dyn StdError + Send + Sync>,
}

impl HandlerError {
    /// An error with this message.
    pub fn msg(message: impl fmt::Display) -> Self {
        HandlerError { source: message.to_string().into() }
    }

    /// The error the handler returned.
    pub fn source_error(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.source
    }

    /// The boxed error, for callers that want to keep or downcast it.
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync> {
        self.source
    }
}

impl<E: Into<Box<dyn StdError + Send + Sync>>> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError { source: error.into() }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.source, f)
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)?;
        let mut cause = self.source.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

/// The future a handler returns: sendable, owning everything it uses, resolving to a
/// [`HandlerResult`]. Any `async move { .. }` block that returns `Ok(..)` qualifies.
pub trait HandlerFuture<T = ()>: Future<Output = HandlerResult<T>> + Send + 'static {}

impl<T, F: Future<Output = HandlerResult<T>> + Send + 'static> HandlerFuture<T> for F {}

/// A handler of the typed event `E`: `|ctx, event| async move { ..; Ok(()) }`.
///
/// Written as a trait so that registration methods stay one line; every closure or
/// function with the right shape implements it.
pub trait EventFn<E, Fut>: Fn(EventContext, E) -> Fut + Send + Sync + 'static {}

impl<E, Fut, F: Fn(EventContext, E) -> Fut + Send + Sync + 'static> EventFn<E, Fut> for F {}

/// A handler of the typed callback `C`; the future resolves to the callback's response.
pub trait CallbackFn<C, Fut>: Fn(EventContext, C) -> Fut + Send + Sync + 'static {}

impl<C, Fut, F: Fn(EventContext, C) -> Fut + Send + Sync + 'static> CallbackFn<C, Fut> for F {}

/// A handler that reads the raw JSON itself: `|ctx| async move { ..; Ok(()) }`.
pub trait RawFn<Fut>: Fn(EventContext) -> Fut + Send + Sync + 'static {}

impl<Fut, F: Fn(EventContext) -> Fut + Send + Sync + 'static> RawFn<Fut> for F {}

/// Turns a panic while polling the inner future into a [`HandlerError`].
///
/// A panicking handler would otherwise tear down the connection without an answer; as
/// an error it becomes a 500 and the platform retries, like any other failure.
pub(crate) struct CatchPanic<F: ?Sized>(pub(crate) Pin<Box<F>>);

impl<T, F: Future<Output = HandlerResult<T>> + ?Sized> Future for CatchPanic<F> {
    type Output = HandlerResult<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        catch_unwind(AssertUnwindSafe(|| inner.poll(cx))).unwrap_or_else(|panic| Poll::Ready(Err(panicked(panic))))
    }
}

/// Calls `f`, turning a panic into a [`HandlerError`]: the synchronous part of a handler
/// (the code before its future's first `.await`) runs here.
pub(crate) fn call<T>(f: impl FnOnce() -> T) -> HandlerResult<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panicked)
}

fn panicked(panic: Box<dyn std::any::Any + Send>) -> HandlerError {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".to_owned());
    HandlerError::msg(format!("the handler panicked: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_error_converts_and_keeps_its_chain() {
        let io = std::io::Error::other("disk full");
        let err = HandlerError::from(io);
        assert_eq!(err.to_string(), "disk full");
        assert!(err.source_error().downcast_ref::<std::io::Error>().is_some());
        assert_eq!(HandlerError::from("plain text").to_string(), "plain text");
        assert_eq!(HandlerError::msg(42).to_string(), "42");
    }

    #[tokio::test]
    async fn a_panic_becomes_an_error() {
        let fut = CatchPanic(Box::pin(async {
            if true {
                panic!("boom");
            }
            Ok(())
        }));
        let err = fut.await.unwrap_err();
        assert!(err.to_string().contains("panicked: boom"), "{err}");
    }
}
