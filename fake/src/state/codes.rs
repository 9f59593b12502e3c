//! The platform's business error codes for ids it does not know and actions it refuses,
//! as the endpoints' official pages list them (HTTP 400 for all of them).
//!
//! Where a page lists no code of its own for an unknown id, the closest documented one is
//! used and said so.

/// An invalid request parameter: the messaging pages' catch-all, and what they give for a
/// `message_id` that does not exist (they list no code of their own for it).
pub const INVALID_PARAM: i64 = 230001;
/// The bot is not in the chat.
pub const BOT_NOT_IN_CHAT: i64 = 230002;
/// The message was recalled.
pub const RECALLED: i64 = 230011;
/// No permission to recall this message.
pub const CANNOT_RECALL: i64 = 230026;
/// The operator is not the sender of the message (editing).
pub const NOT_SENDER: i64 = 230071;
/// The message was deleted.
pub const DELETED: i64 = 230110;
/// Reactions: the message does not exist or was deleted.
pub const REACTION_MESSAGE_NOT_FOUND: i64 = 231003;
/// Reactions: the reaction does not belong to the message.
pub const REACTION_NOT_ON_MESSAGE: i64 = 231010;
/// Reactions: an invalid `reaction_id`.
pub const REACTION_NOT_FOUND: i64 = 231011;
/// An invalid `chat_id`.
pub const CHAT_NOT_FOUND: i64 = 232006;
/// The chat was dissolved.
pub const CHAT_DISSOLVED: i64 = 232009;
/// The operator (the bot) is not in the chat.
pub const OPERATOR_NOT_IN_CHAT: i64 = 232011;
/// None of the ids in the member list is valid.
pub const NO_VALID_MEMBERS: i64 = 232027;
/// A department that does not exist.
pub const DEPARTMENT_NOT_FOUND: i64 = 40015;
/// A user the app cannot see. The user page lists no code for an unknown id; to an app
/// a user that does not exist looks like one outside its contact range, which is this.
pub const USER_NOT_VISIBLE: i64 = 41050;
/// Files and images: an unknown key (the page: the resource does not exist).
pub const RESOURCE_NOT_FOUND: i64 = 234005;
/// The key is not a resource of this message.
pub const NOT_IN_MESSAGE: i64 = 234003;
/// A card entity that does not exist.
pub const CARD_NOT_FOUND: i64 = 200740;
/// An element's properties could not be changed (also: no element with that id).
pub const ELEMENT_NOT_UPDATED: i64 = 300313;
/// An element could not be added (also: the target element does not exist).
pub const ELEMENT_NOT_ADDED: i64 = 300315;
/// The sequence of a card change did not increase.
pub const SEQUENCE: i64 = 300317;
