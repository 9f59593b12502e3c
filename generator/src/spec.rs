//! The catalogue as written in `spec/`: plain serde types, one per YAML construct.
//!
//! These types only describe shape. Whether names resolve, paths match their
//! parameters or scopes exist is decided later by `validate`; `spec/README.md` is the
//! user-facing description of the same format.

use indexmap::IndexMap;
use serde::Deserialize;

/// One file under `spec/services/<service>/<version>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    /// Service name as the platform writes it in paths, e.g. `im`.
    pub service: String,
    /// Version segment, e.g. `v1`.
    pub version: String,
    /// A short human title, e.g. `Messaging`.
    pub title: String,
    /// One sentence in our own words.
    #[serde(default)]
    pub summary: Option<String>,
    /// Default provenance of every fact in the file.
    pub source: String,
    #[serde(default)]
    pub resources: IndexMap<String, Resource>,
    #[serde(default)]
    pub models: IndexMap<String, Model>,
    #[serde(default)]
    pub enums: IndexMap<String, Enum>,
    #[serde(default)]
    pub events: IndexMap<String, Event>,
    #[serde(default)]
    pub callbacks: IndexMap<String, Callback>,
}

/// A group of methods on one kind of object, e.g. `message`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    #[serde(default)]
    pub summary: Option<String>,
    pub methods: IndexMap<String, Method>,
}

/// One HTTP endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub summary: String,
    /// `"<METHOD> <path template>"`, e.g. `GET /open-apis/im/v1/messages/:message_id`.
    pub http: String,
    /// The official documentation page.
    #[serde(default)]
    pub doc: Option<String>,
    /// The platform's own id of the endpoint, `project/version/resource/apiName` as in
    /// its api-explorer links (the resource may be dotted: `access_record.access_photo`).
    #[serde(default)]
    pub official_id: Option<String>,
    /// Token kinds the endpoint accepts; empty means no token at all.
    pub tokens: Vec<TokenKind>,
    /// Omitted means "not yet known", which is different from `none`.
    #[serde(default)]
    pub scopes: Option<Scopes>,
    /// Parameters that fill `:name` placeholders of the path.
    #[serde(default)]
    pub path: IndexMap<String, Field>,
    #[serde(default)]
    pub query: IndexMap<String, Field>,
    // `with`: serde_yaml 0.9 otherwise expects enums as YAML tags (`!json Foo`).
    #[serde(default, with = "serde_yaml::with::singleton_map")]
    pub body: Option<Body>,
    #[serde(default, with = "serde_yaml::with::singleton_map")]
    pub response: Option<Response>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    /// Body fields this request must send that its body's models cannot mark required,
    /// because other requests send the same models without them (a create and a patch)
    /// or because either of two fields will do. Each entry is a dotted path from the body
    /// (`members.id` is `id` in every item of `members`, checked where `members` is sent);
    /// `user_id | open_id` asks for one of sibling fields. Checked before sending.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The platform no longer recommends the method.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A method or event the platform no longer recommends, and what it names instead.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecated {
    /// The replacements: official ids of methods (`contact/v3/user/patch`) for a method,
    /// event types for an event.
    #[serde(default)]
    pub instead: Vec<String>,
    /// The official page about it, where the replacement is not in the catalogue.
    #[serde(default)]
    pub doc: Option<String>,
}

/// Token kinds, as the platform names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Tenant,
    User,
    App,
}

impl TokenKind {
    /// The platform's name for the token, e.g. `tenant_access_token`.
    pub fn token_name(self) -> &'static str {
        match self {
            TokenKind::Tenant => "tenant_access_token",
            TokenKind::User => "user_access_token",
            TokenKind::App => "app_access_token",
        }
    }
}

/// Either the keyword `none` or lists of scope names.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scopes {
    Keyword(ScopeKeyword),
    Lists(ScopeLists),
}

/// The only keyword allowed in place of scope lists.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKeyword {
    /// The call needs no scope at all.
    None,
}

/// The platform's rule: any one of `any` suffices, and every one of `all` is needed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeLists {
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub all: Vec<String>,
}

