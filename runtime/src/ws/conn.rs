//! One open socket: pings, the watchdog, reassembly of split messages, dispatch and acks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::discovery::{ServerConfig, WsConfig};
use super::frame::{
    Frame, FrameError, HEADER_BIZ_RT, HEADER_MESSAGE_ID, HEADER_SEQ, HEADER_SUM, METHOD_CONTROL, METHOD_DATA,
};
use crate::webhook::Webhook;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Split messages older than this are dropped unfinished.
const PART_TTL: Duration = Duration::from_secs(30);
/// At most this many split messages are assembled at once.
const MAX_PENDING: usize = 256;
/// At most this many parts per message.
const MAX_PARTS: usize = 1024;

/// What the client and its sessions share.
pub(crate) struct Shared {
    pub webhook: Webhook,
    pub config: watch::Sender<WsConfig>,
    pub in_flight: watch::Sender<usize>,
    /// The watchdog fires after this many ping intervals without any frame.
    pub watchdog: Option<u32>,
    pub max_message_bytes: usize,
    /// How long shutdown waits for running handlers.
    pub drain_timeout: Duration,
}

/// Why a session ended.
#[derive(Debug)]
pub(crate) enum End {
    /// Shutdown was asked for; the socket was closed after the handlers finished.
    Shutdown,
    /// The socket closed or failed.
    Closed(String),
    /// Nothing arrived for too long.
    Watchdog,
}

/// Counts a running handler until dropped.
struct InFlight(watch::Sender<usize>);

impl InFlight {
    fn enter(counter: &watch::Sender<usize>) -> Self {
        counter.send_modify(|n| *n += 1);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// Runs one session until the socket ends, the watchdog fires or shutdown is asked for.
pub(crate) async fn run(
    socket: Socket,
    service_id: i32,
    shared: &Arc<Shared>,
    stop: &mut watch::Receiver<bool>,
) -> End {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if let Err(e) = sink.send(message).await {
                tracing::debug!(error = %e, "long connection: write failed");
                return;
            }
        }
        let _ = sink.close().await;
    });
    let mut assembler = Assembler::new(shared.max_message_bytes);
    let mut next_ping = Instant::now();
    let mut last_seen = Instant::now();
    let end = loop {
        let config = *shared.config.borrow();
        let deadline = shared.watchdog.map(|n| last_seen + config.ping_interval.saturating_mul(n));
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break End::Shutdown,
            () = sleep_until(next_ping) => {
                let ping = Frame::control("ping", service_id);
                let _ = tx.send(Message::Binary(ping.to_bytes()));
                next_ping = Instant::now() + config.ping_interval;
            }
            () = sleep_until(deadline.unwrap_or(last_seen)), if deadline.is_some() => break End::Watchdog,
            message = stream.next() => {
                last_seen = Instant::now();
                match message {
                    None => break End::Closed("the socket ended".to_owned()),
                    Some(Err(e)) => break End::Closed(format!("the socket failed: {e}")),
                    Some(Ok(Message::Close(close))) => {
                        let why = close.map(|c| format!("{} {}", c.code, c.reason)).unwrap_or_default();
                        break End::Closed(format!("closed by the server {why}").trim_end().to_owned());
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        if let Err(e) = on_frame(&bytes, shared, &mut assembler, &tx, &mut next_ping) {
                            tracing::warn!(error = %e, "long connection: frame skipped");
                        }
                    }
                    Some(Ok(_)) => {}
                }
            }
        }
    };
    match end {
        End::Shutdown => {
            // The handlers in flight send their acks through `tx`; the caller waits for
            // them before the writer closes the socket.
            drop(tx);
            drain(shared).await;
            let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
        }
        _ => writer.abort(),
    }
    end
}

/// Waits until no handler is running, at most the drain timeout; `false` on timeout.
pub(crate) async fn drain(shared: &Shared) -> bool {
    let mut counter = shared.in_flight.subscribe();
    tokio::time::timeout(shared.drain_timeout, counter.wait_for(|n| *n == 0)).await.is_ok()
}

fn on_frame(
    bytes: &[u8],
    shared: &Arc<Shared>,
    assembler: &mut Assembler,
    tx: &mpsc::UnboundedSender<Message>,
    next_ping: &mut Instant,
) -> Result<(), FrameError> {
    let frame = Frame::from_bytes(bytes)?;
    match frame.method {
        METHOD_CONTROL => {
            if frame.kind() == Some("pong") && !frame.payload().is_empty() {
                let update: ServerConfig = serde_json::from_slice(frame.payload())
                    .map_err(|e| FrameError::new(format!("a pong with an unreadable configuration: {e}")))?;
                let old = shared.config.borrow().ping_interval;
                shared.config.send_modify(|config| config.apply(&update));
                let new = shared.config.borrow().ping_interval;
                if new != old {
                    *next_ping = Instant::now() + new;
                }
                tracing::debug!(?update, "long connection: settings updated by a pong");
            }
            Ok(())
        }
        METHOD_DATA => {
            if let Some((frame, payload)) = assembler.push(frame)? {
                spawn_handler(shared, frame, payload, tx.clone());
            }
            Ok(())
        }
        other => Err(FrameError::new(format!("unknown method {other}"))),
    }
}

