//! The fake server's state and its one axum handler.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::auth::{Tokens, UserState};
use super::control;
use super::fallback::{Caller, FakeFallback};
use super::faults::{self, Fault, FaultRule, Hangup};
use super::request::{FakeRequest, decode};
use super::response::FakeResponse;
use crate::core::endpoint::HttpMethod;

pub(crate) type Handler = Arc<dyn Fn(&FakeRequest) -> FakeResponse + Send + Sync>;

/// A control route added from outside (e.g. pushing events): it may take its time.
pub(crate) type ControlHandler =
    Arc<dyn Fn(FakeRequest) -> Pin<Box<dyn Future<Output = FakeResponse> + Send>> + Send + Sync>;

/// A method and a path template (`:name` matches one segment).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    method: HttpMethod,
    segments: Vec<String>,
}

impl Route {
    pub(crate) fn template(method: HttpMethod, template: &str) -> Self {
        Route { method, segments: template.split('/').map(str::to_owned).collect() }
    }

    /// The decoded placeholder values when `path` fits the template.
    pub(crate) fn matches(&self, method: HttpMethod, path: &str) -> Option<Vec<(String, String)>> {
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

/// A registered route and its handler.
pub(crate) struct Registered {
    pub route: Route,
    pub public: bool,
    pub handler: Handler,
}

/// The route found for a request: its path parameters, whether it skips the token check,
/// and its handler.
struct Found {
    params: Vec<(String, String)>,
    public: bool,
    handler: Handler,
}

pub(crate) struct Shared {
    pub routes: Mutex<Vec<Registered>>,
    /// Control routes beyond the built-in ones, under `/__fake/`.
    pub controls: Mutex<Vec<(Route, ControlHandler)>>,
    pub requests: Mutex<Vec<FakeRequest>>,
    pub tokens: Mutex<Tokens>,
    pub faults: Mutex<Vec<FaultRule>>,
    /// What answers the requests no registered route takes.
    pub fallback: Mutex<Option<Arc<dyn FakeFallback>>>,
    log_ids: AtomicU64,
}

/// Locks even after a panicking test thread poisoned the lock: the data is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(app_id: &str, app_secret: &str) -> Self {
        Shared {
            routes: Mutex::new(Vec::new()),
            controls: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            tokens: Mutex::new(Tokens::new(app_id, app_secret)),
            faults: Mutex::new(Vec::new()),
            fallback: Mutex::new(None),
            log_ids: AtomicU64::new(0),
        }
    }

    pub fn revoke(&self) {
        let mut tokens = lock(&self.tokens);
        tokens.valid.clear();
        tokens.tenants.clear();
    }

    /// The route a request goes to.
    fn find(&self, request: &FakeRequest) -> Option<Found> {
        lock(&self.routes).iter().rev().find_map(|registered| {
            let params = registered.route.matches(request.method, &request.path)?;
            Some(Found { params, public: registered.public, handler: Arc::clone(&registered.handler) })
        })
    }

    /// The added control route a request goes to, with the request's path parameters.
    fn control(&self, request: &FakeRequest) -> Option<(ControlHandler, Vec<(String, String)>)> {
        lock(&self.controls).iter().rev().find_map(|(route, handler)| {
            route.matches(request.method, &request.path).map(|params| (Arc::clone(handler), params))
        })
    }

    /// Answers a request whose path parameters are filled in.
    fn respond(&self, request: &FakeRequest) -> FakeResponse {
        if let Some(reply) = lock(&self.tokens).answer(request) {
            return reply;
        }
        if let Some(reply) = control::answer(self, request) {
            return reply;
        }
        let Some(Found { public, handler, .. }) = self.find(request) else {
            let fallback = lock(&self.fallback).clone();
            if let Some(reply) = fallback.and_then(|f| f.answer(request, &self.caller(request))) {
                return reply;
            }
            let msg = format!(
                "fake Lark has no route for {} {}; register one with FakeLark::route",
                request.method, request.path
            );
            return FakeResponse::api_error(404, &msg).status(404);
        };
        if !public {
            match self.caller(request) {
                Caller::Anonymous => return Caller::missing_token(),
                Caller::Refused(refusal) => return refusal,
                Caller::Tenant | Caller::App | Caller::User(_) => {}
            }
        }
        handler(request)
    }

