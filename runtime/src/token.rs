//! Tenant and app access tokens: fetched on demand, cached, refreshed early, fetched once
//! however many calls wait for them, and evicted when the platform rejects them.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use tokio::time::Instant;

use crate::client::{AppType, ClientInner};
use crate::endpoint::{HttpMethod, Scopes};
use crate::error::{Error, Result};
use crate::excerpt::excerpt;
use crate::request::Body;
use crate::transport::{self, Outgoing};

/// A token the client fetches by itself, as opposed to a user token the caller supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppToken {
    Tenant,
    App,
}

impl AppToken {
    fn endpoint_id(self) -> &'static str {
        match self {
            AppToken::Tenant => "auth.v3.tenant_access_token.internal",
            AppToken::App => "auth.v3.app_access_token.internal",
        }
    }

    fn path(self) -> &'static str {
        match self {
            AppToken::Tenant => "/open-apis/auth/v3/tenant_access_token/internal",
            AppToken::App => "/open-apis/auth/v3/app_access_token/internal",
        }
    }
}

/// Refresh this long before expiry; the platform keeps handing out the same token until
/// 30 minutes remain, and the official SDKs refresh 3 to 10 minutes early.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// How long a token that lives `expire` seconds is used before fetching a new one:
/// until five minutes remain, or half its life if it is that short.
pub(crate) fn use_for(expire: Duration) -> Duration {
    expire - REFRESH_MARGIN.min(expire / 2)
}

/// The cached tenant and app tokens of one client.
#[derive(Default)]
pub(crate) struct TokenCache {
    tenant: Slot,
    app: Slot,
}

#[derive(Default)]
struct Slot {
    current: Mutex<Option<Cached>>,
    /// Held while fetching, so concurrent callers wait for one fetch and share its token.
    refresh: tokio::sync::Mutex<()>,
}

struct Cached {
    token: String,
    refresh_at: Instant,
}

impl Slot {
    fn fresh(&self) -> Option<String> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|c| Instant::now() < c.refresh_at).map(|c| c.token.clone())
    }
}

impl TokenCache {
    fn slot(&self, kind: AppToken) -> &Slot {
        match kind {
            AppToken::Tenant => &self.tenant,
            AppToken::App => &self.app,
        }
    }

    /// A valid token of this kind, fetched if the cache has none.
    pub(crate) async fn get(&self, kind: AppToken, client: &ClientInner) -> Result<String> {
        let slot = self.slot(kind);
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let _fetching = slot.refresh.lock().await;
        // Whoever held the lock before us may have fetched one already.
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let (token, expire) = fetch(kind, client).await?;
        let cached = Cached { token: token.clone(), refresh_at: Instant::now() + use_for(expire) };
        *slot.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(cached);
        Ok(token)
    }

    /// Forgets `token` if it is still the cached one; a token another caller has already
    /// replaced is left alone.
    pub(crate) fn evict(&self, kind: AppToken, token: &str) {
        let mut current = self.slot(kind).current.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_some_and(|c| c.token == token) {
            *current = None;
        }
    }
}

/// The flat reply of the token endpoints. No `Debug`: it holds a token.
#[derive(Deserialize)]
struct TokenReply {
    #[serde(default)]
    tenant_access_token: Option<String>,
    #[serde(default)]
    app_access_token: Option<String>,
    #[serde(default)]
    expire: Option<i64>,
}

#[derive(serde::Serialize)]
struct Credentials<'a> {
    app_id: &'a str,
    app_secret: &'a str,
}

/// Asks the platform for a token; returns it with its lifetime.
async fn fetch(kind: AppToken, client: &ClientInner) -> Result<(String, Duration)> {
    let endpoint = kind.endpoint_id();
    if client.app_type == AppType::Store {
        return Err(Error::Config(
            "store apps need an app_ticket, which this version cannot handle yet; use AppType::SelfBuilt".to_owned(),
        ));
    }
    let body = serde_json::to_vec(&Credentials { app_id: &client.app_id, app_secret: client.app_secret.expose() })
        .map_err(|e| Error::encode(endpoint, e.to_string()))?;
    let url = format!("{}{}", client.base_url, kind.path());
    let reply = transport::send(
        &client.http,
        client.timeout,
        Outgoing {
            endpoint,
            method: HttpMethod::Post,
            url: &url,
            authorization: None,
            headers: &HeaderMap::new(),
            body: &Body::Json(body.into()),
        },
    )
    .await?;
    let envelope = match &reply.envelope {
        Ok(env) => env,
        Err(_) if !reply.is_success() => {
            return Err(Error::Http { status: reply.status, endpoint, body_excerpt: excerpt(&reply.body) });
        }
        Err(message) => return Err(Error::decode(endpoint, message, &reply.body)),
    };
    let decode_error = |message: &str| Error::decode(endpoint, message, &reply.body);
    match envelope.code {
        Some(0) => {}
        Some(_) => {
            let none_needed = Scopes::Known { any: &[], all: &[] };
            let error = envelope.api_error(&reply, endpoint, none_needed);
            return Err(Error::Token(Box::new(error)));
        }
        None => return Err(decode_error("the token reply has no `code`")),
    }
    let parsed: TokenReply = serde_json::from_slice(&reply.body).map_err(|e| decode_error(&e.to_string()))?;
    let token = match kind {
        AppToken::Tenant => parsed.tenant_access_token,
        AppToken::App => parsed.app_access_token,
    }
    .filter(|t| !t.is_empty())
    .ok_or_else(|| decode_error("the token reply has no token"))?;
    let expire = parsed.expire.ok_or_else(|| decode_error("the token reply has no `expire`"))?;
    Ok((token, Duration::from_secs(expire.max(0).unsigned_abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_five_minutes_early_or_at_half_life() {
        let s = Duration::from_secs;
        assert_eq!(use_for(s(7200)), s(6900));
        assert_eq!(use_for(s(600)), s(300));
        assert_eq!(use_for(s(400)), s(200));
        assert_eq!(use_for(s(0)), s(0));
    }
}
