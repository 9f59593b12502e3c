//! The one loop every call goes through: pick the token, send, and on failure refresh the
//! token or retry as the rules allow. Non-generic: 1,600 endpoints share this code.

use std::borrow::Cow;

use crate::client::Client;
use crate::decode;
use crate::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes, TokenKind};
use crate::error::{Error, Result, TOKEN_INVALID_CODES, USER_TOKEN_CODES};
use crate::options::{CallOptions, UserAuth};
use crate::request::{Body, Request};
use crate::retry::{self, Failure, Repeatable};
use crate::token::AppToken;
use crate::transport::{self, Outgoing, Reply, Response, SendError};
use crate::user_token::UserTokenSource;

/// What the loop needs to know about the endpoint; borrowed from a static [`Endpoint`] or
/// from a raw call.
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    pub id: &'static str,
    pub method: HttpMethod,
    pub path: &'a str,
    pub tokens: &'a [TokenKind],
    pub scopes: Scopes,
    pub response: ResponseKind,
}

impl Target<'static> {
    pub(crate) fn of(endpoint: &'static Endpoint) -> Self {
        Target {
            id: endpoint.id,
            method: endpoint.method,
            path: endpoint.path,
            tokens: endpoint.tokens,
            scopes: endpoint.scopes,
            response: endpoint.response,
        }
    }
}

impl Target<'_> {
    fn accepts(&self, kind: TokenKind) -> bool {
        self.tokens.contains(&kind)
    }
}

/// A call ready to send: the URL is built and the body encoded.
pub(crate) struct Prepared<'a> {
    pub target: Target<'a>,
    pub url: String,
    pub body: &'a Body,
    pub retry_safe: bool,
}

/// How a call ended, when it got a reply.
pub(crate) enum Outcome {
    /// The whole reply, read into memory.
    Read(Reply),
    /// A successful file reply whose body is still on the wire.
    Streaming(Response),
}

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

