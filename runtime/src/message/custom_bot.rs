//! Custom bots: a group's incoming webhook URL, no app needed.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::hmac;
use serde_json::{Value, json};

use super::content::Content;
use crate::core::error::{ContentError, unreachable_because, with_causes};
use crate::core::excerpt::excerpt;
use crate::core::secret::Secret;

/// The largest request body a custom bot takes, in bytes (the documented 20 KB, read as
/// 20 × 1024).
pub const CUSTOM_BOT_LIMIT: usize = 20 * 1024;

/// A custom bot: posts messages to the incoming webhook URL a group gave it.
///
/// Custom bots take text, post, image, share_chat and cards (whose buttons can only open
/// links: nobody receives a callback). With a signing secret set in the group's bot
/// settings, each request is signed with it.
///
/// ```no_run
/// # async fn run() -> Result<(), lark_runtime::message::CustomBotError> {
/// use lark_runtime::message::{CustomBot, Text};
///
/// let bot = CustomBot::new("https://open.feishu.cn/open-apis/bot/v2/hook/xxxx").secret("signing secret");
/// bot.send(Text::new("deploy finished ").mention_all()).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CustomBot {
    url: Secret,
    secret: Option<Secret>,
    http: reqwest::Client,
}

impl fmt::Debug for CustomBot {
    // The hook URL is a credential: whoever has it can post to the group.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomBot").field("url", &self.url).field("secret", &self.secret).finish_non_exhaustive()
    }
}

/// Why a custom bot's message was not posted; the platform's code where it gave one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CustomBotError {
    /// The content breaks a rule, or is not a type custom bots take.
    #[error("{0}")]
    Content(#[from] ContentError),
    /// The body is over the limit; nothing was sent.
    #[error("the request is {bytes} bytes; a custom bot takes at most {limit}")]
    TooLarge {
        /// The body's size.
        bytes: usize,
        /// The limit, [`CUSTOM_BOT_LIMIT`].
        limit: usize,
    },
    /// Code 19021: the signature or its timestamp was refused (a wrong secret, a clock
    /// more than an hour off, or a secret set in the group but not here).
    #[error("code {code}: the signature was refused ({msg}); check the secret and the clock")]
    BadSignature {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// Code 19024: the message lacks a keyword the group's bot settings require.
    #[error("code {code}: the message has none of the keywords the bot requires ({msg})")]
    Keyword {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// Code 19022: this machine's IP address is not on the bot's allow list.
    #[error("code {code}: this IP address is not allowed to post ({msg})")]
    IpNotAllowed {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// Code 11232: too many messages (100 a minute and 5 a second per bot); try later.
    #[error("code {code}: rate limited ({msg}); custom bots take 100 messages a minute, 5 a second")]
    RateLimited {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// Any other refusal, e.g. 9499 for a malformed body.
    #[error("code {code}: {msg}")]
    Refused {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// The answer was not the platform's JSON.
    #[error("HTTP {status}: the answer is not the platform's JSON: {body_excerpt}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body_excerpt: String,
    },
    /// The request never got an answer.
    #[error("could not reach the custom bot URL: {}: {}", unreachable_because(.0), with_causes(.0))]
    Transport(#[source] reqwest::Error),
}

impl CustomBot {
    /// A bot posting to `webhook_url`, unsigned.
    pub fn new(webhook_url: impl Into<String>) -> Self {
        CustomBot { url: Secret::new(webhook_url.into()), secret: None, http: reqwest::Client::new() }
    }

    /// Signs every request with the group's signing secret.
    #[must_use]
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(secret.into()));
        self
    }

    /// Uses this HTTP client (proxies, timeouts, TLS settings).
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Posts a message and returns the platform's JSON answer.
    pub async fn send(&self, content: impl Into<Content>) -> Result<Value, CustomBotError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let body = self.body(&content.into(), now)?;
        let bytes = body.to_string();
        if bytes.len() > CUSTOM_BOT_LIMIT {
            return Err(CustomBotError::TooLarge { bytes: bytes.len(), limit: CUSTOM_BOT_LIMIT });
        }
        let response = self
            .http
            .post(self.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes)
            .send()
            .await
            .map_err(|e| CustomBotError::Transport(e.without_url()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| CustomBotError::Transport(e.without_url()))?;
        answer(status, &text)
    }

    /// The request body, signed at `timestamp` (seconds) when a secret is set.
    pub fn body(&self, content: &Content, timestamp: u64) -> Result<Value, CustomBotError> {
        content.validate()?;
        let json = content.to_json();
        let mut body = json!({ "msg_type": content.msg_type() });
        match content.msg_type() {
            "text" | "image" => body["content"] = json,
            "post" => body["content"] = json!({ "post": json }),
            "share_chat" => body["content"] = json!({ "share_chat_id": json["chat_id"] }),
            "interactive" => {
                if let Some(path) = callback_behaviour(&json, String::new()) {
                    return Err(ContentError::new(
                        path,
                        "custom bots receive no callbacks; use an open_url behaviour instead",
                    )
                    .into());
                }
                body["card"] = json;
            }
            other => {
                return Err(ContentError::new(
                    "msg_type",
                    format!("custom bots cannot send `{other}`; text, post, image, share_chat and cards they can"),
                )
                .into());
            }
        }
        if let Some(secret) = &self.secret {
            body["timestamp"] = Value::from(timestamp.to_string());
            body["sign"] = Value::from(sign(timestamp, secret.expose()));
        }
        Ok(body)
    }
}

/// The documented signature: HMAC-SHA256 keyed by `timestamp + "\n" + secret` over an
/// empty message, in standard Base64.
pub fn sign(timestamp: u64, secret: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, format!("{timestamp}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, b"").as_ref())
}

/// The path of the first `callback` behaviour in a card, if any.
fn callback_behaviour(value: &Value, path: String) -> Option<String> {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("callback") {
                return Some(path);
            }
            map.iter().find_map(|(k, v)| {
                callback_behaviour(v, if path.is_empty() { k.clone() } else { format!("{path}.{k}") })
            })
        }
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| callback_behaviour(v, format!("{path}[{i}]")))
        }
        _ => None,
    }
}

/// Reads the platform's answer: `{"code", "msg", "data"}` (older bots answer
/// `{"StatusCode", "StatusMessage"}`).
fn answer(status: u16, text: &str) -> Result<Value, CustomBotError> {
    let Ok(json) = serde_json::from_str::<Value>(text) else {
        return Err(CustomBotError::Decode { status, body_excerpt: excerpt(text.as_bytes()) });
    };
    let code = json.get("code").or_else(|| json.get("StatusCode")).and_then(Value::as_i64);
    let msg =
        json.get("msg").or_else(|| json.get("StatusMessage")).and_then(Value::as_str).unwrap_or_default().to_owned();
    match code {
        Some(0) => Ok(json),
        Some(code @ 19021) => Err(CustomBotError::BadSignature { code, msg }),
        Some(code @ 19024) => Err(CustomBotError::Keyword { code, msg }),
        Some(code @ 19022) => Err(CustomBotError::IpNotAllowed { code, msg }),
        Some(code @ 11232) => Err(CustomBotError::RateLimited { code, msg }),
        Some(code) => Err(CustomBotError::Refused { code, msg }),
        None => Err(CustomBotError::Decode { status, body_excerpt: excerpt(text.as_bytes()) }),
    }
}
