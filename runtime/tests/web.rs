//! Web apps against the fake: the JSAPI ticket fetched once and the page configuration
//! signed as documented; "Sign in with Lark" through the fake's authorization page, with
//! every way a callback can be refused; and the axum routes end to end.

use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::web::{Callback, SignIn, SignInError, jsapi_signature};
use lark_runtime::{Client, HttpMethod};
use serde_json::json;

async fn fake() -> (FakeLark, Client) {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, "/open-apis/jssdk/ticket/get", |_| {
        FakeResponse::data(json!({"ticket": "jsapi-ticket-1", "expire_in": 7200}))
    });
    fake.route(HttpMethod::Get, "/open-apis/authen/v1/user_info", |request| {
        let name = if request.bearer_token().is_some_and(|t| t.starts_with("u-")) { "Ada" } else { "?" };
        FakeResponse::data(json!({"name": name, "open_id": "ou_ada", "union_id": "on_ada", "tenant_key": "t1"}))
    });
    let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET).base_url(fake.base_url()).build().unwrap();
    (fake, client)
}

#[tokio::test]
async fn the_jsapi_ticket_is_fetched_once_and_pages_are_signed_as_documented() {
    let (fake, client) = fake().await;
    let page = "http://127.0.0.1:3000/app?tab=1#/settings";
    let configs = futures_util::future::join_all((0..8).map(|_| client.jsapi().config(page))).await;
    assert_eq!(fake.requests_to(HttpMethod::Post, "/open-apis/jssdk/ticket/get").len(), 1, "one fetch for all");
    let config = configs.into_iter().next().unwrap().unwrap();
    assert_eq!(config.app_id, FakeLark::APP_ID);
    assert_eq!(config.nonce_str.len(), 32);
    let expected =
        jsapi_signature("jsapi-ticket-1", &config.nonce_str, config.timestamp, "http://127.0.0.1:3000/app?tab=1");
    assert_eq!(config.signature, expected, "signed without the fragment");
    let other = client.jsapi().config(page).await.unwrap();
    assert_ne!(other.nonce_str, config.nonce_str, "a fresh nonce each time");
    let keys: Vec<String> = serde_json::to_value(&config).unwrap().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["appId", "nonceStr", "signature", "timestamp"]);
}

/// Follows the authorization URL on the fake like a browser: the query of the redirect.
async fn authorize(url: &str) -> String {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let reply = http.get(url).send().await.unwrap();
    assert_eq!(reply.status(), 302);
    let location = reply.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://app.example/callback?"), "{location}");
    location.split_once('?').unwrap().1.to_owned()
}

#[tokio::test]
async fn sign_in_checks_the_state_and_returns_the_user_and_token() {
    let (fake, client) = fake().await;
    let signin = SignIn::new(&client, "http://app.example/callback").scope("offline_access");
    let started = signin.start().await.unwrap();
    assert!(started.url.starts_with(&format!("{}/open-apis/authen/v1/authorize?", fake.base_url())), "{}", started.url);
    for part in ["client_id=cli_fake_app", "response_type=code", "code_challenge_method=S256", "scope=offline_access"] {
        assert!(started.url.contains(part), "{part} in {}", started.url);
    }
    fake.sign_in_as("ou_ada");
    let query = authorize(&started.url).await;
    let callback = Callback::from_query(&query);
    assert_eq!(callback.state.as_deref(), Some(started.state.as_str()));

    // A tampered state, and one from another browser, sign nobody in.
    let tampered = Callback { state: Some(format!("{}x", started.state)), ..callback.clone() };
    assert!(matches!(signin.finish(Some(&started.state), &tampered).await, Err(SignInError::StateMismatch)));
    assert!(matches!(signin.finish(None, &callback).await, Err(SignInError::StateMismatch)));

    let signed_in = signin.finish(Some(&started.state), &callback).await.expect("signed in");
    assert_eq!((signed_in.user.name.as_str(), signed_in.user.open_id.as_str()), ("Ada", "ou_ada"));
    assert!(signed_in.token.refresh_token().is_some(), "offline_access gives a refresh token");
    assert_eq!(fake.subject_of(signed_in.token.access_token()).as_deref(), Some("ou_ada"));

    // The same callback again is a replay.
    let replayed = signin.finish(Some(&started.state), &callback).await.unwrap_err();
    assert!(matches!(replayed, SignInError::ReusedState), "{replayed}");
    assert_eq!(replayed.status(), 400);
    let unknown = Callback { state: Some("never-started".to_owned()), ..callback };
    assert!(matches!(signin.finish(Some("never-started"), &unknown).await, Err(SignInError::UnknownState)));
    assert!(matches!(signin.finish(None, &Callback::default()).await, Err(SignInError::MissingState)));
}

