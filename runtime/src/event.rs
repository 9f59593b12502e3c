//! Typed events and callbacks. The generated crate implements these traits for every
//! event and callback in the catalogue; dispatching them comes in a later version.

/// The envelope an event arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// The old layout: `{uuid, token, ts, type: "event_callback", event: {type, ..}}`.
    V1,
    /// The current layout: `{schema: "2.0", header: {event_id, event_type, ..}, event}`.
    V2,
}

/// A typed event payload generated from the catalogue.
pub trait Event: serde::de::DeserializeOwned {
    /// The event type as the platform names it, e.g. `"im.message.receive_v1"`.
    const EVENT_TYPE: &'static str;
    /// The envelope the event arrives in.
    const ENVELOPE: Envelope;
    /// The scopes the app needs to receive the event.
    const SCOPES: crate::Scopes;
}

/// A callback: its handler's return value becomes the HTTP response body.
pub trait Callback: serde::de::DeserializeOwned {
    /// The callback type, e.g. `"card.action.trigger"`.
    const CALLBACK_TYPE: &'static str;
    /// The envelope the callback arrives in.
    const ENVELOPE: Envelope;
    /// What the handler answers with.
    type Response: serde::Serialize;
}
