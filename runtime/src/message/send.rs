//! Sending, replying and editing in one line: `client.send(To::chat(id), "hello")`.

use serde::Deserialize;

use crate::client::Client;
use crate::client::call::Call;
use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes, TokenKind};
use crate::wire::request::Request;

use super::content::Content;

/// Who receives a message: the kind of id (`receive_id_type`) and the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct To {
    kind: &'static str,
    id: String,
}

impl To {
    /// A group or one-to-one chat (`oc_...`).
    pub fn chat(chat_id: impl Into<String>) -> Self {
        To { kind: "chat_id", id: chat_id.into() }
    }

    /// A user by open_id (`ou_...`).
    pub fn open_id(open_id: impl Into<String>) -> Self {
        To { kind: "open_id", id: open_id.into() }
    }

    /// A user by union_id (`on_...`).
    pub fn union_id(union_id: impl Into<String>) -> Self {
        To { kind: "union_id", id: union_id.into() }
    }

    /// A user by user_id (needs the user id scope).
    pub fn user_id(user_id: impl Into<String>) -> Self {
        To { kind: "user_id", id: user_id.into() }
    }

    /// A user by email address.
    pub fn email(email: impl Into<String>) -> Self {
        To { kind: "email", id: email.into() }
    }

    /// The `receive_id_type` query parameter.
    pub fn id_type(&self) -> &'static str {
        self.kind
    }

    /// The `receive_id`.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// What the platform says about a message it accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SentMessage {
    /// The new message's id (`om_...`).
    #[serde(default)]
    pub message_id: String,
    /// The chat it is in.
    #[serde(default)]
    pub chat_id: String,
    /// The `msg_type` it was stored as.
    #[serde(default)]
    pub msg_type: String,
    /// The first message of its thread, for replies.
    #[serde(default)]
    pub root_id: Option<String>,
    /// The message it answers, for replies.
    #[serde(default)]
    pub parent_id: Option<String>,
}

const SEND_SCOPES: Scopes =
    Scopes::Known { any: &["im:message", "im:message:send_as_bot", "im:message:send"], all: &[] };
const EDIT_SCOPES: Scopes =
    Scopes::Known { any: &["im:message", "im:message:send_as_bot", "im:message:update"], all: &[] };

/// `im.v1.message.create`, as in the catalogue (a test in `tests/` compares them).
pub const CREATE: Endpoint = Endpoint {
    id: "im.v1.message.create",
    method: HttpMethod::Post,
    path: "/open-apis/im/v1/messages",
    tokens: &[TokenKind::Tenant, TokenKind::User],
    scopes: SEND_SCOPES,
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/server-docs/im-v1/message/create",
};

/// `im.v1.message.reply`, as in the catalogue.
pub const REPLY: Endpoint = Endpoint {
    id: "im.v1.message.reply",
    method: HttpMethod::Post,
    path: "/open-apis/im/v1/messages/:message_id/reply",
    tokens: &[TokenKind::Tenant, TokenKind::User],
    scopes: SEND_SCOPES,
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/server-docs/im-v1/message/reply",
};

/// `im.v1.message.update` (edit a text or post), as in the catalogue.
pub const UPDATE: Endpoint = Endpoint {
    id: "im.v1.message.update",
    method: HttpMethod::Put,
    path: "/open-apis/im/v1/messages/:message_id",
    tokens: &[TokenKind::Tenant],
    scopes: EDIT_SCOPES,
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/api-explorer?from=op_doc_tab&apiName=update&project=im&resource=message&version=v1",
};

/// `im.v1.message.patch` (replace a card), as in the catalogue.
pub const PATCH: Endpoint = Endpoint {
    id: "im.v1.message.patch",
    method: HttpMethod::Patch,
    path: "/open-apis/im/v1/messages/:message_id",
    tokens: &[TokenKind::Tenant, TokenKind::User],
    scopes: EDIT_SCOPES,
    response: ResponseKind::Empty,
    doc_url: "https://open.feishu.cn/document/server-docs/im-v1/message-card/patch",
};

