//! The status line and headers of a reply: what the runtime reads before the body.

use std::time::Duration;

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderValue};

/// The platform's request id header, quoted by support when investigating a call.
const LOG_ID: &str = "x-tt-logid";

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
    pub(crate) fn of(response: &reqwest::Response) -> Head {
        let headers = response.headers();
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        Head {
            status: response.status().as_u16(),
            log_id: text(LOG_ID),
            content_type: text(CONTENT_TYPE.as_str()),
            content_disposition: headers.get(CONTENT_DISPOSITION).map(|v| v.as_bytes().to_vec()),
            content_length: response.content_length(),
            retry_after: crate::wire::retry::retry_after(headers),
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
