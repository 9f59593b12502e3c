//! Receives events and card callbacks over HTTP and prints each one as a JSON line.
//!
//! ```sh
//! LARK_ENCRYPT_KEY=... LARK_VERIFICATION_TOKEN=... cargo run --example webhook_server
//! ```
//!
//! Configuration, all optional:
//! - `LARK_ENCRYPT_KEY`: the console's encrypt key; pushes must then be encrypted and signed.
//! - `LARK_VERIFICATION_TOKEN`: the console's verification token; pushes must carry it.
//! - `LARK_LISTEN`: the address to listen on (default `127.0.0.1:3000`).
//! - `LARK_MAX_SKEW_SECS`: refuse signed pushes whose timestamp is further than this from
//!   now (default and `0`: no check).
//!
//! Routes: `POST /webhook/event` for events and callbacks (`card.action.trigger`,
//! `url.preview.get`), `POST /webhook/card` for legacy card actions. Accepted pushes get a
//! 2xx answer, refused ones a 4xx with the reason logged on stderr; stdout carries only the
//! JSON lines, one per handled push.

use std::env;
use std::time::Duration;

use lark_runtime::message::card::{CardAnswer, Toast};
use lark_sdk::EventDispatcher;
use lark_sdk::runtime::event::{CardAction, EventContext};
use lark_sdk::runtime::webhook;
use serde_json::json;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("webhook_server: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    lark_examples::log_to_stderr();
    let max_skew = match env::var("LARK_MAX_SKEW_SECS") {
        Ok(text) if !text.trim().is_empty() => {
            text.trim().parse::<u64>().map_err(|_| format!("LARK_MAX_SKEW_SECS must be whole seconds, not `{text}`"))?
        }
        _ => 0,
    };

    let hook = lark_examples::webhook_from_env().await?.max_skew(Duration::from_secs(max_skew)).build(dispatcher());
    let app = axum::Router::new()
        .route("/webhook/event", webhook::axum::events(hook.clone()))
        .route("/webhook/card", webhook::axum::cards(hook));

    lark_examples::serve(app, &["/webhook/event", "/webhook/card"]).await
}

fn dispatcher() -> EventDispatcher {
    EventDispatcher::new()
        // The payload types come from the method signatures: no need to name them.
        .on_im_message_receive_v1(|ctx, event| async move {
            let message = event.message.as_ref();
            let (message_id, chat_id) =
                (message.and_then(|m| m.message_id.clone()), message.and_then(|m| m.chat_id.clone()));
            print_line(&ctx, json!({ "message_id": message_id, "chat_id": chat_id }));
            Ok(())
        })
        .on_card_action_trigger(|ctx, event| async move {
            let tag = event.action.and_then(|a| a.tag).unwrap_or_default();
            print_line(&ctx, json!({ "tag": tag }));
            Ok(CardAnswer::toast(Toast::info(format!("received your {tag}"))))
        })
        .on_card_action(|ctx: EventContext, action: CardAction| async move {
            print_line(&ctx, json!({ "open_message_id": action.open_message_id }));
            // `{}` leaves the card as it is.
            Ok(json!({}))
        })
        .fallback(|ctx: EventContext| async move {
            print_line(&ctx, json!({}));
            Ok(())
        })
}

fn print_line(ctx: &EventContext, typed: serde_json::Value) {
    println!("{}", lark_examples::event_line(ctx, typed));
}
