//! The intermediate representation: the catalogue with every decision made.
//!
//! Emitters read only this. Every item carries its final Rust identifier beside its
//! wire name, and lists are in output order.

pub use crate::spec::{Access, Envelope, Identity, TokenKind};

/// Everything one generation run emits.
#[derive(Debug)]
pub struct Catalogue {
    /// Sorted by service name, then version.
    pub services: Vec<Service>,
    /// The scope vocabulary, sorted by name.
    pub scopes: Vec<Scope>,
}

/// One permission scope of the vocabulary.
#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    /// Identities that can be granted the scope.
    pub identity: Vec<Identity>,
    pub access: Access,
    pub broad: bool,
    pub legacy: bool,
    pub delivers: Option<String>,
    pub sensitive: bool,
    pub summary: String,
}

/// One service (a cargo feature and a module), with all its versions.
#[derive(Debug)]
pub struct Service {
    /// Wire name, e.g. `im`.
    pub wire: String,
    /// Module and feature name.
    pub module: String,
    /// Accessor type, e.g. `Im`.
    pub accessor: String,
    pub title: String,
    pub summary: Option<String>,
    pub versions: Vec<Version>,
}

/// One version of a service: its own module and type namespace.
#[derive(Debug)]
pub struct Version {
    /// e.g. `v1`.
    pub wire: String,
    pub module: String,
    pub source: String,
    pub resources: Vec<Resource>,
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    pub events: Vec<Event>,
    pub callbacks: Vec<Callback>,
}

/// A resource: a module holding its request types and an accessor type.
#[derive(Debug)]
pub struct Resource {
    pub wire: String,
    pub module: String,
    /// The version accessor's method that returns this resource's accessor.
    pub function: String,
    pub accessor: String,
    pub summary: Option<String>,
    pub methods: Vec<Method>,
}

/// HTTP verbs the platform uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    /// The verb as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// Required scopes, keeping "unknown" apart from "none needed".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    Unknown,
    Known { any: Vec<String>, all: Vec<String> },
}

/// One endpoint.
#[derive(Debug)]
pub struct Method {
    /// `service.version.resource.method`, e.g. `im.v1.message.create`.
    pub id: String,
    pub wire: String,
    /// Accessor method name.
    pub function: String,
    pub request_type: String,
    pub summary: String,
    pub http: HttpMethod,
    pub path: String,
    pub doc_url: Option<String>,
    /// The platform's own id, `project/version/resource/apiName`.
    pub official_id: Option<String>,
    pub tokens: Vec<TokenKind>,
    pub scopes: Scopes,
    pub path_params: Vec<Field>,
    pub query_params: Vec<Field>,
    pub body: Option<Body>,
    pub response: Response,
    pub pagination: Option<Pagination>,
    /// Body fields checked before sending (the spec's `requires`): each entry lists the
    /// dotted wire paths of which one must be sent.
    pub requires: Vec<Vec<String>>,
    pub deprecated: Option<Deprecation>,
    pub source: String,
}

/// The platform no longer recommends a method or event.
#[derive(Debug, Clone)]
pub struct Deprecation {
    /// Official method ids or event types, as the spec names them.
    pub instead: Vec<String>,
    /// The replacements, resolved once the whole catalogue is lowered.
    pub replacements: Vec<Replacement>,
    /// The official page about it, where the replacement is not catalogued.
    pub doc: Option<String>,
}

/// A catalogued method or event handler to use instead of a deprecated one.
#[derive(Debug, Clone)]
pub struct Replacement {
    /// What a user writes: `client.contact().v3().user().patch()` or `on_im_message_receive_v1`.
    pub call: String,
    /// The item's path for an intra-doc link: `crate::contact::v3::UserApi::patch`.
    pub link: String,
    /// Its id in the catalogue: `contact.v3.user.patch` or the event type.
    pub id: String,
}

impl Deprecation {
    /// "the platform no longer recommends this", then what to use instead (each
    /// replacement written by `name`) or, without one, where to read about it (the page
    /// written by `page`). Every rendering of a deprecation says it this way.
    pub fn sentence(&self, name: impl Fn(&Replacement) -> String, page: impl Fn(&str) -> String) -> String {
        let names: Vec<String> = self.replacements.iter().map(name).collect();
        match (names.is_empty(), &self.doc) {
            (false, _) => format!("the platform no longer recommends this; use {} instead", or_list(&names)),
            (true, Some(doc)) => format!("the platform no longer recommends this; see {}", page(doc)),
            (true, None) => "the platform no longer recommends this".to_owned(),
        }
    }

