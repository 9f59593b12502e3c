//! Legacy interactive-card actions: the card callback that predates `card.action.trigger`.
//!
//! They arrive at the app's "card request URL" without an envelope: the payload fields sit
//! at the top level and nothing names their type, so the runtime gives them one.

use serde::Deserialize;

use super::{Callback, Envelope};

/// The type string the runtime gives legacy card actions; they carry none on the wire.
pub const LEGACY_CARD_ACTION: &str = "legacy.card.action";

/// A user interacted with a legacy interactive card.
///
/// The handler's answer becomes the HTTP response body: `{}` leaves the card as it is,
/// a card JSON replaces it, and `{"toast": {..}}` shows a short popup.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CardAction {
    /// The user's open id.
    pub open_id: Option<String>,
    /// The user's user id (needs the matching scope).
    pub user_id: Option<String>,
    /// The message that holds the card.
    pub open_message_id: Option<String>,
    /// The chat the message is in.
    pub open_chat_id: Option<String>,
    /// The tenant of the user.
    pub tenant_key: Option<String>,
    /// A token for updating the card later (not the verification token).
    pub token: Option<String>,
    /// What the user did.
    pub action: Option<CardActionDetail>,
}

/// What the user did on a legacy card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CardActionDetail {
    /// The value the card attached to the component.
    pub value: Option<serde_json::Value>,
    /// The component's tag, e.g. `"button"`.
    pub tag: Option<String>,
    /// The option picked in a select menu.
    pub option: Option<String>,
    /// The time zone of a date picker.
    pub timezone: Option<String>,
    /// The component's name.
    pub name: Option<String>,
    /// The values of a submitted form, by component name.
    pub form_value: Option<serde_json::Value>,
    /// The text typed into an input.
    pub input_value: Option<String>,
    /// The options picked in a multi-select menu.
    pub options: Option<Vec<String>>,
    /// The state of a checker.
    pub checked: Option<bool>,
}

impl Callback for CardAction {
    const CALLBACK_TYPE: &'static str = LEGACY_CARD_ACTION;
    const ENVELOPE: Envelope = Envelope::LegacyCard;
    /// Any JSON: a replacement card, a toast, or `{}`.
    type Response = serde_json::Value;
}
