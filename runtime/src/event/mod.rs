//! Typed events and callbacks, and the dispatcher that routes them to handlers.
//!
//! The generated crate implements [`Event`] for every event payload and [`Callback`] for
//! every callback payload in the catalogue. A [`Dispatcher`] maps type strings to
//! handlers; it knows nothing about HTTP, so the webhook handler
//! ([`crate::webhook::Webhook`]) and a long-connection client can share it.
//!
//! ```
//! use lark_runtime::event::{Dispatcher, EventContext};
//!
//! let dispatcher = Dispatcher::new()
//!     .on_raw("im.message.receive_v1", |ctx: EventContext| async move {
//!         println!("message event {:?} from tenant {:?}", ctx.event_id(), ctx.tenant_key());
//!         Ok(())
//!     })
//!     .fallback(|ctx: EventContext| async move {
//!         println!("some other event: {}", ctx.event_type());
//!         Ok(())
//!     });
//! assert!(dispatcher.handles("im.message.receive_v1"));
//! ```

mod card;
mod context;
mod dispatch;
mod handler;

pub use card::{CardAction, CardActionDetail, LEGACY_CARD_ACTION};
pub(crate) use context::Payload;
pub use context::{EventContext, EventHeader};
pub(crate) use dispatch::Decode;
pub use dispatch::{Dispatcher, HandlerKind, Outcome};
pub use handler::{CallbackFn, EventFn, HandlerError, HandlerFuture, HandlerResult, RawFn};

/// The envelope an event arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// The old layout: `{uuid, token, ts, type: "event_callback", event: {type, ..}}`.
    V1,
    /// The current layout: `{schema: "2.0", header: {event_id, event_type, ..}, event}`.
    V2,
    /// A legacy interactive-card action: the payload fields sit at the top level
    /// (`{open_id, open_message_id, token, action, ..}`) with no type and no id.
    LegacyCard,
}

/// A typed event payload generated from the catalogue.
pub trait Event: serde::de::DeserializeOwned + Send + 'static {
    /// The event type as the platform names it, e.g. `"im.message.receive_v1"`.
    const EVENT_TYPE: &'static str;
    /// The envelope the event arrives in.
    const ENVELOPE: Envelope;
    /// The scopes the app needs to receive the event.
    const SCOPES: crate::Scopes;
}

/// A callback: its handler's return value becomes the HTTP response body.
pub trait Callback: serde::de::DeserializeOwned + Send + 'static {
    /// The callback type, e.g. `"card.action.trigger"`.
    const CALLBACK_TYPE: &'static str;
    /// The envelope the callback arrives in.
    const ENVELOPE: Envelope;
    /// What the handler answers with.
    type Response: serde::Serialize;
}

/// Walks the event and callback types of a catalogue; the generated crate's
/// `visit_catalogue` calls it once per type.
///
/// Each method is generic, so nothing is instantiated for an app that never walks the
/// catalogue. Uses: registering one generic handler for every event, listing what the
/// enabled services can push, or checking that a sample of every payload decodes.
pub trait CatalogueVisitor {
    /// Called for an event type.
    fn event<E: Event>(&mut self);
    /// Called for a callback type.
    fn callback<C: Callback>(&mut self);
}
