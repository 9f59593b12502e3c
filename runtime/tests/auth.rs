//! Tokens: store apps with app_ticket, OAuth user tokens with PKCE and refresh, user
//! token sources, pluggable caches and single-flight fetches.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{TENANT_OR_USER, builder, client, endpoint};
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::{
    AppType, BoxFuture, CachedToken, Endpoint, Error, HttpMethod, Pkce, RefreshingUserToken, Request, ResponseKind,
    TokenCache, TokenKey, TokenKind, UserToken,
};
use serde_json::{Value, json};

const ME: &str = "/open-apis/test/v1/me";
const OAUTH: &str = "/open-apis/authen/v2/oauth/token";
const REDIRECT: &str = "https://app.example/callback";
static GET_ME: Endpoint = endpoint("test.v1.me.get", HttpMethod::Get, ME, TENANT_OR_USER, ResponseKind::Data);
static USER_ME: Endpoint = endpoint("test.v1.me.user", HttpMethod::Get, ME, &[TokenKind::User], ResponseKind::Data);

async fn fake() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, ME, |r| FakeResponse::data(json!({ "token": r.bearer_token() })));
    fake
}

fn me() -> Request {
    Request::new(&GET_ME)
}

fn store_client(fake: &FakeLark) -> lark_runtime::Client {
    builder(fake).app_type(AppType::Store).build().unwrap()
}

#[tokio::test]
async fn a_store_app_without_a_ticket_asks_for_one_once() {
    let fake = fake().await;
    let client = store_client(&fake);
    for _ in 0..3 {
        let err = client.call::<Value>(me()).tenant_key("tenant-a").await.unwrap_err();
        assert!(matches!(err, Error::AppTicketMissing), "{err:?}");
    }
    assert!(Error::AppTicketMissing.to_string().contains("set_app_ticket"));
    assert_eq!(fake.app_ticket_resends(), 1, "resends are throttled");
    assert_eq!(fake.token_requests(), 0);
    assert!(fake.requests_to(HttpMethod::Get, ME).is_empty());
}

#[tokio::test]
async fn a_store_app_keeps_one_tenant_token_per_tenant() {
    let fake = fake().await;
    let client = store_client(&fake);
    client.set_app_ticket(fake.push_app_ticket());
    let mut seen = HashMap::new();
    for tenant in ["tenant-a", "tenant-b", "tenant-a", "tenant-b"] {
        let reply: Value = client.call(me()).tenant_key(tenant).await.unwrap();
        let token = reply["token"].as_str().unwrap().to_owned();
        assert_eq!(fake.tenant_of(&token).as_deref(), Some(tenant));
        assert_eq!(seen.entry(tenant).or_insert_with(|| token.clone()), &token, "cached per tenant");
    }
    // One app token, then one tenant token per tenant.
    assert_eq!(fake.token_requests(), 3);
    let store_app = fake.requests_to(HttpMethod::Post, "/open-apis/auth/v3/app_access_token");
    assert_eq!(store_app.len(), 1);
    assert_eq!(store_app[0].json()["app_ticket"], fake.requests()[0].json()["app_ticket"]);
    assert_eq!(client.tenant_access_token_for("tenant-a").await.unwrap(), seen["tenant-a"]);

    let err = client.call::<Value>(me()).await.unwrap_err();
    assert!(matches!(err, Error::Config(_)) && err.to_string().contains(".tenant_key("), "{err}");
}

#[tokio::test]
async fn a_stale_ticket_is_dropped_and_a_new_one_requested() {
    let fake = fake().await;
    let client = store_client(&fake);
    client.set_app_ticket(fake.push_app_ticket());
    fake.push_app_ticket(); // the platform moved on; ours is stale
    let err = client.call::<Value>(me()).tenant_key("t").await.unwrap_err();
    assert_eq!(err.code(), Some(10012));
    assert!(matches!(err, Error::Token(_)));
    assert!(err.to_string().contains("resend"), "{err}");
    assert_eq!(fake.app_ticket_resends(), 1);
    // The stale ticket is forgotten: the next call reports it missing without asking.
    let err = client.call::<Value>(me()).tenant_key("t").await.unwrap_err();
    assert!(matches!(err, Error::AppTicketMissing), "{err:?}");
    // The new ticket arrives and everything works.
    client.set_app_ticket(fake.push_app_ticket());
    let _: Value = client.call(me()).tenant_key("t").await.unwrap();
}

#[tokio::test]
async fn a_revoked_store_app_token_is_bought_again_once() {
    let fake = fake().await;
    let client = store_client(&fake);
    client.set_app_ticket(fake.push_app_ticket());
    let _: Value = client.call(me()).tenant_key("a").await.unwrap();
    fake.revoke_tokens();
    let _: Value = client.call(me()).tenant_key("a").await.unwrap();
    // Revoked tenant token refused; the tenant-token fetch with the revoked app token is
    // refused with 99991664; a new app token, a new tenant token, and the call again.
    let paths: Vec<_> = fake.requests().iter().map(|r| r.path.rsplit('/').next().unwrap().to_owned()).collect();
    assert_eq!(
        paths,
        [
            "app_access_token",
            "tenant_access_token",
            "me",
            "me",
            "tenant_access_token",
            "app_access_token",
            "tenant_access_token",
            "me"
        ]
    );
}

