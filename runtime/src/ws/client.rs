//! [`WsClient`]: discovery, connection attempts, reconnection and shutdown.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::conn::{self, End, Shared};
use super::discovery::{self, DiscoveryError, WsConfig};
use super::{ConnectionState, TOO_MANY_CONNECTIONS, WRONG_DOMAIN, WsError};
use crate::Client;
use crate::event::Dispatcher;
use crate::webhook::{AppTicketSink, DedupeStore, Webhook, WebhookBuilder};

/// The default size limit of one message, split parts joined: 16 MiB.
const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 << 20;
/// The default number of silent ping intervals before the watchdog reconnects.
const DEFAULT_WATCHDOG_MISSES: u32 = 3;
/// How long opening a socket may take when the client has no timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures a [`WsClient`].
///
/// The durations set here are the starting values; what the platform sends at discovery
/// and in pongs replaces them.
pub struct WsClientBuilder {
    client: Client,
    webhook: WebhookBuilder,
    config: WsConfig,
    watchdog: Option<u32>,
    max_message_bytes: usize,
    drain_timeout: Duration,
}

impl WsClientBuilder {
    /// Deduplicates events with `store` instead of the default in-memory store; see
    /// [`WebhookBuilder::dedupe`].
    pub fn dedupe(mut self, store: impl DedupeStore) -> Self {
        self.webhook = self.webhook.dedupe(store);
        self
    }

    /// Runs every push, redeliveries included.
    pub fn no_dedupe(mut self) -> Self {
        self.webhook = self.webhook.no_dedupe();
        self
    }

    /// Hands `app_ticket` events to `sink` (store apps: pass the [`Client`]).
    pub fn app_ticket(mut self, sink: impl AppTicketSink) -> Self {
        self.webhook = self.webhook.app_ticket(sink);
        self
    }

    /// The ping interval until the platform sets one (default 120 s).
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.config.ping_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The wait between reconnection attempts until the platform sets one (default 120 s).
    pub fn reconnect_interval(mut self, interval: Duration) -> Self {
        self.config.reconnect_interval = interval;
        self
    }

    /// The upper bound of the random wait before the first reconnection attempt, until the
    /// platform sets one (default 30 s).
    pub fn reconnect_nonce(mut self, nonce: Duration) -> Self {
        self.config.reconnect_nonce = nonce;
        self
    }

    /// How many failed attempts in a row, beyond the first, before giving up; `None`
    /// (the default) never gives up.
    pub fn reconnect_count(mut self, count: Option<u64>) -> Self {
        self.config.reconnect_count = count;
        self
    }

    /// Reconnects when nothing at all arrived for `misses` ping intervals (default 3).
    pub fn watchdog(mut self, misses: u32) -> Self {
        self.watchdog = Some(misses.max(1));
        self
    }

    /// Turns the liveness watchdog off.
    pub fn no_watchdog(mut self) -> Self {
        self.watchdog = None;
        self
    }

    /// The size limit of one message, split parts joined (default 16 MiB).
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// How long shutdown waits for running handlers (default 30 s).
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// The client, ready to [`run`](WsClient::run).
    pub fn build(self, dispatcher: impl Into<Dispatcher>) -> WsClient {
        let webhook: Webhook = self.webhook.max_body_bytes(self.max_message_bytes).build(dispatcher);
        let shared = Arc::new(Shared {
            webhook,
            config: watch::Sender::new(self.config),
            in_flight: watch::Sender::new(0),
            watchdog: self.watchdog,
            max_message_bytes: self.max_message_bytes,
            drain_timeout: self.drain_timeout,
        });
        WsClient {
            client: self.client,
            shared,
            state: watch::Sender::new(ConnectionState::Idle),
            stop: Arc::new(watch::Sender::new(false)),
        }
    }
}

impl fmt::Debug for WsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsClientBuilder")
            .field("client", &self.client)
            .field("webhook", &self.webhook)
            .field("config", &self.config)
            .field("watchdog", &self.watchdog)
            .finish_non_exhaustive()
    }
}

/// Stops a running [`WsClient`] gracefully. Cheap to clone.
#[derive(Clone)]
pub struct ShutdownHandle {
    stop: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Asks the client to stop: it reads no new messages, waits for the handlers in
    /// flight (and sends their acks), closes the socket, and `run` returns `Ok(())`.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }
}

impl fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShutdownHandle").field("requested", &*self.stop.borrow()).finish()
    }
}

/// The long-connection event client; see the [module docs](super).
///
/// `Debug` shows neither the app secret nor the socket URL.
pub struct WsClient {
    client: Client,
    shared: Arc<Shared>,
    state: watch::Sender<ConnectionState>,
    stop: Arc<watch::Sender<bool>>,
}

impl WsClient {
    /// Starts configuring a long connection for the app of `client` (its credentials, base
    /// URL and HTTP settings are used for discovery).
    pub fn builder(client: &Client) -> WsClientBuilder {
        WsClientBuilder {
            client: client.clone(),
            webhook: Webhook::builder(),
            config: WsConfig::default(),
            watchdog: Some(DEFAULT_WATCHDOG_MISSES),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            drain_timeout: Duration::from_secs(30),
        }
    }

