//! The webhook as axum routes (feature `axum`).
//!
//! ```no_run
//! use lark_runtime::event::Dispatcher;
//! use lark_runtime::webhook::{self, Webhook};
//!
//! # async fn run() -> std::io::Result<()> {
//! let hook = Webhook::builder().verification_token("token from the console").build(Dispatcher::new());
//! let app = axum::Router::new()
//!     .route("/webhook/event", webhook::axum::events(hook.clone()))
//!     .route("/webhook/card", webhook::axum::cards(hook));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use ::axum::body::Body;
use ::axum::extract::Request;
use ::axum::routing::{MethodRouter, post};

use super::{Endpoint, Webhook, body};

/// A `POST` route for events and v2 callbacks ([`Webhook::handle`]).
pub fn events<S: Clone + Send + Sync + 'static>(webhook: Webhook) -> MethodRouter<S> {
    route(webhook, Endpoint::Events)
}

/// A `POST` route for legacy card actions ([`Webhook::handle_card`]).
pub fn cards<S: Clone + Send + Sync + 'static>(webhook: Webhook) -> MethodRouter<S> {
    route(webhook, Endpoint::Cards)
}

fn route<S: Clone + Send + Sync + 'static>(webhook: Webhook, endpoint: Endpoint) -> MethodRouter<S> {
    post(move |request: Request| async move { body::serve(&webhook, endpoint, request).await.map(Body::from) })
}
