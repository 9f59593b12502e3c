//! A running offline Lark: the server, what it remembers, and the platform's side of a
//! conversation (users who write, click and add the bot).

use std::sync::Arc;
use std::time::Duration;

use lark_runtime::fake::FakeLark;
use serde_json::Value;

use crate::catalogue::{Catalogue, EventKind};
use crate::check;
use crate::events::{self, BOT_NAME};
use crate::push::{App, Delivery, Pusher};
use crate::said::Said;
use crate::state::{Chat, Message, User, World, hex_id, now_ms};

/// How long [`Pushed::reply`] waits for the bot's reply.
const REPLY_WAIT: Duration = Duration::from_secs(5);

/// The offline platform, started by [`Platform::start`](crate::Platform::start): a
/// [`FakeLark`] (which it dereferences to, for its base URL, requests and faults) that
/// answers every endpoint, remembers what a bot relies on, and pushes events.
pub struct Lark {
    fake: FakeLark,
    shared: Arc<Shared>,
}

/// What the test's side and the control API share: the catalogue, the memory, the pusher.
pub(crate) struct Shared {
    pub catalogue: Arc<Catalogue>,
    pub world: Arc<World>,
    pub pusher: Arc<Pusher>,
    /// The id of each pushed event and the mark taken when it was pushed.
    pub marks: std::sync::Mutex<Vec<(String, u64)>>,
}

/// Why an event could not be pushed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The catalogue has no event or callback of this type.
    #[error("unknown event type `{0}`: the catalogue has no such event or callback")]
    UnknownEvent(String),
    /// The event does not fit its schema.
    #[error("the event does not fit its schema: {field}: {problem}")]
    Invalid {
        /// Where, as a path from the event (`event.message.chat_id`).
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// No push URL is set and no long-connection client is connected.
    #[error("nowhere to push: no push URL is set and no long-connection client is connected")]
    NoTarget,
    /// No message with this id.
    #[error("no message {0}")]
    UnknownMessage(String),
    /// The message shows no button with this text.
    #[error("message {message_id} shows no button `{text}`")]
    NoButton {
        /// The message.
        message_id: String,
        /// The button's text.
        text: String,
    },
}

/// An event the platform pushed: what became of it, and what the bot did about it.
#[derive(Clone)]
pub struct Pushed {
    delivery: Delivery,
    chat_id: Option<String>,
    message_id: Option<String>,
    /// Everything remembered after this mark happened after the push began.
    mark: u64,
    world: Arc<World>,
}

impl Lark {
    pub(crate) fn new(fake: FakeLark, shared: Arc<Shared>) -> Lark {
        Lark { fake, shared }
    }

    /// The server underneath.
    pub fn server(&self) -> &FakeLark {
        &self.fake
    }

    /// The bot's open_id, as users see it in mentions.
    pub fn bot_open_id(&self) -> String {
        self.shared.world.lock().bot_open_id()
    }

    /// Adds a user to the tenant's root department.
    pub fn user(&self, name: &str) -> User {
        self.shared.world.lock().add_user(name, "0")
    }

    /// Adds a department below the root; place users in it with [`user_in`](Self::user_in).
    pub fn department(&self, name: &str) -> String {
        self.shared.world.lock().add_department(name, "0")
    }

    /// Adds a user to a department (its `department_id`).
    pub fn user_in(&self, name: &str, department_id: &str) -> User {
        self.shared.world.lock().add_user(name, department_id)
    }

    /// Makes the next sign-ins of a web app (on the authorization page) this user's:
    /// `authen/v1/user_info` then answers with them.
    pub fn sign_in_as(&self, user: &User) {
        self.fake.sign_in_as(&user.open_id);
    }

    /// A new group with these users and the bot in it.
    pub fn group(&self, name: &str, members: &[&User]) -> Chat {
        self.new_group(name, members, true)
    }

    /// A new group with these users and without the bot (add it with
    /// [`add_bot`](Self::add_bot)).
    pub fn group_without_bot(&self, name: &str, members: &[&User]) -> Chat {
        self.new_group(name, members, false)
    }

    fn new_group(&self, name: &str, members: &[&User], bot: bool) -> Chat {
        let mut store = self.shared.world.lock();
        let id = store.new_group(name, members.iter().map(|u| u.open_id.clone()).collect(), bot);
        store.chats.iter().find(|c| c.chat_id == id).cloned().unwrap_or_else(|| unreachable!("the chat was just added"))
    }

    /// The one-to-one chat between a user and the bot.
    pub fn p2p(&self, user: &User) -> Chat {
        let mut store = self.shared.world.lock();
        let id = store.p2p_chat(&user.open_id);
        store.chats.iter().find(|c| c.chat_id == id).cloned().unwrap_or_else(|| unreachable!("the chat was just added"))
    }

