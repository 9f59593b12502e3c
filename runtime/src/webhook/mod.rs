//! Receiving events and callbacks over HTTP, safely.
//!
//! [`Webhook`] turns an `http::Request<Bytes>` into an `http::Response<Bytes>` and works
//! with any server framework. For each request it:
//!
//! 1. refuses anything but `POST` and bodies over the size limit;
//! 2. checks the signature over the raw body bytes, in constant time: SHA-256 with the
//!    encrypt key for events (when a key is set), SHA-1 with the verification token for
//!    legacy card actions (when a token is set; an encrypted card body may follow either
//!    rule, since the platform does not say which), then the timestamp's freshness when a
//!    window is set;
//! 3. decrypts `{"encrypt": ..}` bodies (AES-256-CBC, strict base64, strict PKCS#7);
//! 4. compares the verification token, when one is set, on URL checks and every event;
//! 5. answers URL checks with their challenge;
//! 6. hands `app_ticket` events to the [`AppTicketSink`];
//! 7. acknowledges redeliveries of an event already handled ([`DedupeStore`]);
//! 8. runs the handler from the [`Dispatcher`]: 200 when it succeeds (with the callback's
//!    answer as the body), 500 when it fails so that the platform pushes again, and 200 at
//!    once for types nobody handles.
//!
//! Refused requests get a 4xx status and `{"error": "<code>"}`; the typed reason is a
//! [`Rejection`], logged with `tracing` at `warn` level. Nothing here panics on input.
//!
//! ```
//! use bytes::Bytes;
//! use lark_runtime::event::{Dispatcher, EventContext};
//! use lark_runtime::webhook::Webhook;
//!
//! # async fn run() {
//! let webhook = Webhook::builder()
//!     .encrypt_key("encrypt key from the console")
//!     .verification_token("verification token from the console")
//!     .max_skew(std::time::Duration::from_secs(300))
//!     .build(Dispatcher::new().fallback(|ctx: EventContext| async move {
//!         println!("{} {:?}", ctx.event_type(), ctx.event_id());
//!         Ok(())
//!     }));
//!
//! // In a server: turn the framework's request into this, and the answer back.
//! let request = http::Request::post("/webhook/event").body(Bytes::from_static(b"{}")).unwrap();
//! let response = webhook.handle(request).await;
//! assert_eq!(response.status(), 401); // unsigned, and not a URL check
//! # }
//! ```
//!
//! # Frameworks
//!
//! - axum (feature `axum`): `axum::events` and `axum::cards` are ready-made routes.
//! - hyper (feature `hyper`): `hyper::WebhookService` is a hyper `Service`.
//! - actix-web, or anything else: read the body into `Bytes` with the framework's own
//!   size limit, build an `http::Request` from the method, the headers and the bytes
//!   (actix-web 4 has its own header types: copy each name and value across), call
//!   [`Webhook::handle`] (or [`Webhook::handle_card`]), and copy the status, the
//!   `content-type` header and the body of the answer into the framework's response
//!   (for actix-web, an `HttpResponse::build(status)` with `.body(bytes)`). Nothing else
//!   is needed: all checks happen inside `handle`.
//!
//! # Freshness and replays
//!
//! With an encrypt key, every signed request carries a timestamp. [`WebhookBuilder::max_skew`]
//! refuses requests whose timestamp is further from now than the window; the deduplication
//! store catches replays inside the window, so keep its time-to-live longer than the
//! window. The window is off by default: no official source says whether a redelivery is
//! re-signed with a new timestamp, and a window must never drop a legitimate redelivery.

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(any(feature = "axum", feature = "hyper"))]
mod body;
mod builder;
mod crypto;
mod dedupe;
mod deliver;
mod envelope;
mod error;
#[cfg(feature = "hyper")]
pub mod hyper;
mod signature;
pub mod testing;
mod ticket;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use tracing::Instrument as _;

