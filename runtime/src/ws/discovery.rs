//! Endpoint discovery: `POST {base}/callback/ws/endpoint` gives the socket URL and the
//! client configuration. A fresh URL is fetched for every connection attempt.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use super::WsError;
use crate::Client;

/// The path of the discovery endpoint.
pub const ENDPOINT_PATH: &str = "/callback/ws/endpoint";

/// Codes that mean "try again later" rather than a fatal refusal.
const RETRY_CODES: [i64; 2] = [1, 1_000_040_343];

/// The connection settings the platform sends at discovery and in pongs. Absent fields
/// leave the current value alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ServerConfig {
    /// `ReconnectCount`: how many reconnection attempts to make; negative means forever.
    #[serde(rename = "ReconnectCount")]
    pub reconnect_count: Option<i64>,
    /// `ReconnectInterval`, in seconds: the wait between reconnection attempts.
    #[serde(rename = "ReconnectInterval")]
    pub reconnect_interval: Option<u64>,
    /// `ReconnectNonce`, in seconds: the first attempt waits a random time up to this.
    #[serde(rename = "ReconnectNonce")]
    pub reconnect_nonce: Option<u64>,
    /// `PingInterval`, in seconds.
    #[serde(rename = "PingInterval")]
    pub ping_interval: Option<u64>,
}

/// The settings in force for a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsConfig {
    /// How many reconnection attempts in a row; `None` means forever.
    pub reconnect_count: Option<u64>,
    /// The wait between reconnection attempts.
    pub reconnect_interval: Duration,
    /// The first attempt after a disconnection waits a random time below this.
    pub reconnect_nonce: Duration,
    /// How often to ping.
    pub ping_interval: Duration,
}

impl Default for WsConfig {
    /// The platform's usual values: reconnect forever, every 120 s after up to 30 s, and
    /// ping every 120 s.
    fn default() -> Self {
        WsConfig {
            reconnect_count: None,
            reconnect_interval: Duration::from_secs(120),
            reconnect_nonce: Duration::from_secs(30),
            ping_interval: Duration::from_secs(120),
        }
    }
}

impl WsConfig {
    /// Applies what the server sent; absent fields stay. A ping interval of 0 is ignored.
    pub fn apply(&mut self, server: &ServerConfig) {
        if let Some(count) = server.reconnect_count {
            self.reconnect_count = u64::try_from(count).ok();
        }
        if let Some(secs) = server.reconnect_interval {
            self.reconnect_interval = Duration::from_secs(secs);
        }
        if let Some(secs) = server.reconnect_nonce {
            self.reconnect_nonce = Duration::from_secs(secs);
        }
        if let Some(secs) = server.ping_interval.filter(|s| *s > 0) {
            self.ping_interval = Duration::from_secs(secs);
        }
    }
}

/// Where to connect.
pub(crate) struct Endpoint {
    /// The socket URL; it carries a device id and a ticket, so it is never logged.
    pub url: String,
    /// The `service_id` query parameter, for control frames.
    pub service_id: i32,
    pub config: ServerConfig,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint").field("service_id", &self.service_id).finish_non_exhaustive()
    }
}

/// What a failed discovery means for the caller.
pub(crate) enum DiscoveryError {
    /// Try again after the usual wait.
    Retry(String),
    /// Stop.
    Fatal(WsError),
}

#[derive(Deserialize)]
struct Reply {
    code: i64,
    #[serde(default)]
    msg: String,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "ClientConfig")]
    client_config: Option<ServerConfig>,
}

/// Asks the platform for a socket URL.
pub(crate) async fn discover(client: &Client) -> Result<Endpoint, DiscoveryError> {
    let (wire, credentials) = (client.wire(), client.credentials());
    let url = format!("{}{ENDPOINT_PATH}", wire.base_url());
    let body = serde_json::json!({ "AppID": credentials.app_id, "AppSecret": credentials.app_secret.expose() });
    let mut request = wire.http().post(&url).header("locale", "zh").json(&body);
    if let Some(timeout) = wire.timeout() {
        request = request.timeout(timeout);
    }
    let response = request.send().await.map_err(|e| DiscoveryError::Retry(format!("discovery request failed: {e}")))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| DiscoveryError::Retry(format!("discovery reply cut short: {e}")))?;
    let reply: Reply = match serde_json::from_slice(&bytes) {
        Ok(reply) => reply,
        Err(_) => {
            return Err(DiscoveryError::Retry(format!("discovery answered HTTP {status} without a Lark envelope")));
        }
    };
    if RETRY_CODES.contains(&reply.code) {
        return Err(DiscoveryError::Retry(format!("discovery said try later: code {}: {}", reply.code, reply.msg)));
    }
    if reply.code != 0 {
        return Err(DiscoveryError::Fatal(super::refused(reply.code, reply.msg)));
    }
    let data = reply.data.ok_or_else(|| DiscoveryError::Retry("discovery reply without data".to_owned()))?;
    let url = data
        .url
        .filter(|u| !u.is_empty())
        .ok_or_else(|| DiscoveryError::Retry("discovery reply without a URL".to_owned()))?;
    let service_id = service_id(&url).ok_or_else(|| {
        DiscoveryError::Fatal(WsError::BadEndpoint("the socket URL has no numeric service_id parameter".to_owned()))
    })?;
    Ok(Endpoint { url, service_id, config: data.client_config.unwrap_or_default() })
}

/// The `service_id` query parameter of the socket URL.
fn service_id(url: &str) -> Option<i32> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').find_map(|pair| pair.strip_prefix("service_id=")).and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_id_from_the_query() {
        assert_eq!(service_id("wss://x/ws?device_id=1&service_id=33"), Some(33));
        assert_eq!(service_id("wss://x/ws?service_id=7#f"), Some(7));
        assert_eq!(service_id("wss://x/ws?service_id=no"), None);
        assert_eq!(service_id("wss://x/ws"), None);
    }

    #[test]
    fn config_applies_only_present_fields() {
        let mut config = WsConfig::default();
        let server: ServerConfig = serde_json::from_str(r#"{"PingInterval":5,"ReconnectCount":-1}"#).unwrap();
        config.apply(&server);
        assert_eq!(config.ping_interval, Duration::from_secs(5));
        assert_eq!(config.reconnect_count, None);
        assert_eq!(config.reconnect_interval, WsConfig::default().reconnect_interval);
        config.apply(&serde_json::from_str(r#"{"ReconnectCount":3,"PingInterval":0}"#).unwrap());
        assert_eq!((config.reconnect_count, config.ping_interval), (Some(3), Duration::from_secs(5)));
    }
}