    /// A chat as it is now.
    pub fn chat(&self, chat_id: &str) -> Option<Chat> {
        self.shared.world.lock().chats.iter().find(|c| c.chat_id == chat_id).cloned()
    }

    /// A message as it is now (recalled ones too).
    pub fn message(&self, message_id: &str) -> Option<Message> {
        self.shared.world.lock().messages.iter().find(|m| m.message_id == message_id).cloned()
    }

    /// Every message in a chat, oldest first.
    pub fn messages_in(&self, chat: &Chat) -> Vec<Message> {
        self.shared.world.lock().messages.iter().filter(|m| m.chat_id == chat.chat_id).cloned().collect()
    }

    /// The card a message shows now (following a CardKit card it refers to), if it is one.
    pub fn card_of(&self, message: &Message) -> Option<Value> {
        let store = self.shared.world.lock();
        let shown = store.messages.iter().find(|m| m.message_id == message.message_id).unwrap_or(message);
        if shown.msg_type != "interactive" {
            return None;
        }
        store.card_of(&shown.content_json())
    }

    /// A user says `text` in a chat: the message is remembered and
    /// `im.message.receive_v1` pushed.
    pub async fn user_says(&self, user: &User, chat: &Chat, text: &str) -> Result<Pushed, PushError> {
        self.user_sends(user, chat, Said::text(text)).await
    }

    /// A user sends a text or post, with mentions, in a chat.
    pub async fn user_sends(&self, user: &User, chat: &Chat, said: Said) -> Result<Pushed, PushError> {
        self.shared.ready()?;
        let event = {
            let mut store = self.shared.world.lock();
            let (msg_type, content, mentions) = said.render(&store.bot_open_id(), BOT_NAME);
            events::message(&mut store, user, &chat.chat_id, msg_type, content, &mentions)
        };
        self.shared.deliver("im.message.receive_v1", event).await
    }

    /// A user clicks the button with this text on a message's card; the app's answer is
    /// shown as the platform shows it (a `raw` card replaces the message's card) and is
    /// in [`Pushed::toast`] and [`Pushed::card`].
    pub async fn click(&self, user: &User, message: &Message, button: &str) -> Result<Pushed, PushError> {
        let shown =
            self.message(&message.message_id).ok_or_else(|| PushError::UnknownMessage(message.message_id.clone()))?;
        let action = self
            .card_of(&shown)
            .and_then(|card| events::button(&card, button))
            .ok_or_else(|| PushError::NoButton { message_id: shown.message_id.clone(), text: button.to_owned() })?;
        self.click_with(user, &shown, action).await
    }

    /// A user acts on a message's card with this action (`{"tag": "button", "value": …}`,
    /// say), whatever the card shows.
    pub async fn click_with(&self, user: &User, message: &Message, action: Value) -> Result<Pushed, PushError> {
        self.shared.ready()?;
        let event = events::click(&mut self.shared.world.lock(), user, message, action);
        self.shared.deliver("card.action.trigger", event).await
    }

    /// A user adds the bot to a group: the bot is a member from now on, and
    /// `im.chat.member.bot.added_v1` is pushed.
    pub async fn add_bot(&self, chat: &Chat, by: &User) -> Result<Pushed, PushError> {
        self.shared.ready()?;
        let event = events::bot_added(&mut self.shared.world.lock(), &chat.chat_id, by);
        self.shared.deliver("im.chat.member.bot.added_v1", event).await
    }

    /// Pushes any event or callback of the catalogue, checked against its schema. What a
    /// received message or an added bot says happened is remembered (a message, its chat
    /// and sender made up where missing).
    pub async fn push(&self, event_type: &str, event: Value) -> Result<Pushed, PushError> {
        self.shared.push(event_type, event).await
    }

    /// Every delivery so far, in the order they finished.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.pusher.deliveries.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many long-connection clients are connected.
    pub fn connected_clients(&self) -> usize {
        self.shared.pusher.sockets.connected()
    }

