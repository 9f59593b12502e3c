//! The per-call executor: the call's options decide the token and settings, the wire
//! sends and retries. Non-generic: 1,600 endpoints share this code.

use std::borrow::Cow;

use crate::auth::token::AppToken;
use crate::client::Client;
use crate::client::options::{CallOptions, UserAuth};
use crate::client::user_token::UserTokenSource;
use crate::core::endpoint::{Target, TokenKind};
use crate::core::error::{Error, Result, TOKEN_INVALID_CODES, USER_TOKEN_CODES};
use crate::wire::exchange::{Authorize, Outcome, Prepared, Settings};
use crate::wire::request::Request;
use crate::wire::transport::Reply;

/// Which token a call sends.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    User(&'a str),
    Source(&'a dyn UserTokenSource),
    App(AppToken),
}

fn choose_auth<'a>(target: &Target<'_>, options: &'a CallOptions) -> Result<Auth<'a>> {
    if let Some(user) = &options.user {
        if !target.accepts(TokenKind::User) {
            return Err(Error::Config(format!(
                "{} does not accept a user access token; remove the user token from the call",
                target.id
            )));
        }
        return Ok(match user {
            UserAuth::Token(token) => Auth::User(token.expose()),
            UserAuth::Source(source) => Auth::Source(source.as_ref()),
        });
    }
    Ok(if target.accepts(TokenKind::Tenant) {
        Auth::App(AppToken::Tenant)
    } else if target.accepts(TokenKind::App) {
        Auth::App(AppToken::App)
    } else if target.tokens.is_empty() {
        Auth::None
    } else {
        return Err(Error::Config(format!(
            "{} needs a user access token: set one with `.user_access_token(token)` on the call",
            target.id
        )));
    })
}

/// The tokens of one call: the client's app tokens or the caller's user token.
struct CallAuth<'a> {
    client: &'a Client,
    auth: Auth<'a>,
    tenant_key: Option<&'a str>,
}

impl Authorize for CallAuth<'_> {
    async fn token(&self) -> Result<Option<Cow<'_, str>>> {
        let client = self.client;
        Ok(match self.auth {
            Auth::None => None,
            Auth::User(token) => Some(Cow::Borrowed(token)),
            Auth::Source(source) => Some(Cow::Owned(source.access_token(client).await?)),
            Auth::App(kind) => Some(Cow::Owned(client.inner.tokens.get(client.wire(), kind, self.tenant_key).await?)),
        })
    }

    async fn renew(&self, endpoint: &'static str, token: &str, code: i64) -> Result<bool> {
        match self.auth {
            // The official SDKs keep failing with a revoked token until it expires
            // locally; evicting it and retrying once recovers at the cost of one call.
            Auth::App(kind) if TOKEN_INVALID_CODES.contains(&code) => {
                tracing::warn!(endpoint, code, "token rejected; retrying with a new one");
                self.client.inner.tokens.evict(kind, self.tenant_key, token).await;
                Ok(true)
            }
            // A source that cannot renew gives the same token back; the rejection is then
            // the error to report.
            Auth::Source(source) if USER_TOKEN_CODES.contains(&code) => {
                let renewed = source.refresh(self.client, token).await? != token;
                if renewed {
                    tracing::warn!(endpoint, code, "user token rejected; retrying with a new one");
                }
                Ok(renewed)
            }
            _ => Ok(false),
        }
    }
}

impl Client {
    /// Builds the URL of a generated request.
    pub(crate) fn prepare<'r>(&self, request: &'r Request) -> Result<Prepared<'r>> {
        self.wire().prepare(request)
    }

    /// Sends a call and reads the whole reply.
    pub(crate) async fn execute_read(&self, call: &Prepared<'_>, options: &CallOptions) -> Result<Reply> {
        let (auth, settings) = self.per_call(call, options)?;
        self.wire().exchange_read(call, &settings, &auth).await
    }

    /// Sends a call with the token and settings its options ask for, until it succeeds,
    /// fails for good, or runs out of attempts. With `stream`, a successful non-JSON reply
    /// is returned unread.
    pub(crate) async fn execute(&self, call: &Prepared<'_>, options: &CallOptions, stream: bool) -> Result<Outcome> {
        let (auth, settings) = self.per_call(call, options)?;
        self.wire().exchange(call, &settings, &auth, stream).await
    }

    /// The token source and the settings a call's options ask for.
    fn per_call<'a>(&'a self, call: &Prepared<'_>, options: &'a CallOptions) -> Result<(CallAuth<'a>, Settings)> {
        let auth = choose_auth(&call.target, options)?;
        let tenant_key = options.tenant_key.as_deref();
        Ok((CallAuth { client: self, auth, tenant_key }, options.settings(self.wire())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{HttpMethod, ResponseKind, Scopes};
    use crate::core::secret::Secret;

    const fn target(tokens: &'static [TokenKind]) -> Target<'static> {
        Target {
            id: "t.v1.x.get",
            method: HttpMethod::Get,
            path: "/open-apis/t/v1/x",
            tokens,
            scopes: Scopes::Unknown,
            response: ResponseKind::Data,
        }
    }

    #[test]
    fn token_choice_follows_the_endpoint() {
        let none = CallOptions::default();
        let user = CallOptions { user: Some(UserAuth::Token(Secret::new("u-1".to_owned()))), ..CallOptions::default() };
        let both = target(&[TokenKind::User, TokenKind::Tenant]);
        let app = target(&[TokenKind::App]);
        let user_only = target(&[TokenKind::User]);
        let public = target(&[]);
        assert!(matches!(choose_auth(&both, &none), Ok(Auth::App(AppToken::Tenant))));
        assert!(matches!(choose_auth(&both, &user), Ok(Auth::User("u-1"))));
        assert!(matches!(choose_auth(&app, &none), Ok(Auth::App(AppToken::App))));
        assert!(matches!(choose_auth(&public, &none), Ok(Auth::None)));
        let missing = choose_auth(&user_only, &none).err().unwrap();
        assert!(missing.to_string().contains(".user_access_token(token)"), "{missing}");
        let refused = choose_auth(&app, &user).err().unwrap();
        assert!(matches!(refused, Error::Config(_)));
        assert!(!refused.to_string().contains("u-1"));
    }
}
