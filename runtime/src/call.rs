//! Calls in flight: per-call options, token choice, the retry on a rejected token.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::decode;
use crate::download::Download;
use crate::endpoint::{Endpoint, ResponseKind, TokenKind};
use crate::error::{Error, Result, TOKEN_INVALID_CODES};
use crate::request::Request;
use crate::secret::Secret;
use crate::token::AppToken;
use crate::transport::{self, Outgoing, Reply};

/// Options set on one call. Not `Debug`: it may hold a user token.
#[derive(Default)]
pub(crate) struct CallOptions {
    user_token: Option<Secret>,
    tenant_key: Option<String>,
    headers: Vec<(String, String)>,
    request_id: Option<String>,
}

/// The same option setters on [`Call`] and [`DownloadCall`].
macro_rules! option_setters {
    () => {
        /// Calls as a user with this user access token. The endpoint must accept user
        /// tokens, otherwise awaiting the call gives [`Error::Config`].
        pub fn user_access_token(mut self, token: impl Into<String>) -> Self {
            self.options.user_token = Some(Secret::new(token.into()));
            self
        }

        /// The tenant to act in. Only app store apps need it (to pick the tenant's
        /// token); self-built apps belong to one tenant and ignore it.
        pub fn tenant_key(mut self, key: impl Into<String>) -> Self {
            self.options.tenant_key = Some(key.into());
            self
        }

        /// Adds an HTTP header, replacing one of ours with the same name.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options.headers.push((name.into(), value.into()));
            self
        }

        /// Sends this id as `X-Request-Id`, to correlate the call with your own logs.
        pub fn request_id(mut self, id: impl Into<String>) -> Self {
            self.options.request_id = Some(id.into());
            self
        }
    };
}

/// A call in flight: set per-request options, then `.await` it.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, T> {
    client: &'c Client,
    request: Request,
    options: CallOptions,
    output: PhantomData<fn() -> T>,
}

impl<'c, T> Call<'c, T> {
    pub(crate) fn new(client: &'c Client, request: Request) -> Self {
        Call { client, request, options: CallOptions::default(), output: PhantomData }
    }

    option_setters!();
}

impl<'c, T: DeserializeOwned + Send + 'static> IntoFuture for Call<'c, T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        let Call { client, request, options, .. } = self;
        Box::pin(async move {
            let endpoint = request.endpoint().id;
            let text = client.call_json(request, options).await?;
            decode::decode(endpoint, &text)
        })
    }
}

/// A file download in flight: set per-request options, then `.await` it.
#[must_use = "a download does nothing until it is awaited"]
pub struct DownloadCall<'c> {
    client: &'c Client,
    request: Request,
    options: CallOptions,
}

impl<'c> DownloadCall<'c> {
    pub(crate) fn new(client: &'c Client, request: Request) -> Self {
        DownloadCall { client, request, options: CallOptions::default() }
    }

    option_setters!();
}

impl<'c> IntoFuture for DownloadCall<'c> {
    type Output = Result<Download>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Download>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let reply = self.client.execute(&self.request, &self.options).await?;
            decode::file(reply, self.request.endpoint())
        })
    }
}

/// Which token a call sends.
#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    User(&'a str),
    App(AppToken),
}

fn choose_auth<'a>(endpoint: &Endpoint, options: &'a CallOptions) -> Result<Auth<'a>> {
    if let Some(token) = &options.user_token {
        if !endpoint.accepts(TokenKind::User) {
            return Err(Error::Config(format!(
                "{} does not accept a user access token; remove `.user_access_token(..)` from the call",
                endpoint.id
            )));
        }
        return Ok(Auth::User(token.expose()));
    }
    Ok(if endpoint.accepts(TokenKind::Tenant) {
        Auth::App(AppToken::Tenant)
    } else if endpoint.accepts(TokenKind::App) {
        Auth::App(AppToken::App)
    } else if endpoint.tokens.is_empty() {
        Auth::None
    } else {
        return Err(Error::Config(format!(
            "{} needs a user access token: set one with `.user_access_token(token)` on the call",
            endpoint.id
        )));
    })
}

fn extra_headers(options: &CallOptions) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    let ids = options.request_id.iter().map(|id| ("x-request-id", id));
    let custom = options.headers.iter().map(|(n, v)| (n.as_str(), v));
    for (name, value) in ids.chain(custom) {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))?;
        // The value is left out of the message: it may be a credential.
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Config(format!("the value of header `{name}` is not a valid header value")))?;
        map.append(header, value);
    }
    Ok(map)
}

