//! The endpoints of an OpenAPI document written by the generator, ready to match
//! requests against.

use lark_runtime::{HttpMethod, TokenKind};
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// The document's security schemes: the platform's names of the token kinds.
pub(crate) const SCHEMES: [(&str, TokenKind); 3] = [
    ("tenant_access_token", TokenKind::Tenant),
    ("user_access_token", TokenKind::User),
    ("app_access_token", TokenKind::App),
];

/// What a successful call answers.
#[derive(Debug)]
pub(crate) enum Answer {
    /// `{code, msg, data}` with `data` of this schema.
    Data(Value),
    /// The schema's fields beside `code` and `msg`.
    Flat(Value),
    /// `{code, msg}` only.
    Empty,
    /// A file.
    Binary,
}

/// A query or path parameter.
#[derive(Debug)]
pub(crate) struct Param {
    pub name: String,
    pub required: bool,
    pub schema: Value,
}

/// One endpoint.
#[derive(Debug)]
pub(crate) struct Operation {
    pub id: String,
    pub method: HttpMethod,
    segments: Vec<String>,
    /// Token kinds it takes; empty for the token endpoints.
    pub tokens: Vec<TokenKind>,
    /// `(any, all)`, or `None` where the catalogue does not know.
    pub scopes: Option<(Vec<String>, Vec<String>)>,
    pub path: Vec<Param>,
    pub query: Vec<Param>,
    /// The body's media type and schema.
    pub body: Option<(String, Value)>,
    /// Body fields the endpoint requires beyond the body's schema: lists of alternatives.
    pub requires: Vec<Vec<String>>,
    pub answer: Answer,
    /// The answer's item list and has-more fields, for paged lists.
    pub pages: Option<Pages>,
}

/// The fields of a paged answer.
#[derive(Debug)]
pub(crate) struct Pages {
    pub items: String,
    pub has_more: String,
    pub next_page_token: String,
}

/// The decoded values of a path's placeholders, by name.
pub(crate) type PathParams = Vec<(String, String)>;

/// An event or callback the platform pushes.
#[derive(Debug)]
pub(crate) struct EventKind {
    /// `v2` (`{schema, header, event}`) or `v1` (`{uuid, token, ts, type, event}`).
    pub v1: bool,
    /// The schema of its `event`.
    pub schema: Value,
    /// Whether it is a callback whose answer the platform shows the user.
    pub callback: bool,
}

/// Every endpoint and event of a document, and its component schemas.
#[derive(Debug)]
pub struct Catalogue {
    operations: Vec<Operation>,
    events: std::collections::BTreeMap<String, EventKind>,
    schemas: serde_json::Map<String, Value>,
}

impl Catalogue {
    /// Reads a document the generator wrote.
    pub fn from_openapi(text: &str) -> Result<Catalogue, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("the OpenAPI document is not JSON: {e}"))?;
        let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
        let mut operations = Vec::new();
        for (path, item) in doc["paths"].as_object().ok_or("the document has no paths")? {
            for (verb, op) in item.as_object().ok_or_else(|| format!("{path} is not an object"))? {
                operations.push(operation(path, verb, op)?);
            }
        }
        let mut events = std::collections::BTreeMap::new();
        for (name, item) in doc["webhooks"].as_object().into_iter().flatten() {
            let push = &item["post"];
            let envelope = &push["requestBody"]["content"]["application/json"]["schema"];
            let kind = EventKind {
                v1: push["x-lark-envelope"] == "v1",
                schema: envelope["properties"]["event"].clone(),
                callback: push["operationId"].as_str().is_some_and(|id| id.starts_with("callback:")),
            };
            events.insert(name.clone(), kind);
        }
        Ok(Catalogue { operations, events, schemas })
    }

    /// How many endpoints it has.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The event and callback types it knows, e.g. `im.message.receive_v1`.
    pub fn event_types(&self) -> impl Iterator<Item = &str> {
        self.events.keys().map(String::as_str)
    }

    pub(crate) fn event(&self, event_type: &str) -> Option<&EventKind> {
        self.events.get(event_type)
    }

    /// The catalogue ids of its endpoints, e.g. `im.v1.message.create`.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.operations.iter().map(|op| op.id.as_str())
    }

    /// The endpoint a request goes to, with its decoded path parameters. A literal segment
    /// beats a placeholder, as in `/chats/search` against `/chats/:chat_id`.
    pub(crate) fn find(&self, method: HttpMethod, path: &str) -> Option<(&Operation, PathParams)> {
        let actual: Vec<&str> = path.split('/').collect();
        let mut best: Option<(&Operation, PathParams, usize)> = None;
        for op in self.operations.iter().filter(|op| op.method == method && op.segments.len() == actual.len()) {
            let mut params = Vec::new();
            let mut literal = 0;
            let fits = op.segments.iter().zip(&actual).all(|(template, seg)| match template.strip_prefix(':') {
                Some(name) => {
                    params.push((name.to_owned(), decode(seg)));
                    !seg.is_empty()
                }
                None => {
                    literal += 1;
                    template == seg
                }
            });
            if fits && best.as_ref().is_none_or(|b| literal > b.2) {
                best = Some((op, params, literal));
            }
        }
        best.map(|(op, params, _)| (op, params))
    }

    /// A schema with its `$ref` followed (to another `$ref`, too).
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..8 {
            match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                Some(name) => match self.schemas.get(name) {
                    Some(target) => schema = target,
                    None => return schema,
                },
                None => return schema,
            }
        }
        schema
    }
}

