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
//! With the `fake` feature, [`fake::FakeLark`] is a local server that speaks enough of the
//! protocol to test an app offline.
//!
//! Beyond single calls: [`RetryPolicy`] (bounded backoff with jitter; rate limits wait
//! for the reset; only calls safe to repeat are repeated), [`Client::paginate`] (lists as
//! streams), [`Client::raw`] (endpoints the catalogue lacks), [`Client::oauth`] and
//! [`RefreshingUserToken`] (user tokens), [`TokenCache`] (tokens shared between
//! processes), [`Client::set_app_ticket`] (app store apps) and [`DownloadCall::stream`]
//! (large files).
#![warn(missing_docs)]

mod call;
mod client;
mod decode;
mod download;
mod endpoint;
mod error;
pub mod event;
mod excerpt;
mod exec;
pub mod json;
mod oauth;
mod options;
mod paginate;
mod pkce;
mod raw;
mod request;
mod retry;
mod secret;
mod token;
mod transport;
mod types;
mod upload;
mod url;
mod user_token;
pub mod webhook;
#[cfg(feature = "ws")]
pub mod ws;

#[cfg(feature = "fake")]
pub mod fake;

pub use call::{Call, DownloadCall};
pub use client::DEFAULT_MAX_PAGES;
pub use client::{AppType, Client, ClientBuilder, DEFAULT_TIMEOUT};
pub use download::Download;
pub use download::{DownloadStream, SavedFile};
pub use endpoint::{Endpoint, FEISHU_BASE_URL, HttpMethod, LARK_BASE_URL, ResponseKind, Scopes, TokenKind};
pub use error::{ApiError, Error, FieldViolation, Help, PermissionViolation, Result};
pub use oauth::{AuthorizeUrl, OAuth, UserToken};
pub use paginate::{Items, Page, PageRequest, Pages, Paginator};
pub use pkce::Pkce;
pub use raw::RawCall;
pub use request::Request;
pub use retry::RetryPolicy;
pub use token::cache::{BoxFuture, CachedKind, CachedToken, MemoryTokenCache, TokenCache, TokenKey};
pub use types::{Empty, Int64, UnknownValue};
pub use upload::{Form, UploadFile};
pub use user_token::{RefreshingUserToken, UserTokenSource};
