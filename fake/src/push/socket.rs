//! The long connection: the discovery endpoint hands out socket URLs on a second local
//! port, where each connected client gets events as data frames and answers with acks.
//!
//! As on the platform, each push goes to one of the app's connections (here in turn, so
//! that a run is reproducible), pings are answered with pongs, and past 50 connections
//! discovery refuses with code 1000040350.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::ws::{
    ENDPOINT_PATH, Frame, HEADER_MESSAGE_ID, HEADER_SEQ, HEADER_SUM, HEADER_TYPE, METHOD_CONTROL, METHOD_DATA,
    TOO_MANY_CONNECTIONS,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::Outcome;

/// The service id in socket URLs and frames.
const SERVICE: i32 = 1;
/// The platform's cap on connections per app.
const MAX_CONNECTIONS: usize = 50;

/// The connected clients of the app.
pub(crate) struct Sockets {
    addr: std::net::SocketAddr,
    conns: Mutex<Vec<Conn>>,
    /// Devices handed out by discovery and not yet connected.
    issued: Mutex<Vec<String>>,
    turn: AtomicUsize,
    ids: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// One connected client.
struct Conn {
    id: u64,
    frames: mpsc::UnboundedSender<Frame>,
    acks: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sockets {
    /// Opens the socket port and adds the discovery endpoint to `fake`.
    pub(crate) async fn start(fake: &FakeLark) -> std::io::Result<Arc<Sockets>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let sockets = Arc::new(Sockets {
            addr: listener.local_addr()?,
            conns: Mutex::new(Vec::new()),
            issued: Mutex::new(Vec::new()),
            turn: AtomicUsize::new(0),
            ids: AtomicU64::new(0),
            tasks: Mutex::new(Vec::new()),
        });
        let accepting = Arc::clone(&sockets);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sockets = Arc::clone(&accepting);
                let task = tokio::spawn(async move { sockets.serve(stream).await });
                let mut tasks = lock(&accepting.tasks);
                tasks.retain(|t| !t.is_finished());
                tasks.push(task);
            }
        });
        lock(&sockets.tasks).push(accept);
        let discovery = Arc::clone(&sockets);
        let (app_id, app_secret) = (fake.app_id(), fake.app_secret());
        fake.route_public(HttpMethod::Post, ENDPOINT_PATH, move |request| {
            let body = request.json();
            if body["AppID"] != app_id.as_str() || body["AppSecret"] != app_secret.as_str() {
                return FakeResponse::json(json!({"code": 10014, "msg": "app secret invalid"}));
            }
            discovery.discover()
        });
        Ok(sockets)
    }

    /// A socket URL for a new device, or the refusal past the cap.
    fn discover(&self) -> FakeResponse {
        if self.connected() >= MAX_CONNECTIONS {
            let msg = "the app has too many long connections";
            return FakeResponse::json(json!({"code": TOO_MANY_CONNECTIONS, "msg": msg}));
        }
        let device = format!("device-{}", self.ids.fetch_add(1, Ordering::SeqCst) + 1);
        lock(&self.issued).push(device.clone());
        let url = format!("ws://{}/ws?device_id={device}&service_id={SERVICE}", self.addr);
        let config = json!({"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 1, "PingInterval": 120});
        FakeResponse::data(json!({"URL": url, "ClientConfig": config}))
    }

    /// How many clients are connected.
    pub(crate) fn connected(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Serves one client until it goes away.
    async fn serve(&self, stream: tokio::net::TcpStream) {
        // The refusal's type is the WebSocket library's; its size is not ours to choose.
        #[allow(clippy::result_large_err)]
        let check = |request: &tokio_tungstenite::tungstenite::handshake::server::Request, response| {
            let query = request.uri().query().unwrap_or_default();
            let asked = query.split('&').find_map(|pair| pair.strip_prefix("device_id=")).unwrap_or_default();
            let mut issued = lock(&self.issued);
            match issued.iter().position(|d| d == asked) {
                Some(at) => {
                    issued.remove(at);
                    Ok(response)
                }
                None => {
                    let mut refusal = tokio_tungstenite::tungstenite::handshake::server::ErrorResponse::new(Some(
                        "unknown device: ask the discovery endpoint first".to_owned(),
                    ));
                    *refusal.status_mut() = tokio_tungstenite::tungstenite::http::StatusCode::FORBIDDEN;
                    Err(refusal)
                }
            }
        };
        let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else { return };
        let (mut sink, mut stream) = ws.split();
        let (frames, mut outgoing) = mpsc::unbounded_channel::<Frame>();
        let acks: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>> = Arc::default();
        let id = self.ids.fetch_add(1, Ordering::SeqCst) + 1;
        lock(&self.conns).push(Conn { id, frames: frames.clone(), acks: Arc::clone(&acks) });
        let writer = tokio::spawn(async move {
            while let Some(frame) = outgoing.recv().await {
                if sink.send(Message::Binary(frame.to_bytes())).await.is_err() {
                    break;
                }
            }
        });
        while let Some(Ok(message)) = stream.next().await {
            let Message::Binary(bytes) = message else { continue };
            let Ok(frame) = Frame::from_bytes(&bytes) else { continue };
            if frame.method == METHOD_CONTROL && frame.kind() == Some("ping") {
                let _ = frames.send(Frame::control("pong", SERVICE));
            } else if frame.method == METHOD_DATA {
                let message_id = frame.header(HEADER_MESSAGE_ID).unwrap_or_default().to_owned();
                let ack = serde_json::from_slice(frame.payload()).unwrap_or_default();
                if let Some(waiting) = lock(&acks).remove(&message_id) {
                    let _ = waiting.send(ack);
                }
            }
        }
        lock(&self.conns).retain(|c| c.id != id);
        writer.abort();
    }

    /// Sends one envelope to the next client in turn and waits for its ack; an ack with
    /// code 200 is delivered, and the `data` it carries is the answer.
    pub(crate) async fn send(&self, envelope: &Value, callback: bool, within: Duration) -> (Outcome, Option<Value>) {
        let message_id = format!("msg-{}", self.ids.fetch_add(1, Ordering::SeqCst) + 1);
        let (answer, acked) = oneshot::channel();
        let conn = {
            let conns = lock(&self.conns);
            if conns.is_empty() {
                return (Outcome::Failed("no long-connection client is connected".to_owned()), None);
            }
            let conn = &conns[self.turn.fetch_add(1, Ordering::SeqCst) % conns.len()];
            lock(&conn.acks).insert(message_id.clone(), answer);
            (conn.id, conn.frames.clone())
        };
        let mut frame = Frame { seq_id: 0, log_id: 0, service: SERVICE, method: METHOD_DATA, ..Frame::default() }
            .with_header(HEADER_TYPE, if callback { "card" } else { "event" })
            .with_header(HEADER_MESSAGE_ID, &message_id)
            .with_header(HEADER_SUM, "1")
            .with_header(HEADER_SEQ, "0");
        frame.payload = Some(envelope.to_string().into_bytes());
        if conn.1.send(frame).is_err() {
            return (Outcome::Failed(format!("connection {} closed", conn.0)), None);
        }
        match tokio::time::timeout(within, acked).await {
            Ok(Ok(ack)) => {
                let code = ack["code"].as_i64().unwrap_or_default();
                let data = ack["data"].as_str().and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
                let answer = data.and_then(|d| serde_json::from_slice(&d).ok());
                (Outcome::Acked { connection: conn.0, code }, answer)
            }
            Ok(Err(_)) => (Outcome::Failed(format!("connection {} closed before acknowledging", conn.0)), None),
            Err(_) => (Outcome::TimedOut, None),
        }
    }

    /// Closes every connection and the port.
    pub(crate) fn stop(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
        lock(&self.conns).clear();
    }
}
