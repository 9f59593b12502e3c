//! Asking the platform for a tenant or app token, and reading its flat reply.

use std::time::Duration;

use serde::Deserialize;

use super::{AppToken, TokenManager};
use crate::auth::credentials::{AppType, Credentials};
use crate::core::BoxFuture;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes};
use crate::core::error::{Error, Result};
use crate::core::excerpt::excerpt;
use crate::wire::Wire;
use crate::wire::request::Request;

/// A token endpoint: no token of its own, a flat reply, no scopes.
const fn token_endpoint(id: &'static str, path: &'static str) -> Endpoint {
    Endpoint {
        id,
        method: HttpMethod::Post,
        path,
        tokens: &[],
        scopes: Scopes::Known { any: &[], all: &[] },
        response: ResponseKind::Flat,
        doc_url: "",
    }
}

static SELF_BUILT_TENANT: Endpoint =
    token_endpoint("auth.v3.tenant_access_token.internal", "/open-apis/auth/v3/tenant_access_token/internal");
static SELF_BUILT_APP: Endpoint =
    token_endpoint("auth.v3.app_access_token.internal", "/open-apis/auth/v3/app_access_token/internal");
pub(super) static STORE_APP: Endpoint =
    token_endpoint("auth.v3.app_access_token.create", "/open-apis/auth/v3/app_access_token");
pub(super) static STORE_TENANT: Endpoint =
    token_endpoint("auth.v3.tenant_access_token.create", "/open-apis/auth/v3/tenant_access_token");
pub(super) static TICKET_RESEND: Endpoint =
    token_endpoint("auth.v3.app_ticket.resend", "/open-apis/auth/v3/app_ticket/resend");

/// The body that identifies the app to the token endpoints.
#[derive(serde::Serialize)]
pub(super) struct AppCredentials<'a> {
    pub app_id: &'a str,
    pub app_secret: &'a str,
}

impl<'a> AppCredentials<'a> {
    pub(super) fn of(credentials: &'a Credentials) -> Self {
        AppCredentials { app_id: &credentials.app_id, app_secret: credentials.app_secret.expose() }
    }
}

impl TokenManager {
    /// Fetches a token and its lifetime. Boxed because a store app's tenant token needs an
    /// app token, whose fetch is this one again.
    pub(super) fn fetch<'a>(
        &'a self,
        wire: &'a Wire,
        kind: AppToken,
        tenant_key: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(String, Duration)>> {
        Box::pin(async move {
            let credentials = AppCredentials::of(self.credentials());
            match (self.credentials().app_type, kind) {
                (AppType::SelfBuilt, AppToken::Tenant) => {
                    post_for_token(wire, &SELF_BUILT_TENANT, kind, &credentials).await
                }
                (AppType::SelfBuilt, AppToken::App) => post_for_token(wire, &SELF_BUILT_APP, kind, &credentials).await,
                (AppType::Store, AppToken::App) => self.store_app_token(wire).await,
                (AppType::Store, AppToken::Tenant) => {
                    // The manager only asks for a store tenant token with a tenant key.
                    let tenant = tenant_key.unwrap_or_default();
                    self.store_tenant_token(wire, tenant).await
                }
            }
        })
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

/// Posts `body` to a token endpoint; a non-zero code becomes [`Error::Token`].
pub(super) async fn post_for_token(
    wire: &Wire,
    endpoint: &'static Endpoint,
    kind: AppToken,
    body: &impl serde::Serialize,
) -> Result<(String, Duration)> {
    let reply = post(wire, endpoint, body).await?;
    let id = endpoint.id;
    let decode_error = |message: &str| Error::decode(id, message, &reply);
    let parsed: TokenReply = serde_json::from_slice(&reply).map_err(|e| decode_error(&e.to_string()))?;
    let token = match kind {
        AppToken::Tenant => parsed.tenant_access_token,
        AppToken::App => parsed.app_access_token,
    }
    .filter(|t| !t.is_empty())
    .ok_or_else(|| decode_error("the token reply has no token"))?;
    let expire = parsed.expire.ok_or_else(|| decode_error("the token reply has no `expire`"))?;
    Ok((token, Duration::from_secs(expire.max(0).unsigned_abs())))
}

/// Posts `body` (retried like an idempotent call: asking for a token twice is harmless)
/// and returns the reply body once its code is 0.
pub(super) async fn post(
    wire: &Wire,
    endpoint: &'static Endpoint,
    body: &impl serde::Serialize,
) -> Result<bytes::Bytes> {
    let mut request = Request::new(endpoint);
    request.json_body(body);
    request.set_retry_safe();
    let reply = wire.fetch(&request).await?;
    let id = endpoint.id;
    let envelope = match &reply.envelope {
        Ok(env) => env,
        Err(_) if !reply.head.is_success() => {
            return Err(Error::Http { status: reply.head.status, endpoint: id, body_excerpt: excerpt(&reply.body) });
        }
        Err(message) => return Err(Error::decode(id, message, &reply.body)),
    };
    match envelope.code {
        Some(0) => Ok(reply.body),
        Some(_) => Err(Error::Token(Box::new(envelope.api_error(&reply.head, id, endpoint.scopes)))),
        None => Err(Error::decode(id, "the token reply has no `code`", &reply.body)),
    }
}
