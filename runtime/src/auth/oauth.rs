//! User access tokens through the OAuth authorization-code flow (v2 endpoint), with PKCE.

use std::fmt;
use std::time::{Duration, SystemTime};

use percent_encoding::utf8_percent_encode;
use serde::Deserialize;

use crate::auth::credentials::Credentials;
use crate::auth::pkce::Pkce;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes};
use crate::core::error::{Error, Result};
use crate::core::excerpt::excerpt;
use crate::core::secret::Secret;
use crate::wire::Wire;
use crate::wire::request::Request;
use crate::wire::url::COMPONENT;

const AUTHORIZE_PATH: &str = "/open-apis/authen/v1/authorize";

static OAUTH_TOKEN: Endpoint = Endpoint {
    id: "authen.v2.oauth.token",
    method: HttpMethod::Post,
    path: "/open-apis/authen/v2/oauth/token",
    tokens: &[],
    scopes: Scopes::Known { any: &[], all: &[] },
    response: ResponseKind::Flat,
    doc_url: "",
};

/// The OAuth server's "try again" code; every other refresh failure is final.
const SERVER_BUSY: i64 = 20050;

/// A user's access token, with the refresh token that renews it.
///
/// `Debug` never shows either token. Refresh tokens work once: store the new one after
/// every refresh (see [`RefreshingUserToken::on_refresh`](crate::RefreshingUserToken::on_refresh)).
#[derive(Clone, PartialEq, Eq)]
pub struct UserToken {
    access_token: Secret,
    refresh_token: Option<Secret>,
    expires_at: SystemTime,
    refresh_expires_at: Option<SystemTime>,
    scope: String,
}

impl UserToken {
    /// A token kept from earlier (e.g. loaded from your database).
    pub fn new(access_token: impl Into<String>, refresh_token: Option<String>, expires_at: SystemTime) -> Self {
        UserToken {
            access_token: Secret::new(access_token.into()),
            refresh_token: refresh_token.map(Secret::new),
            expires_at,
            refresh_expires_at: None,
            scope: String::new(),
        }
    }

    /// The access token to send.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// The refresh token, if the app asked for `offline_access`.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(Secret::expose)
    }

    /// When the access token expires.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// When the refresh token expires, if the server said.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }

    /// The granted scopes, space-separated, as the server listed them.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Whether the access token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires_at
    }
}

impl fmt::Debug for UserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserToken")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The OAuth operations of a client; get it with [`Client::oauth`](crate::Client::oauth).
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client, code_from_redirect: String) -> lark_runtime::Result<()> {
/// use lark_runtime::Pkce;
///
/// let pkce = Pkce::new()?;
/// let url = client
///     .oauth()
///     .authorize_url("https://example.com/callback")
///     .scope("contact:user.base:readonly offline_access")
///     .state("csrf-token")
///     .pkce(&pkce)
///     .build();
/// // Send the user to `url`; the platform redirects back with `code` and `state`.
/// # let _ = url;
/// let token = client
///     .oauth()
///     .exchange_code(&code_from_redirect, "https://example.com/callback", Some(pkce.verifier()))
///     .await?;
/// let renewed = client.oauth().refresh(token.refresh_token().unwrap_or_default()).await?;
/// # let _ = renewed;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OAuth<'c> {
    wire: &'c Wire,
    credentials: &'c Credentials,
}

/// The authorization URL under construction; finish with [`build`](Self::build).
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the URL"]
pub struct AuthorizeUrl {
    base: String,
    client_id: String,
    redirect_uri: String,
    scope: Option<String>,
    state: Option<String>,
    challenge: Option<String>,
}

impl AuthorizeUrl {
    /// The scopes to ask for, space-separated (add `offline_access` to get a refresh token).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// An opaque value echoed back on the redirect; check it there to stop CSRF.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// The authorization server's scheme and host (default: the client's base URL); the
    /// platform's are `https://accounts.feishu.cn` and `https://accounts.larksuite.com`.
    pub fn server(mut self, server: impl Into<String>) -> Self {
        self.base = server.into();
        self
    }

    /// Binds the code to this PKCE pair (S256).
    pub fn pkce(mut self, pkce: &Pkce) -> Self {
        self.challenge = Some(pkce.challenge().to_owned());
        self
    }

    /// The URL to send the user to.
    pub fn build(&self) -> String {
        let mut url = format!("{}{AUTHORIZE_PATH}", self.base);
        let mut pairs = vec![
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
        ];
        pairs.extend(self.scope.as_deref().map(|s| ("scope", s)));
        pairs.extend(self.state.as_deref().map(|s| ("state", s)));
        if let Some(challenge) = &self.challenge {
            pairs.push(("code_challenge", challenge));
            pairs.push(("code_challenge_method", "S256"));
        }
        for (i, (name, value)) in pairs.into_iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(name);
            url.push('=');
            url.extend(utf8_percent_encode(value, COMPONENT));
        }
        url
    }
}

#[derive(serde::Serialize)]
struct TokenBody<'a> {
    grant_type: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// The flat v2 reply. No `Debug`: it holds tokens.
