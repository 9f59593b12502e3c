//! "Sign in with Lark", framework-neutral: start (an authorization URL whose `state` and
//! PKCE verifier are kept for the browser) and finish (check the callback, exchange the
//! code, read who signed in).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::core::BoxFuture;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes, TokenKind};
use crate::core::error::{Error, Result};
use crate::{Client, Pkce, UserToken};

/// `GET /open-apis/authen/v1/user_info`: who a user token belongs to.
pub static USER_INFO: Endpoint = Endpoint {
    id: "authen.v1.user_info.get",
    method: HttpMethod::Get,
    path: "/open-apis/authen/v1/user_info",
    tokens: &[TokenKind::User],
    scopes: Scopes::Known { any: &[], all: &[] },
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/server-docs/authentication-management/login-state-management/get",
};

/// How long a sign-in may take, from the redirect to the callback, by default.
const STATE_TTL: Duration = Duration::from_secs(600);

/// The sign-in flow of a web app; see the [module](super) docs.
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client, cookie_state: Option<String>, query: &str) {
/// use lark_runtime::web::{Callback, SignIn};
///
/// let signin = SignIn::new(&client, "https://app.example/callback").scope("offline_access");
/// let started = signin.start().await.unwrap();
/// // Keep `started.state` in an HttpOnly cookie and redirect the browser to `started.url`.
/// // On GET /callback:
/// match signin.finish(cookie_state.as_deref(), &Callback::from_query(query)).await {
///     Ok(signed_in) => println!("hello {}", signed_in.user.name),
///     Err(refused) => println!("HTTP {}: {refused}", refused.status()),
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct SignIn {
    client: Client,
    redirect_uri: String,
    scope: Option<String>,
    server: String,
    states: Arc<dyn StateStore>,
    ttl: Duration,
}

/// A started sign-in: send the browser to `url`, and bind `state` to it (a cookie).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Started {
    /// The authorization URL.
    pub url: String,
    /// The random `state` the callback must bring back.
    pub state: String,
}

/// The query of the callback request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` echoed back.
    pub state: Option<String>,
    /// `access_denied` when the user refused.
    pub error: Option<String>,
}

impl Callback {
    /// Reads `code`, `state` and `error` from a query string (without the `?`).
    pub fn from_query(query: &str) -> Callback {
        let mut callback = Callback::default();
        for (name, value) in crate::wire::url::query_pairs(query) {
            match name.as_str() {
                "code" => callback.code = Some(value),
                "state" => callback.state = Some(value),
                "error" => callback.error = Some(value),
                _ => {}
            }
        }
        callback
    }
}

/// Who signed in, and their token (with its refresh token when `offline_access` was
/// granted).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignedIn {
    /// The user.
    pub user: WebUser,
    /// The user access token.
    pub token: UserToken,
}

/// The signed-in user, as `authen/v1/user_info` describes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WebUser {
    /// The user's id for this app.
    #[serde(default)]
    pub open_id: String,
    /// The user's id across the developer's apps.
    #[serde(default)]
    pub union_id: String,
    /// The tenant's own id for the user, when the app may see it.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The display name.
    #[serde(default)]
    pub name: String,
    /// The English name.
    #[serde(default)]
    pub en_name: Option<String>,
    /// The avatar's URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// The email, when the app may see it.
    #[serde(default)]
    pub email: Option<String>,
    /// The user's tenant.
    #[serde(default)]
    pub tenant_key: Option<String>,
}

