//! Receives events over the long connection (WebSocket) and prints each one as a JSON line.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=... cargo run --example ws_client
//! ```
//!
//! `LARK_BASE_URL` is optional (default: the Feishu base URL; use
//! `https://open.larksuite.com` for Lark). Enable "receive events through a persistent
//! connection" in the developer console first. stdout carries only the JSON lines, one per
//! event (`event_type`, `event_id`, `event`: the raw payload); connection changes go to
//! stderr. Ctrl-C stops after the running handlers finish.

use lark_runtime::event::{Dispatcher, EventContext};
use lark_runtime::ws::WsClient;
use serde_json::json;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("ws_client: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let client = lark_examples::client_from_env().await?;
    let dispatcher = Dispatcher::new().fallback(|ctx: EventContext| async move {
        // The raw event, not the raw envelope: the envelope holds the verification token.
        let event: serde_json::Value = serde_json::from_str(ctx.raw_event().get())?;
        println!("{}", json!({"event_type": ctx.event_type(), "event_id": ctx.event_id(), "event": event}));
        Ok(())
    });
    let mut ws = WsClient::builder(client.runtime());
    // Each event goes to one connection of the app; replicas share deduplication so that
    // a redelivery to another replica is not handled twice.
    if let Some(redis) = lark_examples::redis_from_env().await? {
        ws = ws.dedupe(redis.dedupe());
    }
    let ws = ws.build(dispatcher);
    let mut state = ws.state();
    tokio::spawn(async move {
        while state.changed().await.is_ok() {
            eprintln!("connection: {:?}", *state.borrow_and_update());
        }
    });
    ws.run_until(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
