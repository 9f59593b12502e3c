//! What happens after the checks: typed dispatch, callbacks and their answers, legacy card
//! actions, deduplication of redeliveries, `app_ticket`, and failing handlers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::Request;
use lark_runtime::BoxFuture;
use lark_runtime::event::{
    Callback, CardAction, Dispatcher, Envelope, Event, EventContext, HandlerError, HandlerResult,
};
use lark_runtime::webhook::testing::{Push, v1_envelope, v2_envelope};
use lark_runtime::webhook::{Claim, DedupeStore, MemoryDedupe, Webhook};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

const KEY: &str = "encrypt-key-Zq8";
const TOKEN: &str = "verification-token-Wm3";

/// A payload as the generated crate would declare it.
#[derive(Debug, Deserialize)]
struct MessageReceived {
    message: Message,
}

#[derive(Debug, Deserialize)]
struct Message {
    message_id: String,
}

impl Event for MessageReceived {
    const EVENT_TYPE: &'static str = "im.message.receive_v1";
    const ENVELOPE: Envelope = Envelope::V2;
    const SCOPES: lark_runtime::Scopes = lark_runtime::Scopes::Unknown;
}

#[derive(Debug, Deserialize)]
struct ButtonClicked {
    action: serde_json::Value,
}

#[derive(Debug, Serialize)]
struct Toast {
    toast: ToastBody,
}

#[derive(Debug, Serialize)]
struct ToastBody {
    #[serde(rename = "type")]
    kind: &'static str,
    content: String,
}

impl Callback for ButtonClicked {
    const CALLBACK_TYPE: &'static str = "card.action.trigger";
    const ENVELOPE: Envelope = Envelope::V2;
    type Response = Toast;
}

fn message(id: &str) -> String {
    v2_envelope(MessageReceived::EVENT_TYPE, id, TOKEN, r#"{"message":{"message_id":"om_1"}}"#)
}

fn push(json: String) -> Request<Bytes> {
    Push::new(json).encrypt_and_sign(KEY).request()
}

fn webhook(dispatcher: Dispatcher) -> Webhook {
    Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher)
}

async fn send(webhook: &Webhook, request: Request<Bytes>) -> (u16, String) {
    let response = webhook.handle(request).await;
    (response.status().as_u16(), String::from_utf8(response.body().to_vec()).unwrap())
}

fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let c = Arc::new(AtomicUsize::new(0));
    (c.clone(), c)
}

