//! Sends a text message and prints its `message_id`.
//!
//! ```text
//! cargo run --example send_message -- chat_id oc_xxx "hello from Rust"
//! ```
//!
//! `receive_id_type` is one of `open_id`, `user_id`, `union_id`, `email`, `chat_id`.

use std::process::ExitCode;

use lark_runtime::message::{Text, To};

#[tokio::main]
async fn main() -> ExitCode {
    lark_examples::log_to_stderr();
    match run().await {
        Ok(message_id) => {
            println!("{message_id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [id_type, receive_id, text] = args.as_slice() else {
        return Err("usage: send_message <receive_id_type> <receive_id> <text>".into());
    };
    let to = match id_type.as_str() {
        "open_id" => To::open_id(receive_id),
        "user_id" => To::user_id(receive_id),
        "union_id" => To::union_id(receive_id),
        "email" => To::email(receive_id),
        "chat_id" => To::chat(receive_id),
        other => {
            return Err(format!(
                "unknown receive_id_type `{other}`; use one of open_id, user_id, union_id, email, chat_id"
            ));
        }
    };
    let client = lark_examples::client_from_env().await?;
    // The text is shown literally; each send carries a fresh uuid, so the SDK may resend
    // it after a server error without the text ever arriving twice.
    let sent = client.send(to, Text::new(text.as_str())).await.map_err(|e| e.to_string())?;
    Ok(sent.message_id)
}
