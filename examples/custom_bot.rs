//! Posts a text to a group through a custom bot (an incoming webhook; no app needed).
//!
//! ```sh
//! LARK_BOT_WEBHOOK=https://open.feishu.cn/open-apis/bot/v2/hook/xxxx LARK_BOT_SECRET=... \
//!     cargo run --example custom_bot -- "deploy finished"
//! ```
//!
//! `LARK_BOT_SECRET` is the signing secret from the bot's security settings; without it
//! the request is unsigned. Prints the platform's JSON answer on stdout and exits 0; on
//! failure prints the typed error (with the platform's code) on stderr and exits 1.

use std::env;
use std::process::ExitCode;

use lark_runtime::message::{CustomBot, Text};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("custom_bot: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<serde_json::Value, String> {
    let text: Vec<String> = env::args().skip(1).collect();
    if text.is_empty() {
        return Err("usage: custom_bot <text>".into());
    }
    let url = env::var("LARK_BOT_WEBHOOK")
        .ok()
        .filter(|u| !u.is_empty())
        .ok_or("set LARK_BOT_WEBHOOK to the bot's full webhook URL")?;
    let mut bot = CustomBot::new(url);
    if let Some(secret) = env::var("LARK_BOT_SECRET").ok().filter(|s| !s.is_empty()) {
        bot = bot.secret(secret);
    }
    // The text is the user's: it is shown literally, never as a mention or a link.
    bot.send(Text::new(text.join(" "))).await.map_err(|e| e.to_string())
}
