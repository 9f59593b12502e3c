//! The registration engine: handlers stored type-erased under their type string, and one
//! non-generic dispatch path.
//!
//! Registration is generic (it has to know the payload type to decode it), but each
//! registration compiles to one small closure; the dispatch path is written once. That keeps
//! the generated per-event sugar at one line and its compile cost near zero.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;

use super::handler::CatchPanic;
use crate::BoxFuture;

use super::{
    Callback, CallbackFn, CardAction, Event, EventContext, EventFn, HandlerError, HandlerFuture, HandlerResult, RawFn,
};

/// Whether a registered handler answers an event or a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerKind {
    /// Fire and forget: the answer is an empty acknowledgement, and redeliveries are
    /// deduplicated.
    Event,
    /// The handler's return value is the answer, so every push runs it.
    Callback,
}

/// What dispatching one push produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// An event handler (or the fallback) ran and succeeded.
    Handled,
    /// A callback handler ran; this is its answer, serialised as JSON.
    Replied(Bytes),
    /// Nothing is registered for the type and there is no fallback.
    Unhandled,
}

/// A stored handler: takes the context, decodes what it needs, answers JSON or nothing.
type Erased = Arc<dyn Fn(EventContext) -> BoxFuture<'static, HandlerResult<Option<Bytes>>> + Send + Sync>;

#[derive(Clone)]
struct Route {
    kind: HandlerKind,
    handler: Erased,
}

/// Maps event and callback types to async handlers.
///
/// Register with [`on`](Self::on) (typed events), [`on_callback`](Self::on_callback)
/// (typed callbacks), [`on_raw`](Self::on_raw) (a type the catalogue lacks),
/// [`on_card_action`](Self::on_card_action) (legacy cards) and
/// [`fallback`](Self::fallback) (everything else). Registering a type again replaces the
/// earlier handler. The generated `lark_sdk::EventDispatcher` wraps this type with one
/// method per catalogued event, such as `on_im_message_receive_v1`.
///
/// A handler that returns an error (or panics) makes the webhook answer 500, so the
/// platform pushes the event again later. Handlers should finish well within the
/// platform's 3-second limit; spawn longer work.
#[derive(Clone, Default)]
pub struct Dispatcher {
    routes: HashMap<Box<str>, Route>,
    fallback: Option<Erased>,
}

