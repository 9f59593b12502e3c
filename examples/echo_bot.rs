//! A bot that answers every message it receives.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=... LARK_ENCRYPT_KEY=... LARK_VERIFICATION_TOKEN=... \
//!     cargo run --example echo_bot
//! ```
//!
//! Events arrive at `POST /webhook/event` on `LARK_LISTEN` (default `127.0.0.1:3000`);
//! `LARK_BASE_URL` points the client elsewhere (the local fake, say). For each received
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

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("echo_bot: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    lark_examples::log_to_stderr();
    let client = lark_examples::client_from_env().await?;
    let print: lark_examples::echo::Printer = Arc::new(|line| println!("{line}"));
    let hook = lark_examples::webhook_from_env().await?.build(lark_examples::echo::dispatcher(client, print));
    let app = axum::Router::new().route("/webhook/event", webhook::axum::events(hook));
    lark_examples::serve(app, &["/webhook/event"]).await
}