pub use builder::WebhookBuilder;
pub use crypto::EncryptKey;
pub use dedupe::{Claim, DedupeStore, MemoryDedupe};
use envelope::Push;
pub use error::Rejection;
use signature::Signed;
pub use signature::{NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, card_signature, event_signature};
pub use ticket::{APP_TICKET_EVENT, AppTicketSink};

use crate::event::{Dispatcher, EventContext};

/// The default body size limit: 1 MiB, far above any event the platform sends.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// The two URLs the platform pushes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// Events and v2 callbacks (`card.action.trigger`, `url.preview.get`).
    Events,
    /// Legacy interactive-card actions (the "card request URL").
    Cards,
}

/// A request that passed every check.
#[derive(Debug)]
#[non_exhaustive]
pub enum Verified {
    /// A URL check: answer with this challenge.
    UrlVerification {
        /// The value to echo back.
        challenge: String,
    },
    /// An event or callback to dispatch.
    Event(EventContext),
}

/// The webhook handler: checks, decrypts and dispatches pushes. Cheap to clone.
///
/// `Debug` shows which secrets are set, never their values.
#[derive(Clone)]
pub struct Webhook {
    inner: Arc<Inner>,
}

struct Inner {
    settings: WebhookBuilder,
    dispatcher: Dispatcher,
}

/// How a request proved where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// The signature matched.
    Signed,
    /// A secret is set but the request has no signature headers: only a URL check may
    /// pass, since the platform does not sign those.
    Unsigned,
    /// No secret is set for this endpoint, so there is nothing to check.
    Open,
}

impl Webhook {
    /// Starts configuring a webhook handler.
    pub fn builder() -> WebhookBuilder {
        WebhookBuilder::default()
    }

