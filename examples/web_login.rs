//! A web app that signs users in with Lark and signs JSAPI configurations for its pages.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=... LARK_PUBLIC_URL=https://app.example \
//!     cargo run --example web_login
//! ```
//!
//! Serves on `LARK_LISTEN` (default `127.0.0.1:3000`):
//! - `/`: "Sign in with Lark", or the signed-in user's name and open_id;
//! - `/login`: redirects to the authorization page, with a `state` and PKCE;
//! - `/callback`: finishes the sign-in and redirects to `/`; a refused or failed sign-in
//!   gets an error page (4xx, or 502 when the platform failed) and no session;
//! - `/jsapi-config?url=…`: the JSAPI configuration for that page URL, as JSON with the
//!   keys `appId`, `timestamp`, `nonceStr` and `signature`.
//!
//! Settings: `LARK_APP_ID`, `LARK_APP_SECRET`, `LARK_BASE_URL` as in the other examples;
//! `LARK_AUTH_URL`, the authorization server's scheme and host (default
//! `https://accounts.feishu.cn`; `/open-apis/authen/v1/authorize` is appended), so it runs
//! against a local fake; `LARK_PUBLIC_URL`, the public base of the redirect URI (default
//! `http://<LARK_LISTEN>`, so the URI is `http://<LARK_LISTEN>/callback`); and
//! `LARK_COOKIE_KEY`, which signs the session cookie (`HttpOnly`, `SameSite=Lax`; a random
//! key per start when unset, which signs everyone out on restart).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use lark_sdk::runtime::web::{self, SignIn, SignInError, SignedIn, WebUser};
use ring::hmac;

/// The session cookie: a random id and its HMAC.
const SESSION_COOKIE: &str = "lark_session";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("web_login: {e}");
        std::process::exit(1);
    }
}

/// What the app keeps: its client, who is signed in under which session, the cookie key.
#[derive(Clone)]
struct App {
    client: lark_sdk::runtime::Client,
    sessions: Arc<Mutex<HashMap<String, WebUser>>>,
    key: Arc<hmac::Key>,
    /// Whether the app is served over HTTPS, so that its cookie is `Secure`.
    https: bool,
}

async fn run() -> Result<(), String> {
    lark_examples::log_to_stderr();
    let client = lark_examples::client_from_env().await?;
    let listen = lark_examples::listen_address();
    let public = std::env::var("LARK_PUBLIC_URL").unwrap_or_else(|_| format!("http://{listen}"));
    let auth = std::env::var("LARK_AUTH_URL").unwrap_or_else(|_| "https://accounts.feishu.cn".to_owned());
    let key = match std::env::var("LARK_COOKIE_KEY") {
        Ok(key) if !key.is_empty() => hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes()),
        _ => hmac::Key::generate(hmac::HMAC_SHA256, &ring::rand::SystemRandom::new())
            .map_err(|_| "no random cookie key: set LARK_COOKIE_KEY".to_owned())?,
    };
    let https = public.starts_with("https://");
    let app = App { client: client.runtime().clone(), sessions: Arc::default(), key: Arc::new(key), https };
    let signin =
        SignIn::new(client.runtime(), format!("{}/callback", public.trim_end_matches('/'))).authorization_server(auth);
    let finishing = app.clone();
    let router =
        axum::Router::new().route("/", get(home)).route("/jsapi-config", get(jsapi_config)).with_state(app).merge(
            web::axum::routes(signin, move |outcome| {
                let app = finishing.clone();
                async move { app.finish(outcome) }
            }),
        );
    lark_examples::serve(router, &["/"]).await
}

impl App {
    /// A signed-in user gets a session and goes home; a refusal gets an error page.
    fn finish(&self, outcome: Result<SignedIn, SignInError>) -> Response {
        match outcome {
            Ok(signed_in) => {
                let Some(id) = random_id() else {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "no randomness for a session id").into_response();
                };
                let tag = hex(hmac::sign(&self.key, id.as_bytes()).as_ref());
                self.sessions.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), signed_in.user);
                let secure = if self.https { "; Secure" } else { "" };
                let cookie = format!("{SESSION_COOKIE}={id}.{tag}; Path=/; HttpOnly; SameSite=Lax{secure}");
                (StatusCode::SEE_OTHER, [(LOCATION, "/".to_owned()), (SET_COOKIE, cookie)]).into_response()
            }
            Err(refused) => {
                let status = StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::BAD_REQUEST);
                let page = format!(
                    "<!doctype html><title>Sign-in failed</title><h1>Sign-in failed</h1><p id=\"error\">{}</p>\
                     <p><a href=\"/login\">Try again</a></p>",
                    escape(&refused.to_string())
                );
                (status, Html(page)).into_response()
            }
        }
    }

    /// The user of the request's session, if its cookie is genuine.
    fn user(&self, headers: &HeaderMap) -> Option<WebUser> {
        let value = web::axum::cookie(headers, SESSION_COOKIE)?;
        let (id, tag) = value.split_once('.')?;
        let tag = unhex(tag)?;
        hmac::verify(&self.key, id.as_bytes(), &tag).ok()?;
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }
}

async fn home(State(app): State<App>, headers: HeaderMap) -> Html<String> {
    let body = match app.user(&headers) {
        Some(user) => format!(
            "<p id=\"user\">Signed in as <b id=\"name\">{}</b> (<code id=\"open_id\">{}</code>)</p>",
            escape(&user.name),
            escape(&user.open_id)
        ),
        None => "<p><a id=\"login\" href=\"/login\">Sign in with Lark</a></p>".to_owned(),
    };
    Html(format!("<!doctype html><title>web_login</title><h1>web_login</h1>{body}"))
}

#[derive(serde::Deserialize)]
struct PageUrl {
    url: Option<String>,
}

async fn jsapi_config(State(app): State<App>, Query(page): Query<PageUrl>) -> Response {
    let Some(url) = page.url.filter(|u| !u.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "give the page's URL: /jsapi-config?url=…").into_response();
    };
    match app.client.jsapi().config(&url).await {
        Ok(config) => axum::Json(config).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, format!("no JSAPI configuration: {e}")).into_response(),
    }
}

/// A session id nobody can guess; without randomness there is no safe session.
fn random_id() -> Option<String> {
    let mut bytes = [0u8; 24];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).ok()?;
    Some(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
