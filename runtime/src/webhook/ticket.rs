//! Where the `app_ticket` event goes.
//!
//! App store apps need the latest `app_ticket` to get an app access token. The platform
//! pushes it as a v1 event about once an hour (and on request, via
//! `POST /open-apis/auth/v3/app_ticket/resend`); the webhook hands every ticket it
//! receives to the configured sink before any handler runs.

/// The event type the platform pushes tickets with.
pub const APP_TICKET_EVENT: &str = "app_ticket";

/// Receives `app_ticket` values; the store-app token flow reads them.
///
/// A [`Client`](crate::Client) is a sink, so `.app_ticket(client.clone())` is all a store
/// app needs. Any `Fn(&str)` closure is one too:
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use lark_runtime::event::Dispatcher;
/// use lark_runtime::webhook::Webhook;
///
/// let latest = Arc::new(Mutex::new(None::<String>));
/// let keep = latest.clone();
/// let webhook = Webhook::builder()
///     .app_ticket(move |ticket: &str| *keep.lock().unwrap() = Some(ticket.to_owned()))
///     .build(Dispatcher::new());
/// # let _ = webhook;
/// ```
pub trait AppTicketSink: Send + Sync + 'static {
    /// Stores the newest ticket.
    fn set_app_ticket(&self, ticket: &str);
}

impl<F: Fn(&str) + Send + Sync + 'static> AppTicketSink for F {
    fn set_app_ticket(&self, ticket: &str) {
        self(ticket)
    }
}

/// A client is a sink: `.app_ticket(client.clone())` keeps a store app's tokens flowing.
impl AppTicketSink for crate::Client {
    fn set_app_ticket(&self, ticket: &str) {
        crate::Client::set_app_ticket(self, ticket);
    }
}

/// Reads the ticket out of an `app_ticket` event's payload.
pub(crate) fn ticket(event: &serde_json::value::RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Payload {
        app_ticket: Option<String>,
    }
    serde_json::from_str::<Payload>(event.get()).ok()?.app_ticket.filter(|t| !t.is_empty())
}
