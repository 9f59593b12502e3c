//! The long-connection client against a local WebSocket fake: the discovery endpoint is a
//! route on `FakeLark`, the socket a tokio-tungstenite server on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use lark_runtime::event::{Callback, Dispatcher, Envelope, EventContext, HandlerError};
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::ws::{
    ConnectionState, ENDPOINT_PATH, Frame, HEADER_BIZ_RT, HEADER_MESSAGE_ID, HEADER_SEQ, HEADER_SUM, HEADER_TYPE,
    METHOD_CONTROL, METHOD_DATA, WsClient, WsClientBuilder, WsError,
};
use lark_runtime::{Client, HttpMethod};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(2);

/// The fake platform: discovery on `FakeLark`, sockets on a local listener.
struct Platform {
    fake: FakeLark,
    client: Client,
    sockets: mpsc::UnboundedReceiver<Conn>,
    socket_url: String,
}

/// The server side of one accepted socket.
struct Conn {
    ws: WebSocketStream<TcpStream>,
}

impl Platform {
    async fn start() -> Platform {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, sockets) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                    let _ = tx.send(Conn { ws });
                }
            }
        });
        let socket_url = format!("ws://{addr}/ws?device_id=d1&service_id=7");
        let url = socket_url.clone();
        let fake = FakeLark::start().await;
        fake.route_public(HttpMethod::Post, ENDPOINT_PATH, move |_| {
            FakeResponse::data(json!({"URL": url, "ClientConfig": {}}))
        });
        let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET).base_url(fake.base_url()).build().unwrap();
        Platform { fake, client, sockets, socket_url }
    }

    /// A builder with quick reconnects and pings rare enough not to matter.
    fn builder(&self) -> WsClientBuilder {
        WsClient::builder(&self.client)
            .ping_interval(Duration::from_secs(60))
            .reconnect_interval(Duration::from_millis(20))
            .reconnect_nonce(Duration::from_millis(10))
    }

    async fn accept(&mut self) -> Conn {
        tokio::time::timeout(WAIT, self.sockets.recv()).await.expect("no connection in time").unwrap()
    }

    /// How many times the client asked for a socket URL; each ask must carry the app's
    /// credentials (checked here, after the fact, since a handler that panics only shows
    /// up as a dropped connection).
    fn endpoint_requests(&self) -> usize {
        let asked = self.fake.requests_to(HttpMethod::Post, ENDPOINT_PATH);
        for request in &asked {
            assert_eq!(request.json()["AppID"], FakeLark::APP_ID);
            assert_eq!(request.json()["AppSecret"], FakeLark::APP_SECRET);
        }
        asked.len()
    }
}

impl Conn {
    async fn send(&mut self, frame: &Frame) {
        self.ws.send(Message::Binary(frame.to_bytes())).await.unwrap();
    }

    /// The next frame the client sent.
    async fn frame(&mut self) -> Frame {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next()).await.expect("no frame in time");
            if let Some(Ok(Message::Binary(bytes))) = message {
                return Frame::from_bytes(&bytes).unwrap();
            }
            assert!(matches!(message, Some(Ok(_))), "the socket ended: {message:?}");
        }
    }

    /// The next data frame (an ack), skipping pings.
    async fn ack(&mut self) -> (Frame, Value) {
        loop {
            let frame = self.frame().await;
            if frame.method == METHOD_DATA {
                let payload = serde_json::from_slice(frame.payload()).unwrap();
                return (frame, payload);
            }
        }
    }
}

fn event(id: &str, event_type: &str) -> String {
    json!({
        "schema": "2.0",
        "header": {"event_id": id, "event_type": event_type, "create_time": "1700000000000", "app_id": "cli", "tenant_key": "t"},
        "event": {"text": "hello"},
    })
    .to_string()
}

fn data(kind: &str, message_id: &str, payload: &[u8]) -> Frame {
    let mut frame = Frame { seq_id: 1, log_id: 2, service: 7, method: METHOD_DATA, ..Frame::default() }
        .with_header(HEADER_TYPE, kind)
        .with_header(HEADER_MESSAGE_ID, message_id)
        .with_header(HEADER_SUM, "1")
        .with_header(HEADER_SEQ, "0");
    frame.payload = Some(payload.to_vec());
    frame
}

/// Counts handled events by id.
fn counting() -> (Dispatcher, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let dispatcher = Dispatcher::new().on_raw("im.message.receive_v1", move |ctx: EventContext| {
        keep.lock().unwrap().push(format!("{}:{}", ctx.event_id().unwrap_or_default(), ctx.raw_event().get()));
        async { Ok(()) }
    });
    (dispatcher, seen)
}

