//! A fake Lark server on `127.0.0.1` for offline tests (feature `fake`).
//!
//! It is a real HTTP server, so a test exercises the same code a production call does:
//! URL building, tokens, headers, bodies and error handling. Built in:
//!
//! - the token endpoints of self-built apps and store apps, which accept
//!   [`FakeLark::APP_ID`] / [`FakeLark::APP_SECRET`] and issue `t-fake-1`, `a-fake-2`, …
//!   (wrong credentials get code 10014; store apps need the ticket from
//!   [`FakeLark::push_app_ticket`], else code 10012), and the app_ticket resend endpoint;
//! - the OAuth v2 token endpoint, with single-use codes (from [`FakeLark::authorize`] or
//!   the authorization page `GET /open-apis/authen/v1/authorize`, which redirects back at
//!   once; PKCE checked) and single-use refresh tokens (reuse gets code 20073);
//! - a token check on every route not registered with [`FakeLark::route_public`]:
//!   no `Authorization` header gets HTTP 400 with code 99991661, an unknown or revoked
//!   tenant token code 99991663, a bad user token 99991668, an expired one 99991677;
//! - HTTP 404 with an error envelope for paths nobody registered;
//! - an `X-Tt-Logid` header on every reply, and a record of every request;
//! - injected failures ([`FakeLark::inject`]): HTTP 5xx, rate limits with a reset
//!   header, slow replies, dropped connections, tokens revoked mid-run, and a server that
//!   acts but answers with an error;
//! - paged lists with the platform's quirks ([`FakeLark::route_pages`]);
//! - a fallback for what no route takes ([`FakeLark::set_fallback`]), e.g. the
//!   `lark-fake` crate's answers for every endpoint of the catalogue;
//! - a control API for tests in other languages: `GET /__fake/requests` lists the
//!   requests (method, path, query, body with credentials redacted, status, code) and
//!   `POST` / `DELETE /__fake/faults` arm and clear faults (`{"fault": "status",
//!   "status": 503, "method": "GET", "path": "/open-apis/…", "times": 1}`; the kinds are
//!   `status`, `rate_limit`, `delay`, `drop`, `revoke_tokens`, `after_handling` and
//!   `reply`); more control routes can be added with [`FakeLark::control`].
//! - custom bot hooks that check the documented signature ([`FakeLark::custom_bot`]).
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
//!
//! # Injecting failures
//!
//! A [`Fault`] fires on matching requests, after letting some through if asked. Each
//! request still appears in [`FakeLark::requests`], so a test can assert exactly how many
//! attempts the client made.
//!
//! ```
//! use lark_runtime::fake::{Fault, FakeLark, FakeResponse};
//! use lark_runtime::{Client, HttpMethod, RetryPolicy};
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> lark_runtime::Result<()> {
//! let fake = FakeLark::start().await;
//! fake.route(HttpMethod::Get, "/open-apis/x/v1/things", |_| FakeResponse::data(serde_json::json!({})));
//! fake.inject(Fault::Status(503).on(HttpMethod::Get, "/open-apis/x/v1/things"));
//! fake.inject(Fault::RateLimit { reset_seconds: 0.01 }.on(HttpMethod::Get, "/open-apis/x/v1/things"));
//!
//! let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
//!     .base_url(fake.base_url())
//!     .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
//!     .build()?;
//! let _: serde_json::Value = client.raw(HttpMethod::Get, "/open-apis/x/v1/things").send().await?;
//! // A 503, then a 429, then success: three requests for one call.
//! assert_eq!(fake.requests_to(HttpMethod::Get, "/open-apis/x/v1/things").len(), 3);
//! # Ok(())
//! # }
//! ```

mod auth;
mod control;
mod fallback;
mod faults;
mod hook;
mod pages;
mod request;
mod response;
mod server;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The fields a JSON body leaves out, by an endpoint's rules beyond its types (the
/// generated `requires`), as the client checks them before sending; a stand-in checks
/// them the same way.
pub use crate::wire::required::missing as missing_fields;
use auth::UserState;
pub use fallback::{Caller, FakeFallback};
pub use faults::{Fault, FaultRule};
pub use pages::{FakePages, LastPage};
pub use request::{FakePart, FakeReply, FakeRequest};
pub use response::FakeResponse;
use server::{Registered, Route, Shared, lock};

use crate::core::endpoint::HttpMethod;

/// A running fake Lark server. Dropping it stops the server too.
pub struct FakeLark {
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl FakeLark {
    /// The app id the fake accepts.
    pub const APP_ID: &'static str = "cli_fake_app";
    /// The app secret the fake accepts.
    pub const APP_SECRET: &'static str = "fake-secret";

    /// Starts a server on a free port of `127.0.0.1` that accepts [`APP_ID`](Self::APP_ID)
    /// and [`APP_SECRET`](Self::APP_SECRET).
    ///
    /// # Panics
    ///
    /// If no local port can be bound, which leaves a test nothing to do.
    pub async fn start() -> FakeLark {
        FakeLark::builder().start().await.expect("fake Lark: cannot bind a port on 127.0.0.1")
    }

    /// Settings for a server on a chosen port or with other app credentials.
    pub fn builder() -> FakeLarkBuilder {
        FakeLarkBuilder { port: 0, app_id: Self::APP_ID.to_owned(), app_secret: Self::APP_SECRET.to_owned() }
    }

    async fn serve(settings: FakeLarkBuilder) -> std::io::Result<FakeLark> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&settings.app_id, &settings.app_secret));
        let app = axum::Router::new().fallback(server::handle).with_state(Arc::clone(&shared));
        let service = app.into_make_service_with_connect_info::<faults::Hangup>();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // A dropped sender stops the server as well as an explicit shutdown.
            let signal = async move {
                let _ = stopped.await;
            };
            let listener = faults::HangupListener(listener);
            if let Err(e) = axum::serve(listener, service).with_graceful_shutdown(signal).await {
                tracing::debug!(error = %e, "fake Lark stopped with an error");
            }
        });
        Ok(FakeLark { shared, addr, stop, task })
    }

    /// The app id the token endpoints accept.
    pub fn app_id(&self) -> String {
        lock(&self.shared.tokens).app_id.clone()
    }

    /// The app secret the token endpoints accept.
    pub fn app_secret(&self) -> String {
        lock(&self.shared.tokens).app_secret.clone()
    }

    /// Answers every request no registered route takes with `fallback` (instead of a
    /// 404), e.g. one that knows every endpoint of the platform. Registered routes still
    /// win, and faults still fire first.
    pub fn set_fallback(&self, fallback: impl FakeFallback) {
        *lock(&self.shared.fallback) = Some(Arc::new(fallback));
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

    /// Serves `pages` on `method` and `path_template` (token checked), page by page.
    pub fn route_pages(&self, method: HttpMethod, path_template: &str, pages: FakePages) {
        self.route(method, path_template, move |request| pages.answer(request));
    }

    fn add(&self, method: HttpMethod, template: &str, public: bool, handler: server::Handler) {
        lock(&self.shared.routes).push(Registered { route: Route::template(method, template), public, handler });
    }

    /// Adds a route to the control API: `handler` answers `method` on `path_template`,
    /// which must start with `/__fake/`. Control routes take no token, are not recorded
    /// and never fault; unlike [`route`](Self::route), the handler may await (push an
    /// event and wait for the app's answer, say). A later registration of the same route
    /// wins.
    ///
    /// # Panics
    ///
    /// If `path_template` is outside `/__fake/`, where it would shadow the platform.
    pub fn control<F, Fut>(&self, method: HttpMethod, path_template: &str, handler: F)
    where
        F: Fn(FakeRequest) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = FakeResponse> + Send + 'static,
    {
        assert!(path_template.starts_with("/__fake/"), "control routes live under /__fake/, not {path_template}");
        let handler: server::ControlHandler = Arc::new(move |request| Box::pin(handler(request)));
        lock(&self.shared.controls).push((Route::template(method, path_template), handler));
    }

    /// Arms a failure; see [`Fault`]. Rules fire in the order they were injected.
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// Every request received so far, in order of reply, token requests included.
    pub fn requests(&self) -> Vec<FakeRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests recorded so far (long-running tests and benchmarks).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// The requests of `method` to paths matching `path_template`.
    pub fn requests_to(&self, method: HttpMethod, path_template: &str) -> Vec<FakeRequest> {
        let route = Route::template(method, path_template);
        lock(&self.shared.requests).iter().filter(|r| route.matches(r.method, &r.path).is_some()).cloned().collect()
    }

    /// How many requests hit the tenant and app token endpoints (self-built and store),
    /// faulted ones included.
    pub fn token_requests(&self) -> usize {
        let requests = lock(&self.shared.requests);
        requests.iter().filter(|r| r.method == HttpMethod::Post && auth::TOKEN_PATHS.contains(&r.path.as_str())).count()
    }

    /// Invalidates every tenant and app token issued so far: calls that use one get code
    /// 99991663, as after a real revocation. User tokens stay valid.
    pub fn revoke_tokens(&self) {
        self.shared.revoke();
    }

    /// Sets the `expire` (seconds) of tokens issued from now on; the default is 7200.
    pub fn set_token_expire(&self, seconds: u64) {
        lock(&self.shared.tokens).expire = seconds;
    }

    /// Issues a user access token (`u-fake-N`) that routes accept.
    pub fn user_token(&self) -> String {
        lock(&self.shared.tokens).user_token()
    }

    /// Makes this user token expired: calls with it get code 99991677.
    pub fn expire_user_token(&self, token: &str) {
        if let Some(state) = lock(&self.shared.tokens).users.get_mut(token) {
            *state = UserState::Expired;
        }
    }

    /// Plays the user signing in: takes the authorization URL the app built and returns
    /// the `code` the platform would redirect back with, or `None` if the URL is not for
    /// this app. The code works once, with the same redirect URI and the PKCE verifier
    /// if the URL had a challenge.
    pub fn authorize(&self, authorization_url: &str) -> Option<String> {
        lock(&self.shared.tokens).authorize(authorization_url)
    }

    /// Makes the next sign-ins on the authorization page
    /// (`GET /open-apis/authen/v1/authorize`) those of `subject` (an open_id, say):
    /// the user tokens they yield carry it in [`Caller::User`].
    pub fn sign_in_as(&self, subject: impl Into<String>) {
        lock(&self.shared.tokens).signing_in = Some(subject.into());
    }

    /// Makes the user refuse the next sign-in: the authorization page redirects back with
    /// `error=access_denied`.
    pub fn deny_next_sign_in(&self) {
        lock(&self.shared.tokens).deny_next = true;
    }

    /// Who a user token was issued to, when the sign-in's subject was set.
    pub fn subject_of(&self, user_token: &str) -> Option<String> {
        lock(&self.shared.tokens).subjects.get(user_token).cloned()
    }

    /// Issues a new app_ticket (store apps), as the platform does when it pushes the
    /// `app_ticket` event; the previous one stops working. Hand it to
    /// [`Client::set_app_ticket`](crate::Client::set_app_ticket).
    pub fn push_app_ticket(&self) -> String {
        lock(&self.shared.tokens).new_ticket()
    }

    /// How many times a resend of the app_ticket was requested.
    pub fn app_ticket_resends(&self) -> usize {
        lock(&self.shared.tokens).ticket_resends
    }

    /// The tenant a store-app tenant token was issued for.
    pub fn tenant_of(&self, tenant_access_token: &str) -> Option<String> {
        lock(&self.shared.tokens).tenants.get(tenant_access_token).cloned()
    }

    /// Adds a custom bot and returns its hook URL (`.../open-apis/bot/v2/hook/<token>`).
    /// With a `secret`, a request must carry a valid `timestamp` and `sign` (else code
    /// 19021); a body that is not JSON, has no `msg_type` or is over 20 KB gets code 9499.
    /// Read what it received with [`requests_to`](Self::requests_to)
    /// (`POST /open-apis/bot/v2/hook/:token`).
    pub fn custom_bot(&self, secret: Option<&str>) -> String {
        let token = format!("hook-{}", lock(&self.shared.routes).len() + 1);
        let secret = secret.map(str::to_owned);
        let path = format!("/open-apis/bot/v2/hook/{token}");
        self.route_public(HttpMethod::Post, &path, move |request| hook::answer(request, secret.as_deref()));
        format!("{}{path}", self.base_url())
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

/// Where a [`FakeLark`] listens and which app it accepts; from [`FakeLark::builder`].
#[derive(Debug, Clone)]
#[must_use = "call start"]
pub struct FakeLarkBuilder {
    port: u16,
    app_id: String,
    app_secret: String,
}

impl FakeLarkBuilder {
    /// The port on `127.0.0.1`; 0 (the default) takes any free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The app id and secret the token endpoints accept (default
    /// [`FakeLark::APP_ID`], [`FakeLark::APP_SECRET`]).
    pub fn app(mut self, app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self.app_secret = app_secret.into();
        self
    }

    /// Binds the port and starts serving.
    pub async fn start(self) -> std::io::Result<FakeLark> {
        FakeLark::serve(self).await
    }
}

impl std::fmt::Debug for FakeLark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeLark").field("base_url", &self.base_url()).finish_non_exhaustive()
    }
}