    /// The `#[deprecated]` note: the calls to make instead, or the page.
    pub fn note(&self) -> String {
        self.sentence(|r| format!("`{}`", r.call), str::to_owned)
    }

    /// A rustdoc paragraph with links to the replacements.
    pub fn doc_line(&self) -> String {
        let link = |r: &Replacement| {
            let short = r.link.rsplit("::").take(2).collect::<Vec<_>>();
            format!("[`{}::{}`]({})", short[1], short[0], r.link)
        };
        format!("**Deprecated:** {}.", self.sentence(link, |doc| format!("<{doc}>")))
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The request body: a field of the request type holding a model.
#[derive(Debug)]
pub struct Body {
    /// The request type's field name for the body.
    pub field: String,
    pub model: String,
    pub multipart: bool,
}

/// What a call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// `data` decoded as this model.
    Data(String),
    /// Top-level fields decoded as this model.
    Flat(String),
    Binary,
    Empty,
}

/// Cursor pagination facts.
#[derive(Debug)]
pub struct Pagination {
    /// The accessor method that walks every page, e.g. `list_all`.
    pub function: String,
    /// The request type's field for the `page_token` query parameter.
    pub page_token: String,
    /// The response fields: items, `has_more` and the next cursor.
    pub items: Field,
    pub has_more: Field,
    pub cursor: Field,
}

/// Rust types a field can have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Bool,
    I32,
    I64,
    F64,
    /// An int64 carried as a JSON string.
    Int64String,
    File,
    Json,
    Model(String),
    Enum(String),
    List(Box<Type>),
    Map(Box<Type>),
}

/// A struct field or a request parameter.
#[derive(Debug)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Type,
    pub required: bool,
    pub summary: Option<String>,
    /// For optional request parameters: the name of the builder-style setter.
    pub setter: Option<String>,
}

/// Which serde traits a type needs, from how it travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sent to the server (request bodies, callback responses).
    pub sent: bool,
    /// Read from the server (responses, events, callback payloads).
    pub read: bool,
}

/// A struct.
#[derive(Debug)]
pub struct Model {
    /// The spec name.
    pub wire: String,
    pub rust: String,
    pub summary: Option<String>,
    pub fields: Vec<Field>,
    pub usage: Usage,
    /// Its fields become multipart parts, not JSON.
    pub multipart: bool,
    /// Every field has a sensible `Default`, so the struct derives it.
    pub default: bool,
    /// Set when another model of the version has exactly the same shape and docs: this
    /// one is then emitted as a type alias of that one.
    pub alias_of: Option<String>,
    /// A hand-written runtime type (path below `lark_runtime::`) this model stands for.
    pub runtime: Option<String>,
}

/// Integer or string enums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    String,
    Int,
}

/// A closed set of wire values with an unknown-value variant.
#[derive(Debug)]
pub struct Enum {
    pub wire: String,
    pub rust: String,
    pub summary: Option<String>,
    pub repr: EnumRepr,
    pub variants: Vec<Variant>,
    pub usage: Usage,
    /// Set when an earlier enum of the version has the same values and docs.
    pub alias_of: Option<String>,
}

/// One known enum value.
#[derive(Debug)]
pub struct Variant {
    pub rust: String,
    /// The value as text (`"open_id"`, `"2"`).
    pub wire: String,
    pub summary: Option<String>,
}

/// A pushed event and its payload model.
#[derive(Debug)]
pub struct Event {
    pub event_type: String,
    /// The `EventDispatcher` method that registers a handler, e.g. `on_im_message_receive_v1`.
    pub handler: String,
    pub summary: String,
    pub envelope: Envelope,
    pub payload: String,
    pub doc_url: Option<String>,
    pub scopes: Scopes,
    pub deprecated: Option<Deprecation>,
    pub source: String,
}

/// A callback: payload in, typed response out.
#[derive(Debug)]
pub struct Callback {
    pub callback_type: String,
    /// The `EventDispatcher` method that registers a handler.
    pub handler: String,
    pub summary: String,
    pub envelope: Envelope,
    pub payload: String,
    pub response: String,
    pub doc_url: Option<String>,
    pub source: String,
}
