//! A bot that answers every message it receives.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=... LARK_ENCRYPT_KEY=... LARK_VERIFICATION_TOKEN=... \
//!     cargo run --example echo_bot
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=... cargo run --example echo_bot -- --long-connection
//! ```
//!
//! Events arrive at `POST /webhook/event` on `LARK_LISTEN` (default `127.0.0.1:3000`), or,
//! with `--long-connection`, over the long connection (no URL to expose; the encrypt key
//! and verification token are then not needed). `LARK_BASE_URL` points the client
//! elsewhere (the local fake, say). Added to a group, it greets it. For each received
//! message it replies:
//! - `card`: a JSON 2.0 card with a like button; a click is answered in the callback's
//!   own response with a success toast and the card changed to show who liked it;
//! - `stream`: a CardKit card entity whose text is streamed in three steps, then streaming
//!   mode ends;
//! - anything else: `you said: <the message as plain text>`.
//!
//! Each event is handled once, redeliveries are acknowledged without a second reply, and
//! each handled event prints one JSON line on stdout (as `webhook_server` does).

use std::sync::Arc;

use lark_sdk::runtime::webhook;
use lark_sdk::runtime::ws::WsClient;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("echo_bot: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    lark_examples::log_to_stderr();
    let long_connection = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--long-connection") => true,
        Some(other) => return Err(format!("unknown argument {other}; usage: echo_bot [--long-connection]")),
    };
    let client = lark_examples::client_from_env().await?;
    let print: lark_examples::echo::Printer = Arc::new(|line| println!("{line}"));
    let dispatcher = lark_examples::echo::dispatcher(client.clone(), print);
    if long_connection {
        let mut ws = WsClient::builder(client.runtime());
        if let Some(redis) = lark_examples::redis_from_env().await? {
            ws = ws.dedupe(redis.dedupe());
        }
        eprintln!("receiving events over the long connection");
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        return ws.build(dispatcher).run_until(stop).await.map_err(|e| e.to_string());
    }
    let hook = lark_examples::webhook_from_env().await?.build(dispatcher);
    let app = axum::Router::new().route("/webhook/event", webhook::axum::events(hook));
    lark_examples::serve(app, &["/webhook/event"]).await
}