impl Client {
    /// Sends a call and returns the JSON text its response type is read from.
    async fn call_json(&self, request: Request, options: CallOptions) -> Result<Box<str>> {
        let endpoint = request.endpoint();
        if endpoint.response == ResponseKind::Binary {
            return Err(Error::Config(format!(
                "{} returns a file: use `Client::download` instead of `Client::call`",
                endpoint.id
            )));
        }
        let reply = self.execute(&request, &options).await?;
        decode::json_text(reply, endpoint)
    }

    /// Does the HTTP work of every call: URL, token, headers, body, and one retry with a
    /// fresh token when the platform rejects a cached one.
    pub(crate) async fn execute(&self, request: &Request, options: &CallOptions) -> Result<Reply> {
        let endpoint = request.endpoint();
        if let Some(message) = &request.encode_error {
            return Err(Error::encode(endpoint.id, message.clone()));
        }
        let auth = choose_auth(endpoint, options)?;
        let url = crate::url::build(&self.inner.base_url, endpoint, &request.path_params, &request.query)?;
        let headers = extra_headers(options)?;
        let mut retried = false;
        loop {
            let token = match auth {
                Auth::None => None,
                Auth::User(token) => Some(token.to_owned()),
                Auth::App(kind) => Some(self.inner.tokens.get(kind, &self.inner).await?),
            };
            let authorization = match token.as_deref() {
                Some(token) => Some(transport::bearer(token).ok_or_else(|| {
                    Error::Config("the access token contains characters not allowed in a header".to_owned())
                })?),
                None => None,
            };
            let reply = transport::send(
                &self.inner.http,
                self.inner.timeout,
                Outgoing {
                    endpoint: endpoint.id,
                    method: endpoint.method,
                    url: &url,
                    authorization,
                    headers: &headers,
                    body: &request.body,
                },
            )
            .await?;
            // The official SDKs keep failing with a revoked token until it expires
            // locally; evicting it and retrying once recovers at the cost of one call.
            if let (Auth::App(kind), Some(token), Some(code)) = (auth, &token, reply.code()) {
                if TOKEN_INVALID_CODES.contains(&code) && !retried {
                    tracing::debug!(endpoint = endpoint.id, code, "token rejected; refreshing");
                    self.inner.tokens.evict(kind, token);
                    retried = true;
                    continue;
                }
            }
            return Ok(reply);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{HttpMethod, Scopes};

    const fn endpoint(tokens: &'static [TokenKind]) -> Endpoint {
        Endpoint {
            id: "t.v1.x.get",
            method: HttpMethod::Get,
            path: "/open-apis/t/v1/x",
            tokens,
            scopes: Scopes::Unknown,
            response: ResponseKind::Data,
            doc_url: "",
        }
    }

    #[test]
    fn token_choice_follows_the_endpoint() {
        let none = CallOptions::default();
        let user = CallOptions { user_token: Some(Secret::new("u-1".to_owned())), ..CallOptions::default() };
        let both = endpoint(&[TokenKind::User, TokenKind::Tenant]);
        let app = endpoint(&[TokenKind::App]);
        let user_only = endpoint(&[TokenKind::User]);
        let public = endpoint(&[]);
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

    #[test]
    fn call_futures_are_send() {
        fn assert_send<F: Future + Send>(_: F) {}
        let client = Client::builder("a", "b").build().unwrap();
        static EP: Endpoint = endpoint(&[]);
        assert_send(client.call::<serde_json::Value>(Request::new(&EP)).into_future());
        assert_send(client.download(Request::new(&EP)).into_future());
    }

    #[test]
    fn bad_headers_are_reported_without_their_value() {
        let options =
            CallOptions { headers: vec![("x-secret".to_owned(), "tok\nen".to_owned())], ..CallOptions::default() };
        let err = extra_headers(&options).unwrap_err().to_string();
        assert!(err.contains("x-secret") && !err.contains("tok"), "{err}");
        let ok = CallOptions { request_id: Some("req-1".to_owned()), ..CallOptions::default() };
        assert_eq!(extra_headers(&ok).unwrap()["x-request-id"], "req-1");
    }
}
