//! Calls to endpoints the catalogue lacks, with the same tokens, retries and errors.

use std::borrow::Cow;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::client::options::{CallOptions, option_setters};
use crate::core::endpoint::{HttpMethod, ResponseKind, Scopes, Target, TokenKind};
use crate::core::error::{Error, Result};
use crate::wire::decode;
use crate::wire::download::{Download, DownloadStream};
use crate::wire::exchange::Prepared;
use crate::wire::request::Body;
use crate::wire::upload::Form;

/// A call built by hand; get one with [`Client::raw`].
///
/// By default it sends a tenant token and reads the reply's `data`; change that with
/// [`tokens`](Self::tokens) and [`response`](Self::response). Errors name the endpoint by
/// its path template.
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client) -> lark_runtime::Result<()> {
/// use lark_runtime::{HttpMethod, TokenKind};
///
/// let chat: serde_json::Value = client
///     .raw(HttpMethod::Get, "/open-apis/im/v1/chats/:chat_id")
///     .path_param("chat_id", "oc_123")
///     .query("user_id_type", "open_id")
///     .tokens(&[TokenKind::Tenant, TokenKind::User])
///     .send()
///     .await?;
/// # let _ = chat;
/// # Ok(())
/// # }
/// ```
#[must_use = "a raw call does nothing until it is sent"]
pub struct RawCall<'c> {
    client: &'c Client,
    method: HttpMethod,
    path: Cow<'static, str>,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Body,
    encode_error: Option<String>,
    tokens: Cow<'static, [TokenKind]>,
    response: ResponseKind,
    options: CallOptions,
}

/// The endpoint id of raw calls whose path is not a `&'static str`.
const RAW_ID: &str = "raw call";

impl Client {
    /// Starts a call to `path` (a template such as `/open-apis/x/v1/things/:id`, relative
    /// to the base URL) for an endpoint the generated API does not have.
    pub fn raw(&self, method: HttpMethod, path: impl Into<Cow<'static, str>>) -> RawCall<'_> {
        RawCall {
            client: self,
            method,
            path: path.into(),
            path_params: Vec::new(),
            query: Vec::new(),
            body: Body::None,
            encode_error: None,
            tokens: Cow::Borrowed(&[TokenKind::Tenant]),
            response: ResponseKind::Data,
            options: CallOptions::default(),
        }
    }
}

impl<'c> RawCall<'c> {
    option_setters!();

    /// Fills the `:name` placeholder of the path; the value is percent-encoded as one
    /// segment.
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.push((name.into(), value.into()));
        self
    }

    /// Appends a query parameter (repeat it for arrays).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Body::Json(Bytes::from(bytes)),
            Err(e) => self.encode_error = Some(format!("the JSON body does not serialise: {e}")),
        }
        self
    }

    /// Sends a `multipart/form-data` body.
    pub fn multipart(mut self, form: Form) -> Self {
        self.body = Body::Multipart(form);
        self
    }

    /// The token kinds the endpoint accepts (default: tenant). With several, a user token
    /// set on the call is used, else a tenant token, else an app token; none sends no
    /// `Authorization` header.
    pub fn tokens(mut self, tokens: &[TokenKind]) -> Self {
        self.tokens = Cow::Owned(tokens.to_vec());
        self
    }

    /// How the reply is laid out (default: `{code, msg, data}`, read from `data`).
    pub fn response(mut self, kind: ResponseKind) -> Self {
        self.response = kind;
        self
    }

    fn target(&self) -> Target<'_> {
        let id = match &self.path {
            Cow::Borrowed(path) => path,
            Cow::Owned(_) => RAW_ID,
        };
        let scopes = Scopes::Unknown;
        Target { id, method: self.method, path: &self.path, tokens: &self.tokens, scopes, response: self.response }
    }

    fn prepare(&self) -> Result<Prepared<'_>> {
        let target = self.target();
        if let Some(message) = &self.encode_error {
            return Err(Error::encode(target.id, message.clone()));
        }
        let url = self.client.wire().url(&target, &self.path_params, &self.query)?;
        Ok(Prepared { target, url, body: &self.body, retry_safe: false })
    }

    /// Sends the call and reads the reply as `T` (`serde_json::Value` for anything).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T> {
        let prepared = self.prepare()?;
        let text = self.client.call_json(&prepared, &self.options).await?;
        decode::decode(prepared.target.id, &text)
    }

    /// Sends the call and reads a file reply into memory.
    pub async fn download(self) -> Result<Download> {
        let prepared = self.prepare()?;
        let reply = self.client.execute_read(&prepared, &self.options).await?;
        decode::file(reply, &prepared.target)
    }

    /// Sends the call and streams a file reply.
    pub async fn download_stream(self) -> Result<DownloadStream> {
        self.client.open_stream(&self.prepare()?, &self.options).await
    }
}

impl std::fmt::Debug for RawCall<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawCall")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body", &format_args!("{}", self.body.describe()))
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}
