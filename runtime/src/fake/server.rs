//! The fake server's state and its one axum handler.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::FakeLark;
use super::request::{FakeRequest, decode};
use super::response::FakeResponse;
use crate::endpoint::HttpMethod;

pub(crate) type Handler = Arc<dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync>;

pub(crate) struct Route {
    method: HttpMethod,
    segments: Vec<String>,
    public: bool,
    handler: Handler,
}

impl Route {
    pub(crate) fn new(method: HttpMethod, template: &str, public: bool, handler: Handler) -> Self {
        Route { method, segments: template.split('/').map(str::to_owned).collect(), public, handler }
    }

    /// The decoded placeholder values when `path` fits the template.
    fn matches(&self, method: HttpMethod, path: &str) -> Option<Vec<(String, String)>> {
        if method != self.method || path.split('/').count() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (template, actual) in self.segments.iter().zip(path.split('/')) {
            match template.strip_prefix(':') {
                Some(name) if !actual.is_empty() => params.push((name.to_owned(), decode(actual))),
                None if template == actual => {}
                _ => return None,
            }
        }
        Some(params)
    }
}

/// Tokens the fake has issued and still accepts.
#[derive(Default)]
struct Tokens {
    issued: u64,
    valid: Vec<String>,
    users: Vec<String>,
}

pub(crate) struct Shared {
    pub routes: Mutex<Vec<Route>>,
    pub requests: Mutex<Vec<FakeRequest>>,
    tokens: Mutex<Tokens>,
    pub token_requests: AtomicUsize,
    pub token_expire: AtomicU64,
    log_ids: AtomicU64,
}

/// Locks even after a panicking test thread poisoned the lock: the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const APP_TOKEN_PATH: &str = "/open-apis/auth/v3/app_access_token/internal";

impl Shared {
    pub fn new() -> Self {
        Shared {
            routes: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            tokens: Mutex::new(Tokens::default()),
            token_requests: AtomicUsize::new(0),
            token_expire: AtomicU64::new(7200),
            log_ids: AtomicU64::new(0),
        }
    }

    pub fn revoke(&self) {
        lock(&self.tokens).valid.clear();
    }

    pub fn user_token(&self) -> String {
        let mut tokens = lock(&self.tokens);
        tokens.issued += 1;
        let token = format!("u-fake-{}", tokens.issued);
        tokens.users.push(token.clone());
        token
    }

    /// Answers a request and fills in its path parameters.
    fn respond(&self, request: &mut FakeRequest) -> FakeResponse {
        if request.method == HttpMethod::Post {
            match request.path.as_str() {
                TENANT_TOKEN_PATH => return self.issue(request, "t", "tenant_access_token"),
                APP_TOKEN_PATH => return self.issue(request, "a", "app_access_token"),
                _ => {}
            }
        }
        let found = lock(&self.routes).iter().rev().find_map(|route| {
            let params = route.matches(request.method, &request.path)?;
            Some((params, route.public, Arc::clone(&route.handler)))
        });
        let Some((params, public, handler)) = found else {
            let msg = format!(
                "fake Lark has no route for {} {}; register one with FakeLark::route",
                request.method, request.path
            );
            return FakeResponse::api_error(404, &msg).status(404);
        };
        request.path_params = params;
        if !public {
            if let Some(refusal) = self.check_token(request) {
                return refusal;
            }
        }
        handler(request)
    }

    fn check_token(&self, request: &FakeRequest) -> Option<FakeResponse> {
        let Some(token) = request.bearer_token() else {
            return Some(FakeResponse::api_error(
                99991661,
                "Missing access token for authorization. Please make a request with token attached.",
            ));
        };
        let tokens = lock(&self.tokens);
        if tokens.valid.iter().chain(&tokens.users).any(|t| t == token) {
            return None;
        }
        Some(if token.starts_with("u-") {
            FakeResponse::api_error(99991668, "Invalid access token for authorization.")
        } else {
            FakeResponse::api_error(99991663, "Invalid access token for authorization.")
        })
    }

    fn issue(&self, request: &FakeRequest, prefix: &str, field: &str) -> FakeResponse {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        let body = request.json();
        if body["app_id"] != FakeLark::APP_ID || body["app_secret"] != FakeLark::APP_SECRET {
            return FakeResponse::json(json!({"code": 10014, "msg": "app secret invalid"})).status(400);
        }
        let mut tokens = lock(&self.tokens);
        tokens.issued += 1;
        let token = format!("{prefix}-fake-{}", tokens.issued);
        tokens.valid.push(token.clone());
        let expire = self.token_expire.load(Ordering::SeqCst);
        FakeResponse::json(json!({"code": 0, "msg": "ok", field: token, "expire": expire}))
    }
}

fn method(method: &Method) -> Option<HttpMethod> {
    Some(match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => return None,
    })
}

/// The single axum handler: records the request, then answers it.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let log_id = format!("fake-log-{}", shared.log_ids.fetch_add(1, Ordering::SeqCst) + 1);
    let (parts, body) = request.into_parts();
    let reply = match (method(&parts.method), axum::body::to_bytes(body, usize::MAX).await) {
        (Some(method), Ok(body)) => {
            let headers = parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let mut recorded = FakeRequest::new(method, parts.uri.path(), parts.uri.query(), headers, body);
            let reply = shared.respond(&mut recorded);
            lock(&shared.requests).push(recorded);
            reply
        }
        (None, _) => FakeResponse::api_error(405, "method not allowed").status(405),
        (_, Err(_)) => FakeResponse::api_error(400, "unreadable body"),
    };
    into_axum(reply, &log_id)
}

fn into_axum(reply: FakeResponse, log_id: &str) -> Response {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert("x-tt-logid", HeaderValue::from_str(log_id).unwrap_or(HeaderValue::from_static("fake-log")));
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            headers.insert(name, value);
        }
    }
    response
}
