//! The types every layer shares: what an endpoint is, errors, secrets, wire types and JSON
//! conversion. Imports nothing else of this crate.

pub(crate) mod endpoint;
pub(crate) mod error;
pub(crate) mod excerpt;
pub(crate) mod hex;
pub mod json;
pub(crate) mod random;
pub(crate) mod secret;
pub(crate) mod types;

use std::future::Future;
use std::pin::Pin;

/// A boxed future, as returned by the object-safe traits of this crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
