//! Helpers shared by the examples: configuration from the environment, the JSON line
//! printed per handled event, and the echo bot's behaviour.

use std::env;

use lark_sdk::runtime::event::EventContext;
use lark_sdk::runtime::shared::RedisStore;
use lark_sdk::runtime::webhook::{Webhook, WebhookBuilder};
use serde_json::{Value, json};

#[path = "echo.rs"]
pub mod echo;

/// A client configured from `LARK_APP_ID`, `LARK_APP_SECRET` and, optionally,
/// `LARK_BASE_URL` (default: the Feishu base URL; use `https://open.larksuite.com` for Lark).
/// With `LARK_REDIS_URL` set, its tokens and app tickets are shared through Redis.
pub async fn client_from_env() -> Result<lark_sdk::Client, String> {
    let app_id = required("LARK_APP_ID")?;
    let app_secret = required("LARK_APP_SECRET")?;
    let base_url = env::var("LARK_BASE_URL").unwrap_or_else(|_| lark_sdk::runtime::FEISHU_BASE_URL.to_owned());
    let mut builder = lark_sdk::Client::builder(app_id, app_secret).base_url(base_url);
    if let Some(redis) = redis_from_env().await? {
        builder = builder.token_cache(redis.token_cache());
    }
    builder.build().map_err(|e| e.to_string())
}

/// The Redis shared by replicas, when `LARK_REDIS_URL` is set (`redis://` or
/// `rediss://`); keys start with `LARK_REDIS_PREFIX` (default `lark`).
pub async fn redis_from_env() -> Result<Option<RedisStore>, String> {
    let Some(url) = env::var("LARK_REDIS_URL").ok().filter(|u| !u.is_empty()) else { return Ok(None) };
    let store = RedisStore::connect(&url).await.map_err(|e| format!("LARK_REDIS_URL: {e}"))?;
    Ok(Some(match env::var("LARK_REDIS_PREFIX").ok().filter(|p| !p.is_empty()) {
        Some(prefix) => store.prefix(prefix),
        None => store,
    }))
}

/// A webhook builder with the console's `LARK_ENCRYPT_KEY` and `LARK_VERIFICATION_TOKEN`
/// (both may be empty) and, with `LARK_REDIS_URL` set, deduplication shared by replicas.
pub async fn webhook_from_env() -> Result<WebhookBuilder, String> {
    let mut builder = Webhook::builder()
        .encrypt_key(env::var("LARK_ENCRYPT_KEY").unwrap_or_default())
        .verification_token(env::var("LARK_VERIFICATION_TOKEN").unwrap_or_default());
    if let Some(redis) = redis_from_env().await? {
        builder = builder.dedupe(redis.dedupe());
    }
    Ok(builder)
}

fn required(name: &str) -> Result<String, String> {
    match env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("set {name} (see the app's credentials page in the developer console)")),
    }
}

/// One JSON line per handled push: the header, a few typed facts, and the payload. The
/// whole envelope is not printed: it holds the verification token.
pub fn event_line(ctx: &EventContext, typed: Value) -> Value {
    let event: Value = serde_json::from_str(ctx.raw_event().get()).unwrap_or_default();
    json!({
        "event_type": ctx.event_type(),
        "event_id": ctx.event_id(),
        "create_time": ctx.create_time(),
        "tenant_key": ctx.tenant_key(),
        "app_id": ctx.app_id(),
        "typed": typed,
        "event": event,
    })
}

/// The webhook settings shared by the servers: `LARK_ENCRYPT_KEY` and
/// `LARK_VERIFICATION_TOKEN` (both optional) and `LARK_LISTEN` (default `127.0.0.1:3000`).
pub fn listen_address() -> String {
    env::var("LARK_LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".to_owned())
}

/// Logs to stderr (stdout carries only the examples' JSON lines), at `info`.
pub fn log_to_stderr() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        // One line as each `lark.call` and `lark.event` span closes, with its fields.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
}

/// Serves `app` on [`listen_address`] until Ctrl-C, saying where on stderr.
pub async fn serve(app: axum::Router, routes: &[&str]) -> Result<(), String> {
    let listen = listen_address();
    let listener =
        tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let urls: Vec<String> = routes.iter().map(|route| format!("http://{listen}{route}")).collect();
    eprintln!("listening on {}", urls.join(" and "));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server error: {e}"))
}
