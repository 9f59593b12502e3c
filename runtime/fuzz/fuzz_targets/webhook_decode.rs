//! Arbitrary bytes through the webhook's checks: they must end in an answer or a typed
//! rejection, never a panic, a hang or unbounded memory.
//!
//! The first byte picks how far in the input gets: as the raw body (stops at the JSON or
//! signature checks), as the `encrypt` field of a correctly signed body (reaches base64,
//! AES and padding), or as plaintext encrypted and signed with the right key (reaches the
//! envelope parser and the token check).

#![no_main]

use std::sync::LazyLock;

use lark_runtime::event::Dispatcher;
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::Push;
use libfuzzer_sys::fuzz_target;

const KEY: &str = "fuzz-encrypt-key";
const TOKEN: &str = "fuzz-token";

static STRICT: LazyLock<Webhook> =
    LazyLock::new(|| Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(Dispatcher::new()));
static OPEN: LazyLock<Webhook> = LazyLock::new(|| Webhook::builder().build(Dispatcher::new()));

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    let (strict, open) = (&*STRICT, &*OPEN);
    let push = match mode % 4 {
        0 => {
            let mut request = Push::new(text).request();
            *request.body_mut() = bytes::Bytes::copy_from_slice(rest);
            let _ = open.verify(&request);
            let _ = open.verify_card(&request);
            let _ = strict.verify(&request);
            return;
        }
        1 => Push::new(serde_json_string(&text)).sign_event(KEY),
        2 => Push::new(text).encrypt_and_sign(KEY),
        _ => Push::new(text).sign_card(TOKEN),
    };
    let request = push.request();
    let _ = strict.verify(&request);
    let _ = strict.verify_card(&request);
    let _ = open.verify(&request);
});

/// `{"encrypt": <text>}` with the text JSON-escaped by hand (no serde_json dependency).
fn serde_json_string(text: &str) -> String {
    let mut out = String::from(r#"{"encrypt":""#);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("\"}");
    out
}