    /// Waits up to `within` until at least `count` long-connection clients are connected.
    pub async fn wait_for_clients(&self, count: usize, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while self.connected_clients() < count {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Stops the server and closes every long connection.
    pub async fn shutdown(self) {
        self.shared.pusher.sockets.stop();
        self.fake.shutdown().await;
    }
}

impl Shared {
    /// The mark taken when this event was pushed.
    pub(crate) fn mark_of(&self, event_id: &str) -> Option<u64> {
        let marks = self.marks.lock().unwrap_or_else(|e| e.into_inner());
        marks.iter().find(|(id, _)| id == event_id).map(|(_, mark)| *mark)
    }

    /// Pushes any event or callback of the catalogue, checked against its schema. What a
    /// received message or an added bot says happened is remembered (a message, its chat
    /// and sender made up where missing).
    pub(crate) async fn push(&self, event_type: &str, mut event: Value) -> Result<Pushed, PushError> {
        self.ready()?;
        self.check(event_type, &event)?;
        events::adopt(&mut self.world.lock(), event_type, &mut event);
        self.deliver(event_type, event).await
    }

    pub(crate) fn ready(&self) -> Result<(), PushError> {
        if self.pusher.has_target() { Ok(()) } else { Err(PushError::NoTarget) }
    }

    /// The event's kind, once the event fits its schema.
    fn check(&self, event_type: &str, event: &Value) -> Result<&EventKind, PushError> {
        let kind = self.catalogue.event(event_type).ok_or_else(|| PushError::UnknownEvent(event_type.to_owned()))?;
        check::value(&self.catalogue, &kind.schema, event).map_err(|v| PushError::Invalid {
            field: if v.field.is_empty() { "event".to_owned() } else { format!("event.{}", v.field) },
            problem: v.problem,
        })?;
        Ok(kind)
    }

    /// Checks, wraps and pushes an event; waits until it is delivered or given up. The
    /// answer to a card callback is shown as the platform shows it.
    pub(crate) async fn deliver(&self, event_type: &str, event: Value) -> Result<Pushed, PushError> {
        let kind = self.check(event_type, &event)?;
        let (id, mark, app_id) = {
            let mut store = self.world.lock();
            let n = store.next();
            (hex_id(&store.app_id, "event", n), n, store.app_id.clone())
        };
        self.marks.lock().unwrap_or_else(|e| e.into_inner()).push((id.clone(), mark));
        let settings = &self.pusher.settings;
        let app = App { app_id: &app_id, verification_token: &settings.verification_token };
        let envelope = crate::push::wrap(&app, event_type, &id, kind.v1, event.clone(), now_ms());
        let delivery = self.pusher.deliver(&id, event_type, &envelope, kind.callback).await;
        let clicked = event["context"]["open_message_id"].as_str();
        if let (Some(answer), Some(message_id), true) = (&delivery.answer, clicked, kind.callback) {
            events::show_answer(&mut self.world.lock(), message_id, answer);
        }
        let message_id = [&event["message"]["message_id"], &event["context"]["open_message_id"]]
            .into_iter()
            .find_map(|v| v.as_str().map(str::to_owned));
        Ok(Pushed { delivery, chat_id: events::chat_of(&event), message_id, mark, world: Arc::clone(&self.world) })
    }
}

impl std::ops::Deref for Lark {
    type Target = FakeLark;

    fn deref(&self) -> &FakeLark {
        &self.fake
    }
}

impl std::fmt::Debug for Lark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lark").field("base_url", &self.fake.base_url()).finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Pushed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pushed")
            .field("delivery", &self.delivery)
            .field("chat_id", &self.chat_id)
            .finish_non_exhaustive()
    }
}

impl Pushed {
    /// The event's `event_id` (v2) or `uuid` (v1).
    pub fn event_id(&self) -> &str {
        &self.delivery.event_id
    }

    /// The message the event is about: the one a user sent, or the one whose card was
    /// clicked.
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// Every attempt, and the app's answer.
    pub fn delivery(&self) -> &Delivery {
        &self.delivery
    }

    /// Whether the app took it (a 2xx, or an ack with code 200).
    pub fn delivered(&self) -> bool {
        self.delivery.delivered
    }

    /// The toast the platform shows the user after a callback, if the app answered one.
    pub fn toast(&self) -> Option<&Value> {
        self.delivery.answer.as_ref().map(|a| &a["toast"]).filter(|t| !t.is_null())
    }

    /// The card the app answered a callback with, if it did.
    pub fn card(&self) -> Option<&Value> {
        self.delivery.answer.as_ref().map(|a| &a["card"]).filter(|c| !c.is_null())
    }

    /// What the bot sent into the event's chat since the event was pushed, oldest first.
    pub fn replies(&self) -> Vec<Message> {
        let Some(chat_id) = &self.chat_id else { return Vec::new() };
        let store = self.world.lock();
        store.messages.iter().filter(|m| m.from_bot() && &m.chat_id == chat_id && m.seq > self.mark).cloned().collect()
    }

    /// The bot's first reply in the event's chat, waiting up to five seconds for it (for
    /// an app that answers the push first and replies after).
    pub async fn reply(&self) -> Option<Message> {
        let deadline = tokio::time::Instant::now() + REPLY_WAIT;
        loop {
            let changed = self.world.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(first) = self.replies().into_iter().next() {
                return Some(first);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return None;
            }
        }
    }
}