#[tokio::test]
async fn a_refused_or_expired_sign_in_is_refused() {
    let (fake, client) = fake().await;
    let signin = SignIn::new(&client, "http://app.example/callback");
    let started = signin.start().await.unwrap();
    fake.deny_next_sign_in();
    let callback = Callback::from_query(&authorize(&started.url).await);
    assert_eq!(callback.error.as_deref(), Some("access_denied"));
    let denied = signin.finish(Some(&started.state), &callback).await.unwrap_err();
    assert!(matches!(denied, SignInError::AccessDenied));
    assert_eq!(denied.status(), 403);

    let hasty = SignIn::new(&client, "http://app.example/callback").state_ttl(Duration::ZERO);
    let started = hasty.start().await.unwrap();
    let callback = Callback::from_query(&authorize(&started.url).await);
    assert!(matches!(hasty.finish(Some(&started.state), &callback).await, Err(SignInError::ExpiredState)));
    let exchanges = fake.requests_to(HttpMethod::Post, "/open-apis/authen/v2/oauth/token");
    assert!(exchanges.is_empty(), "no code is exchanged for a refused sign-in");
}

#[tokio::test]
async fn the_axum_routes_sign_in_through_a_cookie() {
    let (fake, client) = fake().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let signin = SignIn::new(&client, format!("{base}/callback"));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = Arc::clone(&seen);
    let app: axum::Router = lark_runtime::web::axum::routes(signin, move |outcome| {
        let keep = Arc::clone(&keep);
        async move {
            match outcome {
                Ok(signed_in) => {
                    keep.lock().unwrap().push(signed_in.user.name);
                    (axum::http::StatusCode::SEE_OTHER, [("location", "/")]).into_response()
                }
                Err(refused) => {
                    let status = axum::http::StatusCode::from_u16(refused.status()).unwrap();
                    (status, refused.to_string()).into_response()
                }
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    fake.sign_in_as("ou_ada");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let login = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 303);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["lark_signin_state=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    let state_cookie = cookie.split(';').next().unwrap().to_owned();
    let authorize = login.headers()["location"].to_str().unwrap().to_owned();
    let back = http.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(&format!("{base}/callback?code=")), "{callback}");

    let without_cookie = http.get(&callback).send().await.unwrap();
    assert_eq!(without_cookie.status(), 400, "no cookie, no sign-in");
    let done = http.get(&callback).header("cookie", &state_cookie).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert!(done.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"), "the state cookie is cleared");
    let again = http.get(&callback).header("cookie", &state_cookie).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("already finished"));
    assert_eq!(*seen.lock().unwrap(), ["Ada"]);
}

#[tokio::test]
async fn an_https_app_gets_a_secure_state_cookie() {
    let (_fake, client) = fake().await;
    let signin = SignIn::new(&client, "https://app.example/callback");
    let app: axum::Router =
        lark_runtime::web::axum::routes(signin, |_| async { axum::http::StatusCode::OK.into_response() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = http.get(format!("{base}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.ends_with("; HttpOnly; SameSite=Lax; Secure"), "{cookie}");
}
