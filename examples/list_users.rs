//! Walks every page of the users directly in the root department (`0`) and prints one
//! `open_id` per line.
//!
//! ```text
//! cargo run --example list_users
//! ```

use std::process::ExitCode;

use lark_sdk::contact::v3::ListUserRequest;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let client = lark_examples::client_from_env()?;
    let mut page_token: Option<String> = None;
    loop {
        let mut request = ListUserRequest::new().department_id("0").page_size(50);
        if let Some(token) = page_token.take() {
            request = request.page_token(token);
        }
        let page = client.contact().v3().user().list(request).await.map_err(|e| e.to_string())?;
        for open_id in page.items.into_iter().flatten().filter_map(|user| user.open_id) {
            println!("{open_id}");
        }
        // An empty token also ends the walk: some endpoints send "" on the last page.
        match page.page_token {
            Some(token) if page.has_more == Some(true) && !token.is_empty() => page_token = Some(token),
            _ => return Ok(()),
        }
    }
}
