//! The fake's token endpoints: self-built and store-app tokens, the app_ticket, OAuth.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::request::FakeRequest;
use super::response::FakeResponse;
use crate::core::endpoint::HttpMethod;

/// The paths that issue tenant and app tokens.
pub(crate) const TOKEN_PATHS: [&str; 4] = [SELF_TENANT, SELF_APP, STORE_APP, STORE_TENANT];

const SELF_TENANT: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const SELF_APP: &str = "/open-apis/auth/v3/app_access_token/internal";
const STORE_APP: &str = "/open-apis/auth/v3/app_access_token";
const STORE_TENANT: &str = "/open-apis/auth/v3/tenant_access_token";
const TICKET_RESEND: &str = "/open-apis/auth/v3/app_ticket/resend";
const OAUTH_TOKEN: &str = "/open-apis/authen/v2/oauth/token";
/// The authorization page the browser is sent to (on the platform, on its accounts host).
pub(crate) const AUTHORIZE_PAGE: &str = "/open-apis/authen/v1/authorize";

/// What a user token is when the fake checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserState {
    Valid,
    Expired,
}

/// An authorization code handed out by [`FakeLark::authorize`].
struct Grant {
    redirect_uri: String,
    challenge: Option<String>,
    /// Who signed in, when the test said ([`FakeLark::sign_in_as`]).
    subject: Option<String>,
}

/// Every token and ticket the fake has issued.
#[derive(Default)]
pub(crate) struct Tokens {
    issued: u64,
    /// Tenant and app tokens still accepted.
    pub valid: Vec<String>,
    /// Store-app tenant tokens and their tenant.
    pub tenants: HashMap<String, String>,
    pub users: HashMap<String, UserState>,
    /// Who each user token was issued to, when known.
    pub subjects: HashMap<String, String>,
    /// Refresh tokens, whether they were used, and their user.
    refresh: HashMap<String, (bool, Option<String>)>,
    /// Who the next sign-ins are for.
    pub signing_in: Option<String>,
    /// Whether the next sign-in is refused by the user.
    pub deny_next: bool,
    codes: HashMap<String, Grant>,
    pub ticket: Option<String>,
    pub ticket_resends: usize,
    pub expire: u64,
    /// The credentials the token endpoints accept.
    pub app_id: String,
    pub app_secret: String,
}

impl Tokens {
    pub fn new(app_id: &str, app_secret: &str) -> Self {
        Tokens { expire: 7200, app_id: app_id.to_owned(), app_secret: app_secret.to_owned(), ..Tokens::default() }
    }

    fn next(&mut self, prefix: &str) -> String {
        self.issued += 1;
        format!("{prefix}-fake-{}", self.issued)
    }

    pub fn user_token(&mut self) -> String {
        let token = self.next("u");
        self.users.insert(token.clone(), UserState::Valid);
        token
    }

    pub fn new_ticket(&mut self) -> String {
        let ticket = self.next("ticket");
        self.ticket = Some(ticket.clone());
        ticket
    }

    /// Parses an authorization URL built by the client and grants a code for it.
    pub fn authorize(&mut self, url: &str) -> Option<String> {
        let query = url.split_once('?')?.1;
        self.grant(&FakeRequest::new(HttpMethod::Get, "/", Some(query), Vec::new(), bytes::Bytes::new()))
    }

    /// Grants a code for the authorization request's query, if it is for this app.
    fn grant(&mut self, request: &FakeRequest) -> Option<String> {
        if request.query_value("client_id") != Some(self.app_id.as_str())
            || request.query_value("response_type") != Some("code")
        {
            return None;
        }
        if request.query_value("code_challenge").is_some()
            && request.query_value("code_challenge_method") != Some("S256")
        {
            return None;
        }
        let grant = Grant {
            redirect_uri: request.query_value("redirect_uri")?.to_owned(),
            challenge: request.query_value("code_challenge").map(str::to_owned),
            subject: self.signing_in.clone(),
        };
        let code = self.next("code");
        self.codes.insert(code.clone(), grant);
        Some(code)
    }

    /// The authorization page: the user signs in at once (or refuses, when told to) and
    /// the browser goes back to the redirect URI with a code (or `error=access_denied`)
    /// and the `state`.
    fn page(&mut self, request: &FakeRequest) -> FakeResponse {
        let Some(redirect_uri) = request.query_value("redirect_uri").map(str::to_owned) else {
            return FakeResponse::api_error(20004, "redirect_uri is required").status(400);
        };
        let mut back = redirect_uri.clone();
        back.push(if back.contains('?') { '&' } else { '?' });
        if std::mem::take(&mut self.deny_next) {
            back.push_str("error=access_denied");
        } else {
            match self.grant(request) {
                Some(code) => back.push_str(&format!("code={code}")),
                None => return FakeResponse::api_error(20002, "invalid client_id or response_type").status(400),
            }
        }
        if let Some(state) = request.query_value("state") {
            back.push_str(&format!(
                "&state={}",
                percent_encoding::utf8_percent_encode(state, crate::wire::url::COMPONENT)
            ));
        }
        FakeResponse::binary(Vec::new(), "text/html", None).status(302).header("location", back)
    }