    /// Handles a request to the event endpoint (events and v2 callbacks).
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.handle_at(Endpoint::Events, request).await
    }

    /// Handles a request to the legacy card endpoint (the "card request URL").
    pub async fn handle_card(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.handle_at(Endpoint::Cards, request).await
    }

    /// Runs every check on a request to the event endpoint without dispatching it.
    pub fn verify(&self, request: &Request<Bytes>) -> Result<Verified, Rejection> {
        self.verify_at(Endpoint::Events, request, SystemTime::now())
    }

    /// Runs every check on a request to the legacy card endpoint without dispatching it.
    pub fn verify_card(&self, request: &Request<Bytes>) -> Result<Verified, Rejection> {
        self.verify_at(Endpoint::Cards, request, SystemTime::now())
    }

    /// The body size limit; adapters stop reading a body there.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.settings.max_body_bytes
    }

    /// The dispatcher the handler runs.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.inner.dispatcher
    }

    pub(crate) async fn handle_at(&self, endpoint: Endpoint, request: Request<Bytes>) -> Response<Bytes> {
        self.handle_via("webhook", endpoint, request).await
    }

    /// Handles a push that arrived over `transport` (`webhook` or `websocket`), in one
    /// `lark.event` span: `lark.transport`, `lark.event_type`, `lark.event_id` and
    /// `lark.outcome` (`handled`, `replied`, `failed`, `duplicate`, `in_progress`,
    /// `unhandled`, `dedupe_error`, `url_verification` or `rejected`).
    pub(crate) async fn handle_via(
        &self,
        transport: &'static str,
        endpoint: Endpoint,
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        let span = tracing::info_span!(
            "lark.event",
            otel.kind = "consumer",
            lark.transport = transport,
            lark.event_type = tracing::field::Empty,
            lark.event_id = tracing::field::Empty,
            lark.outcome = tracing::field::Empty,
        );
        let handled = async {
            match self.verify_at(endpoint, &request, SystemTime::now()) {
                Ok(Verified::UrlVerification { challenge }) => {
                    outcome("url_verification");
                    tracing::info!(?endpoint, "answered the platform's URL check");
                    json(StatusCode::OK, serde_json::json!({ "challenge": challenge }).to_string())
                }
                Ok(Verified::Event(ctx)) => {
                    let span = tracing::Span::current();
                    span.record("lark.event_type", ctx.event_type());
                    if let Some(id) = ctx.event_id() {
                        span.record("lark.event_id", id);
                    }
                    self.deliver(ctx).await
                }
                Err(rejection) => {
                    outcome("rejected");
                    reject(endpoint, &rejection)
                }
            }
        };
        handled.instrument(span).await
    }

    fn verify_at(&self, endpoint: Endpoint, request: &Request<Bytes>, now: SystemTime) -> Result<Verified, Rejection> {
        if request.method() != Method::POST {
            return Err(Rejection::MethodNotAllowed);
        }
        let body = request.body();
        if body.len() > self.inner.settings.max_body_bytes {
            return Err(Rejection::BodyTooLarge { limit: self.inner.settings.max_body_bytes });
        }
        let auth = self.authenticate(endpoint, request.headers(), body, now)?;
        let read = self.plaintext(endpoint, body).and_then(|json| match endpoint {
            // A typed handler's payload is decoded while the envelope is read, unless the
            // request is unsigned and so cannot be an event anyway.
            Endpoint::Events => envelope::event(json, |event_type| {
                (auth != Auth::Unsigned).then(|| self.inner.dispatcher.decoder(event_type)).flatten()
            }),
            Endpoint::Cards => envelope::card(json),
        });
        let push = match (auth, read) {
            (Auth::Unsigned, Ok(push @ Push::UrlVerification { .. })) => push,
            // One answer for every unsigned failure, decryption included: different answers
            // for bad padding and bad content would be a padding oracle.
            (Auth::Unsigned, other) => {
                if let Err(e) = other {
                    tracing::debug!(reason = e.code(), "unsigned request did not decode");
                }
                return Err(Rejection::MissingHeader(SIGNATURE_HEADER));
            }
            (_, read) => read?,
        };
        match push {
            Push::UrlVerification { challenge, token } => {
                self.check_token(token.as_deref())?;
                Ok(Verified::UrlVerification { challenge })
            }
            Push::Event { ctx, token } => {
                // Legacy card bodies carry a card update token, not the verification
                // token; their SHA-1 signature is what covers the verification token.
                if endpoint == Endpoint::Events {
                    self.check_token(token.as_deref())?;
                }
                Ok(Verified::Event(ctx))
            }
        }
    }

    fn authenticate(
        &self,
        endpoint: Endpoint,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Auth, Rejection> {
        let settings = &self.inner.settings;
        let key = settings.encrypt_key.as_ref();
        let token = settings.verification_token.as_ref();
        // The rules a signature may follow here. Legacy card actions are signed with SHA-1
        // over the verification token; for an encrypted card body the official SDKs
        // disagree (that rule, or the event rule with the encrypt key) and the platform
        // does not say, so either is accepted there. Each rule needs a secret.
        let rules = match endpoint {
            Endpoint::Events => [key.map(|key| Rule::Event(key.as_str())), None],
            Endpoint::Cards => [
                token.map(|token| Rule::Card(token.expose())),
                key.filter(|_| is_encrypted(body)).map(|key| Rule::Event(key.as_str())),
            ],
        };
        if rules.iter().all(Option::is_none) {
            // Nothing to check against, so the headers are not even read.
            return Ok(Auth::Open);
        }
        let Some(signed) = signature::headers(headers)? else {
            return Ok(Auth::Unsigned);
        };
        // Every rule is compared, so timing does not tell which one came close.
        let valid = rules
            .iter()
            .flatten()
            .fold(false, |valid, rule| valid | signature::matches(&rule.sign(signed, body), signed.signature));
        if !valid {
            return Err(Rejection::BadSignature);
        }
        // Checked after the signature: only then is the timestamp known to be the platform's.
        if let Some(window) = settings.max_skew {
            signature::check_fresh(signed.timestamp, window, now)?;
        }
        Ok(Auth::Signed)
    }

    /// The JSON text of the push: the decrypted `encrypt` field, or the body itself.
    fn plaintext(&self, endpoint: Endpoint, body: &[u8]) -> Result<String, Rejection> {
        let key = self.inner.settings.encrypt_key.as_ref();
        // The platform's exact shape first: with no JSON to parse, decryption is the only
        // pass over the text. Anything else, failures included, takes the general path,
        // so that every body gets the same answer either way.
        if let Some(plain) = key.zip(bare_encrypt_field(body)).and_then(|(key, text)| key.decrypt_base64(text).ok()) {
            return utf8(plain);
        }
        let outer: Outer = serde_json::from_slice(body).map_err(|e| Rejection::json(&e))?;
        let bytes = match (outer.encrypt, &self.inner.settings.encrypt_key) {
            (Some(encrypted), Some(key)) => key.decrypt(&encrypted)?,
            (Some(_), None) => return Err(Rejection::EncryptKeyMissing),
            // With a key set the platform encrypts every event push. Legacy card actions
            // are left alone: whether the platform encrypts them is not settled.
            (None, Some(_)) if endpoint == Endpoint::Events => return Err(Rejection::NotEncrypted),
            (None, _) => body.to_vec(),
        };
        utf8(bytes)
    }

    fn check_token(&self, given: Option<&str>) -> Result<(), Rejection> {
        match &self.inner.settings.verification_token {
            None => Ok(()),
            Some(expected) if given.is_some_and(|g| signature::matches(expected.expose(), g)) => Ok(()),
            Some(_) => Err(Rejection::BadToken),
        }
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("settings", &self.inner.settings)
            .field("dispatcher", &self.inner.dispatcher)
            .finish()
    }
}