#[tokio::test]
async fn the_oauth_code_flow_with_pkce_gives_a_user_token() {
    let fake = fake().await;
    let client = client(&fake);
    let pkce = Pkce::new().unwrap();
    let url = client.oauth().authorize_url(REDIRECT).scope("offline_access").state("xyz").pkce(&pkce).build();
    assert!(url.starts_with(&format!("{}/open-apis/authen/v1/authorize?", fake.base_url())));
    let code = fake.authorize(&url).expect("the fake accepts the URL");

    let wrong = Pkce::new().unwrap();
    let err = client.oauth().exchange_code(&code, REDIRECT, Some(wrong.verifier())).await.unwrap_err();
    assert!(matches!(err, Error::Token(_)) && err.code() == Some(20003), "{err:?}");

    let code = fake.authorize(&url).unwrap();
    let token = client.oauth().exchange_code(&code, REDIRECT, Some(pkce.verifier())).await.unwrap();
    assert!(token.access_token().starts_with("u-fake-"));
    assert!(token.refresh_token().is_some_and(|t| t.starts_with("ur-fake-")));
    assert!(token.expires_at() > SystemTime::now() + Duration::from_secs(3600));
    assert_eq!(token.scope(), "offline_access");
    let reply: Value = client.call(me()).user_access_token(token.access_token()).await.unwrap();
    assert_eq!(reply["token"], token.access_token());

    let sent = fake.requests_to(HttpMethod::Post, OAUTH).pop().unwrap().json();
    assert_eq!(sent["grant_type"], "authorization_code");
    assert_eq!(sent["code_verifier"], pkce.verifier());
    // A code works once.
    let err = client.oauth().exchange_code(&code, REDIRECT, Some(pkce.verifier())).await.unwrap_err();
    assert_eq!(err.code(), Some(20003));
}

async fn signed_in(fake: &FakeLark, client: &lark_runtime::Client) -> UserToken {
    let url = client.oauth().authorize_url(REDIRECT).build();
    let code = fake.authorize(&url).unwrap();
    client.oauth().exchange_code(&code, REDIRECT, None).await.unwrap()
}

#[tokio::test]
async fn refresh_tokens_work_once() {
    let fake = fake().await;
    let client = client(&fake);
    let token = signed_in(&fake, &client).await;
    let refresh = token.refresh_token().unwrap();
    let renewed = client.oauth().refresh(refresh).await.unwrap();
    assert_ne!(renewed.access_token(), token.access_token());
    let err = client.oauth().refresh(refresh).await.unwrap_err();
    assert_eq!(err.code(), Some(20073));
    assert!(err.to_string().contains("sign in again"), "{err}");
    assert!(!err.to_string().contains(refresh) && !format!("{err:?}").contains(refresh));
    // 20050 is the server's hiccup: retried once.
    fake.inject(
        Fault::Reply(FakeResponse::json(json!({"code": 20050, "error": "server_error"})).status(500))
            .on(HttpMethod::Post, OAUTH),
    );
    let again = client.oauth().refresh(renewed.refresh_token().unwrap()).await.unwrap();
    assert!(again.access_token().starts_with("u-fake-"));
    assert_eq!(fake.requests_to(HttpMethod::Post, OAUTH).len(), 5);
}

