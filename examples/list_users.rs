//! Walks every page of the users directly in the root department (`0`) and prints one
//! `open_id` per line.
//!
//! ```text
//! cargo run --example list_users
//! ```

use std::process::ExitCode;

use futures_util::TryStreamExt;
use lark_sdk::contact::v3::FindByDepartmentUserRequest;

#[tokio::main]
async fn main() -> ExitCode {
    lark_examples::log_to_stderr();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let client = lark_examples::client_from_env().await?;
    let request = FindByDepartmentUserRequest::new("0").page_size(50);
    // The stream fetches the next page when this one runs out, and ends on the last page
    // (including the empty cursor some endpoints send there).
    let mut users = client.contact().v3().user().find_by_department_all(request).items();
    while let Some(user) = users.try_next().await.map_err(|e| e.to_string())? {
        if let Some(open_id) = user.open_id {
            println!("{open_id}");
        }
    }
    Ok(())
}
