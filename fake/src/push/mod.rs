//! Events out: the platform's side of a conversation, pushed to the app as the platform
//! pushes it.
//!
//! An event goes to one of the app's long-connection clients when one is connected, else
//! to its push URL (encrypted and signed with its encrypt key, if it has one). An answer
//! other than a 2xx (an ack other than 200 over the socket), or none within the time
//! allowed (3 s, as on the platform), is a failed attempt, retried after the platform's
//! delays of about 15 s, 5 min, 1 h and 6 h, compressed a thousandfold by default
//! ([`Platform::retry_delays`](crate::Platform::retry_delays)).

mod envelope;
mod socket;
mod webhook;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub(crate) use envelope::{App, wrap};
pub(crate) use socket::Sockets;

/// The platform's redelivery delays after a failed push: about 15 s, 5 min, 1 h, 6 h.
pub const PLATFORM_RETRY_DELAYS: [Duration; 4] =
    [Duration::from_secs(15), Duration::from_secs(300), Duration::from_secs(3600), Duration::from_secs(21_600)];

/// How long the platform waits for an answer before it counts a push as failed.
pub const PLATFORM_ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// Where and how events are pushed. No `Debug`: it holds the app's encrypt key.
#[derive(Clone)]
pub(crate) struct PushSettings {
    pub url: Option<String>,
    pub encrypt_key: String,
    pub verification_token: String,
    pub retry_delays: Vec<Duration>,
    pub answer_within: Duration,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            url: None,
            encrypt_key: String::new(),
            verification_token: String::new(),
            retry_delays: PLATFORM_RETRY_DELAYS.iter().map(|d| *d / 1000).collect(),
            answer_within: PLATFORM_ANSWER_WITHIN,
        }
    }
}

/// What became of one push of an event: every attempt, and the app's answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
    /// The event's `event_id` (v2) or `uuid` (v1), the same in every attempt.
    pub event_id: String,
    /// Its type, e.g. `im.message.receive_v1`.
    pub event_type: String,
    /// The attempts in order.
    pub attempts: Vec<Attempt>,
    /// Whether an attempt succeeded.
    pub delivered: bool,
    /// What the app answered to the successful attempt, when it was JSON: for a callback,
    /// what the platform shows the user (a toast, a changed card).
    pub answer: Option<Value>,
}

/// One attempt to push an event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Attempt {
    /// When it started, counted from the first attempt.
    pub after: Duration,
    /// How long the app took to answer (or until the attempt was given up).
    pub took: Duration,
    /// What happened.
    pub outcome: Outcome,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The push URL answered with this HTTP status.
    Answered(u16),
    /// A long-connection client (numbered from 1 as they connect) acknowledged with this
    /// code.
    Acked {
        /// Which connection.
        connection: u64,
        /// The ack's code: 200 for handled.
        code: i64,
    },
    /// No answer in the time allowed.
    TimedOut,
    /// The push could not be made (connection refused, socket closed).
    Failed(String),
}

impl Outcome {
    /// Whether the platform counts it as delivered.
    pub fn delivered(&self) -> bool {
        match self {
            Outcome::Answered(status) => (200..300).contains(status),
            Outcome::Acked { code, .. } => *code == 200,
            Outcome::TimedOut | Outcome::Failed(_) => false,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Answered(status) => write!(f, "HTTP {status}"),
            Outcome::Acked { connection, code } => write!(f, "ack {code} on connection {connection}"),
            Outcome::TimedOut => f.write_str("no answer in time"),
            Outcome::Failed(why) => write!(f, "failed: {why}"),
        }
    }
}

/// Pushes events and remembers every delivery.
pub(crate) struct Pusher {
    pub settings: PushSettings,
    pub sockets: Arc<Sockets>,
    http: reqwest::Client,
    pub deliveries: Mutex<Vec<Delivery>>,
}

impl Pusher {
    pub(crate) fn new(settings: PushSettings, sockets: Arc<Sockets>) -> Pusher {
        Pusher { settings, sockets, http: reqwest::Client::new(), deliveries: Mutex::new(Vec::new()) }
    }

    /// Every delivery so far.
    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether there is anywhere to push to.
    pub(crate) fn has_target(&self) -> bool {
        self.settings.url.is_some() || self.sockets.connected() > 0
    }

    /// Pushes one envelope until an attempt succeeds or the delays run out.
    pub(crate) async fn deliver(&self, event_id: &str, event_type: &str, envelope: &Value, callback: bool) -> Delivery {
        let mut delivery = Delivery {
            event_id: event_id.to_owned(),
            event_type: event_type.to_owned(),
            attempts: Vec::new(),
            delivered: false,
            answer: None,
        };
        let start = Instant::now();
        let waits = std::iter::once(Duration::ZERO).chain(self.settings.retry_delays.iter().copied());
        for wait in waits {
            tokio::time::sleep(wait).await;
            let begun = Instant::now();
            let (outcome, answer) = self.attempt(envelope, callback).await;
            let delivered = outcome.delivered();
            tracing::debug!(event_id, event_type, %outcome, "fake Lark pushed an event");
            delivery.attempts.push(Attempt { after: begun - start, took: begun.elapsed(), outcome });
            if delivered {
                delivery.delivered = true;
                delivery.answer = answer;
                break;
            }
        }
        self.deliveries.lock().unwrap_or_else(|e| e.into_inner()).push(delivery.clone());
        delivery
    }

    async fn attempt(&self, envelope: &Value, callback: bool) -> (Outcome, Option<Value>) {
        let within = self.settings.answer_within;
        if self.sockets.connected() > 0 {
            return self.sockets.send(envelope, callback, within).await;
        }
        match &self.settings.url {
            Some(url) => webhook::post(&self.http, url, &self.settings.encrypt_key, envelope, within).await,
            None => (Outcome::Failed("no push URL and no long-connection client".to_owned()), None),
        }
    }
}
