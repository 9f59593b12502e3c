//! [`SignIn`] in an axum router (feature `axum`): `GET /login` and `GET /callback`.
//!
//! `/login` starts a sign-in, keeps its `state` in an `HttpOnly`, `SameSite=Lax` cookie
//! and redirects to the authorization URL. `/callback` finishes it against that cookie
//! (which it clears) and hands the result to the app: a signed-in user to turn into a
//! session, or a refusal to show (its [`status`](SignInError::status) is a 4xx, or 502
//! when the platform failed).

use std::future::Future;
use std::sync::Arc;

use axum::extract::RawQuery;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Callback, SignIn, SignInError, SignedIn};

/// The cookie that binds a sign-in's `state` to the browser.
pub const STATE_COOKIE: &str = "lark_signin_state";

/// A router with `GET /login` and `GET /callback`; `finish` gets the outcome of each
/// callback and answers the browser (set a session and redirect, or show the refusal).
pub fn routes<S, F, Fut>(signin: SignIn, finish: F) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Result<SignedIn, SignInError>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let signin = Arc::new(signin);
    let on_login = Arc::clone(&signin);
    axum::Router::new()
        .route("/login", get(move || login(Arc::clone(&on_login))))
        .route(
            "/callback",
            get(move |headers: HeaderMap, RawQuery(query): RawQuery| {
                let (signin, finish) = (Arc::clone(&signin), finish.clone());
                async move { callback(&signin, &headers, query.as_deref(), finish).await }
            }),
        )
        .with_state(())
}

async fn login(signin: Arc<SignIn>) -> Response {
    match signin.start().await {
        Ok(started) => {
            let cookie = format!("{STATE_COOKIE}={}; Path=/; Max-Age=600{}", started.state, attributes(&signin));
            redirect(&started.url, &cookie)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot start a sign-in");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot start a sign-in").into_response()
        }
    }
}

async fn callback<F, Fut>(signin: &SignIn, headers: &HeaderMap, query: Option<&str>, finish: F) -> Response
where
    F: Fn(Result<SignedIn, SignInError>) -> Fut,
    Fut: Future<Output = Response>,
{
    let bound = cookie(headers, STATE_COOKIE);
    let outcome = signin.finish(bound.as_deref(), &Callback::from_query(query.unwrap_or_default())).await;
    if let Err(refused) = &outcome {
        tracing::info!(reason = %refused, "a sign-in was refused");
    }
    let mut response = finish(outcome).await;
    let cleared = format!("{STATE_COOKIE}=; Path=/; Max-Age=0{}", attributes(signin));
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// The state cookie's attributes: never readable by scripts, sent on the top-level
/// navigation back from the authorization page, and only over HTTPS when the app is.
fn attributes(signin: &SignIn) -> &'static str {
    if signin.redirect_uri().starts_with("https://") {
        "; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; HttpOnly; SameSite=Lax"
    }
}

/// A 303 to `location` that sets `cookie`.
fn redirect(location: &str, cookie: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(location), HeaderValue::from_str(cookie)) {
        response.headers_mut().insert(LOCATION, location);
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The value of a cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}