impl Client {
    /// Sends a message.
    ///
    /// The content is checked first ([`Content::validate`]); a broken card or an
    /// oversized body is an [`Error::Content`](crate::Error::Content) naming the problem,
    /// and nothing is sent. Each call carries a fresh `uuid`, so the platform drops a
    /// repeat and the SDK may resend after a server error without a duplicate.
    ///
    /// ```no_run
    /// # async fn run(client: lark_runtime::Client) -> lark_runtime::Result<()> {
    /// use lark_runtime::message::{Text, To};
    ///
    /// client.send(To::chat("oc_123"), "hello").await?;
    /// client.send(To::chat("oc_123"), Text::new("hello ").mention("ou_456", "Tom")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn send(&self, to: To, content: impl Into<Content>) -> Call<'_, SentMessage> {
        let content = content.into();
        let mut request = Request::new(&CREATE);
        request.query("receive_id_type", to.kind.to_owned());
        let body = serde_json::json!({
            "receive_id": to.id,
            "msg_type": content.msg_type(),
            "content": content.to_content_string(),
            "uuid": fresh_uuid(),
        });
        finish(&mut request, &content, &body);
        self.call(request)
    }

    /// Replies to a message; `in_thread` answers in its thread instead of the chat.
    pub fn reply(
        &self,
        message_id: impl Into<String>,
        content: impl Into<Content>,
        in_thread: bool,
    ) -> Call<'_, SentMessage> {
        let content = content.into();
        let mut request = Request::new(&REPLY);
        request.path_param("message_id", message_id.into());
        let mut body = serde_json::json!({
            "msg_type": content.msg_type(),
            "content": content.to_content_string(),
            "uuid": fresh_uuid(),
        });
        if in_thread {
            body["reply_in_thread"] = serde_json::Value::Bool(true);
        }
        finish(&mut request, &content, &body);
        self.call(request)
    }

    /// Edits a sent text or post (the platform allows only those two); a card is changed
    /// with [`update_card`](Self::update_card).
    pub fn edit(&self, message_id: impl Into<String>, content: impl Into<Content>) -> Call<'_, SentMessage> {
        let content = content.into();
        let mut request = Request::new(&UPDATE);
        request.path_param("message_id", message_id.into());
        let body = serde_json::json!({ "msg_type": content.msg_type(), "content": content.to_content_string() });
        finish(&mut request, &content, &body);
        if !matches!(content.msg_type(), "text" | "post") {
            request.reject(crate::core::error::ContentError::new(
                "msg_type",
                format!("`{}` cannot be edited; only text and post can", content.msg_type()),
            ));
        }
        self.call(request)
    }

    /// Replaces the card of a sent card message (shared cards: every viewer sees it).
    pub fn update_card(
        &self,
        message_id: impl Into<String>,
        card: impl Into<Content>,
    ) -> Call<'_, crate::core::types::Empty> {
        let content = card.into();
        let mut request = Request::new(&PATCH);
        request.path_param("message_id", message_id.into());
        let body = serde_json::json!({ "content": content.to_content_string() });
        finish(&mut request, &content, &body);
        if content.msg_type() != "interactive" {
            request.reject(crate::core::error::ContentError::new(
                "msg_type",
                format!("`{}` is not a card; edit texts and posts with `edit`", content.msg_type()),
            ));
        }
        self.call(request)
    }
}

/// Sets the body, marks a body with a `uuid` safe to resend, and refuses invalid content.
fn finish(request: &mut Request, content: &Content, body: &serde_json::Value) {
    request.json_body(body);
    if body.get("uuid").is_some() {
        request.set_retry_safe();
    }
    if let Err(error) = content.validate() {
        request.reject(error);
    }
}

/// A random idempotency key: 32 hex digits (the platform allows up to 50 characters).
pub(crate) fn fresh_uuid() -> String {
    crate::core::random::hex(16)
}

/// `interactive.v1.card.update` (delayed card update), as in the catalogue.
pub const DELAYED_UPDATE: Endpoint = Endpoint {
    id: "interactive.v1.card.update",
    method: HttpMethod::Post,
    path: "/open-apis/interactive/v1/card/update",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Unknown,
    response: ResponseKind::Empty,
    doc_url: "https://open.feishu.cn/document/ukTMukTMukTM/uMDO1YjLzgTN24yM4UjN",
};

