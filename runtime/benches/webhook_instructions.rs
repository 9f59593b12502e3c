//! Instructions per webhook request, for `valgrind --tool=callgrind` (stable on a noisy
//! machine, where times are not). Only `handle_all` is counted:
//!
//! ```sh
//! cargo bench -p lark-runtime --bench webhook_instructions --no-run
//! valgrind --tool=callgrind --toggle-collect='*handle_all*' --callgrind-out-file=/tmp/cg.out \
//!     target/release/deps/webhook_instructions-* 2000
//! callgrind_annotate /tmp/cg.out | head   # total Ir / 2000 = instructions per request
//! ```
//!
//! The pushes are the `webhook` bench's: a ~1 KB encrypted `im.message.receive_v1`, each
//! with its own event id, handled with in-memory deduplication (or without, given `plain`).

mod push;

use bytes::Bytes;
use http::Request;
use lark_runtime::webhook::Webhook;
use push::{push, webhook};

#[inline(never)]
fn handle_all(runtime: &tokio::runtime::Runtime, webhook: &Webhook, requests: Vec<Request<Bytes>>) {
    runtime.block_on(async {
        for request in requests {
            assert_eq!(webhook.handle(request).await.status(), 200);
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; only a number means a measured run.
    let Some(count) = args.iter().find_map(|a| a.parse::<usize>().ok()) else { return };
    let webhook = webhook(!args.iter().any(|a| a == "plain"));
    let requests: Vec<_> = (0..count).map(|n| push(&format!("ev_{n}"))).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    handle_all(&runtime, &webhook, requests);
}
