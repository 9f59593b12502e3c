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

use super::context::Payload;
use super::handler::{self, CatchPanic};
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

/// A stored handler: takes the context and the decoded payload (`()` for raw handlers),
/// answers JSON or nothing.
type Erased = Arc<dyn Fn(EventContext, Payload) -> BoxFuture<'static, HandlerResult<Option<Bytes>>> + Send + Sync>;

/// Reads a payload's JSON text as a route's type.
pub(crate) type Decode = fn(&str) -> serde_json::Result<Payload>;

#[derive(Clone)]
struct Route {
    kind: HandlerKind,
    /// How the payload is decoded, and the type's name for errors; `None` for raw handlers.
    decode: Option<(Decode, &'static str)>,
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
        let erased: Erased = Arc::new(move |ctx: EventContext, payload: Payload| -> BoxFuture<'static, _> {
            match unbox::<E>(&ctx, payload) {
                Ok(event) => {
                    let fut = handler(ctx, event);
                    Box::pin(async move { fut.await.map(|()| None) })
                }
                Err(e) => Box::pin(std::future::ready(Err(e))),
            }
        });
        self.route(E::EVENT_TYPE, HandlerKind::Event, Some(decoder::<E>()), erased)
    }

    /// Handles the typed callback `C`; the handler's answer becomes the response body.
    pub fn on_callback<C: Callback, Fut: HandlerFuture<C::Response>>(self, handler: impl CallbackFn<C, Fut>) -> Self {
        let erased: Erased = Arc::new(move |ctx: EventContext, payload: Payload| -> BoxFuture<'static, _> {
            match unbox::<C>(&ctx, payload) {
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
        self.route(C::CALLBACK_TYPE, HandlerKind::Callback, Some(decoder::<C>()), erased)
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
        self.route(&event_type, HandlerKind::Event, None, erase_raw(handler))
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

    /// How the payload of `event_type` is decoded, when a typed handler takes it.
    pub(crate) fn decoder(&self, event_type: &str) -> Option<Decode> {
        self.routes.get(event_type)?.decode.map(|(decode, _)| decode)
    }

    /// Runs the handler for the context's type: its own, else the fallback.
    ///
    /// Payload decoding errors, handler errors and handler panics all come back as a
    /// [`HandlerError`].
    pub fn dispatch(&self, ctx: EventContext) -> BoxFuture<'static, HandlerResult<Outcome>> {
        let (kind, decode, handler) = match self.routes.get(ctx.event_type()) {
            Some(route) => (route.kind, route.decode, route.handler.clone()),
            None => match &self.fallback {
                Some(fallback) => (HandlerKind::Event, None, fallback.clone()),
                None => return Box::pin(std::future::ready(Ok(Outcome::Unhandled))),
            },
        };
        let payload = match decode {
            None => Box::new(()),
            Some((decode, type_name)) => match ctx.take_decoded().map_or_else(|| decode(ctx.event_text()), Ok) {
                Ok(payload) => payload,
                Err(e) => return Box::pin(std::future::ready(Err(undecodable(&ctx, type_name, &e)))),
            },
        };
        let run = match handler::call(|| handler(ctx, payload)) {
            Ok(future) => CatchPanic(future),
            Err(panicked) => return Box::pin(std::future::ready(Err(panicked))),
        };
        Box::pin(async move {
            Ok(match (kind, run.await?) {
                (_, Some(json)) => Outcome::Replied(json),
                (HandlerKind::Callback, None) => Outcome::Replied(Bytes::from_static(b"{}")),
                (HandlerKind::Event, None) => Outcome::Handled,
            })
        })
    }

    fn route(
        mut self,
        event_type: &str,
        kind: HandlerKind,
        decode: Option<(Decode, &'static str)>,
        handler: Erased,
    ) -> Self {
        self.routes.insert(event_type.into(), Route { kind, decode, handler });
        self
    }
}

fn erase_raw<Fut: HandlerFuture>(handler: impl RawFn<Fut>) -> Erased {
    Arc::new(move |ctx: EventContext, _: Payload| -> BoxFuture<'static, _> {
        let fut = handler(ctx);
        Box::pin(async move { fut.await.map(|()| None) })
    })
}

/// The decoder of `T` payloads, with `T`'s name for errors.
fn decoder<T: serde::de::DeserializeOwned + Send + 'static>() -> (Decode, &'static str) {
    (|text| serde_json::from_str::<T>(text).map(|payload| Box::new(payload) as Payload), std::any::type_name::<T>())
}

/// The payload the route's decoder made, back as its type. A context verified by another
/// dispatcher may carry another type's payload; then the JSON is read again.
fn unbox<T: serde::de::DeserializeOwned + 'static>(ctx: &EventContext, payload: Payload) -> HandlerResult<T> {
    match payload.downcast::<T>() {
        Ok(payload) => Ok(*payload),
        Err(_) => ctx.event_as::<T>().map_err(|e| undecodable(ctx, std::any::type_name::<T>(), &e)),
    }
}

/// The error of a payload that does not decode as the route's type.
fn undecodable(ctx: &EventContext, type_name: &str, e: &serde_json::Error) -> HandlerError {
    HandlerError::msg(format!("the `{}` payload does not decode as `{type_name}`: {e}", ctx.event_type()))
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher").field("types", &self.types()).field("fallback", &self.fallback.is_some()).finish()
    }
}
