//! Messages and cards, typed both ways.
//!
//! - Sending: [`Content`] gives `msg_type` and `content` from one value, for every
//!   sendable type; [`Text`] and [`Post`] build rich text (user input stays literal);
//!   [`card::Card`] builds JSON 2.0 cards and checks their documented rules;
//!   [`Client::send`](crate::Client::send), [`reply`](crate::Client::reply),
//!   [`edit`](crate::Client::edit) and [`update_card`](crate::Client::update_card) send
//!   them in one line.
//! - Receiving: [`Received`] parses `message.content` by `message_type`, and renders any
//!   message as plain text with mentions resolved.
//!
//! Content and cards are hand-written here rather than generated from `spec/`: neither
//! pinned package describes them, their shapes are unions chosen by `msg_type` or `tag`
//! (which the catalogue's model language does not have), and most of the code is the
//! judgement around them: escaping, choosing `text` or `post`, validation.

pub mod card;
mod cardkit;
mod content;
mod custom_bot;
mod post;
mod received;
mod send;
mod text;

pub use cardkit::{CARD_SETTINGS, CREATE_CARD, CardStream, STREAM_CONTENT};
pub use content::{CARD_AND_POST_LIMIT, Content, Interactive, SystemDivider, TEXT_LIMIT};
pub use custom_bot::{CUSTOM_BOT_LIMIT, CustomBot, CustomBotError, sign as custom_bot_signature};
pub use post::{Node, Paragraph, Post, PostBody, Style};
pub use received::{Mention, Received, ReceivedNode, ReceivedPost};
pub use send::{BATCH_SEND, BatchSent, BatchTo, CREATE, DELAYED_UPDATE, PATCH, REPLY, SentMessage, To, UPDATE};
pub use text::Text;