/// Why a callback did not sign anyone in. Each is the browser's fault or the user's
/// choice (a 4xx), except a failed exchange or lookup (502).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// The callback has no `state`.
    #[error("the callback has no state")]
    MissingState,
    /// The `state` is not the one this browser was sent with (tampered, or another
    /// browser's).
    #[error("the state does not belong to this browser")]
    StateMismatch,
    /// No sign-in was started with this `state`.
    #[error("no sign-in was started with this state")]
    UnknownState,
    /// The `state` was already used: a replayed callback.
    #[error("this sign-in was already finished")]
    ReusedState,
    /// The sign-in took longer than allowed.
    #[error("the sign-in expired; start again")]
    ExpiredState,
    /// The user refused (`error=access_denied`).
    #[error("access denied: the user did not allow the sign-in")]
    AccessDenied,
    /// The callback has neither a code nor an error.
    #[error("the callback has no code")]
    MissingCode,
    /// The platform refused the code.
    #[error("the code could not be exchanged: {0}")]
    Exchange(#[source] Error),
    /// The user's identity could not be read.
    #[error("the user's identity could not be read: {0}")]
    UserInfo(#[source] Error),
}

impl SignInError {
    /// The HTTP status to answer the callback with.
    pub fn status(&self) -> u16 {
        match self {
            SignInError::AccessDenied => 403,
            SignInError::Exchange(_) | SignInError::UserInfo(_) => 502,
            _ => 400,
        }
    }
}

/// A sign-in waiting for its callback. No `Debug` of the verifier.
#[derive(Clone)]
#[non_exhaustive]
pub struct Pending {
    /// The PKCE verifier of the authorization URL.
    pub verifier: String,
    /// When the sign-in stops being valid.
    pub expires_at: SystemTime,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").field("verifier", &"<redacted>").field("expires_at", &self.expires_at).finish()
    }
}

/// What [`StateStore::take`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Taken {
    /// A waiting sign-in, now used.
    Pending(Pending),
    /// A sign-in that was already finished.
    Used,
    /// Nothing.
    Unknown,
}

/// Where started sign-ins wait for their callback. The default, [`MemoryStateStore`],
/// serves one process; replicas behind a load balancer need a shared one.
pub trait StateStore: Send + Sync + 'static {
    /// Keeps a started sign-in under its `state`.
    fn put<'a>(&'a self, state: &'a str, pending: Pending) -> BoxFuture<'a, ()>;
    /// Takes the sign-in under `state` once: later takes find it [`Taken::Used`] until it
    /// would have expired.
    fn take<'a>(&'a self, state: &'a str) -> BoxFuture<'a, Taken>;
}

/// Started sign-ins in memory; expired ones are dropped as new ones come.
#[derive(Default)]
pub struct MemoryStateStore {
    entries: Mutex<HashMap<String, (Option<Pending>, SystemTime)>>,
}

impl StateStore for MemoryStateStore {
    fn put<'a>(&'a self, state: &'a str, pending: Pending) -> BoxFuture<'a, ()> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let now = SystemTime::now();
        entries.retain(|_, (_, until)| *until > now);
        let until = pending.expires_at;
        entries.insert(state.to_owned(), (Some(pending), until));
        Box::pin(std::future::ready(()))
    }

    fn take<'a>(&'a self, state: &'a str) -> BoxFuture<'a, Taken> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let taken = match entries.get_mut(state) {
            None => Taken::Unknown,
            Some((pending, _)) => pending.take().map_or(Taken::Used, Taken::Pending),
        };
        Box::pin(std::future::ready(taken))
    }
}

impl SignIn {
    /// The flow for `client`'s app, with a redirect URI registered in the developer
    /// console. The authorization server is Feishu's or Lark's accounts host for their
    /// base URLs, else the client's base URL (a local fake, say).
    pub fn new(client: &Client, redirect_uri: impl Into<String>) -> SignIn {
        let base = client.wire().base_url();
        let server = match base {
            crate::FEISHU_BASE_URL => "https://accounts.feishu.cn".to_owned(),
            crate::LARK_BASE_URL => "https://accounts.larksuite.com".to_owned(),
            other => other.to_owned(),
        };
        SignIn {
            client: client.clone(),
            redirect_uri: redirect_uri.into(),
            scope: None,
            server,
            states: Arc::new(MemoryStateStore::default()),
            ttl: STATE_TTL,
        }
    }