fn operation(path: &str, verb: &str, op: &Value) -> Result<Operation, String> {
    let id = op["operationId"].as_str().ok_or_else(|| format!("{verb} {path} has no operationId"))?.to_owned();
    let method = match verb {
        "get" => HttpMethod::Get,
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        other => return Err(format!("{id}: unexpected method {other}")),
    };
    let segments = path
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => format!(":{name}"),
            None => s.to_owned(),
        })
        .collect();
    let mut tokens = Vec::new();
    for requirement in op["security"].as_array().into_iter().flatten() {
        for scheme in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
            let token = SCHEMES
                .iter()
                .find(|(name, _)| name == scheme)
                .map(|(_, kind)| *kind)
                .ok_or_else(|| format!("{id}: unknown security scheme {scheme}"))?;
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
    }
    let list = |v: &Value| v.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
    let scopes = match &op["x-lark-scopes"] {
        Value::Object(s) => Some((list(&s["any"]), list(&s["all"]))),
        _ => None,
    };
    let (mut path_params, mut query) = (Vec::new(), Vec::new());
    for p in op["parameters"].as_array().into_iter().flatten() {
        let param = Param {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            required: p["required"].as_bool().unwrap_or(false),
            schema: p["schema"].clone(),
        };
        match p["in"].as_str() {
            Some("path") => path_params.push(param),
            Some("query") => query.push(param),
            _ => {}
        }
    }
    let body = op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.iter().next())
        .map(|(media, content)| (media.clone(), content["schema"].clone()));
    let requires = op["x-lark-requires"].as_array().into_iter().flatten().map(list).collect();
    let ok = &op["responses"]["200"]["content"];
    let answer = if ok.get("application/octet-stream").is_some() {
        Answer::Binary
    } else {
        let schema = &ok["application/json"]["schema"];
        if let Some(parts) = schema["allOf"].as_array() {
            Answer::Flat(parts.get(1).cloned().unwrap_or(Value::Null))
        } else if let Some(data) = schema["properties"].get("data") {
            Answer::Data(data.clone())
        } else {
            Answer::Empty
        }
    };
    let pages = op["x-lark-pagination"].as_object().map(|p| Pages {
        items: p["items"].as_str().unwrap_or("items").to_owned(),
        has_more: p["has_more"].as_str().unwrap_or("has_more").to_owned(),
        next_page_token: p["next_page_token"].as_str().unwrap_or("page_token").to_owned(),
    });
    Ok(Operation { id, method, segments, tokens, scopes, path: path_params, query, body, requires, answer, pages })
}

/// Percent-decodes a path segment.
fn decode(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Every operation, for tests.
#[cfg(test)]
impl Catalogue {
    pub(crate) fn operations(&self) -> &[Operation] {
        &self.operations
    }
}
