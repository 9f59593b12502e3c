//! CardKit card entities with streaming text: create, send, stream, end streaming.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;

use crate::client::Client;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes, TokenKind};
use crate::core::error::{ContentError, Result};
use crate::core::types::Empty;
use crate::wire::request::Request;

use super::card::Card;
use super::send::fresh_uuid;

/// `cardkit.v1.card.create`, as in the catalogue.
pub const CREATE_CARD: Endpoint = Endpoint {
    id: "cardkit.v1.card.create",
    method: HttpMethod::Post,
    path: "/open-apis/cardkit/v1/cards",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Known { any: &["cardkit:card:write"], all: &[] },
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/cardkit-v1/card/create",
};

/// `cardkit.v1.card_element.content` (stream text into an element), as in the catalogue.
pub const STREAM_CONTENT: Endpoint = Endpoint {
    id: "cardkit.v1.card_element.content",
    method: HttpMethod::Put,
    path: "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Known { any: &["cardkit:card:write"], all: &[] },
    response: ResponseKind::Empty,
    doc_url: "https://open.feishu.cn/document/cardkit-v1/card-element/content",
};

/// `cardkit.v1.card.settings`, as in the catalogue.
pub const CARD_SETTINGS: Endpoint = Endpoint {
    id: "cardkit.v1.card.settings",
    method: HttpMethod::Patch,
    path: "/open-apis/cardkit/v1/cards/:card_id/settings",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Known { any: &["cardkit:card:write"], all: &[] },
    response: ResponseKind::Empty,
    doc_url: "https://open.larksuite.com/document/uAjLw4CM/ukTMukTMukTM/cardkit-v1/card/settings",
};

#[derive(Deserialize)]
struct Created {
    card_id: String,
}

/// A CardKit card entity in streaming mode: text streamed into its elements appears as it
/// arrives, like a typing answer.
///
/// Every change to an entity carries a `sequence` that must grow strictly (the platform
/// answers 300317 otherwise), including the change that ends streaming. This handle keeps
/// the sequence (from 1) and sends one change at a time, so clones used from several
/// tasks never send out of order. Each change carries its own `uuid`, which makes a resend
/// after a server error harmless.
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client) -> lark_runtime::Result<()> {
/// use lark_runtime::message::card::{Card, Element};
/// use lark_runtime::message::{CardStream, Content};
///
/// let card = Card::new().element(Element::markdown("").id("answer"));
/// let stream = CardStream::create(&client, card).await?;
/// client.reply("om_123", Content::card_entity(stream.card_id()), false).await?;
/// for text in ["Thinking", "Thinking…", "The answer is 42."] {
///     stream.text("answer", text).await?;
/// }
/// stream.finish().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct CardStream {
    client: Client,
    card_id: String,
    /// The last sequence sent; the lock also keeps changes in order.
    sequence: Arc<tokio::sync::Mutex<i64>>,
}

impl CardStream {
    /// Creates a card entity from `card`, with streaming mode turned on. The card is
    /// checked first, like any card sent.
    pub async fn create(client: &Client, card: Card) -> Result<CardStream> {
        let card = card.streaming(true);
        let mut request = Request::new(&CREATE_CARD);
        request.json_body(&json!({ "type": "card_json", "data": card.to_json().to_string() }));
        if let Err(error) = card.validate() {
            request.reject(error);
        }
        let created: Created = client.call(request).await?;
        Ok(CardStream::resume(client, created.card_id, 0))
    }

    /// A handle on an existing entity whose last change used `last_sequence`.
    pub fn resume(client: &Client, card_id: impl Into<String>, last_sequence: i64) -> CardStream {
        CardStream {
            client: client.clone(),
            card_id: card_id.into(),
            sequence: Arc::new(tokio::sync::Mutex::new(last_sequence)),
        }
    }

    /// The entity's id, to send it with [`Content::card_entity`](super::Content::card_entity).
    pub fn card_id(&self) -> &str {
        &self.card_id
    }

    /// Sets the whole text of the element `element_id` (a `markdown` or plain text
    /// element); the client shows the difference to the previous text as typing.
    pub async fn text(&self, element_id: &str, text: &str) -> Result<()> {
        if element_id.is_empty() {
            return Err(ContentError::new("element_id", "names the element to stream into; it is empty").into());
        }
        let mut last = self.sequence.lock().await;
        let sequence = *last + 1;
        let mut request = Request::new(&STREAM_CONTENT);
        request.path_param("card_id", self.card_id.clone());
        request.path_param("element_id", element_id.to_owned());
        request.json_body(&json!({ "content": text, "sequence": sequence, "uuid": fresh_uuid() }));
        request.set_retry_safe();
        // Counted as used even when the call fails: the platform may have applied it.
        *last = sequence;
        self.client.call::<Empty>(request).await.map(|_| ())
    }

    /// Ends streaming mode (the platform also ends it after 10 minutes).
    pub async fn finish(&self) -> Result<()> {
        let mut last = self.sequence.lock().await;
        let sequence = *last + 1;
        let mut request = Request::new(&CARD_SETTINGS);
        request.path_param("card_id", self.card_id.clone());
        let settings = json!({ "config": { "streaming_mode": false } }).to_string();
        request.json_body(&json!({ "settings": settings, "sequence": sequence, "uuid": fresh_uuid() }));
        request.set_retry_safe();
        *last = sequence;
        self.client.call::<Empty>(request).await.map(|_| ())
    }

    /// The last sequence used.
    pub async fn last_sequence(&self) -> i64 {
        *self.sequence.lock().await
    }
}
