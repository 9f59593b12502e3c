//! The hand-written core of the Lark / Feishu SDK.
//!
//! The generated `lark-sdk` crate describes every endpoint as a static [`Endpoint`] and
//! hands a [`Request`] to [`Client::call`] or [`Client::download`]. Everything else lives
//! here, written once and non-generically where possible so that 1,600 endpoints do not
//! multiply compile time: URL building, access tokens (cached, refreshed early, fetched
//! once under concurrency, evicted and retried when the platform rejects them), the
//! response envelope, errors that say what to do, uploads and downloads.
//!
//! ```no_run
//! # async fn run() -> lark_runtime::Result<()> {
//! use lark_runtime::{Client, Endpoint, HttpMethod, Request, ResponseKind, Scopes, TokenKind};
//!
//! // Generated code has one such constant per endpoint.
//! const GET_CHAT: Endpoint = Endpoint {
//!     id: "im.v1.chat.get",
//!     method: HttpMethod::Get,
//!     path: "/open-apis/im/v1/chats/:chat_id",
//!     tokens: &[TokenKind::Tenant, TokenKind::User],
//!     scopes: Scopes::Known { any: &["im:chat:readonly"], all: &[] },
//!     response: ResponseKind::Data,
//!     doc_url: "",
//! };
//!
//! let client = Client::builder("cli_xxx", "secret").build()?;
//! let mut request = Request::new(&GET_CHAT);
//! request.path_param("chat_id", "oc_123".to_owned());
//! let chat: serde_json::Value = client.call(request).await?;
//! println!("{}", chat["name"]);
//! # Ok(())
//! # }
//! ```
//!
//! With the `fake` feature, `fake::FakeLark` is a local server that speaks enough of the
//! protocol to test an app offline.
//!
//! Beyond single calls: [`RetryPolicy`] (bounded backoff with jitter; rate limits wait
//! for the reset; only calls safe to repeat are repeated), [`Client::paginate`] (lists as
//! streams), [`Client::raw`] (endpoints the catalogue lacks), [`Client::oauth`] and
//! [`RefreshingUserToken`] (user tokens), [`TokenCache`] (tokens shared between
//! processes), [`Client::set_app_ticket`] (app store apps) and [`DownloadCall::stream`]
//! (large files).
//!
//! # Layers
//!
//! Each folder of `src/` is a layer. A layer uses only the layers below it; where a lower
//! layer needs something from above, it declares a trait that the upper layer implements
//! (the retry loop's `Authorize`, the [`TokenCache`], the webhook's
//! [`AppTicketSink`](webhook::AppTicketSink)). `cargo xtask layers` checks the rule.
//!
//! ```text
//!  fake/      a local Lark for tests; nothing depends on it
//!  shared/    (feature redis) tokens, tickets and deduplication shared by replicas
//!  ws/        long-connection event client          ┐
//!  webhook/   signed, encrypted HTTP pushes          ├ inbound
//!  event/     typed events and their dispatch        ┘
//!  web/       web apps: sign-in with Lark, JSAPI configuration
//!  message/   (feature) content, cards, received content; send, reply, CardKit, custom bots
//!  client/    Client: per-call executor, calls, options, pagination, raw calls
//!  auth/      credentials, token cache and fetch, store apps, OAuth, PKCE, user tokens
//!  wire/      one exchange, no tokens: request, URL, retry, envelope, transport, files
//!  core/      shared types: endpoint, error, secret, wire types, JSON conversion
//! ```
#![warn(missing_docs)]

// Bottom layer first; the order is the rule (see `# Layers` above).
mod auth;
mod client;
mod core;
pub mod event;
#[cfg(feature = "fake")]
pub mod fake;
#[cfg(feature = "message")]
pub mod message;
#[cfg(feature = "redis")]
pub mod shared;
pub mod web;
pub mod webhook;
mod wire;
#[cfg(feature = "ws")]
pub mod ws;

pub use crate::auth::credentials::AppType;
pub use crate::auth::oauth::{AuthorizeUrl, OAuth, UserToken};
pub use crate::auth::pkce::Pkce;
pub use crate::auth::token::cache::{CacheLock, CachedKind, CachedToken, MemoryTokenCache, TokenCache, TokenKey};
pub use crate::auth::user_token::RefreshingUserToken;
pub use crate::client::builder::ClientBuilder;
pub use crate::client::call::{Call, DownloadCall};
pub use crate::client::paginate::{Items, Page, PageRequest, Pages, Paginator};
pub use crate::client::raw::RawCall;
pub use crate::client::user_token::UserTokenSource;
pub use crate::client::{Client, DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT};
pub use crate::core::BoxFuture;
pub use crate::core::endpoint::{
    Endpoint, FEISHU_BASE_URL, HttpMethod, LARK_BASE_URL, ResponseKind, Scopes, TokenKind,
};
pub use crate::core::error::{ApiError, ContentError, Error, FieldViolation, Help, PermissionViolation, Result};
pub use crate::core::json;
pub use crate::core::types::{Empty, Int64, UnknownValue};
pub use crate::wire::download::{Download, DownloadStream, SavedFile};
pub use crate::wire::request::Request;
pub use crate::wire::retry::RetryPolicy;
pub use crate::wire::upload::{Form, UploadFile};
