//! One HTTP exchange: send a request, then read the whole reply or hand over its body.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::decode::Envelope;
use crate::endpoint::HttpMethod;
use crate::error::Error;
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
    /// The client's default headers followed by the call's own.
    pub headers: &'a HeaderMap,
    pub body: &'a Body,
    /// For this attempt, reply body included.
    pub timeout: Option<Duration>,
}

/// The status line and headers of a reply.
pub(crate) struct Head {
    pub status: u16,
    pub log_id: Option<String>,
    pub content_type: Option<String>,
    pub content_disposition: Option<Vec<u8>>,
    pub content_length: Option<u64>,
    /// The rate-limit reset the server asked for.
    pub retry_after: Option<Duration>,
}

impl Head {
    fn of(response: &reqwest::Response) -> Head {
        let headers = response.headers();
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        Head {
            status: response.status().as_u16(),
            log_id: text(LOG_ID),
            content_type: text(CONTENT_TYPE.as_str()),
            content_disposition: headers.get(CONTENT_DISPOSITION).map(|v| v.as_bytes().to_vec()),
            content_length: response.content_length(),
            retry_after: crate::retry::retry_after(headers),
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the body is (or claims to be) JSON, i.e. an envelope rather than a file.
    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| t.contains("json"))
    }
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