/// How the request body travels.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Body {
    /// `application/json` with this model.
    Json(String),
    /// `multipart/form-data`; fields of type `file` become file parts.
    Multipart(String),
}

/// What the server answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Response {
    /// The usual `{code, msg, data}` envelope; `data` is this model.
    Json(String),
    /// The model's fields sit next to `code` and `msg` (the auth v3 token endpoints).
    Flat(String),
    /// Raw bytes (a file download).
    Binary,
}

/// Cursor pagination: `page_size` and `page_token` in the query; `has_more`,
/// `page_token` and the item list in the response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Response field holding the page's items.
    pub items: String,
    /// Response field holding the next cursor (default `page_token`).
    #[serde(default)]
    pub cursor: Option<String>,
}

/// A struct: request body, response data, event payload or nested object.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[serde(default)]
    pub summary: Option<String>,
    /// Keyed by wire name, in wire order.
    pub fields: IndexMap<String, Field>,
    #[serde(default)]
    pub source: Option<String>,
    /// The type is written by hand in the runtime, at this path below `lark_runtime::`
    /// (e.g. `message::card::CardAnswer`), because it needs more than fields (builders,
    /// checks); the generated name becomes an alias of it and `fields` only document the
    /// wire shape.
    #[serde(default)]
    pub runtime: Option<String>,
}

/// A field of a model or a parameter of a method.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// `string`, `bool`, `int32`, `int64`, `float64`, `file`, `json`, a model or
    /// enum name, `list<T>` or `map<T>` (string keys).
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    /// The int64 travels as a JSON string (most Lark ids and timestamps do).
    #[serde(default)]
    pub as_string: bool,
    #[serde(default)]
    pub summary: Option<String>,
    /// Overrides the Rust name when the derived one is unfortunate.
    #[serde(default)]
    pub rust_name: Option<String>,
}

/// A closed set of values the platform defines; new server values stay readable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    #[serde(default)]
    pub summary: Option<String>,
    /// `string` or `int32`.
    #[serde(rename = "type", default = "string_type")]
    pub ty: String,
    pub values: Vec<EnumValue>,
}

fn string_type() -> String {
    "string".to_owned()
}

/// One enum value: a bare string, or a mapping with a Rust name and summary.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EnumValue {
    Bare(String),
    Full(EnumValueFull),
}

/// The long form of an enum value; `name` is required for integer enums.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueFull {
    pub value: serde_yaml::Value,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
}

/// Envelope versions of pushed events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    V1,
    V2,
}

/// An event the platform pushes, keyed by its event type, e.g. `im.message.receive_v1`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub summary: String,
    pub envelope: Envelope,
    /// The model of the `event` object.
    pub payload: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub scopes: Option<Scopes>,
    /// The platform no longer recommends the event.
    #[serde(default)]
    pub deprecated: Option<Deprecated>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A callback: pushed like an event, but its handler's answer is the HTTP response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    pub summary: String,
    pub envelope: Envelope,
    pub payload: String,
    /// The model the handler returns.
    pub response: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// `spec/scopes.yaml`: the scope vocabulary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    pub scopes: IndexMap<String, Scope>,
}

/// One permission scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Which identities can be granted the scope.
    pub identity: Vec<Identity>,
    /// What the scope lets the app do to data.
    pub access: Access,
    /// Whether it covers a whole area (`contact:contact`) rather than one kind of
    /// object or action (`contact:user.email:readonly`).
    #[serde(default)]
    pub broad: bool,
    /// Whether the platform has superseded it with a newer scope.
    #[serde(default)]
    pub legacy: bool,
    /// For event scopes that each let part of an event's pushes through: which part.
    #[serde(default)]
    pub delivers: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    /// One line in our own words.
    pub summary: String,
    #[serde(default)]
    pub source: Option<String>,
}

/// What a scope lets the app do to data, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Read (or receive) only.
    Read,
    /// Change without reading (`:write_only`, `:create`, `send_as_bot`, …).
    Write,
    /// Both.
    ReadWrite,
}

/// Who holds a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Tenant,
    User,
}