    /// The connection state, as a stream of changes.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.subscribe()
    }

    /// The settings in force, updated when the platform sends new ones.
    pub fn config(&self) -> watch::Receiver<WsConfig> {
        self.shared.config.subscribe()
    }

    /// A handle that stops the client from another task.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle { stop: Arc::clone(&self.stop) }
    }

    /// How many handlers are running right now.
    pub fn in_flight(&self) -> usize {
        *self.shared.in_flight.borrow()
    }

    /// Like [`run`](Self::run), and shuts down gracefully when `signal` completes.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), WsError> {
        let handle = self.shutdown_handle();
        let run = self.run();
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => return result,
            () = signal => handle.shutdown(),
        }
        run.await
    }

    /// Connects and handles messages until shutdown (then `Ok(())`) or a fatal error.
    /// Disconnections are retried as the settings say.
    pub async fn run(self) -> Result<(), WsError> {
        let result = self.run_inner().await;
        self.state.send_replace(ConnectionState::Draining);
        if !conn::drain(&self.shared).await {
            tracing::warn!(
                running = self.in_flight(),
                "long connection: handlers still running after the drain timeout"
            );
        }
        self.state.send_replace(ConnectionState::Stopped);
        result
    }

    async fn run_inner(&self) -> Result<(), WsError> {
        let tls = tls()?;
        let mut stop = self.stop.subscribe();
        // Failed attempts since the last connection, and whether any wait happened since.
        let (mut failures, mut waited, mut initial) = (0u64, false, true);
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            if !initial || failures > 0 {
                let config = *self.shared.config.borrow();
                let wait = if waited { config.reconnect_interval } else { random_below(config.reconnect_nonce) };
                waited = true;
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|stop| *stop) => return Ok(()),
                }
            }
            self.state.send_replace(ConnectionState::Connecting { attempt: failures + 1 });
            let attempt = tokio::select! {
                attempt = self.connect(&tls) => attempt,
                _ = stop.wait_for(|stop| *stop) => return Ok(()),
            };
            let failure = match attempt {
                Ok((socket, service_id)) => {
                    (failures, waited, initial) = (0, false, false);
                    self.state.send_replace(ConnectionState::Connected);
                    tracing::info!(service_id, "long connection: connected");
                    match conn::run(socket, service_id, &self.shared, &mut stop).await {
                        End::Shutdown => return Ok(()),
                        End::Closed(reason) => reason,
                        End::Watchdog => "the watchdog fired: nothing arrived for too long".to_owned(),
                    }
                }
                Err(DiscoveryError::Fatal(e)) => return Err(e),
                Err(DiscoveryError::Retry(reason)) => {
                    failures += 1;
                    if let Some(max) = self.shared.config.borrow().reconnect_count
                        && failures > max
                    {
                        return Err(WsError::ReconnectsExhausted { attempts: failures, last_error: reason });
                    }
                    reason
                }
            };
            tracing::warn!(%failure, "long connection: disconnected; will reconnect");
            self.state.send_replace(ConnectionState::Disconnected { reason: failure });
        }
    }

    /// Discovers a fresh endpoint and opens the socket.
    async fn connect(&self, tls: &Arc<rustls::ClientConfig>) -> Result<(conn::Socket, i32), DiscoveryError> {
        let endpoint = discovery::discover(&self.client).await?;
        self.shared.config.send_modify(|config| config.apply(&endpoint.config));
        let limits = WebSocketConfig::default()
            .max_message_size(Some(self.shared.max_message_bytes))
            .max_frame_size(Some(self.shared.max_message_bytes));
        let open = tokio_tungstenite::connect_async_tls_with_config(
            endpoint.url.as_str(),
            Some(limits),
            false,
            Some(Connector::Rustls(Arc::clone(tls))),
        );
        let timeout = self.client.wire().timeout().unwrap_or(CONNECT_TIMEOUT);
        match tokio::time::timeout(timeout, open).await {
            Ok(Ok((socket, _))) => Ok((socket, endpoint.service_id)),
            // A refused upgrade names its reason in a header; the connection cap and a wrong
            // domain will not change by retrying.
            Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response)))
                if refusal(response.headers())
                    .is_some_and(|code| [TOO_MANY_CONNECTIONS, WRONG_DOMAIN].contains(&code)) =>
            {
                let code = refusal(response.headers()).unwrap_or_default();
                Err(DiscoveryError::Fatal(super::refused(code, String::new())))
            }
            // The error text is safe to show: it names neither the URL nor its ticket.
            Ok(Err(e)) => Err(DiscoveryError::Retry(format!("the socket did not open: {e}"))),
            Err(_) => Err(DiscoveryError::Retry("the socket did not open in time".to_owned())),
        }
    }
}

impl fmt::Debug for WsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsClient")
            .field("client", &self.client)
            .field("state", &*self.state.borrow())
            .field("config", &*self.shared.config.borrow())
            .finish_non_exhaustive()
    }
}

/// The code in a refused upgrade's `Handshake-Autherrcode` header.
fn refusal(headers: &http::HeaderMap) -> Option<i64> {
    headers.get("Handshake-Autherrcode")?.to_str().ok()?.trim().parse().ok()
}

/// TLS for `wss://`: the rustls and ring stack reqwest already uses, with the webpki roots.
fn tls() -> Result<Arc<rustls::ClientConfig>, WsError> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| WsError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A random duration in `0..bound` (zero for a zero bound).
fn random_below(bound: Duration) -> Duration {
    let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = ring::rand::generate::<[u8; 8]>(&ring::rand::SystemRandom::new())
        .map(|r| u64::from_le_bytes(r.expose()))
        .unwrap_or(nanos / 2);
    Duration::from_nanos(random % nanos)
}