#[tokio::test]
async fn typed_handlers_get_the_payload_and_the_header() {
    let seen = Arc::new(Mutex::new(None));
    let keep = seen.clone();
    let dispatcher = Dispatcher::new().on(move |ctx: EventContext, event: MessageReceived| {
        let keep = keep.clone();
        async move {
            let header = ctx.header().clone();
            *keep.lock().unwrap() = Some((header, event.message.message_id, ctx.raw_event().get().to_owned()));
            Ok(())
        }
    });
    assert_eq!(send(&webhook(dispatcher), push(message("ev_1"))).await, (200, "{}".into()));
    let (header, message_id, raw) = seen.lock().unwrap().take().unwrap();
    assert_eq!(header.event_id.as_deref(), Some("ev_1"));
    assert_eq!(header.event_type, "im.message.receive_v1");
    assert_eq!(header.create_time.as_deref(), Some("1700000000000"));
    assert_eq!(header.tenant_key.as_deref(), Some("tenant_test"));
    assert_eq!(header.app_id.as_deref(), Some("cli_test"));
    assert_eq!(header.envelope, Envelope::V2);
    assert_eq!(message_id, "om_1");
    assert_eq!(raw, r#"{"message":{"message_id":"om_1"}}"#);
}

#[tokio::test]
async fn a_redelivered_event_is_acknowledged_but_not_handled_again() {
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().on(move |_ctx, _event: MessageReceived| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let webhook = webhook(dispatcher);
    for _ in 0..3 {
        // Each redelivery is a new request: new IV, nonce and signature, same event id.
        assert_eq!(send(&webhook, push(message("ev_dup"))).await, (200, "{}".into()));
    }
    assert_eq!(send(&webhook, push(message("ev_other"))).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn v1_redeliveries_are_recognised_by_uuid() {
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().on_raw("message", move |_ctx| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let webhook = webhook(dispatcher);
    let v1 = v1_envelope("uuid-7", TOKEN, r#"{"type":"message","text":"hi"}"#);
    assert_eq!(send(&webhook, push(v1.clone())).await.0, 200);
    assert_eq!(send(&webhook, push(v1)).await.0, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn without_dedupe_every_push_runs() {
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().fallback(move |_ctx| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let webhook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).no_dedupe().build(dispatcher);
    send(&webhook, push(message("ev"))).await;
    send(&webhook, push(message("ev"))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_handler_answers_500_and_the_redelivery_runs_again() {
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().on(move |_ctx, _event: MessageReceived| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                return Err(HandlerError::msg("database is down"));
            }
            Ok(())
        }
    });
    let webhook = webhook(dispatcher);
    assert_eq!(send(&webhook, push(message("ev_1"))).await, (500, r#"{"error":"handler_failed"}"#.into()));
    assert_eq!(send(&webhook, push(message("ev_1"))).await, (200, "{}".into()));
    assert_eq!(send(&webhook, push(message("ev_1"))).await, (200, "{}".into()));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn question_mark_works_on_any_error() {
    let dispatcher = Dispatcher::new().on(|_ctx, event: MessageReceived| async move {
        let n: u32 = event.message.message_id.parse()?;
        println!("{n}");
        Ok(())
    });
    assert_eq!(send(&webhook(dispatcher), push(message("ev_1"))).await.0, 500);
}

#[tokio::test]
async fn a_panicking_handler_answers_500() {
    let dispatcher = Dispatcher::new()
        .on(|_ctx, _event: MessageReceived| async move {
            if true {
                panic!("handler bug");
            }
            Ok(())
        })
        .on_raw("sync.panic", |_ctx| -> std::future::Ready<HandlerResult> { panic!("before the future") });
    let webhook = webhook(dispatcher);
    assert_eq!(send(&webhook, push(message("ev_1"))).await.0, 500);
    assert_eq!(send(&webhook, push(v2_envelope("sync.panic", "ev_2", TOKEN, "{}"))).await.0, 500);
}

#[tokio::test]
async fn a_payload_that_does_not_decode_answers_500() {
    let dispatcher = Dispatcher::new().on(|_ctx, _event: MessageReceived| async { Ok(()) });
    let wrong_shape = v2_envelope(MessageReceived::EVENT_TYPE, "ev_1", TOKEN, r#"{"message":{"message_id":7}}"#);
    assert_eq!(send(&webhook(dispatcher), push(wrong_shape)).await.0, 500);
}

#[tokio::test]
async fn unknown_types_are_acknowledged_at_once_and_the_fallback_sees_them() {
    let (calls, count) = counter();
    let typed_only = webhook(Dispatcher::new().on(move |_ctx, _event: MessageReceived| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    }));
    let other = v2_envelope("drive.file.edit_v1", "ev_9", TOKEN, r#"{"file_token":"x"}"#);
    assert_eq!(send(&typed_only, push(other.clone())).await, (200, "{}".into()));
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let with_fallback = webhook(Dispatcher::new().fallback(move |ctx: EventContext| {
        log.lock().unwrap().push(ctx.event_type().to_owned());
        async { Ok(()) }
    }));
    assert_eq!(send(&with_fallback, push(other)).await.0, 200);
    assert_eq!(*seen.lock().unwrap(), ["drive.file.edit_v1"]);
}

#[tokio::test]
async fn a_callback_answer_is_the_response_body_and_every_push_runs() {
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().on_callback(move |ctx: EventContext, clicked: ButtonClicked| {
        count.fetch_add(1, Ordering::SeqCst);
        async move {
            let content = format!("{} {}", ctx.event_type(), clicked.action["value"]["n"]);
            Ok(Toast { toast: ToastBody { kind: "success", content } })
        }
    });
    let webhook = webhook(dispatcher);
    let json = v2_envelope("card.action.trigger", "ev_c", TOKEN, r#"{"action":{"value":{"n":3},"tag":"button"}}"#);
    let expected = r#"{"toast":{"type":"success","content":"card.action.trigger 3"}}"#;
    assert_eq!(send(&webhook, push(json.clone())).await, (200, expected.into()));
    assert_eq!(send(&webhook, push(json)).await, (200, expected.into()));
    assert_eq!(calls.load(Ordering::SeqCst), 2, "a callback's answer matters, so no dedupe");
}

#[tokio::test]
async fn legacy_card_actions_are_signed_with_sha1_and_answered() {
    let dispatcher = Dispatcher::new().on_card_action(|_ctx, action: CardAction| async move {
        let tag = action.action.and_then(|a| a.tag).unwrap_or_default();
        Ok(serde_json::json!({ "toast": { "type": "info", "content": tag } }))
    });
    let webhook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher);
    let body = r#"{"open_id":"ou_1","open_message_id":"om_1","tenant_key":"t","token":"c-update-token",
        "action":{"tag":"button","value":{"k":"v"}}}"#;
    let card = |p: Push| webhook.handle_card(p.request());
    let response = card(Push::new(body).sign_card(TOKEN)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), r#"{"toast":{"content":"button","type":"info"}}"#);
    // Signed with the wrong token, not signed, or tampered.
    assert_eq!(card(Push::new(body).sign_card("wrong")).await.status(), 401);
    assert_eq!(card(Push::new(body)).await.status(), 401);
    let mut tampered = Push::new(body).sign_card(TOKEN).request();
    *tampered.body_mut() = Bytes::from(body.replace("ou_1", "ou_2"));
    assert_eq!(webhook.handle_card(tampered).await.status(), 401);
    // The event signature is not the card signature.
    assert_eq!(card(Push::new(body).sign_event(KEY)).await.status(), 401);
    // An encrypted card body is decrypted; the signature covers the body as sent. The
    // platform's rule for it is not documented, so either rule is accepted, each with its
    // own secret; anything else is refused.
    assert_eq!(card(Push::new(body).encrypt_and_sign(KEY).sign_card(TOKEN)).await.status(), 200);
    assert_eq!(card(Push::new(body).encrypt_and_sign(KEY)).await.status(), 200, "the event rule");
    assert_eq!(card(Push::new(body).encrypt_and_sign(KEY).sign_card("wrong")).await.status(), 401);
    assert_eq!(card(Push::new(body).encrypt_and_sign(KEY).sign_event("wrong")).await.status(), 401);
    let unsigned = Push::new(body).encrypt_and_sign(KEY).request();
    let (mut parts, encrypted) = unsigned.into_parts();
    parts.headers.remove(lark_runtime::webhook::SIGNATURE_HEADER);
    assert_eq!(webhook.handle_card(Request::from_parts(parts, encrypted)).await.status(), 401, "unsigned");
    // The card URL check: unsigned, with the verification token.
    let check = r#"{"challenge":"cc","token":"verification-token-Wm3","type":"url_verification"}"#;
    let response = card(Push::new(check)).await;
    assert_eq!((response.status().as_u16(), response.body().as_ref()), (200, br#"{"challenge":"cc"}"#.as_ref()));
}

#[tokio::test]
async fn app_ticket_feeds_the_sink_and_still_reaches_handlers() {
    let ticket = Arc::new(Mutex::new(None::<String>));
    let keep = ticket.clone();
    let (calls, count) = counter();
    let dispatcher = Dispatcher::new().on_raw("app_ticket", move |_ctx| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    let webhook = Webhook::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .app_ticket(move |t: &str| *keep.lock().unwrap() = Some(t.to_owned()))
        .build(dispatcher);
    let event = v1_envelope("uuid-t", TOKEN, r#"{"type":"app_ticket","app_id":"cli_1","app_ticket":"tk_42"}"#);
    assert_eq!(send(&webhook, push(event)).await.0, 200);
    assert_eq!(ticket.lock().unwrap().as_deref(), Some("tk_42"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Without any handler the ticket is still taken.
    let keep = ticket.clone();
    let bare = Webhook::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .app_ticket(move |t: &str| *keep.lock().unwrap() = Some(t.to_owned()))
        .build(Dispatcher::new());
    let event = v1_envelope("uuid-u", TOKEN, r#"{"type":"app_ticket","app_id":"cli_1","app_ticket":"tk_43"}"#);
    assert_eq!(send(&bare, push(event)).await.0, 200);
    assert_eq!(ticket.lock().unwrap().as_deref(), Some("tk_43"));
}

#[tokio::test]
async fn a_redelivery_during_handling_is_answered_503_so_it_comes_back() {
    let gate = Arc::new(Notify::new());
    let started = Arc::new(Notify::new());
    let (g, s) = (gate.clone(), started.clone());
    let dispatcher = Dispatcher::new().on(move |_ctx, _event: MessageReceived| {
        let (g, s) = (g.clone(), s.clone());
        async move {
            s.notify_one();
            g.notified().await;
            Ok(())
        }
    });
    let webhook = webhook(dispatcher);
    let first = tokio::spawn({
        let webhook = webhook.clone();
        async move { send(&webhook, push(message("ev_slow"))).await }
    });
    // Bounded waits: a broken webhook must fail this test, not hang it.
    let within = |secs| std::time::Duration::from_secs(secs);
    tokio::time::timeout(within(5), started.notified()).await.expect("the first copy reaches the handler");
    assert_eq!(send(&webhook, push(message("ev_slow"))).await, (503, r#"{"error":"in_progress"}"#.into()));
    gate.notify_one();
    assert_eq!(tokio::time::timeout(within(5), first).await.expect("the first copy finishes").unwrap().0, 200);
    assert_eq!(send(&webhook, push(message("ev_slow"))).await.0, 200);
}

/// A store that is down: the webhook must not guess, and answers 500.
struct Broken;

impl DedupeStore for Broken {
    fn claim<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<Claim, HandlerError>> {
        Box::pin(async { Err(HandlerError::msg("redis unreachable")) })
    }
    fn complete<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async { Ok(()) })
    }
    fn release<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_custom_dedupe_store_is_used() {
    let dispatcher = Dispatcher::new().fallback(|_ctx| async { Ok(()) });
    let webhook = Webhook::builder().verification_token(TOKEN).dedupe(Broken).build(dispatcher.clone());
    let plain = Push::new(message("ev_1")).request();
    assert_eq!(send(&webhook, plain.clone()).await, (500, r#"{"error":"dedupe_store"}"#.into()));

    let store = Arc::new(MemoryDedupe::new(2, std::time::Duration::from_secs(60)));
    struct Shared(Arc<MemoryDedupe>);
    impl DedupeStore for Shared {
        fn claim<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Claim, HandlerError>> {
            self.0.claim(id)
        }
        fn complete<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
            self.0.complete(id)
        }
        fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), HandlerError>> {
            self.0.release(id)
        }
    }
    let webhook = Webhook::builder().verification_token(TOKEN).dedupe(Shared(store.clone())).build(dispatcher);
    for id in ["a", "b", "c"] {
        assert_eq!(send(&webhook, Push::new(message(id)).request()).await.0, 200);
    }
    assert_eq!(store.len(), 2, "bounded");
}

/// The same event read as a plain JSON value, as another app's dispatcher might.
#[derive(Debug, Deserialize)]
struct AnyMessage(serde_json::Value);

impl Event for AnyMessage {
    const EVENT_TYPE: &'static str = "im.message.receive_v1";
    const ENVELOPE: Envelope = Envelope::V2;
    const SCOPES: lark_runtime::Scopes = lark_runtime::Scopes::Unknown;
}

#[tokio::test]
async fn a_context_verified_by_one_dispatcher_dispatches_through_another() {
    // The first webhook decodes the payload as `MessageReceived` while verifying; a
    // dispatcher that reads the type as `AnyMessage` still gets its own type.
    let verifier = webhook(Dispatcher::new().on(|_ctx, _event: MessageReceived| async { Ok(()) }));
    let lark_runtime::webhook::Verified::Event(ctx) = verifier.verify(&push(message("ev_1"))).expect("verified") else {
        panic!("not an event");
    };
    let seen = Arc::new(Mutex::new(None));
    let keep = seen.clone();
    let other = Dispatcher::new().on(move |_ctx, event: AnyMessage| {
        *keep.lock().unwrap() = Some(event.0["message"]["message_id"].clone());
        async { Ok(()) }
    });
    other.dispatch(ctx).await.expect("handled");
    assert_eq!(seen.lock().unwrap().take(), Some(serde_json::json!("om_1")));
}