pub(crate) fn reject(endpoint: Endpoint, rejection: &Rejection) -> Response<Bytes> {
    tracing::warn!(?endpoint, reason = rejection.code(), "webhook request rejected: {rejection}");
    json(rejection.status(), format!(r#"{{"error":"{}"}}"#, rejection.code()))
}

/// Records how the push in the current `lark.event` span ended.
fn outcome(what: &'static str) {
    tracing::Span::current().record("lark.outcome", what);
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Bytes> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

/// A signature rule and its secret.
enum Rule<'s> {
    /// SHA-256 with the encrypt key.
    Event(&'s str),
    /// SHA-1 with the verification token.
    Card(&'s str),
}

impl Rule<'_> {
    fn sign(&self, s: Signed<'_>, body: &[u8]) -> String {
        match self {
            Rule::Event(key) => event_signature(s.timestamp, s.nonce, key, body),
            Rule::Card(token) => card_signature(s.timestamp, s.nonce, token, body),
        }
    }
}

/// A push body as sent: `{"encrypt": "..."}`, or the plain JSON (no `encrypt`).
#[derive(serde::Deserialize)]
struct Outer {
    encrypt: Option<String>,
}

/// The text of a body that is exactly `{"encrypt":"<text>"}`, as the platform sends it.
///
/// The text is not checked here: base64 has neither `"` nor `\`, so when it decodes, the
/// body was that one-field JSON object and this is the field's value.
fn bare_encrypt_field(body: &[u8]) -> Option<&[u8]> {
    body.strip_prefix(br#"{"encrypt":""#)?.strip_suffix(br#""}"#)
}

fn utf8(bytes: Vec<u8>) -> Result<String, Rejection> {
    String::from_utf8(bytes).map_err(|_| Rejection::MalformedJson("not UTF-8".to_owned()))
}

/// Whether the body is `{"encrypt": "..."}`.
fn is_encrypted(body: &[u8]) -> bool {
    serde_json::from_slice::<Outer>(body).is_ok_and(|o| o.encrypt.is_some())
}
