//! What a handler knows about the push besides the typed payload.

use std::any::Any;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::value::RawValue;

use super::Envelope;

/// The envelope facts of one push, the same for every envelope version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventHeader {
    /// `header.event_id` (v2) or `uuid` (v1); the key redeliveries are recognised by.
    /// `None` only for legacy card actions, which carry no id.
    pub event_id: Option<String>,
    /// `header.event_type` (v2) or `event.type` (v1), e.g. `"im.message.receive_v1"`;
    /// [`LEGACY_CARD_ACTION`](super::LEGACY_CARD_ACTION) for legacy card actions.
    pub event_type: String,
    /// When the platform created the event, as sent: milliseconds since the epoch as a
    /// string (v2 `header.create_time`) or seconds with a fraction (v1 `ts`).
    pub create_time: Option<String>,
    /// The tenant the event belongs to.
    pub tenant_key: Option<String>,
    /// The app the event was pushed to.
    pub app_id: Option<String>,
    /// The envelope layout the push used.
    pub envelope: Envelope,
}

/// Everything a handler gets besides the typed payload: the envelope header and the raw
/// JSON. Cheap to clone (one reference count).
///
/// `Debug` shows the header only: the raw JSON holds the verification token.
#[derive(Clone)]
pub struct EventContext {
    inner: Arc<Inner>,
}

/// A typed payload, boxed so that one context type carries any of them.
pub(crate) type Payload = Box<dyn Any + Send>;

struct Inner {
    header: EventHeader,
    raw: String,
    /// Where the payload's text is in `raw`; `None` when `event` was given instead.
    span: Option<Range<usize>>,
    /// The payload as a checked raw value: given, or made from `span` on first use.
    event: OnceLock<Box<RawValue>>,
    /// The typed payload, when reading the envelope already decoded it; the dispatcher
    /// takes it, so the payload's JSON is read once.
    decoded: Mutex<Option<Payload>>,
}

impl EventContext {
    /// A context for `event` (the payload object) inside the decrypted envelope `raw`.
    ///
    /// The webhook handler builds these; a long-connection client or a test can too.
    pub fn new(header: EventHeader, raw: String, event: Box<RawValue>) -> Self {
        let inner = Inner { header, raw, span: None, event: OnceLock::from(event), decoded: Mutex::new(None) };
        EventContext { inner: Arc::new(inner) }
    }

    /// A context whose payload, `raw[span]`, was decoded while the envelope was read.
    /// `decoded` came from that text, so the text is known to be valid JSON.
    pub(crate) fn decoded(header: EventHeader, raw: String, span: Range<usize>, decoded: Payload) -> Self {
        let inner = Inner { header, raw, span: Some(span), event: OnceLock::new(), decoded: Mutex::new(Some(decoded)) };
        EventContext { inner: Arc::new(inner) }
    }

    /// The typed payload decoded with the envelope, once.
    pub(crate) fn take_decoded(&self) -> Option<Payload> {
        self.inner.decoded.lock().map_or(None, |mut decoded| decoded.take())
    }

    /// The payload's JSON text.
    pub(crate) fn event_text(&self) -> &str {
        match (&self.inner.span, self.inner.event.get()) {
            (Some(span), _) => self.inner.raw.get(span.clone()).unwrap_or("null"),
            (None, Some(event)) => event.get(),
            (None, None) => "null",
        }
    }

    /// The envelope header.
    pub fn header(&self) -> &EventHeader {
        &self.inner.header
    }

    /// The event id redeliveries share; `None` for legacy card actions.
    pub fn event_id(&self) -> Option<&str> {
        self.inner.header.event_id.as_deref()
    }

    /// The event or callback type, e.g. `"im.message.receive_v1"`.
    pub fn event_type(&self) -> &str {
        &self.inner.header.event_type
    }

    /// The tenant the event belongs to, when the push names one.
    pub fn tenant_key(&self) -> Option<&str> {
        self.inner.header.tenant_key.as_deref()
    }

    /// The app the event was pushed to, when the push names it.
    pub fn app_id(&self) -> Option<&str> {
        self.inner.header.app_id.as_deref()
    }

    /// The creation time exactly as sent; see [`EventHeader::create_time`].
    pub fn create_time(&self) -> Option<&str> {
        self.inner.header.create_time.as_deref()
    }

    /// The creation time in milliseconds since the Unix epoch, whichever envelope carried it.
    pub fn create_time_ms(&self) -> Option<i64> {
        let text = self.create_time()?.trim();
        match self.inner.header.envelope {
            Envelope::V2 => text.parse().ok(),
            // v1 sends seconds with a fraction, e.g. "1502199207.7171419".
            Envelope::V1 | Envelope::LegacyCard => {
                let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
                let millis: String = frac.chars().chain("000".chars()).take(3).collect();
                secs.parse::<i64>().ok()?.checked_mul(1000)?.checked_add(millis.parse().ok()?)
            }
        }
    }

    /// The envelope layout the push used.
    pub fn envelope(&self) -> Envelope {
        self.inner.header.envelope
    }

    /// The whole decrypted envelope as received. It includes the verification token, so
    /// prefer [`raw_event`](Self::raw_event) for anything that gets logged or stored.
    pub fn raw_json(&self) -> &str {
        &self.inner.raw
    }

    /// The payload object: `event` for v1 and v2, the whole body for legacy card actions.
    pub fn raw_event(&self) -> &RawValue {
        self.inner.event.get_or_init(|| {
            // The text decoded before, so it is valid JSON and this cannot fail; `null`
            // (the default) keeps even the impossible case from panicking.
            RawValue::from_string(self.event_text().to_owned()).unwrap_or_default()
        })
    }

    /// Decodes the payload as `T`; the typed handlers use this.
    pub fn event_as<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.event_text())
    }
}

impl fmt::Debug for EventContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventContext").field("header", &self.inner.header).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(envelope: Envelope, create_time: &str) -> EventContext {
        let header = EventHeader {
            event_id: Some("e1".into()),
            event_type: "t".into(),
            create_time: Some(create_time.into()),
            tenant_key: None,
            app_id: None,
            envelope,
        };
        let raw = r#"{"token":"secret-token","event":{}}"#.to_owned();
        EventContext::new(header, raw, RawValue::from_string("{}".into()).unwrap())
    }

    #[test]
    fn create_time_in_milliseconds_for_both_envelopes() {
        assert_eq!(ctx(Envelope::V2, "1700000000123").create_time_ms(), Some(1_700_000_000_123));
        assert_eq!(ctx(Envelope::V1, "1502199207.7171419").create_time_ms(), Some(1_502_199_207_717));
        assert_eq!(ctx(Envelope::V1, "1502199207").create_time_ms(), Some(1_502_199_207_000));
        assert_eq!(ctx(Envelope::V1, "1502199207.5").create_time_ms(), Some(1_502_199_207_500));
        assert_eq!(ctx(Envelope::V2, "soon").create_time_ms(), None);
    }

    #[test]
    fn debug_hides_the_raw_json() {
        let text = format!("{:?}", ctx(Envelope::V2, "1"));
        assert!(text.contains("e1"), "{text}");
        assert!(!text.contains("secret-token"), "{text}");
    }
}
