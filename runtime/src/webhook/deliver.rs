//! After the checks: the `app_ticket` sink, deduplication, the handler and its answer.

use bytes::Bytes;
use http::{Response, StatusCode};

use super::{APP_TICKET_EVENT, Claim, Webhook, json, outcome, ticket};
use crate::event::{EventContext, HandlerKind, Outcome};

impl Webhook {
    /// Feeds the ticket sink, deduplicates and runs the handler.
    pub(super) async fn deliver(&self, ctx: EventContext) -> Response<Bytes> {
        let (settings, dispatcher) = (&self.inner.settings, &self.inner.dispatcher);
        if ctx.event_type() == APP_TICKET_EVENT {
            match (&settings.app_ticket, ticket::ticket(ctx.raw_event())) {
                (Some(sink), Some(ticket)) => sink.set_app_ticket(&ticket),
                (None, Some(_)) => tracing::debug!("app_ticket received but no sink is configured"),
                (_, None) => tracing::warn!("app_ticket event without a ticket"),
            }
        }
        let kind = dispatcher.kind(ctx.event_type());
        let dedupe = match (kind, &settings.dedupe, ctx.event_id()) {
            (None, _, _) => {
                outcome("unhandled");
                tracing::debug!(event_type = ctx.event_type(), "no handler for this type; acknowledged");
                return json(StatusCode::OK, "{}");
            }
            // A callback's answer is the point of it: every push runs the handler.
            (Some(HandlerKind::Event), Some(store), Some(id)) => Some((store, id)),
            _ => None,
        };
        if let Some((store, id)) = &dedupe {
            match store.claim(id).await {
                Ok(Claim::New) => {}
                Ok(Claim::Done) => {
                    // Debug, not info: a storm of redeliveries must not flood the log.
                    outcome("duplicate");
                    tracing::debug!(event_id = %id, event_type = ctx.event_type(), "redelivery of a handled event; acknowledged");
                    return json(StatusCode::OK, "{}");
                }
                Ok(Claim::InProgress) => {
                    // Not 200: if the first copy fails, this push must be retried later.
                    outcome("in_progress");
                    tracing::info!(event_id = %id, "redelivery while the first copy is still being handled");
                    return json(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"in_progress"}"#);
                }
                Err(e) => {
                    outcome("dedupe_error");
                    tracing::error!(error = %e, "the deduplication store failed; answering 500");
                    return json(StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"dedupe_store"}"#);
                }
            }
        }
        // The handler takes a clone (a reference count), so the id stays readable here.
        let handled = dispatcher.dispatch(ctx.clone()).await;
        if let Some((store, id)) = &dedupe {
            let recorded = if handled.is_ok() { store.complete(id).await } else { store.release(id).await };
            if let Err(e) = recorded {
                tracing::warn!(event_id = %id, error = %e, "the deduplication store failed to record the result");
            }
        }
        match handled {
            Ok(Outcome::Replied(answer)) => {
                outcome("replied");
                json(StatusCode::OK, answer)
            }
            Ok(_) => {
                outcome("handled");
                json(StatusCode::OK, "{}")
            }
            Err(e) => {
                outcome("failed");
                let event_type = ctx.event_type();
                tracing::error!(%event_type, error = %e, "handler failed; answering 500 so the platform retries");
                json(StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"handler_failed"}"#)
            }
        }
    }
}
