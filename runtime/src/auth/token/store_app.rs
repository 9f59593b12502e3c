//! App store apps: the `app_ticket` the platform pushes, the app token it buys, and one
//! tenant token per installing tenant.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::fetch::{AppCredentials, STORE_APP, STORE_TENANT, TICKET_RESEND, post, post_for_token};
use super::{AppToken, CachedToken, TokenManager};
use crate::core::error::{Error, Result, TOKEN_INVALID_CODES};
use crate::wire::Wire;

/// How long a stored ticket is used. The platform pushes a new one every hour; keeping
/// one longer only matters if pushes stop, and a stale one is answered with code 10012,
/// which makes us ask for a new one.
const TICKET_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The least time between two automatic resend requests, so that a burst of calls
/// without a ticket asks the platform once.
const RESEND_INTERVAL: Duration = Duration::from_secs(10);

/// The code of an invalid or stale app_ticket.
const TICKET_INVALID: i64 = 10012;

#[derive(serde::Serialize)]
struct StoreAppBody<'a> {
    app_id: &'a str,
    app_secret: &'a str,
    app_ticket: &'a str,
}

#[derive(serde::Serialize)]
struct StoreTenantBody<'a> {
    app_access_token: &'a str,
    tenant_key: &'a str,
}

impl TokenManager {
    /// Stores the ticket from an `app_ticket` event: at once in this client, and in the
    /// token cache in the background (webhook handlers that deliver tickets are often
    /// synchronous, and a shared cache lets other processes use the ticket).
    pub(crate) fn set_ticket(self: &Arc<Self>, ticket: String) {
        let entry = CachedToken { value: ticket, fresh_until: SystemTime::now() + TICKET_LIFETIME };
        *self.local_ticket.lock().unwrap_or_else(|e| e.into_inner()) = Some(entry.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let tokens = Arc::clone(self);
            runtime.spawn(async move { tokens.cache.put(&tokens.ticket, entry).await });
        }
    }

    /// The ticket this client received, else one another process put in the cache.
    async fn current_ticket(&self) -> Option<String> {
        let local = self.local_ticket.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match local.filter(CachedToken::is_fresh) {
            Some(entry) => Some(entry.value),
            None => self.fresh(&self.ticket).await,
        }
    }

    /// Forgets a ticket the platform refused.
    async fn drop_ticket(&self, ticket: &str) {
        {
            let mut local = self.local_ticket.lock().unwrap_or_else(|e| e.into_inner());
            if local.as_ref().is_some_and(|t| t.value == ticket) {
                *local = None;
            }
        }
        self.cache.remove(&self.ticket, ticket).await;
    }

    /// Whether an automatic resend may be requested now; records it if so.
    fn resend_due(&self) -> bool {
        let mut last = self.last_resend.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|at| at.elapsed() < RESEND_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// Asks the platform to push the app_ticket event again.
    pub(crate) async fn resend_ticket(&self, wire: &Wire) -> Result<()> {
        post(wire, &TICKET_RESEND, &AppCredentials::of(self.credentials())).await.map(drop)
    }

    /// Requests a resend unless one was requested moments ago. Failure is only logged: the
    /// caller is already reporting the missing ticket.
    async fn resend_soon(&self, wire: &Wire) {
        if self.resend_due()
            && let Err(e) = self.resend_ticket(wire).await
        {
            tracing::warn!(error = %e, "could not ask the platform to resend the app_ticket");
        }
    }

    /// The store app's app token, bought with the current app_ticket.
    pub(super) async fn store_app_token(&self, wire: &Wire) -> Result<(String, Duration)> {
        let Some(ticket) = self.current_ticket().await else {
            self.resend_soon(wire).await;
            return Err(Error::AppTicketMissing);
        };
        let credentials = AppCredentials::of(self.credentials());
        let body = StoreAppBody {
            app_id: credentials.app_id,
            app_secret: credentials.app_secret,
            app_ticket: ticket.as_str(),
        };
        match post_for_token(wire, &STORE_APP, AppToken::App, &body).await {
            Err(e) if e.code() == Some(TICKET_INVALID) => {
                self.drop_ticket(&ticket).await;
                self.resend_soon(wire).await;
                Err(e)
            }
            other => other,
        }
    }

    /// A tenant token of the store app for one tenant. An app token the platform rejects
    /// is evicted and bought again once.
    pub(super) async fn store_tenant_token(&self, wire: &Wire, tenant_key: &str) -> Result<(String, Duration)> {
        let mut retried = false;
        loop {
            let app = self.get(wire, AppToken::App, None).await?;
            let body = StoreTenantBody { app_access_token: &app, tenant_key };
            match post_for_token(wire, &STORE_TENANT, AppToken::Tenant, &body).await {
                Err(e) if !retried && e.code().is_some_and(|c| TOKEN_INVALID_CODES.contains(&c)) => {
                    self.evict(AppToken::App, None, &app).await;
                    retried = true;
                }
                other => return other,
            }
        }
    }
}