fn spawn_handler(shared: &Arc<Shared>, mut frame: Frame, payload: Vec<u8>, tx: mpsc::UnboundedSender<Message>) {
    let guard = InFlight::enter(&shared.in_flight);
    let webhook = shared.webhook.clone();
    tokio::spawn(async move {
        let _guard = guard;
        let started = Instant::now();
        let mut request = http::Request::new(Bytes::from(payload));
        *request.method_mut() = http::Method::POST;
        let response = webhook.handle_via("websocket", crate::webhook::Endpoint::Events, request).await;
        let answer = ack(response.status(), response.body(), frame.kind() == Some("card"));
        frame.set_header(HEADER_BIZ_RT, started.elapsed().as_millis().to_string());
        frame.payload = Some(answer);
        let _ = tx.send(Message::Binary(frame.to_bytes()));
    });
}

/// The ack payload for the webhook's answer.
fn ack(status: http::StatusCode, body: &[u8], callback: bool) -> Vec<u8> {
    let mut ack = serde_json::Map::new();
    ack.insert("code".to_owned(), if status.is_success() { 200 } else { 500 }.into());
    if status.is_success() && (callback || body != b"{}") {
        ack.insert("data".to_owned(), base64::engine::general_purpose::STANDARD.encode(body).into());
    }
    serde_json::Value::Object(ack).to_string().into_bytes()
}

/// Joins the parts of split messages.
struct Assembler {
    pending: HashMap<String, Pending>,
    max_bytes: usize,
}

struct Pending {
    parts: Vec<Option<Vec<u8>>>,
    bytes: usize,
    started: Instant,
}

impl Assembler {
    fn new(max_bytes: usize) -> Self {
        Assembler { pending: HashMap::new(), max_bytes }
    }

    /// The whole message once its last part arrived: the frame to ack and the payload.
    fn push(&mut self, mut frame: Frame) -> Result<Option<(Frame, Vec<u8>)>, FrameError> {
        let number = |key: &str| -> Result<usize, FrameError> {
            frame.header(key).map_or(Ok(0), |v| v.parse().map_err(|_| FrameError::new(format!("bad `{key}` header"))))
        };
        let (sum, seq) = (number(HEADER_SUM)?.max(1), number(HEADER_SEQ)?);
        let payload = frame.payload.take().unwrap_or_default();
        if payload.len() > self.max_bytes {
            return Err(FrameError::new("a message over the size limit"));
        }
        if sum == 1 {
            return Ok(Some((frame, payload)));
        }
        if sum > MAX_PARTS || seq >= sum {
            return Err(FrameError::new(format!("part {seq} of {sum}")));
        }
        let id = frame.header(HEADER_MESSAGE_ID).filter(|id| !id.is_empty());
        let id = id.ok_or_else(|| FrameError::new("a split message without a message_id"))?.to_owned();
        let now = Instant::now();
        self.pending.retain(|_, p| now.duration_since(p.started) < PART_TTL);
        if !self.pending.contains_key(&id) && self.pending.len() >= MAX_PENDING {
            return Err(FrameError::new("too many split messages at once"));
        }
        let entry = self.pending.entry(id.clone()).or_insert_with(|| Pending {
            parts: vec![None; sum],
            bytes: 0,
            started: now,
        });
        if entry.parts.len() != sum {
            self.pending.remove(&id);
            return Err(FrameError::new("the parts of a message disagree on their number"));
        }
        entry.bytes += payload.len();
        if entry.bytes > self.max_bytes {
            self.pending.remove(&id);
            return Err(FrameError::new("a split message over the size limit"));
        }
        entry.parts[seq] = Some(payload);
        if entry.parts.iter().any(Option::is_none) {
            return Ok(None);
        }
        let whole = self.pending.remove(&id).map(|p| p.parts.into_iter().flatten().flatten().collect());
        Ok(whole.map(|payload| (frame, payload)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: &str, sum: usize, seq: usize, payload: &str) -> Frame {
        let mut frame = Frame { method: METHOD_DATA, ..Frame::default() }
            .with_header(HEADER_MESSAGE_ID, id)
            .with_header(HEADER_SUM, sum.to_string())
            .with_header(HEADER_SEQ, seq.to_string());
        frame.payload = Some(payload.as_bytes().to_vec());
        frame
    }

    #[test]
    fn parts_join_in_seq_order_whatever_the_arrival_order() {
        let mut assembler = Assembler::new(1 << 20);
        assert!(assembler.push(part("m", 3, 2, "c")).unwrap().is_none());
        assert!(assembler.push(part("m", 3, 0, "a")).unwrap().is_none());
        let (_, whole) = assembler.push(part("m", 3, 1, "b")).unwrap().unwrap();
        assert_eq!(whole, b"abc");
        assert!(assembler.pending.is_empty());
    }

    #[test]
    fn bad_parts_are_errors() {
        let mut assembler = Assembler::new(4);
        assert!(assembler.push(part("m", 2, 2, "a")).is_err());
        assert!(assembler.push(part("", 2, 0, "a")).is_err());
        assert!(assembler.push(part("m", 2, 0, "abc")).unwrap().is_none());
        assert!(assembler.push(part("m", 2, 1, "de")).is_err(), "over the size limit");
        assert!(assembler.push(part("x", 1, 0, "abcde")).is_err());
        let mut frame = part("m", 2, 0, "a");
        frame.set_header(HEADER_SUM, "many");
        assert!(assembler.push(frame).is_err());
    }

    #[test]
    fn ack_payloads() {
        let ok = http::StatusCode::OK;
        assert_eq!(ack(ok, b"{}", false), br#"{"code":200}"#);
        assert_eq!(ack(http::StatusCode::INTERNAL_SERVER_ERROR, b"{}", false), br#"{"code":500}"#);
        let answer: serde_json::Value = serde_json::from_slice(&ack(ok, br#"{"a":1}"#, true)).unwrap();
        assert_eq!(answer["data"], "eyJhIjoxfQ==");
    }
}
