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
//! // Point a client at fake.base_url(): a message send succeeds, reading a chat gets
//! // the permission error that names `im:chat:read`.
//! # fake.shutdown().await;
//! # }
//! ```
//!
//! # A bot's conversation
//!
//! [`Platform::start`] runs a [`Lark`]: it also remembers what a bot relies on
//! (messages, reactions, chats and members, users and departments, files and images,
//! CardKit cards; an unknown id gets the platform's business error) and plays the
//! platform's side of a conversation. Users write ([`Lark::user_says`],
//! [`Lark::user_sends`]), click card buttons ([`Lark::click`]) and add the bot to groups
//! ([`Lark::add_bot`]); each is pushed as the platform pushes it, to the app's event URL
//! (encrypted and signed, retried on a failure) or to one of its long-connection
//! clients, and [`Pushed::replies`] tells what the bot sent back.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use lark_fake::{Platform, PushError};
//!
//! let lark = Platform::new().start().await;
//! let tom = lark.user("Tom");
//! let team = lark.group("Team", &[&tom]);
//! // With no event URL and no connected client, there is nobody to tell.
//! let pushed = lark.user_says(&tom, &team, "hi").await;
//! assert_eq!(pushed.unwrap_err(), PushError::NoTarget);
//! # lark.shutdown().await;
//! # }
//! ```
//!
//! `examples/tests/echo_bot.rs` drives a whole bot this way over both transports.

mod answer;
mod catalogue;
mod check;
mod control;
mod events;
mod lark;
mod push;
mod refuse;
mod said;
mod state;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lark_runtime::fake::{Caller, FakeFallback, FakeLark, FakeRequest, FakeResponse};

pub use catalogue::Catalogue;
pub use lark::{Lark, PushError, Pushed};
pub use push::{Attempt, Delivery, Outcome, PLATFORM_ANSWER_WITHIN, PLATFORM_RETRY_DELAYS};
pub use said::Said;
pub use state::{Chat, Message, Sender, TENANT_KEY, User};

/// The OpenAPI document of the whole platform, as `cargo xtask gen` wrote it.
const DOCUMENT: &str = include_str!("../../generated/openapi/openapi.json");

