//! One HTTP exchange: send a request, then read the whole reply or hand over its body.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::core::endpoint::HttpMethod;
use crate::core::error::Error;
use crate::wire::envelope::Envelope;
use crate::wire::head::Head;
use crate::wire::request::Body;

/// What to send; borrowed so that a retry can send it again.
pub(crate) struct Outgoing<'a> {
    pub endpoint: &'static str,
    pub method: HttpMethod,
    pub url: &'a str,
    /// A ready `Bearer …` header value, marked sensitive.
    pub authorization: Option<HeaderValue>,
    /// The client's default headers followed by the call's own.
    pub headers: &'a HeaderMap,
    pub body: &'a Body,
    /// For this attempt, reply body included.
    pub timeout: Option<Duration>,
}

/// A reply read to the end.
pub(crate) struct Reply {
    pub head: Head,
    pub body: Bytes,
    /// The body read as a Lark envelope, when it is JSON; `Err` holds why not.
    pub envelope: std::result::Result<Envelope, String>,
}

impl Reply {
    /// The platform's `code`, if the body carries one.
    pub fn code(&self) -> Option<i64> {
        self.envelope.as_ref().ok().and_then(|e| e.code)
    }
}

/// A reply whose body has not been read yet.
pub(crate) struct Response {
    pub head: Head,
    pub inner: reqwest::Response,
}

impl Response {
    /// Reads the whole body.
    pub async fn read(self) -> std::result::Result<Reply, reqwest::Error> {
        let body = self.inner.bytes().await?;
        let envelope = Envelope::parse(self.head.content_type.as_deref(), &body);
        Ok(Reply { head: self.head, body, envelope })
    }
}

/// Builds the `Authorization` header for a token, marked sensitive so that reqwest and
/// anything printing headers hide it.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Why sending failed before any reply.
pub(crate) enum SendError {
    /// The request could not be built (a bad form, a spent reader): not worth retrying.
    Local(Error),
    /// The network failed.
    Network(reqwest::Error),
}

/// Sends the request and waits for the status line and headers.
pub(crate) async fn send(http: &reqwest::Client, out: &Outgoing<'_>) -> std::result::Result<Response, SendError> {
    let mut builder = http.request(out.method.to_reqwest(), out.url);
    if let Some(timeout) = out.timeout {
        builder = builder.timeout(timeout);
    }
    builder = match out.body {
        Body::None => builder,
        Body::Json(bytes) => builder.header(CONTENT_TYPE, "application/json; charset=utf-8").body(bytes.clone()),
        Body::Multipart(form) => builder.multipart(form.to_reqwest(out.endpoint).await.map_err(SendError::Local)?),
    };
    if let Some(auth) = &out.authorization {
        builder = builder.header(AUTHORIZATION, auth.clone());
    }
    // Caller headers last, so that they can override ours.
    builder = builder.headers(out.headers.clone());

    let response = builder.send().await.map_err(SendError::Network)?;
    let head = Head::of(&response);
    tracing::debug!(
        endpoint = out.endpoint,
        method = out.method.as_str(),
        status = head.status,
        log_id = head.log_id.as_deref().unwrap_or(""),
        "lark call"
    );
    Ok(Response { head, inner: response })
}
