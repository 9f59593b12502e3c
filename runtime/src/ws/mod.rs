//! The long-connection (WebSocket) event client (feature `ws`).
//!
//! Instead of exposing a public webhook URL, an app can open a socket to the platform and
//! receive its events and callbacks over it. [`WsClient`]:
//!
//! 1. asks `POST {base}/callback/ws/endpoint` for a socket URL and settings, afresh for
//!    every connection attempt;
//! 2. reads binary [`Frame`]s (protobuf), joins split messages, and runs each event or
//!    callback through the same [`Dispatcher`](crate::event::Dispatcher) and
//!    deduplication store as the [webhook](crate::webhook) (socket pushes are plaintext
//!    and unsigned, so there is nothing to decrypt or verify);
//! 3. acknowledges each message with `{"code":200}` (500 when the handler failed, so that
//!    the platform pushes again), a callback's answer riding along base64-encoded in `data`;
//! 4. pings every ping interval, applies new settings a pong carries, and reconnects when
//!    the socket closes or goes silent (the watchdog: no frame at all for
//!    3 × the ping interval by default);
//! 5. stops on a fatal refusal with a typed [`WsError`], or on
//!    [`ShutdownHandle::shutdown`] after the handlers in flight have finished.
//!
//! ```no_run
//! use lark_runtime::Client;
//! use lark_runtime::event::{Dispatcher, EventContext};
//! use lark_runtime::ws::WsClient;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("cli_xxx", "app secret").build()?;
//! let dispatcher = Dispatcher::new().fallback(|ctx: EventContext| async move {
//!     println!("{} {:?}", ctx.event_type(), ctx.event_id());
//!     Ok(())
//! });
//! let ws = WsClient::builder(&client).build(dispatcher);
//! let mut state = ws.state();
//! tokio::spawn(async move {
//!     while state.changed().await.is_ok() {
//!         println!("connection: {:?}", *state.borrow());
//!     }
//! });
//! // Runs until Ctrl-C, then lets running handlers finish.
//! ws.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(())
//! # }
//! ```

mod client;
mod conn;
mod discovery;
mod frame;

pub use client::{ShutdownHandle, WsClient, WsClientBuilder};
pub use discovery::{ENDPOINT_PATH, ServerConfig, WsConfig};
pub use frame::{
    Frame, FrameError, HEADER_BIZ_RT, HEADER_MESSAGE_ID, HEADER_SEQ, HEADER_SUM, HEADER_TIMESTAMP, HEADER_TRACE_ID,
    HEADER_TYPE, Header, METHOD_CONTROL, METHOD_DATA,
};

/// The code past the cap of 50 long connections per app.
pub const TOO_MANY_CONNECTIONS: i64 = 1_000_040_350;
/// The code of a long connection opened on the wrong domain.
pub const WRONG_DOMAIN: i64 = 1_000_040_351;

/// The error for a refusal code: the two documented ones have their own variants.
pub(crate) fn refused(code: i64, msg: String) -> WsError {
    match code {
        TOO_MANY_CONNECTIONS => WsError::TooManyConnections { code },
        WRONG_DOMAIN => WsError::WrongDomain { code },
        _ => WsError::Refused { code, msg },
    }
}

/// Why [`WsClient::run`] stopped with an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The discovery endpoint refused with a code that retrying will not fix (wrong
    /// credentials, the long connection not enabled for the app, ...).
    #[error("the platform refused the long connection: code {code}: {msg}")]
    Refused {
        /// The platform's error code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// The app already has as many long connections as the platform allows (50 per app;
    /// code 1000040350). Each event goes to one connection of the app, so more replicas
    /// would not receive more: stop one, or let some receive over HTTP.
    #[error("code {code}: the app already has the most long connections the platform allows (50)")]
    TooManyConnections {
        /// The platform's code, 1000040350.
        code: i64,
    },
    /// The connection was opened on the wrong domain for this app (code 1000040351): a
    /// Feishu app on the Lark base URL, or the other way round.
    #[error(
        "code {code}: wrong domain for this app: use the Feishu base URL for Feishu apps and the Lark one for Lark apps"
    )]
    WrongDomain {
        /// The platform's code, 1000040351.
        code: i64,
    },
    /// The discovery endpoint answered with a socket URL the client cannot use.
    #[error("unusable socket endpoint: {0}")]
    BadEndpoint(String),
    /// The TLS settings could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// Every reconnection attempt the settings allow failed.
    #[error("gave up after {attempts} connection attempts in a row; the last failure: {last_error}")]
    ReconnectsExhausted {
        /// How many attempts failed in a row.
        attempts: u64,
        /// What the last one ran into.
        last_error: String,
    },
}

/// Where the connection is, for monitoring; see [`WsClient::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionState {
    /// [`WsClient::run`] has not started yet.
    Idle,
    /// Discovering the endpoint and opening the socket; `attempt` counts from 1 since
    /// the last successful connection.
    Connecting {
        /// The attempt number.
        attempt: u64,
    },
    /// The socket is open.
    Connected,
    /// The socket closed or an attempt failed; waiting to try again.
    Disconnected {
        /// What happened (closed by the server, watchdog, discovery failure, ...).
        reason: String,
    },
    /// Shutting down: no new messages are read, handlers in flight are finishing.
    Draining,
    /// [`WsClient::run`] returned.
    Stopped,
}
