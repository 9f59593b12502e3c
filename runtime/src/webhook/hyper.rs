//! The webhook as a hyper `Service` (feature `hyper`).
//!
//! ```no_run
//! use hyper::server::conn::http1;
//! use hyper_util::rt::TokioIo;
//! use lark_runtime::event::Dispatcher;
//! use lark_runtime::webhook::Webhook;
//! use lark_runtime::webhook::hyper::WebhookService;
//!
//! # async fn run() -> std::io::Result<()> {
//! let hook = Webhook::builder().verification_token("token from the console").build(Dispatcher::new());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let service = WebhookService::events(hook.clone());
//!     tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
//! }
//! # }
//! ```
//!
//! To serve both endpoints on one port, route by path in a `service_fn` and call
//! [`events`] or [`cards`].

use std::convert::Infallible;
use std::error::Error as StdError;

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;

use super::{Endpoint, Webhook, body};
use crate::BoxFuture;

/// A hyper service answering every request with one webhook endpoint.
#[derive(Debug, Clone)]
pub struct WebhookService {
    webhook: Webhook,
    endpoint: Endpoint,
}

impl WebhookService {
    /// Serves events and v2 callbacks ([`Webhook::handle`]).
    pub fn events(webhook: Webhook) -> Self {
        WebhookService { webhook, endpoint: Endpoint::Events }
    }

    /// Serves legacy card actions ([`Webhook::handle_card`]).
    pub fn cards(webhook: Webhook) -> Self {
        WebhookService { webhook, endpoint: Endpoint::Cards }
    }
}

impl<B> ::hyper::service::Service<Request<B>> for WebhookService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn call(&self, request: Request<B>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(body::serve(&this.webhook, this.endpoint, request).await.map(Full::new)) })
    }
}

/// Handles a request to the event endpoint, reading its body within the limit.
pub async fn events<B>(webhook: &Webhook, request: Request<B>) -> Response<Full<Bytes>>
where
    B: Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    body::serve(webhook, Endpoint::Events, request).await.map(Full::new)
}

/// Handles a request to the legacy card endpoint, reading its body within the limit.
pub async fn cards<B>(webhook: &Webhook, request: Request<B>) -> Response<Full<Bytes>>
where
    B: Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    body::serve(webhook, Endpoint::Cards, request).await.map(Full::new)
}
