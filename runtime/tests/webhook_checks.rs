//! The webhook's checks, one request at a time: signatures, decryption, tokens,
//! timestamps, sizes, URL checks. Each test breaks one thing in an otherwise valid push.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Request, Response};
use lark_runtime::event::{Dispatcher, EventContext};
use lark_runtime::webhook::testing::{Push, v1_envelope, v2_envelope};
use lark_runtime::webhook::{EncryptKey, NONCE_HEADER, Rejection, SIGNATURE_HEADER, TIMESTAMP_HEADER, Webhook};

const KEY: &str = "encrypt-key-Zq8";
const TOKEN: &str = "verification-token-Wm3";
const MESSAGE: &str = "im.message.receive_v1";

/// A dispatcher that records the id of every event it handles.
fn recording() -> (Dispatcher, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let dispatcher = Dispatcher::new().fallback(move |ctx: EventContext| {
        log.lock().unwrap().push(ctx.event_id().unwrap_or_default().to_owned());
        async { Ok(()) }
    });
    (dispatcher, seen)
}

fn strict() -> (Webhook, Arc<Mutex<Vec<String>>>) {
    let (dispatcher, seen) = recording();
    (Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher), seen)
}

fn message(id: &str) -> String {
    v2_envelope(MESSAGE, id, TOKEN, r#"{"message":{"message_id":"om_1","content":"{\"text\":\"hi\"}"}}"#)
}

async fn send(webhook: &Webhook, request: Request<Bytes>) -> (u16, String) {
    let response: Response<Bytes> = webhook.handle(request).await;
    (response.status().as_u16(), String::from_utf8(response.body().to_vec()).unwrap())
}

fn error(code: &str) -> String {
    format!(r#"{{"error":"{code}"}}"#)
}

/// A signed request whose body is `{"encrypt": <encrypted>}`, for hand-made ciphertexts.
fn signed_encrypted(encrypted: &str) -> Request<Bytes> {
    Push::new(serde_json::json!({ "encrypt": encrypted }).to_string()).sign_event(KEY).request()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn known_answer_decryption() {
    let plain = EncryptKey::new("test key").decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=").unwrap();
    assert_eq!(plain, b"hello world");
}

#[tokio::test]
async fn a_valid_encrypted_signed_push_is_handled() {
    let (webhook, seen) = strict();
    assert_eq!(send(&webhook, Push::new(message("ev_1")).encrypt_and_sign(KEY).request()).await, (200, "{}".into()));
    assert_eq!(*seen.lock().unwrap(), ["ev_1"]);
}

#[tokio::test]
async fn a_tampered_body_fails_the_signature() {
    let (webhook, seen) = strict();
    let push = Push::new(message("ev_1")).encrypt_and_sign(KEY);
    // Whitespace only: a check over re-serialised JSON would not notice.
    let mut request = push.request();
    *request.body_mut() = Bytes::from(String::from_utf8(push.body().to_vec()).unwrap().replacen(':', ": ", 1));
    assert_eq!(send(&webhook, request).await, (401, error("bad_signature")));
    // One changed character inside the ciphertext.
    let mut request = push.request();
    let mut body = push.body().to_vec();
    let at = body.len() - 10;
    body[at] = if body[at] == b'A' { b'B' } else { b'A' };
    *request.body_mut() = Bytes::from(body);
    assert_eq!(send(&webhook, request).await, (401, error("bad_signature")));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_signature_or_key_is_refused() {
    let (webhook, _) = strict();
    let signed_with_other_key = Push::new(message("ev_1")).encrypt_and_sign("another key").request();
    assert_eq!(send(&webhook, signed_with_other_key).await, (401, error("bad_signature")));
    let mut request = Push::new(message("ev_1")).encrypt_and_sign(KEY).request();
    let sig = request.headers()[SIGNATURE_HEADER].to_str().unwrap().to_uppercase();
    request.headers_mut().insert(SIGNATURE_HEADER, sig.parse().unwrap());
    assert_eq!(send(&webhook, request).await, (401, error("bad_signature")), "hex must be lowercase");
}

#[tokio::test]
async fn the_right_signature_over_data_encrypted_with_another_key_fails_decryption() {
    let (webhook, _) = strict();
    // The known answer's ciphertext does not decrypt under KEY: the padding check catches it.
    let request = signed_encrypted("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=");
    assert_eq!(send(&webhook, request).await, (400, error("bad_padding")));
}

#[tokio::test]
async fn truncated_ciphertext_is_refused() {
    let (webhook, _) = strict();
    let key = EncryptKey::new(KEY);
    let full = STANDARD.decode(key.encrypt(message("ev_1").as_bytes(), [9; 16])).unwrap();
    for cut in [1, 15, 17, full.len() - 17, full.len() - 16] {
        let request = signed_encrypted(&STANDARD.encode(&full[..full.len() - cut]));
        assert_eq!(send(&webhook, request).await, (400, error("bad_ciphertext_length")), "cut {cut}");
    }
    // Whole blocks cut off the end leave the padding check to notice.
    let request = signed_encrypted(&STANDARD.encode(&full[..full.len() - 16]));
    assert_eq!(send(&webhook, request).await, (400, error("bad_padding")));
}

#[tokio::test]
async fn mis_padded_ciphertext_is_refused() {
    let (webhook, _) = strict();
    // "{}" fills one block with 14 bytes of padding 0x0e. Flipping IV bits flips the same
    // plaintext bits, so the last byte can be set to anything, deterministically.
    let encrypted = EncryptKey::new(KEY).encrypt(b"{}", [3; 16]);
    for last in [0x00u8, 0x0f, 0x11, 0x02] {
        let mut data = STANDARD.decode(&encrypted).unwrap();
        data[15] ^= 0x0e ^ last;
        let request = signed_encrypted(&STANDARD.encode(&data));
        assert_eq!(send(&webhook, request).await, (400, error("bad_padding")), "last byte {last:#x}");
    }
}

#[tokio::test]
async fn base64_must_be_strict_standard() {
    let (webhook, _) = strict();
    let good = EncryptKey::new(KEY).encrypt(message("ev_1").as_bytes(), [0xfb; 16]);
    let url_safe = good.replace('+', "-").replace('/', "_");
    assert_ne!(url_safe, good, "the sample must contain + or /");
    // Two bytes of plaintext make one block: 32 bytes of data, base64 ending in one `=`.
    let padded = EncryptKey::new(KEY).encrypt(b"{}", [0xfb; 16]);
    assert!(padded.ends_with('='));
    let unpadded = padded.trim_end_matches('=').to_owned();
    let cases = [url_safe, unpadded, format!(" {good}"), format!("{good}\n"), format!("{good}*")];
    for bad in cases {
        assert_eq!(send(&webhook, signed_encrypted(&bad)).await, (400, error("bad_base64")), "{bad}");
    }
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused() {
    let (webhook, seen) = strict();
    let wrong = v2_envelope(MESSAGE, "ev_1", "not-the-token", "{}");
    assert_eq!(send(&webhook, Push::new(wrong).encrypt_and_sign(KEY).request()).await, (401, error("bad_token")));
    let missing = r#"{"schema":"2.0","header":{"event_id":"ev_2","event_type":"x"},"event":{}}"#;
    assert_eq!(send(&webhook, Push::new(missing).encrypt_and_sign(KEY).request()).await, (401, error("bad_token")));
    let v1 = v1_envelope("u1", "not-the-token", r#"{"type":"message"}"#);
    assert_eq!(send(&webhook, Push::new(v1).encrypt_and_sign(KEY).request()).await, (401, error("bad_token")));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn missing_signature_headers_are_refused() {
    let (webhook, seen) = strict();
    let unsigned = Push::new(message("ev_1")).encrypt_and_sign(KEY);
    for header in [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
        let mut request = unsigned.request();
        request.headers_mut().remove(header);
        assert_eq!(send(&webhook, request).await, (401, error("missing_header")), "{header}");
    }
    let mut request = unsigned.request();
    request.headers_mut().clear();
    assert_eq!(send(&webhook, request).await, (401, error("missing_header")));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn unsigned_failures_all_look_alike() {
    // Without a signature, bad padding and a well-formed non-URL-check must get the same
    // answer; otherwise the difference is a padding oracle.
    let (webhook, _) = strict();
    let encrypted = EncryptKey::new(KEY).encrypt(b"{}", [3; 16]);
    let mut data = STANDARD.decode(&encrypted).unwrap();
    data[15] ^= 0x0e;
    let bad_padding = Push::new(serde_json::json!({ "encrypt": STANDARD.encode(&data) }).to_string()).request();
    let good_padding = Push::new(serde_json::json!({ "encrypt": encrypted }).to_string()).request();
    let a = send(&webhook, bad_padding).await;
    let b = send(&webhook, good_padding).await;
    assert_eq!(a, (401, error("missing_header")));
    assert_eq!(a, b);
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused_when_a_window_is_set() {
    let (dispatcher, seen) = recording();
    let webhook = Webhook::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .max_skew(Duration::from_secs(300))
        .build(dispatcher);
    let at = |secs: u64, id: &str| Push::new(message(id)).timestamp(secs).encrypt_and_sign(KEY).request();
    assert_eq!(send(&webhook, at(now() - 1000, "ev_old")).await, (401, error("stale_timestamp")));
    assert_eq!(send(&webhook, at(now() + 1000, "ev_future")).await, (401, error("stale_timestamp")));
    assert_eq!(send(&webhook, at(now() - 100, "ev_ok")).await.0, 200);
    let mut request = at(now(), "ev_bad");
    request.headers_mut().insert(TIMESTAMP_HEADER, "yesterday".parse().unwrap());
    assert_eq!(send(&webhook, request).await.0, 401, "the timestamp is signed, so changing it breaks the signature");
    assert_eq!(*seen.lock().unwrap(), ["ev_ok"]);

    let (webhook, _) = strict();
    assert_eq!(send(&webhook, at(now() - 100_000, "ev_old")).await.0, 200, "no window by default");
}

#[tokio::test]
async fn oversized_bodies_and_other_methods_are_refused() {
    let (dispatcher, seen) = recording();
    let webhook = Webhook::builder().verification_token(TOKEN).max_body_bytes(256).build(dispatcher);
    let small = v2_envelope(MESSAGE, "ev_1", TOKEN, "{}");
    assert!(small.len() <= 256);
    assert_eq!(send(&webhook, Push::new(small.clone()).request()).await.0, 200);
    let big = v2_envelope(MESSAGE, "ev_2", TOKEN, &format!(r#"{{"pad":"{}"}}"#, "x".repeat(300)));
    assert_eq!(send(&webhook, Push::new(big).request()).await, (413, error("body_too_large")));
    let mut get = Push::new(small).request();
    *get.method_mut() = http::Method::GET;
    assert_eq!(send(&webhook, get).await, (405, error("method_not_allowed")));
    assert_eq!(*seen.lock().unwrap(), ["ev_1"]);
}

#[tokio::test]
async fn url_verification_answers_the_challenge_after_the_token_check() {
    let (webhook, _) = strict();
    let check = |token: &str| {
        let json = serde_json::json!({ "challenge": "ch-\"1\"", "token": token, "type": "url_verification" });
        // The platform encrypts URL checks when a key is set, and does not sign them.
        Push::new(json.to_string()).encrypt_and_sign(KEY)
    };
    let mut unsigned = check(TOKEN).request();
    unsigned.headers_mut().clear();
    assert_eq!(send(&webhook, unsigned).await, (200, r#"{"challenge":"ch-\"1\""}"#.into()));
    assert_eq!(send(&webhook, check(TOKEN).request()).await.0, 200, "signed is fine too");
    assert_eq!(send(&webhook, check("wrong").request()).await, (401, error("bad_token")));

    let open = Webhook::builder().build(Dispatcher::new());
    let plain = r#"{"challenge":"c2","token":"whatever","type":"url_verification"}"#;
    assert_eq!(send(&open, Push::new(plain).request()).await, (200, r#"{"challenge":"c2"}"#.into()));
}

#[tokio::test]
async fn encryption_must_match_the_configuration() {
    let (webhook, _) = strict();
    let plain_but_signed = Push::new(message("ev_1")).sign_event(KEY).request();
    assert_eq!(send(&webhook, plain_but_signed).await, (400, error("not_encrypted")));

    let (dispatcher, _) = recording();
    let no_key = Webhook::builder().verification_token(TOKEN).build(dispatcher);
    let encrypted = Push::new(message("ev_1")).encrypt_and_sign(KEY).request();
    assert_eq!(send(&no_key, encrypted).await, (400, error("encrypt_key_missing")));
}

#[tokio::test]
async fn both_envelopes_without_encryption() {
    let (dispatcher, seen) = recording();
    let webhook = Webhook::builder().verification_token(TOKEN).build(dispatcher);
    let v1 = v1_envelope("uuid-1", TOKEN, r#"{"type":"message","app_id":"cli_1","text":"hi"}"#);
    assert_eq!(send(&webhook, Push::new(v1).request()).await.0, 200);
    assert_eq!(send(&webhook, Push::new(message("ev_2")).request()).await.0, 200);
    assert_eq!(*seen.lock().unwrap(), ["uuid-1", "ev_2"]);
    for bad in ["not json", "[]", r#"{"schema":"1.0","header":{},"event":{}}"#, r#"{"type":"event_callback"}"#] {
        let code = send(&webhook, Push::new(bad).request()).await.0;
        assert_eq!(code, 400, "{bad}");
    }
}

#[tokio::test]
async fn verify_reports_the_typed_reason() {
    let (webhook, _) = strict();
    let mut request = Push::new(message("ev_1")).encrypt_and_sign(KEY).request();
    request.headers_mut().insert(NONCE_HEADER, "other".parse().unwrap());
    let rejection = webhook.verify(&request).unwrap_err();
    assert_eq!(rejection, Rejection::BadSignature);
    assert_eq!(rejection.status(), 401);
    assert_eq!(rejection.code(), "bad_signature");
}

#[tokio::test]
async fn the_platforms_exact_body_and_any_other_layout_get_the_same_answer() {
    // `{"encrypt":"…"}` byte for byte takes a shortcut past the JSON parser; spaced out,
    // reordered or with a field more, the same text must be answered the same way.
    let key = EncryptKey::new(KEY);
    let good = key.encrypt(message("ev_1").as_bytes(), [5; 16]);
    let wrong_key = EncryptKey::new("another key").encrypt(message("ev_2").as_bytes(), [5; 16]);
    let short = STANDARD.encode([1u8; 16]);
    for text in [good.as_str(), &wrong_key, &short, "not base64!", "", r#"a\"b"#] {
        let mut answers = Vec::new();
        for body in [
            format!(r#"{{"encrypt":"{text}"}}"#),
            format!(r#"{{ "encrypt" : "{text}" }}"#),
            format!(r#"{{"x":1,"encrypt":"{text}"}}"#),
        ] {
            let (webhook, seen) = strict();
            let answer = send(&webhook, Push::new(body).sign_event(KEY).request()).await;
            answers.push((answer, seen.lock().unwrap().clone()));
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{text}: {answers:?}");
    }
    let (webhook, seen) = strict();
    let answer = send(&webhook, Push::new(format!(r#"{{"encrypt":"{good}"}}"#)).sign_event(KEY).request()).await;
    assert_eq!((answer, seen.lock().unwrap().clone()), ((200, "{}".to_owned()), vec!["ev_1".to_owned()]));
}
