//! The JSAPI configuration of a page: a cached `jsapi_ticket`, a fresh nonce, a
//! millisecond timestamp and the SHA-1 signature over them and the page's URL.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::digest;
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::auth::token::cache::CachedKind;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes, TokenKind};
use crate::core::error::{Error, Result};
use crate::wire::request::Request;

/// `POST /open-apis/jssdk/ticket/get`: a `jsapi_ticket`, with a tenant token.
pub static JSAPI_TICKET: Endpoint = Endpoint {
    id: "jssdk.ticket.get",
    method: HttpMethod::Post,
    path: "/open-apis/jssdk/ticket/get",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Known { any: &[], all: &[] },
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/authentication-management/access-token/authorization",
};

/// What a page passes to `h5sdk.config` (serialized with the JSAPI's own key names:
/// `appId`, `timestamp`, `nonceStr`, `signature`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JsapiConfig {
    /// The app id.
    #[serde(rename = "appId")]
    pub app_id: String,
    /// Milliseconds since the epoch.
    pub timestamp: u64,
    /// A fresh random string.
    #[serde(rename = "nonceStr")]
    pub nonce_str: String,
    /// Lowercase hex SHA-1, see [`signature`].
    pub signature: String,
}

/// The JSAPI operations of a client; from [`Client::jsapi`].
#[derive(Debug, Clone, Copy)]
pub struct Jsapi<'c> {
    client: &'c Client,
}

#[derive(Deserialize)]
struct TicketData {
    ticket: String,
    expire_in: u64,
}

impl Client {
    /// The JSAPI ticket and page configurations of this app.
    pub fn jsapi(&self) -> Jsapi<'_> {
        Jsapi { client: self }
    }
}

impl Jsapi<'_> {
    /// The `jsapi_ticket`: from the client's token cache while fresh, else fetched once
    /// for all concurrent callers (and, with a shared cache, for all replicas).
    pub async fn ticket(self) -> Result<String> {
        let tokens = &self.client.inner.tokens;
        let key = tokens.key_of(CachedKind::JsapiTicket, None);
        tokens
            .cached(&key, || async {
                let data: TicketData = self.client.call(Request::new(&JSAPI_TICKET)).await?;
                if data.ticket.is_empty() {
                    return Err(Error::decode(JSAPI_TICKET.id, "the reply has an empty ticket", b""));
                }
                tracing::info!(expires_in_s = data.expire_in, "fetched a jsapi_ticket");
                Ok((data.ticket, Duration::from_secs(data.expire_in)))
            })
            .await
    }

    /// The configuration for the page at `page_url` (its `#fragment` is dropped, as the
    /// page's own `location.href` must be signed without it), with a fresh nonce and the
    /// current time.
    pub async fn config(self, page_url: &str) -> Result<JsapiConfig> {
        let ticket = self.ticket().await?;
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let nonce_str = crate::core::random::hex(16);
        let signature = signature(&ticket, &nonce_str, timestamp, page_url);
        Ok(JsapiConfig { app_id: self.client.credentials().app_id.clone(), timestamp, nonce_str, signature })
    }
}

/// The documented signature: lowercase hex SHA-1 of
/// `jsapi_ticket=T&noncestr=N&timestamp=MS&url=U`, keys in that order, values as they
/// are (not escaped), the URL without its `#fragment`.
pub fn signature(ticket: &str, nonce: &str, timestamp_ms: u64, page_url: &str) -> String {
    let url = page_url.split_once('#').map_or(page_url, |(before, _)| before);
    let text = format!("jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp_ms}&url={url}");
    let hash = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    crate::core::hex::hex(hash.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_is_not_signed_and_the_hash_is_sha1_hex() {
        let a = signature("t1", "n1", 1_700_000_000_000, "https://app.example/p?q=1#section");
        let b = signature("t1", "n1", 1_700_000_000_000, "https://app.example/p?q=1");
        assert_eq!(a, b);
        // `printf %s 'jsapi_ticket=t1&noncestr=n1&timestamp=1700000000000&url=https://app.example/p?q=1' | sha1sum`
        assert_eq!(a, "6bfa952fda614bad515ff2292a28976e0155a75f");
    }
}