impl Client {
    /// Builds the URL of a generated request.
    pub(crate) fn prepare<'r>(&self, request: &'r Request) -> Result<Prepared<'r>> {
        let endpoint = request.endpoint();
        if let Some(message) = &request.encode_error {
            return Err(Error::encode(endpoint.id, message.clone()));
        }
        let target = Target::of(endpoint);
        let url = crate::url::build(&self.inner.base_url, &target, &request.path_params, &request.query)?;
        Ok(Prepared { target, url, body: &request.body, retry_safe: request.retry_safe })
    }

    /// Sends a generated request and reads the whole reply.
    pub(crate) async fn fetch_reply(&self, request: &Request, options: &CallOptions) -> Result<Reply> {
        self.execute_read(&self.prepare(request)?, options).await
    }

    /// Sends a call and reads the whole reply.
    pub(crate) async fn execute_read(&self, call: &Prepared<'_>, options: &CallOptions) -> Result<Reply> {
        match self.execute(call, options, false).await? {
            Outcome::Read(reply) => Ok(reply),
            // Not produced without `stream`; reading it anyway keeps this total.
            Outcome::Streaming(response) => response.read().await.map_err(Error::Transport),
        }
    }

    /// Sends a call until it succeeds, fails for good, or runs out of attempts. With
    /// `stream`, a successful non-JSON reply is returned unread.
    pub(crate) async fn execute(&self, call: &Prepared<'_>, options: &CallOptions, stream: bool) -> Result<Outcome> {
        let target = &call.target;
        let auth = choose_auth(target, options)?;
        let headers = options.headers(&self.inner.default_headers)?;
        let policy = options.retry.unwrap_or(self.inner.retry);
        let repeat = Repeatable::new(target.method, call.retry_safe || options.retry_safe, call.body.is_replayable());
        let tenant_key = options.tenant_key.as_deref();
        let mut attempt = 1;
        let mut token_renewed = false;
        loop {
            let token = self.token(auth, tenant_key).await?;
            let out = Outgoing {
                endpoint: target.id,
                method: target.method,
                url: &call.url,
                authorization: token.as_deref().map(authorization).transpose()?,
                headers: &headers,
                body: call.body,
                timeout: options.timeout.or(self.inner.timeout),
            };
            let (failure, ended) = match transport::send(&self.inner.http, &out).await {
                Err(SendError::Local(e)) => return Err(e),
                Err(SendError::Network(e)) => (network_failure(&e), Ended::Failed(Error::Transport(e))),
                Ok(response) if stream && response.head.is_success() && !response.head.is_json() => {
                    return Ok(Outcome::Streaming(response));
                }
                Ok(response) => match response.read().await {
                    Err(e) => (Failure::Lost, Ended::Failed(Error::Transport(e))),
                    Ok(reply) => {
                        // Once per call, and never with a body that cannot be sent again.
                        if !token_renewed
                            && repeat.replayable
                            && self.renew_rejected(target.id, auth, token.as_deref(), tenant_key, reply.code()).await?
                        {
                            token_renewed = true;
                            continue;
                        }
                        let head = &reply.head;
                        (
                            Failure::Reply { status: head.status, code: reply.code(), retry_after: head.retry_after },
                            Ended::Reply(reply),
                        )
                    }
                },
            };
            if self.wait_for_retry(target, &policy, failure, attempt, repeat).await {
                attempt += 1;
                continue;
            }
            return match ended {
                _ if refused_replay(&policy, failure, attempt, repeat) => {
                    Err(Error::NotReplayable { endpoint: target.id, source: Box::new(ended.into_error(target)) })
                }
                Ended::Reply(reply) => Ok(Outcome::Read(reply)),
                Ended::Failed(error) => Err(error),
            };
        }
    }

    /// The token for the next attempt.
    async fn token<'a>(&self, auth: Auth<'a>, tenant_key: Option<&str>) -> Result<Option<Cow<'a, str>>> {
        Ok(match auth {
            Auth::None => None,
            Auth::User(token) => Some(Cow::Borrowed(token)),
            Auth::Source(source) => Some(Cow::Owned(source.access_token(self).await?)),
            Auth::App(kind) => Some(Cow::Owned(self.inner.tokens.get(self, kind, tenant_key).await?)),
        })
    }

    /// When the platform rejected the token we sent, arranges a new one for the next
    /// attempt; returns whether it did.
    async fn renew_rejected(
        &self,
        endpoint: &'static str,
        auth: Auth<'_>,
        token: Option<&str>,
        tenant_key: Option<&str>,
        code: Option<i64>,
    ) -> Result<bool> {
        let (Some(token), Some(code)) = (token, code) else {
            return Ok(false);
        };
        match auth {
            // The official SDKs keep failing with a revoked token until it expires
            // locally; evicting it and retrying once recovers at the cost of one call.
            Auth::App(kind) if TOKEN_INVALID_CODES.contains(&code) => {
                tracing::warn!(endpoint, code, "token rejected; retrying with a new one");
                self.inner.tokens.evict(kind, tenant_key, token).await;
                Ok(true)
            }
            // A source that cannot renew gives the same token back; the rejection is then
            // the error to report.
            Auth::Source(source) if USER_TOKEN_CODES.contains(&code) => {
                let renewed = source.refresh(self, token).await? != token;
                if renewed {
                    tracing::warn!(endpoint, code, "user token rejected; retrying with a new one");
                }
                Ok(renewed)
            }
            _ => Ok(false),
        }
    }

    /// Decides on a retry, and if there is one logs it and waits; returns whether to retry.
    async fn wait_for_retry(
        &self,
        target: &Target<'_>,
        policy: &retry::RetryPolicy,
        failure: Failure,
        attempt: u32,
        repeat: Repeatable,
    ) -> bool {
        let Some((wait, reason)) = retry::decide(policy, failure, attempt, repeat) else {
            return false;
        };
        let status = match failure {
            Failure::Reply { status, .. } => status,
            _ => 0,
        };
        // Never the token or the body: only what identifies the call and the failure.
        tracing::warn!(
            endpoint = target.id,
            attempt,
            wait_ms = wait.as_millis() as u64,
            status,
            reason,
            "retrying lark call"
        );
        tokio::time::sleep(wait).await;
        true
    }
}

/// How an attempt that was not handed over as a stream ended.
enum Ended {
    Reply(Reply),
    Failed(Error),
}

impl Ended {
    /// The error to report: a reply that is one, or the failure itself.
    fn into_error(self, target: &Target<'_>) -> Error {
        match self {
            Ended::Failed(error) => error,
            Ended::Reply(reply) => {
                decode::check(&reply, target.id, target.scopes).err().unwrap_or_else(|| Error::Http {
                    status: reply.head.status,
                    endpoint: target.id,
                    body_excerpt: crate::excerpt::excerpt(&reply.body),
                })
            }
        }
    }
}

/// The `Authorization` header for a token.
fn authorization(token: &str) -> Result<reqwest::header::HeaderValue> {
    transport::bearer(token)
        .ok_or_else(|| Error::Config("the access token contains characters not allowed in a header".to_owned()))
}

/// Whether the failure would have been retried but for a body that cannot be resent.
fn refused_replay(policy: &retry::RetryPolicy, failure: Failure, attempt: u32, repeat: Repeatable) -> bool {
    !repeat.replayable && retry::decide(policy, failure, attempt, Repeatable { replayable: true, ..repeat }).is_some()
}

fn network_failure(error: &reqwest::Error) -> Failure {
    // A refused or failed connect sent nothing, so any method may be retried.
    if error.is_connect() { Failure::Connect } else { Failure::Lost }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