#[tokio::test]
async fn an_expired_user_token_is_a_typed_error() {
    let fake = fake().await;
    let token = fake.user_token();
    fake.expire_user_token(&token);
    let err = client(&fake).call::<Value>(Request::new(&USER_ME)).user_access_token(token).await.unwrap_err();
    assert!(matches!(&err, Error::UserToken(api) if api.code == 99991677), "{err:?}");
    assert_eq!(fake.requests_to(HttpMethod::Get, ME).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshing_user_token_renews_once_for_many_callers() {
    let fake = fake().await;
    let client = client(&fake);
    let first = signed_in(&fake, &client).await;
    fake.expire_user_token(first.access_token());
    let saved = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&saved);
    let user = Arc::new(RefreshingUserToken::new(first.clone()).on_refresh(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, user) = (client.clone(), Arc::clone(&user));
        tasks.spawn(async move { client.call::<Value>(Request::new(&USER_ME)).user_token_source(user).await });
    }
    while let Some(done) = tasks.join_next().await {
        let reply = done.unwrap().unwrap();
        assert_ne!(reply["token"], first.access_token());
    }
    assert_eq!(saved.load(Ordering::SeqCst), 1, "one refresh for twenty callers");
    let refreshes =
        fake.requests_to(HttpMethod::Post, OAUTH).iter().filter(|r| r.json()["grant_type"] == "refresh_token").count();
    assert_eq!(refreshes, 1);
    let current = user.current().await;
    assert_ne!(current.access_token(), first.access_token());
    assert!(!format!("{user:?} {current:?}").contains(current.access_token()));
}

#[tokio::test]
async fn a_user_token_near_expiry_is_renewed_before_the_call() {
    let fake = fake().await;
    let client = client(&fake);
    let token = signed_in(&fake, &client).await;
    let soon = UserToken::new(token.access_token(), token.refresh_token().map(str::to_owned), SystemTime::now());
    let user = Arc::new(RefreshingUserToken::new(soon));
    let reply: Value = client.call(Request::new(&USER_ME)).user_token_source(user.clone()).await.unwrap();
    assert_ne!(reply["token"], token.access_token());
    assert_eq!(fake.requests_to(HttpMethod::Get, ME).len(), 1, "renewed first, so no refused call");

    // Without a refresh token there is nothing to renew: the rejection is the error.
    let no_refresh = Arc::new(RefreshingUserToken::new(UserToken::new("u-gone", None, SystemTime::now())));
    let err = client.call::<Value>(Request::new(&USER_ME)).user_token_source(no_refresh).await.unwrap_err();
    assert!(matches!(&err, Error::UserToken(api) if api.code == 99991668), "{err:?}");
    assert_eq!(fake.requests_to(HttpMethod::Get, ME).len(), 2);
}

/// A cache shared by two clients, standing in for Redis.
#[derive(Default, Clone)]
struct Shared(Arc<Mutex<HashMap<String, CachedToken>>>);

impl TokenCache for Shared {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<CachedToken>> {
        Box::pin(async move { self.0.lock().unwrap().get(key.as_str()).cloned() })
    }
    fn put<'a>(&'a self, key: &'a TokenKey, token: CachedToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.0.lock().unwrap().insert(key.as_str().to_owned(), token);
        })
    }
    fn remove<'a>(&'a self, key: &'a TokenKey, value: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut map = self.0.lock().unwrap();
            if map.get(key.as_str()).is_some_and(|t| t.value == value) {
                map.remove(key.as_str());
            }
        })
    }
}

/// Load-independent: the cache shows when the client means to stop using the token, and
/// aging that moment stands in for waiting it out.
#[tokio::test]
async fn short_lived_tokens_are_refreshed_at_half_life() {
    let fake = fake().await;
    fake.set_token_expire(1);
    let cache = Shared::default();
    let client = builder(&fake).token_cache(cache.clone()).build().unwrap();
    let before = SystemTime::now();
    let _: Value = client.call(me()).await.unwrap();
    let after = SystemTime::now();
    // Used for half of its one-second life, counted from when it was fetched.
    let half = Duration::from_millis(500);
    let fresh_until = cache.0.lock().unwrap().values().next().unwrap().fresh_until;
    assert!(
        before + half <= fresh_until && fresh_until <= after + half,
        "{fresh_until:?} not in [{before:?}, {after:?}] + 500 ms"
    );
    // Once that moment has passed, the next call fetches a new token.
    for token in cache.0.lock().unwrap().values_mut() {
        token.fresh_until = SystemTime::now() - Duration::from_millis(1);
    }
    let _: Value = client.call(me()).await.unwrap();
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn a_shared_cache_serves_every_client() {
    let fake = fake().await;
    let cache = Shared::default();
    let one = builder(&fake).token_cache(cache.clone()).build().unwrap();
    let two = builder(&fake).token_cache(cache.clone()).build().unwrap();
    let a: Value = one.call(me()).await.unwrap();
    let b: Value = two.call(me()).await.unwrap();
    assert_eq!(a["token"], b["token"]);
    assert_eq!(fake.token_requests(), 1);
    let keys: Vec<_> = cache.0.lock().unwrap().keys().cloned().collect();
    assert_eq!(keys, [format!("lark:self_built:{}:tenant_access_token", FakeLark::APP_ID)]);
    // A revoked token is evicted from the shared cache too.
    fake.revoke_tokens();
    let c: Value = two.call(me()).await.unwrap();
    let d: Value = one.call(me()).await.unwrap();
    assert_eq!(c["token"], d["token"]);
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_on_a_cold_cache_fetch_one_token() {
    let fake = fake().await;
    let client = client(&fake);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        tasks.spawn(async move { client.call::<Value>(me()).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.requests_to(HttpMethod::Get, ME).len(), 1000);
}

#[tokio::test]
async fn an_app_ticket_reaches_other_processes_through_a_shared_cache() {
    let fake = fake().await;
    let cache = Shared::default();
    let webhook_side = builder(&fake).app_type(AppType::Store).token_cache(cache.clone()).build().unwrap();
    let worker = builder(&fake).app_type(AppType::Store).token_cache(cache.clone()).build().unwrap();
    webhook_side.set_app_ticket(fake.push_app_ticket());
    // The cache write happens in the background.
    for _ in 0..100 {
        if !cache.0.lock().unwrap().is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    let _: Value = worker.call(me()).tenant_key("t").await.unwrap();
    assert_eq!(fake.app_ticket_resends(), 0);
    assert!(cache.0.lock().unwrap().contains_key(&format!("lark:store:{}:app_ticket", FakeLark::APP_ID)));
}
