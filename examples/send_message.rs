//! Sends a text message and prints its `message_id`.
//!
//! ```text
//! cargo run --example send_message -- chat_id oc_xxx "hello from Rust"
//! ```
//!
//! `receive_id_type` is one of `open_id`, `user_id`, `union_id`, `email`, `chat_id`.

use std::process::ExitCode;

use lark_sdk::im::v1::{CreateMessageBody, CreateMessageRequest, ReceiveIdType};

#[tokio::main]
async fn main() -> ExitCode {
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
    let id_type = ReceiveIdType::try_parse(id_type)
        .ok_or_else(|| format!("unknown receive_id_type `{id_type}`; use one of {:?}", ReceiveIdType::KNOWN))?;
    let client = lark_examples::client_from_env()?;
    let body = CreateMessageBody {
        receive_id: receive_id.clone(),
        msg_type: "text".into(),
        // The platform wants the content as a JSON-encoded string.
        content: serde_json::json!({ "text": text }).to_string(),
        // The platform drops a repeat with the same uuid (within an hour), which lets the
        // SDK retry this POST after a server error without ever sending the text twice.
        uuid: Some(request_uuid()),
    };
    let message =
        client.im().v1().message().create(CreateMessageRequest::new(id_type, body)).await.map_err(|e| e.to_string())?;
    message.message_id.ok_or_else(|| "the reply carried no message_id".into())
}

/// A per-run idempotency key: time and process id are unique enough for one sender.
fn request_uuid() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("send-message-{}-{nanos}", std::process::id())
}
