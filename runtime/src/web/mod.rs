//! Web apps: pages opened inside the Lark client or a browser that sign the user in and
//! call JSAPIs.
//!
//! - [`Jsapi`] ([`Client::jsapi`](crate::Client::jsapi)): the `jsapi_ticket`, cached and
//!   fetched once like tokens (replicas share it through a shared
//!   [`TokenCache`](crate::TokenCache)), and the configuration a page passes to
//!   `h5sdk.config` for its URL.
//! - [`SignIn`]: "Sign in with Lark", framework-neutral: the authorization URL with a
//!   `state` and PKCE (S256) bound to the browser, then on the callback the checks
//!   (`state` missing, unknown, reused or expired; `error=access_denied`), the code
//!   exchange and the user's identity. `web::axum` mounts it (feature `axum`).

#[cfg(feature = "axum")]
pub mod axum;
mod jsapi;
mod signin;

pub use jsapi::{JSAPI_TICKET, Jsapi, JsapiConfig, signature as jsapi_signature};
pub use signin::{
    Callback, MemoryStateStore, Pending, SignIn, SignInError, SignedIn, Started, StateStore, Taken, USER_INFO, WebUser,
};