/// `im.v4.batch.send`, as in the catalogue.
pub const BATCH_SEND: Endpoint = Endpoint {
    id: "im.v4.batch.send",
    method: HttpMethod::Post,
    path: "/open-apis/message/v4/batch_send/",
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Known { any: &["im:message:send_multi_users", "im:message:send_multi_depts"], all: &[] },
    response: ResponseKind::Data,
    doc_url: "https://open.feishu.cn/document/ukTMukTMukTM/ucDO1EjL3gTNx4yN4UTM",
};

/// Who receives a batch message: users by any kind of id, and the members of departments.
/// Groups cannot receive batch messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchTo {
    open_ids: Vec<String>,
    user_ids: Vec<String>,
    union_ids: Vec<String>,
    department_ids: Vec<String>,
}

impl BatchTo {
    /// Users by open_id.
    pub fn open_ids<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        BatchTo::default().and_open_ids(ids)
    }

    /// The members of departments.
    pub fn departments<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        BatchTo::default().and_departments(ids)
    }

    /// Adds users by open_id.
    #[must_use]
    pub fn and_open_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.open_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds users by user_id.
    #[must_use]
    pub fn and_user_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.user_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds users by union_id.
    #[must_use]
    pub fn and_union_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.union_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds the members of departments.
    #[must_use]
    pub fn and_departments<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.department_ids.extend(ids.into_iter().map(Into::into));
        self
    }
}

/// What the platform says about an accepted batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BatchSent {
    /// The batch's id, for its progress and recall (`im.v1.batch_message.*`).
    #[serde(default)]
    pub message_id: String,
    /// Departments that could not be used.
    #[serde(default)]
    pub invalid_department_ids: Vec<String>,
    /// open_ids that could not be used.
    #[serde(default)]
    pub invalid_open_ids: Vec<String>,
    /// user_ids that could not be used.
    #[serde(default)]
    pub invalid_user_ids: Vec<String>,
    /// union_ids that could not be used.
    #[serde(default)]
    pub invalid_union_ids: Vec<String>,
}

impl Client {
    /// Replaces the card a user interacted with, using the `token` of its
    /// `card.action.trigger` callback; call it after answering the callback (within 30
    /// minutes, twice per token at most).
    pub fn update_card_later(
        &self,
        token: impl Into<String>,
        card: impl Into<Content>,
    ) -> Call<'_, crate::core::types::Empty> {
        let content = card.into();
        let mut request = Request::new(&DELAYED_UPDATE);
        request.json_body(&serde_json::json!({ "token": token.into(), "card": content.to_json() }));
        if let Err(error) = content.validate() {
            request.reject(error);
        }
        if content.msg_type() != "interactive" {
            request.reject(crate::core::error::ContentError::new(
                "card",
                format!("`{}` is not a card", content.msg_type()),
            ));
        }
        self.call(request)
    }

    /// Sends one message to many users and department members, asynchronously. The
    /// platform takes text, post, image, share_chat and cards here; its body differs from
    /// a single send (content as an object, cards in `card`), which this builds.
    pub fn batch_send(&self, to: BatchTo, content: impl Into<Content>) -> Call<'_, BatchSent> {
        let content = content.into();
        let mut request = Request::new(&BATCH_SEND);
        let mut body = serde_json::json!({ "msg_type": content.msg_type() });
        let json = content.to_json();
        match content.msg_type() {
            "interactive" => body["card"] = json,
            "post" => body["content"] = serde_json::json!({ "post": json }),
            "share_chat" => body["content"] = serde_json::json!({ "share_chat_id": json["chat_id"] }),
            "text" | "image" => body["content"] = json,
            other => request.reject(crate::core::error::ContentError::new(
                "msg_type",
                format!("`{other}` cannot be batch sent; text, post, image, share_chat and cards can"),
            )),
        }
        for (key, ids) in [
            ("open_ids", &to.open_ids),
            ("user_ids", &to.user_ids),
            ("union_ids", &to.union_ids),
            ("department_ids", &to.department_ids),
        ] {
            if !ids.is_empty() {
                body[key] = serde_json::json!(ids);
            }
        }
        request.json_body(&body);
        if let Err(error) = content.validate() {
            request.reject(error);
        }
        self.call(request)
    }
}