    /// Answers the token endpoints and the authorization page; `None` for every other
    /// path.
    pub fn answer(&mut self, request: &FakeRequest) -> Option<FakeResponse> {
        if request.method == HttpMethod::Get && request.path == AUTHORIZE_PAGE {
            return Some(self.page(request));
        }
        if request.method != HttpMethod::Post {
            return None;
        }
        let body = request.json();
        let good_app = body["app_id"] == self.app_id.as_str() && body["app_secret"] == self.app_secret.as_str();
        let bad_app = || FakeResponse::json(json!({"code": 10014, "msg": "app secret invalid"})).status(400);
        Some(match request.path.as_str() {
            SELF_TENANT | SELF_APP | STORE_APP | STORE_TENANT => match request.path.as_str() {
                SELF_TENANT if good_app => self.issue("t", "tenant_access_token", None),
                SELF_APP if good_app => self.issue("a", "app_access_token", None),
                STORE_APP if good_app => match (&self.ticket, body["app_ticket"].as_str()) {
                    (Some(current), Some(sent)) if current == sent => self.issue("a", "app_access_token", None),
                    _ => FakeResponse::json(json!({"code": 10012, "msg": "app_ticket is invalid"})).status(400),
                },
                STORE_TENANT => self.store_tenant(&body),
                _ => bad_app(),
            },
            TICKET_RESEND if good_app => {
                self.ticket_resends += 1;
                FakeResponse::json(json!({"code": 0, "msg": "ok"}))
            }
            TICKET_RESEND => bad_app(),
            OAUTH_TOKEN => self.oauth(&body),
            _ => return None,
        })
    }

    fn issue(&mut self, prefix: &str, field: &str, tenant: Option<&str>) -> FakeResponse {
        let token = self.next(prefix);
        self.valid.push(token.clone());
        if let Some(tenant) = tenant {
            self.tenants.insert(token.clone(), tenant.to_owned());
        }
        FakeResponse::json(json!({"code": 0, "msg": "ok", field: token, "expire": self.expire}))
    }

    fn store_tenant(&mut self, body: &Value) -> FakeResponse {
        let app_token = body["app_access_token"].as_str().unwrap_or_default();
        if !app_token.starts_with("a-") || !self.valid.iter().any(|t| t == app_token) {
            return FakeResponse::api_error(99991664, "app access token invalid");
        }
        match body["tenant_key"].as_str().filter(|t| !t.is_empty()) {
            Some(tenant) => self.issue("t", "tenant_access_token", Some(tenant)),
            None => FakeResponse::api_error(10002, "tenant_key is required"),
        }
    }

    /// The OAuth v2 token endpoint: flat replies, `error` and `error_description` on
    /// failure, single-use codes and refresh tokens.
    fn oauth(&mut self, body: &Value) -> FakeResponse {
        let fail = |code: i64, error: &str| {
            FakeResponse::json(
                json!({"code": code, "error": error, "error_description": format!("fake Lark: {error}")}),
            )
            .status(400)
        };
        if body["client_id"] != self.app_id.as_str() || body["client_secret"] != self.app_secret.as_str() {
            return fail(20002, "invalid_client");
        }
        let subject;
        match body["grant_type"].as_str() {
            Some("authorization_code") => {
                let Some(grant) = body["code"].as_str().and_then(|c| self.codes.remove(c)) else {
                    return fail(20003, "invalid_grant");
                };
                subject = grant.subject.clone();
                if body["redirect_uri"].as_str() != Some(grant.redirect_uri.as_str()) {
                    return fail(20003, "invalid_grant");
                }
                if let Some(challenge) = grant.challenge {
                    let verifier = body["code_verifier"].as_str().unwrap_or_default();
                    if crate::auth::pkce::challenge(verifier) != challenge {
                        return fail(20003, "invalid_grant");
                    }
                }
            }
            Some("refresh_token") => {
                let token = body["refresh_token"].as_str().unwrap_or_default();
                match self.refresh.get_mut(token) {
                    None => return fail(20026, "invalid_grant"),
                    Some((true, _)) => return fail(20073, "invalid_grant"),
                    Some((used, user)) => {
                        *used = true;
                        subject = user.clone();
                    }
                }
            }
            _ => return fail(20001, "unsupported_grant_type"),
        }
        let access = self.user_token();
        if let Some(subject) = &subject {
            self.subjects.insert(access.clone(), subject.clone());
        }
        let refresh = self.next("ur");
        self.refresh.insert(refresh.clone(), (false, subject));
        FakeResponse::json(json!({
            "code": 0,
            "access_token": access,
            "expires_in": self.expire,
            "refresh_token": refresh,
            "refresh_token_expires_in": 604800,
            "token_type": "Bearer",
            "scope": "offline_access",
        }))
    }
}