#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    refresh_token_expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
}

impl<'c> OAuth<'c> {
    /// The OAuth operations of the app with `credentials`, over `wire`.
    pub(crate) fn new(wire: &'c Wire, credentials: &'c Credentials) -> Self {
        OAuth { wire, credentials }
    }

    /// Starts the authorization URL for a redirect URI registered in the developer console.
    pub fn authorize_url(&self, redirect_uri: impl Into<String>) -> AuthorizeUrl {
        AuthorizeUrl {
            base: self.wire.base_url().to_owned(),
            client_id: self.credentials.app_id.clone(),
            redirect_uri: redirect_uri.into(),
            scope: None,
            state: None,
            challenge: None,
        }
    }

    /// Trades the `code` from the redirect for a user token. Pass the PKCE verifier if the
    /// URL had a challenge. Codes work once, so a failed exchange is not retried unless
    /// the server never saw it.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> Result<UserToken> {
        let body = TokenBody {
            code: Some(code),
            redirect_uri: Some(redirect_uri),
            code_verifier,
            ..self.body("authorization_code")
        };
        self.request_token(&body).await
    }

    /// Trades a refresh token for a new user token (and a new refresh token: each one
    /// works once). Codes 20026, 20037, 20064 and 20073 mean the user has to sign in
    /// again; 20050, a server hiccup, is retried once.
    pub async fn refresh(&self, refresh_token: &str) -> Result<UserToken> {
        let body = TokenBody { refresh_token: Some(refresh_token), ..self.body("refresh_token") };
        match self.request_token(&body).await {
            Err(e) if e.code() == Some(SERVER_BUSY) => {
                tracing::warn!(endpoint = OAUTH_TOKEN.id, "OAuth server error 20050; retrying the refresh once");
                self.request_token(&body).await
            }
            other => other,
        }
    }

    fn body<'a>(&'a self, grant_type: &'a str) -> TokenBody<'a> {
        TokenBody {
            grant_type,
            client_id: &self.credentials.app_id,
            client_secret: self.credentials.app_secret.expose(),
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: None,
        }
    }

    async fn request_token(&self, body: &TokenBody<'_>) -> Result<UserToken> {
        let mut request = Request::new(&OAUTH_TOKEN);
        request.json_body(body);
        let reply = self.wire.fetch(&request).await?;
        let id = OAUTH_TOKEN.id;
        match (&reply.envelope, reply.code()) {
            (Ok(_), Some(0)) => {}
            (Ok(env), Some(_)) => {
                return Err(Error::Token(Box::new(env.api_error(&reply.head, id, OAUTH_TOKEN.scopes))));
            }
            (Err(_), _) if !reply.head.is_success() => {
                let body_excerpt = excerpt(&reply.body);
                return Err(Error::Http { status: reply.head.status, endpoint: id, body_excerpt });
            }
            _ => return Err(Error::decode(id, "the OAuth reply has no `code`", &reply.body)),
        }
        let parsed: TokenReply = serde_json::from_slice(&reply.body).map_err(|e| Error::decode(id, e, &reply.body))?;
        let access = parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::decode(id, "the OAuth reply has no access_token", &reply.body))?;
        let now = SystemTime::now();
        let after = |seconds: i64| now + Duration::from_secs(seconds.max(0).unsigned_abs());
        let expires_in =
            parsed.expires_in.ok_or_else(|| Error::decode(id, "the OAuth reply has no expires_in", &reply.body))?;
        Ok(UserToken {
            access_token: Secret::new(access),
            refresh_token: parsed.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
            expires_at: after(expires_in),
            refresh_expires_at: parsed.refresh_token_expires_in.map(after),
            scope: parsed.scope.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let wire = Wire::new(
            reqwest::Client::new(),
            "http://127.0.0.1:9".to_owned(),
            reqwest::header::HeaderMap::new(),
            None,
            crate::wire::retry::RetryPolicy::default(),
        );
        let credentials = Credentials {
            app_id: "cli_1".to_owned(),
            app_secret: Secret::new("s".to_owned()),
            app_type: crate::auth::credentials::AppType::SelfBuilt,
        };
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let url = OAuth::new(&wire, &credentials)
            .authorize_url("https://app.example/cb?x=1")
            .scope("a:b offline_access")
            .state("s 1")
            .pkce(&pkce)
            .build();
        assert_eq!(
            url,
            "http://127.0.0.1:9/open-apis/authen/v1/authorize?client_id=cli_1&response_type=code\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1&scope=a%3Ab%20offline_access&state=s%201\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        );
        assert!(!url.contains(pkce.verifier()));
    }

    #[test]
    fn user_tokens_hide_their_secrets() {
        let token = UserToken::new("u-secret", Some("ur-secret".to_owned()), SystemTime::now());
        let text = format!("{token:?}");
        assert!(!text.contains("u-secret") && !text.contains("ur-secret"), "{text}");
        assert!(token.expires_within(Duration::from_secs(1)));
        assert_eq!(token.refresh_token(), Some("ur-secret"));
    }
}
