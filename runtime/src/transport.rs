//! One HTTP exchange: send a request, read the whole reply.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::decode::Envelope;
use crate::endpoint::HttpMethod;
use crate::error::{Error, Result};
use crate::request::Body;

/// The platform's request id header, quoted by support when investigating a call.
const LOG_ID: &str = "x-tt-logid";

/// What to send; borrowed so that a retry can send it again.
pub(crate) struct Outgoing<'a> {
    pub endpoint: &'static str,
    pub method: HttpMethod,
    pub url: &'a str,
    /// A ready `Bearer …` header value, marked sensitive.
    pub authorization: Option<HeaderValue>,
    pub headers: &'a HeaderMap,
    pub body: &'a Body,
}

/// A reply read to the end.
pub(crate) struct Reply {
    pub status: u16,
    pub log_id: Option<String>,
    pub content_type: Option<String>,
    pub content_disposition: Option<Vec<u8>>,
    pub body: Bytes,
    /// The body read as a Lark envelope, when it is JSON; `Err` holds why not.
    pub envelope: std::result::Result<Envelope, String>,
}

impl Reply {
    /// The platform's `code`, if the body carries one.
    pub fn code(&self) -> Option<i64> {
        self.envelope.as_ref().ok().and_then(|e| e.code)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Builds the `Authorization` header for a token, marked sensitive so that reqwest and
/// anything printing headers hide it.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

pub(crate) async fn send(http: &reqwest::Client, timeout: Option<Duration>, out: Outgoing<'_>) -> Result<Reply> {
    let mut builder = http.request(out.method.to_reqwest(), out.url);
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder = match out.body {
        Body::None => builder,
        Body::Json(bytes) => builder.header(CONTENT_TYPE, "application/json; charset=utf-8").body(bytes.clone()),
        Body::Multipart(form) => builder.multipart(form.to_reqwest(out.endpoint)?),
    };
    if let Some(auth) = out.authorization {
        builder = builder.header(AUTHORIZATION, auth);
    }
    // Caller headers last, so that they can override ours.
    builder = builder.headers(out.headers.clone());

    let response = builder.send().await.map_err(Error::Transport)?;
    let status = response.status().as_u16();
    let headers = response.headers();
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
    let log_id = text(LOG_ID);
    let content_type = text(CONTENT_TYPE.as_str());
    let content_disposition = headers.get(CONTENT_DISPOSITION).map(|v| v.as_bytes().to_vec());
    tracing::debug!(
        endpoint = out.endpoint,
        method = out.method.as_str(),
        status,
        log_id = log_id.as_deref().unwrap_or(""),
        "lark call"
    );
    let body = response.bytes().await.map_err(Error::Transport)?;
    let envelope = Envelope::parse(content_type.as_deref(), &body);
    Ok(Reply { status, log_id, content_type, content_disposition, body, envelope })
}