impl Dispatcher {
    /// A dispatcher with no handlers: every push is acknowledged and dropped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles the typed event `E`.
    pub fn on<E: Event, Fut: HandlerFuture>(self, handler: impl EventFn<E, Fut>) -> Self {
        let erased: Erased = Arc::new(move |ctx: EventContext| -> BoxFuture<'static, _> {
            match decode::<E>(&ctx) {
                Ok(event) => {
                    let fut = handler(ctx, event);
                    Box::pin(async move { fut.await.map(|()| None) })
                }
                Err(e) => Box::pin(std::future::ready(Err(e))),
            }
        });
        self.route(E::EVENT_TYPE, HandlerKind::Event, erased)
    }

    /// Handles the typed callback `C`; the handler's answer becomes the response body.
    pub fn on_callback<C: Callback, Fut: HandlerFuture<C::Response>>(self, handler: impl CallbackFn<C, Fut>) -> Self {
        let erased: Erased = Arc::new(move |ctx: EventContext| -> BoxFuture<'static, _> {
            match decode::<C>(&ctx) {
                Ok(payload) => {
                    let fut = handler(ctx, payload);
                    Box::pin(async move {
                        let answer = fut.await?;
                        let json = serde_json::to_vec(&answer)
                            .map_err(|e| HandlerError::msg(format!("the callback answer does not serialise: {e}")))?;
                        Ok(Some(Bytes::from(json)))
                    })
                }
                Err(e) => Box::pin(std::future::ready(Err(e))),
            }
        });
        self.route(C::CALLBACK_TYPE, HandlerKind::Callback, erased)
    }

    /// Handles legacy interactive-card actions (the card request URL); the handler's JSON
    /// answer becomes the response body.
    pub fn on_card_action<Fut: HandlerFuture<serde_json::Value>>(
        self,
        handler: impl CallbackFn<CardAction, Fut>,
    ) -> Self {
        self.on_callback::<CardAction, Fut>(handler)
    }

    /// Handles one event type by its string, reading the payload from
    /// [`EventContext::raw_event`]; for types the catalogue does not have yet.
    pub fn on_raw<Fut: HandlerFuture>(self, event_type: impl Into<String>, handler: impl RawFn<Fut>) -> Self {
        let event_type = event_type.into();
        self.route(&event_type, HandlerKind::Event, erase_raw(handler))
    }

    /// Handles every event type that has no handler of its own (the catch-all).
    ///
    /// Without a fallback, such events are acknowledged with 200 and dropped, so that the
    /// platform does not push them again and again.
    pub fn fallback<Fut: HandlerFuture>(mut self, handler: impl RawFn<Fut>) -> Self {
        self.fallback = Some(erase_raw(handler));
        self
    }

    /// Whether a handler of its own is registered for `event_type` (the fallback aside).
    pub fn handles(&self, event_type: &str) -> bool {
        self.routes.contains_key(event_type)
    }

    /// How a push of `event_type` would be handled: by an event handler (its own or the
    /// fallback), by a callback handler, or not at all.
    pub fn kind(&self, event_type: &str) -> Option<HandlerKind> {
        match self.routes.get(event_type) {
            Some(route) => Some(route.kind),
            None => self.fallback.as_ref().map(|_| HandlerKind::Event),
        }
    }

    /// The types with a handler of their own, sorted.
    pub fn types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = self.routes.keys().map(|k| &**k).collect();
        types.sort_unstable();
        types
    }

    /// Runs the handler for the context's type: its own, else the fallback.
    ///
    /// Payload decoding errors, handler errors and handler panics all come back as a
    /// [`HandlerError`].
    pub fn dispatch(&self, ctx: EventContext) -> BoxFuture<'static, HandlerResult<Outcome>> {
        let (kind, handler) = match self.routes.get(ctx.event_type()) {
            Some(route) => (route.kind, route.handler.clone()),
            None => match &self.fallback {
                Some(fallback) => (HandlerKind::Event, fallback.clone()),
                None => return Box::pin(std::future::ready(Ok(Outcome::Unhandled))),
            },
        };
        // The call happens inside the guarded future, so a panic in the synchronous part
        // of a handler is caught too.
        let run = CatchPanic(Box::pin(async move { handler(ctx).await }));
        Box::pin(async move {
            Ok(match (kind, run.await?) {
                (_, Some(json)) => Outcome::Replied(json),
                (HandlerKind::Callback, None) => Outcome::Replied(Bytes::from_static(b"{}")),
                (HandlerKind::Event, None) => Outcome::Handled,
            })
        })
    }

    fn route(mut self, event_type: &str, kind: HandlerKind, handler: Erased) -> Self {
        self.routes.insert(event_type.into(), Route { kind, handler });
        self
    }
}

fn erase_raw<Fut: HandlerFuture>(handler: impl RawFn<Fut>) -> Erased {
    Arc::new(move |ctx: EventContext| -> BoxFuture<'static, _> {
        let fut = handler(ctx);
        Box::pin(async move { fut.await.map(|()| None) })
    })
}

fn decode<T: serde::de::DeserializeOwned>(ctx: &EventContext) -> HandlerResult<T> {
    ctx.event_as::<T>().map_err(|e| {
        HandlerError::msg(format!(
            "the `{}` payload does not decode as `{}`: {e}",
            ctx.event_type(),
            std::any::type_name::<T>()
        ))
    })
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher").field("types", &self.types()).field("fallback", &self.fallback.is_some()).finish()
    }
}