fn spawn(ws: WsClient) -> JoinHandle<Result<(), WsError>> {
    tokio::spawn(ws.run())
}

#[tokio::test]
async fn split_frames_are_reassembled_in_seq_order() {
    let mut platform = Platform::start().await;
    let (dispatcher, seen) = counting();
    let ws = platform.builder().build(dispatcher);
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;

    let json = event("e-split", "im.message.receive_v1");
    let third = json.len() / 3;
    let parts = [&json.as_bytes()[..third], &json.as_bytes()[third..2 * third], &json.as_bytes()[2 * third..]];
    for seq in [2, 0, 1] {
        let mut frame = data("event", "m-split", parts[seq]);
        frame.set_header(HEADER_SUM, "3");
        frame.set_header(HEADER_SEQ, seq.to_string());
        conn.send(&frame).await;
    }
    let (ack, payload) = conn.ack().await;
    assert_eq!(payload, json!({"code": 200}));
    assert_eq!(ack.header(HEADER_MESSAGE_ID), Some("m-split"));
    assert!(ack.header(HEADER_BIZ_RT).is_some_and(|ms| ms.parse::<u64>().is_ok()));
    assert_eq!(*seen.lock().unwrap(), vec![r#"e-split:{"text":"hello"}"#.to_owned()]);

    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn pings_carry_the_service_id_and_a_pong_updates_the_settings() {
    let mut platform = Platform::start().await;
    let ws = platform.builder().ping_interval(Duration::from_millis(40)).build(Dispatcher::new());
    let mut config = ws.config();
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;

    for _ in 0..2 {
        let ping = conn.frame().await;
        assert_eq!((ping.method, ping.service, ping.kind()), (METHOD_CONTROL, 7, Some("ping")));
    }
    let mut pong = Frame::control("pong", 7);
    pong.payload = Some(br#"{"PingInterval":30,"ReconnectCount":5,"ReconnectInterval":9}"#.to_vec());
    conn.send(&pong).await;
    let applied = tokio::time::timeout(WAIT, config.wait_for(|c| c.ping_interval == Duration::from_secs(30)))
        .await
        .expect("the pong's settings were not applied")
        .map(|c| *c)
        .unwrap();
    assert_eq!(applied.reconnect_count, Some(5));
    assert_eq!(applied.reconnect_interval, Duration::from_secs(9));
    // At most one ping already in flight; then the new interval holds them back.
    let mut pings = 0;
    let quiet = tokio::time::sleep(Duration::from_millis(250));
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            () = &mut quiet => break,
            message = conn.ws.next() => if let Some(Ok(Message::Binary(_))) = message { pings += 1 },
        }
    }
    assert!(pings <= 1, "{pings} pings after the interval went up to 30 s");

    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn a_server_close_reconnects_with_a_fresh_endpoint() {
    let mut platform = Platform::start().await;
    let (dispatcher, seen) = counting();
    let ws = platform.builder().build(dispatcher);
    let mut state = ws.state();
    let stop = ws.shutdown_handle();
    let run = spawn(ws);

    let mut first = platform.accept().await;
    first.ws.close(None).await.unwrap();
    let mut second = platform.accept().await;
    assert_eq!(platform.endpoint_requests(), 2);
    tokio::time::timeout(WAIT, state.wait_for(|s| *s == ConnectionState::Connected)).await.unwrap().unwrap();

    second.send(&data("event", "m1", event("e-after", "im.message.receive_v1").as_bytes())).await;
    assert_eq!(second.ack().await.1, json!({"code": 200}));
    assert_eq!(seen.lock().unwrap().len(), 1);

    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
    assert_eq!(*state.borrow(), ConnectionState::Stopped);
}

#[tokio::test]
async fn missing_pongs_make_the_watchdog_reconnect() {
    let mut platform = Platform::start().await;
    let ws = platform.builder().ping_interval(Duration::from_millis(50)).watchdog(2).build(Dispatcher::new());
    let mut state = ws.state();
    let stop = ws.shutdown_handle();
    let started = Instant::now();
    let run = spawn(ws);

    // The first socket stays open but never answers: a zombie.
    let _zombie = platform.accept().await;
    let reason = tokio::time::timeout(WAIT, state.wait_for(|s| matches!(s, ConnectionState::Disconnected { .. })))
        .await
        .unwrap()
        .map(|s| s.clone())
        .unwrap();
    assert!(matches!(&reason, ConnectionState::Disconnected { reason } if reason.contains("watchdog")), "{reason:?}");
    assert!(started.elapsed() >= Duration::from_millis(100), "fired after {:?}", started.elapsed());
    let _second = platform.accept().await;
    assert_eq!(platform.endpoint_requests(), 2);

    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn pongs_keep_the_watchdog_quiet() {
    let mut platform = Platform::start().await;
    // The watchdog fires after 400 ms of silence; the pongs run for three times that, so a
    // watchdog that ignored them would fire, while a loaded machine still has 400 ms to
    // answer each ping.
    let ws = platform.builder().ping_interval(Duration::from_millis(50)).watchdog(8).build(Dispatcher::new());
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;
    let until = Instant::now() + Duration::from_millis(1200);
    while Instant::now() < until {
        let ping = conn.frame().await;
        assert_eq!(ping.kind(), Some("ping"));
        conn.send(&Frame::control("pong", 7)).await;
    }
    assert_eq!(platform.endpoint_requests(), 1, "the watchdog fired although pongs came");
    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn shutdown_waits_for_a_running_handler_and_sends_its_ack() {
    let mut platform = Platform::start().await;
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let finished = Arc::new(AtomicUsize::new(0));
    let done = finished.clone();
    let dispatcher = Dispatcher::new().on_raw("slow", move |_ctx: EventContext| {
        let (started_tx, done) = (started_tx.clone(), done.clone());
        async move {
            let _ = started_tx.send(());
            tokio::time::sleep(Duration::from_millis(300)).await;
            done.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    let ws = platform.builder().build(dispatcher);
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;

    conn.send(&data("event", "m-slow", event("e-slow", "slow").as_bytes())).await;
    tokio::time::timeout(WAIT, started_rx.recv()).await.unwrap().unwrap();
    let asked = Instant::now();
    stop.shutdown();
    assert_eq!(tokio::time::timeout(WAIT, run).await.unwrap().unwrap(), Ok(()));
    assert_eq!(finished.load(Ordering::SeqCst), 1, "run returned before the handler finished");
    assert!(asked.elapsed() >= Duration::from_millis(200));
    // The ack went out before the socket closed.
    assert_eq!(conn.ack().await.1, json!({"code": 200}));
}

#[derive(serde::Deserialize)]
struct ButtonClicked {
    action: Value,
}

impl Callback for ButtonClicked {
    const CALLBACK_TYPE: &'static str = "card.action.trigger";
    const ENVELOPE: Envelope = Envelope::V2;
    type Response = Value;
}

#[tokio::test]
async fn a_callback_ack_carries_the_answer_as_base64_json() {
    let mut platform = Platform::start().await;
    let dispatcher = Dispatcher::new().on_callback(|_ctx: EventContext, clicked: ButtonClicked| async move {
        Ok(json!({"toast": {"type": "success", "content": clicked.action["value"]}}))
    });
    let ws = platform.builder().build(dispatcher);
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;

    let push = json!({
        "schema": "2.0",
        "header": {"event_id": "c1", "event_type": "card.action.trigger"},
        "event": {"action": {"value": "clicked"}},
    });
    for _ in 0..2 {
        // Callbacks are not deduplicated: every push gets the answer.
        conn.send(&data("card", "m-card", push.to_string().as_bytes())).await;
        let (_, ack) = conn.ack().await;
        assert_eq!(ack["code"], 200);
        let bytes = base64::engine::general_purpose::STANDARD.decode(ack["data"].as_str().unwrap()).unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer, json!({"toast": {"type": "success", "content": "clicked"}}));
    }
    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn duplicate_event_ids_are_handled_once_and_failures_ack_500() {
    let mut platform = Platform::start().await;
    let failures = Arc::new(AtomicUsize::new(0));
    let count = failures.clone();
    let (dispatcher, seen) = counting();
    let dispatcher = dispatcher.on_raw("flaky", move |_ctx: EventContext| {
        let first = count.fetch_add(1, Ordering::SeqCst) == 0;
        async move { if first { Err(HandlerError::msg("first try fails")) } else { Ok(()) } }
    });
    let ws = platform.builder().build(dispatcher);
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let mut conn = platform.accept().await;

    for message_id in ["m1", "m2", "m3"] {
        conn.send(&data("event", message_id, event("e-dup", "im.message.receive_v1").as_bytes())).await;
        assert_eq!(conn.ack().await.1, json!({"code": 200}));
    }
    assert_eq!(seen.lock().unwrap().len(), 1, "a redelivery ran the handler again");

    // A failed handler is acked with 500 and released, so the redelivery runs it again.
    conn.send(&data("event", "f1", event("e-flaky", "flaky").as_bytes())).await;
    assert_eq!(conn.ack().await.1, json!({"code": 500}));
    conn.send(&data("event", "f2", event("e-flaky", "flaky").as_bytes())).await;
    assert_eq!(conn.ack().await.1, json!({"code": 200}));
    assert_eq!(failures.load(Ordering::SeqCst), 2);

    // A bad frame is skipped; the connection carries on.
    conn.ws.send(Message::Binary(vec![0xff, 0xff, 0x01].into())).await.unwrap();
    conn.send(&data("event", "m4", event("e-next", "im.message.receive_v1").as_bytes())).await;
    assert_eq!(conn.ack().await.1, json!({"code": 200}));
    assert_eq!(seen.lock().unwrap().len(), 2);

    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));
}

#[tokio::test]
async fn retry_codes_are_retried_and_other_codes_are_fatal() {
    let mut platform = Platform::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let socket_url = platform.socket_url.clone();
    // Two "try later" answers, then a socket URL.
    platform.fake.route_public(HttpMethod::Post, ENDPOINT_PATH, move |_| match count.fetch_add(1, Ordering::SeqCst) {
        0 => FakeResponse::json(json!({"code": 1, "msg": "system busy"})),
        1 => FakeResponse::json(json!({"code": 1000040343, "msg": "too many connections"})),
        _ => FakeResponse::data(json!({"URL": socket_url.clone()})),
    });
    let ws = platform.builder().build(Dispatcher::new());
    let stop = ws.shutdown_handle();
    let run = spawn(ws);
    let _conn = platform.accept().await;
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    stop.shutdown();
    assert_eq!(run.await.unwrap(), Ok(()));

    platform.fake.route_public(HttpMethod::Post, ENDPOINT_PATH, |_| {
        FakeResponse::json(json!({"code": 1000040344, "msg": "the app has no permission"}))
    });
    let ws = platform.builder().build(Dispatcher::new());
    let mut state = ws.state();
    let result = tokio::time::timeout(WAIT, ws.run()).await.unwrap();
    assert_eq!(result, Err(WsError::Refused { code: 1000040344, msg: "the app has no permission".to_owned() }));
    assert_eq!(*state.borrow_and_update(), ConnectionState::Stopped);
}

#[tokio::test]
async fn reconnect_count_limits_the_attempts() {
    let platform = Platform::start().await;
    platform
        .fake
        .route_public(HttpMethod::Post, ENDPOINT_PATH, |_| FakeResponse::json(json!({"code": 1, "msg": "busy"})));
    let ws = platform.builder().reconnect_count(Some(2)).build(Dispatcher::new());
    let result = tokio::time::timeout(WAIT, ws.run()).await.unwrap();
    assert!(matches!(result, Err(WsError::ReconnectsExhausted { attempts: 3, .. })), "{result:?}");
    assert_eq!(platform.endpoint_requests(), 3);
}

#[tokio::test]
async fn debug_output_hides_the_secret() {
    let platform = Platform::start().await;
    let ws = platform.builder().build(Dispatcher::new());
    let text = format!("{ws:?} {:?}", platform.builder());
    assert!(!text.contains(FakeLark::APP_SECRET), "{text}");
}

#[tokio::test]
async fn the_connection_cap_and_a_wrong_domain_are_clear_and_not_retried() {
    let platform = Platform::start().await;
    for (code, expected) in [
        (1000040350, WsError::TooManyConnections { code: 1000040350 }),
        (1000040351, WsError::WrongDomain { code: 1000040351 }),
    ] {
        platform.fake.route_public(HttpMethod::Post, ENDPOINT_PATH, move |_| {
            FakeResponse::json(json!({"code": code, "msg": "refused"}))
        });
        let before = platform.endpoint_requests();
        let result = tokio::time::timeout(WAIT, platform.builder().build(Dispatcher::new()).run()).await.unwrap();
        assert_eq!(result, Err(expected), "discovery code {code}");
        assert_eq!(platform.endpoint_requests() - before, 1, "not retried");
    }

    // The same refusal in the socket upgrade's `Handshake-Autherrcode` header.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut request = [0u8; 2048];
            let _ = stream.read(&mut request).await;
            let refusal = "HTTP/1.1 403 Forbidden\r\nHandshake-Autherrcode: 1000040350\r\nContent-Length: 0\r\n\r\n";
            let _ = stream.write_all(refusal.as_bytes()).await;
        }
    });
    let url = format!("ws://{addr}/ws?device_id=d1&service_id=7");
    platform.fake.route_public(HttpMethod::Post, ENDPOINT_PATH, move |_| {
        FakeResponse::data(json!({"URL": url, "ClientConfig": {}}))
    });
    let before = platform.endpoint_requests();
    let result = tokio::time::timeout(WAIT, platform.builder().build(Dispatcher::new()).run()).await.unwrap();
    assert_eq!(result, Err(WsError::TooManyConnections { code: 1000040350 }));
    assert_eq!(platform.endpoint_requests() - before, 1, "not retried");
}
