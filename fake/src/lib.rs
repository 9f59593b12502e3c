//! An offline Lark: every endpoint of the catalogue answers, checked as the platform
//! checks it.
//!
//! [`Platform`] reads the OpenAPI document the generator writes
//! (`generated/openapi/openapi.json`, built into this crate) and becomes the fallback of a
//! [`FakeLark`]: routes a test registers still win and faults still fire, and every other
//! catalogued call gets what the platform would give it:
//!
//! - an unknown path or method: HTTP 404 with an error envelope;
//! - a token the endpoint does not take, or none: the platform's token errors;
//! - scopes the app was not granted ([`Platform::grant`]): code 99991672 (99991679 for
//!   a user token) naming the scopes that would do; calls whose scopes the catalogue does
//!   not know pass;
//! - a missing or malformed path, query or body field, a wrong JSON type, a value outside
//!   an enum: code 99992402, naming the field (`members[1].id`);
//! - otherwise an answer valid against the endpoint's response model, made up from the
//!   request (the same request gets the same answer): ids shaped like the platform's
//!   (`om_`, `oc_`, `ou_`, …), int64 values as strings, lists paged by `page_size` and
//!   `page_token`, files served as bytes with their headers.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use lark_fake::Platform;
//!
//! let fake = Platform::new().grant(["im:message:send"]).start().await;
//! // Point a client at fake.base_url(); a message send succeeds, reading a chat gets
//! // the permission error that names `im:chat:read`.
//! # fake.shutdown().await;
//! # }
//! ```

mod answer;
mod catalogue;
mod check;
mod refuse;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use lark_runtime::fake::{Caller, FakeFallback, FakeLark, FakeRequest, FakeResponse};

pub use catalogue::Catalogue;

/// The OpenAPI document of the whole platform, as `cargo xtask gen` wrote it.
const DOCUMENT: &str = include_str!("../../generated/openapi/openapi.json");

/// Every catalogued endpoint, answering as the platform would for an app granted some
/// scopes (all of them unless [`grant`](Self::grant) says otherwise).
#[derive(Clone)]
pub struct Platform {
    catalogue: Arc<Catalogue>,
    granted: Option<Arc<BTreeSet<String>>>,
}

impl Platform {
    /// The whole platform, with every scope granted.
    ///
    /// # Panics
    ///
    /// Never for the built-in document, which the tests read.
    pub fn new() -> Platform {
        static PLATFORM: OnceLock<Arc<Catalogue>> = OnceLock::new();
        let catalogue = PLATFORM.get_or_init(|| {
            Arc::new(Catalogue::from_openapi(DOCUMENT).expect("the built-in OpenAPI document is readable"))
        });
        Platform { catalogue: Arc::clone(catalogue), granted: None }
    }

    /// The endpoints of another OpenAPI document written by the generator (a fixture
    /// catalogue, say), with every scope granted.
    pub fn from_openapi(document: &str) -> Result<Platform, String> {
        Ok(Platform { catalogue: Arc::new(Catalogue::from_openapi(document)?), granted: None })
    }

    /// Grants the app exactly these scopes; calls that need others are refused as the
    /// platform refuses them. An empty list grants none.
    pub fn grant<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Platform {
        self.granted = Some(Arc::new(scopes.into_iter().map(Into::into).collect()));
        self
    }

    /// The endpoints this platform answers.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Makes `fake` answer every catalogued endpoint it has no route for.
    pub fn install(self, fake: &FakeLark) {
        fake.set_fallback(self);
    }

    /// Starts a [`FakeLark`] on a free port that answers every catalogued endpoint.
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start(self) -> FakeLark {
        let fake = FakeLark::start().await;
        self.install(&fake);
        fake
    }

    fn granted(&self, scope: &str) -> bool {
        self.granted.as_ref().is_none_or(|granted| granted.contains(scope))
    }
}

impl Default for Platform {
    fn default() -> Self {
        Platform::new()
    }
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("operations", &self.catalogue.len())
            .field("granted", &self.granted.as_ref().map(|g| g.len()))
            .finish()
    }
}

impl FakeFallback for Platform {
    fn answer(&self, request: &FakeRequest, caller: &Caller) -> Option<FakeResponse> {
        let Some((op, params)) = self.catalogue.find(request.method, &request.path) else {
            return Some(refuse::not_found(request));
        };
        if let Some(refusal) = refuse::token(op, caller) {
            return Some(refusal);
        }
        if let Some(refusal) = refuse::scopes(op, caller, |s| self.granted(s)) {
            return Some(refusal);
        }
        if let Err(violation) = check::request(&self.catalogue, op, &params, request) {
            return Some(refuse::invalid(&violation));
        }
        Some(answer::answer(&self.catalogue, op, &params, request))
    }
}
