//! A fake Lark server on `127.0.0.1` for offline tests (feature `fake`).
//!
//! It is a real HTTP server, so a test exercises the same code a production call does:
//! URL building, tokens, headers, bodies and error handling. Built in:
//!
//! - the self-built tenant and app token endpoints, which accept
//!   [`FakeLark::APP_ID`] / [`FakeLark::APP_SECRET`] and issue `t-fake-1`, `t-fake-2`, …
//!   (wrong credentials get code 10014);
//! - a token check on every route not registered with [`FakeLark::route_public`]:
//!   no `Authorization` header gets HTTP 400 with code 99991661, an unknown or revoked
//!   token gets code 99991663;
//! - HTTP 404 with an error envelope for paths nobody registered;
//! - an `X-Tt-Logid` header on every reply, and a record of every request.
//!
//! # Writing an offline test
//!
//! Register what your code calls, point the client at the fake, and check what it
//! received. Assert on [`FakeLark::requests`] after the call rather than inside a
//! handler: a panicking handler only shows up as a dropped connection.
//!
//! ```
//! use lark_runtime::fake::{FakeLark, FakeResponse};
//! use lark_runtime::{Client, Endpoint, HttpMethod, Request, ResponseKind, Scopes, TokenKind};
//! use serde_json::json;
//!
//! // With the generated SDK you would call its typed API instead of building a Request.
//! static SEND_MESSAGE: Endpoint = Endpoint {
//!     id: "im.v1.message.create",
//!     method: HttpMethod::Post,
//!     path: "/open-apis/im/v1/messages",
//!     tokens: &[TokenKind::Tenant],
//!     scopes: Scopes::Known { any: &["im:message"], all: &[] },
//!     response: ResponseKind::Data,
//!     doc_url: "",
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> lark_runtime::Result<()> {
//! let fake = FakeLark::start().await;
//! fake.route(HttpMethod::Post, "/open-apis/im/v1/messages", |_request| {
//!     FakeResponse::data(json!({"message_id": "om_1"}))
//! });
//!
//! let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
//!     .base_url(fake.base_url())
//!     .build()?;
//! let mut request = Request::new(&SEND_MESSAGE);
//! request.query("receive_id_type", "chat_id".to_owned());
//! request.json_body(&json!({"receive_id": "oc_1", "msg_type": "text", "content": "{}"}));
//! let reply: serde_json::Value = client.call(request).await?;
//!
//! assert_eq!(reply["message_id"], "om_1");
//! let sent = fake.requests().pop().unwrap();
//! assert_eq!(sent.query_value("receive_id_type"), Some("chat_id"));
//! assert_eq!(sent.json()["receive_id"], "oc_1");
//! assert_eq!(fake.token_requests(), 1);
//! fake.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod request;
mod response;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use request::{FakePart, FakeRequest};
pub use response::FakeResponse;
use server::{Route, Shared, lock};

use crate::endpoint::HttpMethod;

/// A running fake Lark server. Dropping it stops the server too.
pub struct FakeLark {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl FakeLark {
    /// The app id the fake accepts.
    pub const APP_ID: &'static str = "cli_fake_app";
    /// The app secret the fake accepts.
    pub const APP_SECRET: &'static str = "fake-secret";

    /// Starts a server on a free port of `127.0.0.1`.
    ///
    /// # Panics
    ///
    /// If no local port can be bound, which leaves a test nothing to do.
    pub async fn start() -> FakeLark {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("fake Lark: cannot bind a port on 127.0.0.1");
        let addr = listener.local_addr().expect("fake Lark: the bound socket has no address");
        let shared = Arc::new(Shared::new());
        let app = axum::Router::new().fallback(server::handle).with_state(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // A dropped sender stops the server as well as an explicit shutdown.
            let signal = async move {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(signal).await {
                tracing::debug!(error = %e, "fake Lark stopped with an error");
            }
        });
        FakeLark { shared, addr, stop, task }
    }

    /// The URL to pass to [`ClientBuilder::base_url`](crate::ClientBuilder::base_url),
    /// e.g. `http://127.0.0.1:38123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers `method` on paths matching `path_template` (`:name` matches one segment)
    /// with `handler`, after checking the access token. A later registration of the same
    /// route wins.
    pub fn route(
        &self,
        method: HttpMethod,
        path_template: &str,
        handler: impl Fn(&FakeRequest) -> FakeResponse + Send + Sync + 'static,
    ) {
        self.add(method, path_template, false, Arc::new(handler));
    }

    /// Like [`route`](Self::route), without the token check.
    pub fn route_public(
        &self,
        method: HttpMethod,
        path_template: &str,
        handler: impl Fn(&FakeRequest) -> FakeResponse + Send + Sync + 'static,
    ) {
        self.add(method, path_template, true, Arc::new(handler));
    }

    fn add(&self, method: HttpMethod, template: &str, public: bool, handler: server::Handler) {
        lock(&self.shared.routes).push(Route::new(method, template, public, handler));
    }

    /// Every request received so far, in order, token requests included.
    pub fn requests(&self) -> Vec<FakeRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests hit the token endpoints.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Invalidates every tenant and app token issued so far: calls that use one get code
    /// 99991663, as after a real revocation. User tokens stay valid.
    pub fn revoke_tokens(&self) {
        self.shared.revoke();
    }

    /// Sets the `expire` (seconds) of tokens issued from now on; the default is 7200.
    pub fn set_token_expire(&self, seconds: u64) {
        self.shared.token_expire.store(seconds, Ordering::SeqCst);
    }

    /// Issues a user access token (`u-fake-N`) that routes accept.
    pub fn user_token(&self) -> String {
        self.shared.user_token()
    }

    /// Stops the server and waits (up to five seconds) for open connections to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), self.task).await.is_err() {
            abort.abort();
        }
    }
}

impl std::fmt::Debug for FakeLark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLark").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}
