//! Configuration of a [`Webhook`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{AppTicketSink, DEFAULT_MAX_BODY_BYTES, DedupeStore, EncryptKey, Inner, MemoryDedupe, Webhook};
use crate::core::secret::Secret;
use crate::event::Dispatcher;

/// Configures a [`Webhook`]. Every setting is optional; without an encrypt key and a
/// verification token anyone can push, so set at least one in production.
///
/// The built [`Webhook`] keeps the builder as its settings, so each setting is declared
/// (and kept out of `Debug` output) in one place.
pub struct WebhookBuilder {
    pub(super) encrypt_key: Option<EncryptKey>,
    pub(super) verification_token: Option<Secret>,
    pub(super) max_skew: Option<Duration>,
    pub(super) max_body_bytes: usize,
    pub(super) dedupe: Option<Arc<dyn DedupeStore>>,
    pub(super) app_ticket: Option<Arc<dyn AppTicketSink>>,
}

impl Default for WebhookBuilder {
    fn default() -> Self {
        WebhookBuilder {
            encrypt_key: None,
            verification_token: None,
            max_skew: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            dedupe: Some(Arc::new(MemoryDedupe::default())),
            app_ticket: None,
        }
    }
}

impl WebhookBuilder {
    /// The encrypt key: pushes must then be encrypted and signed. An empty string means
    /// none, so an unset environment variable can be passed as is.
    pub fn encrypt_key(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.encrypt_key = (!key.is_empty()).then(|| EncryptKey::new(key));
        self
    }

    /// The verification token: URL checks and events must then carry it, and legacy card
    /// actions must be signed with it. An empty string means none.
    pub fn verification_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.verification_token = (!token.is_empty()).then(|| Secret::new(token));
        self
    }

    /// Refuses signed requests whose timestamp is more than `window` from now (off by
    /// default; `Duration::ZERO` turns it off). See the module docs on replays.
    pub fn max_skew(mut self, window: Duration) -> Self {
        self.max_skew = (!window.is_zero()).then_some(window);
        self
    }

    /// The largest body accepted, in bytes ([`DEFAULT_MAX_BODY_BYTES`] by default).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Where handled event ids are remembered ([`MemoryDedupe::default`] unless set).
    pub fn dedupe(mut self, store: impl DedupeStore) -> Self {
        self.dedupe = Some(Arc::new(store));
        self
    }

    /// Runs the handler for every push, redeliveries included.
    pub fn no_dedupe(mut self) -> Self {
        self.dedupe = None;
        self
    }

    /// Where `app_ticket` values go; store apps need them for their tokens.
    pub fn app_ticket(mut self, sink: impl AppTicketSink) -> Self {
        self.app_ticket = Some(Arc::new(sink));
        self
    }

    /// The handler, dispatching to `dispatcher` (a `lark_sdk::EventDispatcher` converts).
    pub fn build(self, dispatcher: impl Into<Dispatcher>) -> Webhook {
        if self.encrypt_key.is_none() && self.verification_token.is_none() {
            tracing::warn!("webhook without an encrypt key or a verification token: anyone can push events");
        }
        Webhook { inner: Arc::new(Inner { settings: self, dispatcher: dispatcher.into() }) }
    }
}

impl fmt::Debug for WebhookBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookBuilder")
            .field("encrypt_key", &self.encrypt_key)
            .field("verification_token", &self.verification_token)
            .field("max_skew", &self.max_skew)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("dedupe", &self.dedupe.is_some())
            .field("app_ticket_sink", &self.app_ticket.is_some())
            .finish()
    }
}