/// Every catalogued endpoint, answering as the platform would for an app granted some
/// scopes (all of them unless [`grant`](Self::grant) says otherwise), and the settings of
/// the offline platform [`start`](Self::start) runs.
#[derive(Clone)]
pub struct Platform {
    catalogue: Arc<Catalogue>,
    granted: Option<Arc<BTreeSet<String>>>,
    stateless: bool,
    /// What the platform remembers, once installed on a server.
    world: Option<Arc<state::World>>,
    push: push::PushSettings,
    port: u16,
    app: (String, String),
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
        Platform::with(Arc::clone(catalogue))
    }

    fn with(catalogue: Arc<Catalogue>) -> Platform {
        Platform {
            catalogue,
            granted: None,
            stateless: false,
            world: None,
            push: push::PushSettings::default(),
            port: 0,
            app: (FakeLark::APP_ID.to_owned(), FakeLark::APP_SECRET.to_owned()),
        }
    }

    /// The endpoints of another OpenAPI document written by the generator (a fixture
    /// catalogue, say), with every scope granted.
    pub fn from_openapi(document: &str) -> Result<Platform, String> {
        Ok(Platform::with(Arc::new(Catalogue::from_openapi(document)?)))
    }

    /// Grants the app exactly these scopes; calls that need others are refused as the
    /// platform refuses them. An empty list grants none.
    pub fn grant<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Platform {
        self.granted = Some(Arc::new(scopes.into_iter().map(Into::into).collect()));
        self
    }

    /// Remembers nothing: every endpoint answers from its schema alone, the same for the
    /// same request (so a message sent cannot be read back, and no id is unknown).
    pub fn stateless(mut self) -> Platform {
        self.stateless = true;
        self
    }

    /// The port [`start`](Self::start) listens on, on `127.0.0.1`; 0 (the default) takes
    /// any free one.
    pub fn port(mut self, port: u16) -> Platform {
        self.port = port;
        self
    }

    /// The app id and secret the token endpoints accept (default
    /// [`FakeLark::APP_ID`], [`FakeLark::APP_SECRET`]).
    pub fn app(mut self, app_id: impl Into<String>, app_secret: impl Into<String>) -> Platform {
        self.app = (app_id.into(), app_secret.into());
        self
    }

    /// The app's event URL, where events go while no long-connection client is connected.
    pub fn push_to(mut self, url: impl Into<String>) -> Platform {
        self.push.url = Some(url.into());
        self
    }

    /// The app's encrypt key: pushes to the URL are encrypted and signed with it. Without
    /// one they are plaintext and unsigned, as on the platform.
    pub fn encrypt_key(mut self, key: impl Into<String>) -> Platform {
        self.push.encrypt_key = key.into();
        self
    }

    /// The app's verification token, carried in every push.
    pub fn verification_token(mut self, token: impl Into<String>) -> Platform {
        self.push.verification_token = token.into();
        self
    }

    /// The waits before each redelivery of a push that failed; the default is the
    /// platform's [`PLATFORM_RETRY_DELAYS`] divided by 1000 (15 ms, 300 ms, 3.6 s,
    /// 21.6 s). An empty list pushes once.
    pub fn retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Platform {
        self.push.retry_delays = delays.into_iter().collect();
        self
    }

    /// How long a push waits for the app's answer before it counts as failed; the
    /// default is the platform's [`PLATFORM_ANSWER_WITHIN`] (3 s).
    pub fn answer_within(mut self, wait: Duration) -> Platform {
        self.push.answer_within = wait;
        self
    }

    /// The endpoints this platform answers.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Makes `fake` answer every catalogued endpoint it has no route for, remembering
    /// what a bot relies on unless [`stateless`](Self::stateless). Events need
    /// [`start`](Self::start).
    pub fn install(self, fake: &FakeLark) {
        fake.set_fallback(self.remembering(&fake.app_id()));
    }

    fn remembering(mut self, app_id: &str) -> Platform {
        if !self.stateless {
            self.world = Some(Arc::new(state::World::new(app_id)));
        }
        self
    }

    /// Starts the offline platform: a server on `127.0.0.1` that answers every catalogued
    /// endpoint, remembers what a bot relies on, and pushes events to the app over
    /// HTTP or the long connection.
    ///
    /// # Panics
    ///
    /// If no local port can be bound; [`try_start`](Self::try_start) returns the error.
    pub async fn start(self) -> Lark {
        let port = self.port;
        self.try_start().await.unwrap_or_else(|e| panic!("fake Lark: cannot listen on 127.0.0.1:{port}: {e}"))
    }

    /// Like [`start`](Self::start), with the error when a port cannot be bound.
    pub async fn try_start(self) -> std::io::Result<Lark> {
        let (app_id, app_secret) = self.app.clone();
        let fake = FakeLark::builder().port(self.port).app(&app_id, &app_secret).start().await?;
        let platform = self.remembering(&app_id);
        let world = platform.world.clone().unwrap_or_else(|| Arc::new(state::World::new(&app_id)));
        let sockets = push::Sockets::start(&fake).await?;
        let pusher = Arc::new(push::Pusher::new(platform.push.clone(), sockets));
        let shared = Arc::new(lark::Shared {
            catalogue: Arc::clone(&platform.catalogue),
            world,
            pusher,
            marks: std::sync::Mutex::new(Vec::new()),
        });
        fake.set_fallback(platform);
        control::install(&fake, &shared);
        Ok(Lark::new(fake, shared))
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
        if let Some(world) = &self.world {
            let mut request = request.clone();
            request.path_params = params.clone();
            if let Some(reply) = world.answer(&op.id, &request, caller) {
                return Some(reply);
            }
        }
        Some(answer::answer(&self.catalogue, op, &params, request))
    }
}