    /// The scopes to ask for, space-separated; `offline_access` yields a refresh token.
    pub fn scope(mut self, scope: impl Into<String>) -> SignIn {
        self.scope = Some(scope.into());
        self
    }

    /// The authorization server's scheme and host, e.g. `https://accounts.feishu.cn`.
    pub fn authorization_server(mut self, server: impl Into<String>) -> SignIn {
        self.server = server.into().trim_end_matches('/').to_owned();
        self
    }

    /// Where started sign-ins wait (default: in memory).
    pub fn state_store(mut self, store: impl StateStore) -> SignIn {
        self.states = Arc::new(store);
        self
    }

    /// How long a started sign-in stays valid (default 10 minutes).
    pub fn state_ttl(mut self, ttl: Duration) -> SignIn {
        self.ttl = ttl;
        self
    }

    /// The redirect URI.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Starts a sign-in: a fresh random `state` and PKCE pair, kept until the callback.
    pub async fn start(&self) -> Result<Started> {
        let pkce = Pkce::new()?;
        // A verifier is 32 random bytes, URL-safe: just what a `state` needs to be.
        let state = Pkce::new()?.verifier().to_owned();
        let mut url = self.client.oauth().authorize_url(&self.redirect_uri).state(&state).pkce(&pkce);
        if let Some(scope) = &self.scope {
            url = url.scope(scope);
        }
        let url = url.server(&self.server).build();
        let pending = Pending { verifier: pkce.verifier().to_owned(), expires_at: SystemTime::now() + self.ttl };
        self.states.put(&state, pending).await;
        Ok(Started { url, state })
    }

    /// Finishes a sign-in from its callback; `bound_state` is the `state` this browser
    /// was sent off with (from its cookie). The `state` is used up either way.
    pub async fn finish(&self, bound_state: Option<&str>, callback: &Callback) -> Result<SignedIn, SignInError> {
        let state = callback.state.as_deref().filter(|s| !s.is_empty()).ok_or(SignInError::MissingState)?;
        if bound_state != Some(state) {
            return Err(SignInError::StateMismatch);
        }
        let pending = match self.states.take(state).await {
            Taken::Pending(pending) => pending,
            Taken::Used => return Err(SignInError::ReusedState),
            Taken::Unknown => return Err(SignInError::UnknownState),
        };
        if pending.expires_at <= SystemTime::now() {
            return Err(SignInError::ExpiredState);
        }
        if callback.error.is_some() {
            return Err(SignInError::AccessDenied);
        }
        let code = callback.code.as_deref().filter(|c| !c.is_empty()).ok_or(SignInError::MissingCode)?;
        let token = self
            .client
            .oauth()
            .exchange_code(code, &self.redirect_uri, Some(&pending.verifier))
            .await
            .map_err(SignInError::Exchange)?;
        let user: WebUser = self
            .client
            .call(crate::Request::new(&USER_INFO))
            .user_access_token(token.access_token())
            .await
            .map_err(SignInError::UserInfo)?;
        Ok(SignedIn { user, token })
    }
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_read_from_the_query() {
        let callback = Callback::from_query("code=c%2F1&state=s+1&other=x");
        assert_eq!((callback.code.as_deref(), callback.state.as_deref()), (Some("c/1"), Some("s 1")));
        assert_eq!(Callback::from_query("error=access_denied&state=s").error.as_deref(), Some("access_denied"));
    }

    #[tokio::test]
    async fn a_state_is_taken_once() {
        let store = MemoryStateStore::default();
        let pending = Pending { verifier: "v".to_owned(), expires_at: SystemTime::now() + STATE_TTL };
        store.put("s", pending).await;
        assert!(matches!(store.take("s").await, Taken::Pending(p) if p.verifier == "v"));
        assert!(matches!(store.take("s").await, Taken::Used));
        assert!(matches!(store.take("t").await, Taken::Unknown));
    }
}