    /// Who sent the request, as its access token says.
    fn caller(&self, request: &FakeRequest) -> Caller {
        let Some(token) = request.bearer_token() else { return Caller::Anonymous };
        let tokens = lock(&self.tokens);
        if tokens.valid.iter().any(|t| t == token) {
            return if token.starts_with("a-") { Caller::App } else { Caller::Tenant };
        }
        Caller::Refused(match tokens.users.get(token) {
            Some(UserState::Valid) => return Caller::User(tokens.subjects.get(token).cloned()),
            Some(UserState::Expired) => FakeResponse::api_error(99991677, "user access token expired"),
            None if token.starts_with("u-") => {
                FakeResponse::api_error(99991668, "Invalid access token for authorization.")
            }
            None => FakeResponse::api_error(99991663, "Invalid access token for authorization."),
        })
    }

    /// Answers with a fault, if one is armed for this request; `Err` passes the request
    /// (and what to do after handling it) on.
    async fn fault(&self, request: &FakeRequest, hangup: Option<&Hangup>) -> Result<FakeResponse, Option<u16>> {
        let fault = faults::take(&mut lock(&self.faults), request.method, &request.path);
        match fault {
            None => Err(None),
            Some(Fault::Status(status)) => Ok(gateway_page(status)),
            Some(Fault::RateLimit { reset_seconds }) => {
                Ok(FakeResponse::json(json!({"code": 99991400, "msg": "request trigger frequency limit", "error": {}}))
                    .status(429)
                    .header("x-ogw-ratelimit-limit", "50")
                    .header("x-ogw-ratelimit-reset", reset_seconds.to_string()))
            }
            Some(Fault::Delay(wait)) => {
                tokio::time::sleep(wait).await;
                Err(None)
            }
            Some(Fault::Drop) => {
                if let Some(hangup) = hangup {
                    hangup.now();
                }
                Ok(gateway_page(502))
            }
            Some(Fault::RevokeTokens) => {
                self.revoke();
                Err(None)
            }
            Some(Fault::AfterHandling(status)) => Err(Some(status)),
            Some(Fault::Reply(reply)) => Ok(reply),
        }
    }
}

/// What a gateway in front of the platform answers: not a Lark envelope.
fn gateway_page(status: u16) -> FakeResponse {
    let body = format!("<html><body>fake Lark gateway: HTTP {status}</body></html>");
    FakeResponse::binary(body.into_bytes(), "text/html", None).status(status)
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

/// The single axum handler: records the request, applies faults, then answers it.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let seq = shared.log_ids.fetch_add(1, Ordering::SeqCst) + 1;
    let log_id = format!("fake-log-{seq}");
    let hangup = request.extensions().get::<ConnectInfo<Hangup>>().map(|c| c.0.clone());
    let (parts, body) = request.into_parts();
    let reply = match (method(&parts.method), axum::body::to_bytes(body, usize::MAX).await) {
        (Some(method), Ok(body)) => {
            let headers = parts
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let mut recorded = FakeRequest::new(method, parts.uri.path(), parts.uri.query(), headers, body);
            recorded.seq = seq;
            if let Some(found) = shared.find(&recorded) {
                recorded.path_params = found.params;
            }
            // Recorded on arrival, so that every request counts: faulted ones, and those
            // whose client gave up before the reply.
            let control = recorded.path.starts_with("/__fake/");
            if !control {
                lock(&shared.requests).push(recorded.clone());
            }
            // The control API is not the platform: faults never touch it.
            let fault = if control { Err(None) } else { shared.fault(&recorded, hangup.as_ref()).await };
            let added = if control { shared.control(&recorded) } else { None };
            let reply = match (fault, added) {
                (_, Some((handler, params))) => {
                    recorded.path_params = params;
                    handler(recorded.clone()).await
                }
                (Ok(reply), None) => reply,
                (Err(after), None) => {
                    let reply = shared.respond(&recorded);
                    after.map_or(reply, gateway_page)
                }
            };
            if let Some(entry) = lock(&shared.requests).iter_mut().rev().find(|r| !control && r.seq == recorded.seq) {
                entry.reply = Some(reply.summary());
            }
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
