//! Every Rust name the generator emits is decided here, and only here.
//!
//! Names come from wire names through heck; keywords and clashes are resolved so
//! that the IR carries final identifiers next to the wire names they stand for.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words Rust reserves in any edition we support.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A snake_case identifier for a field, parameter, module or method.
///
/// Keywords become raw identifiers (`r#type`) so the Rust name still reads as the wire
/// name; the few that cannot be raw get a trailing underscore.
pub fn snake(wire: &str) -> String {
    let mut name = wire.to_snake_case();
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    escape(name)
}

/// An UpperCamelCase identifier for a type or variant.
pub fn camel(wire: &str) -> String {
    let mut name = wire.to_upper_camel_case();
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" { "Self_".to_owned() } else { name }
}

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// The spec name of a model's input variant: the type requests send where the platform
/// reuses a model for a reply (see `split`). `Badge` becomes `BadgeInput`, numbered if
/// the file already has that name.
pub fn input_model(model: &str, taken: &mut BTreeSet<String>) -> String {
    let wanted = format!("{model}Input");
    let mut name = wanted.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{wanted}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The identifier without a raw prefix, as serde sees it.
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// A set of names in one Rust namespace; later claims of a taken name get a number.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Claims `wanted`, or `wanted2`, `wanted3`… (`wanted_2` for snake names).
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_owned();
        let snake = wanted.starts_with(|c: char| c.is_ascii_lowercase()) || wanted.starts_with("r#");
        let base = unraw(wanted).to_owned();
        let mut n = 2;
        while !self.taken.insert(unraw(&candidate).to_owned()) {
            candidate = if snake { format!("{base}_{n}") } else { format!("{base}{n}") };
            n += 1;
        }
        candidate
    }
}

/// The Rust name of a method's request type: `list` on `chat` is `ListChatRequest`.
pub fn request_type(method: &str, resource: &str) -> String {
    camel(&format!("{method}_{resource}_request"))
}

/// The accessor type of a resource: `message` is `MessageApi`.
pub fn resource_type(resource: &str) -> String {
    camel(&format!("{resource}_api"))
}

/// The accessor type of a service: `im` is `Im`.
pub fn service_type(service: &str) -> String {
    camel(service)
}

/// The `EventDispatcher` method for an event or callback type: dots become underscores,
/// `im.message.receive_v1` is `on_im_message_receive_v1`.
pub fn handler(type_string: &str) -> String {
    snake(&format!("on_{}", type_string.replace('.', "_")))
}

/// Methods `EventDispatcher` has besides the generated `on_<type>` ones.
pub const DISPATCHER_RESERVED: &[&str] =
    &["new", "on", "on_callback", "on_card_action", "on_raw", "fallback", "into_runtime", "from"];

/// The feature and module name of a service.
pub fn service_module(service: &str) -> String {
    snake(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_stay_readable() {
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(camel("open_id"), "OpenId");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(unraw("r#type"), "type");
    }

    #[test]
    fn handlers_follow_the_type_string() {
        assert_eq!(handler("im.message.receive_v1"), "on_im_message_receive_v1");
        assert_eq!(handler("leave_approvalV2"), "on_leave_approval_v2");
        let mut ns = Namespace::with_reserved(DISPATCHER_RESERVED);
        // A callback typed `raw` must not replace the dispatcher's own `on_raw`.
        assert_eq!(ns.claim(&handler("raw")), "on_raw_2");
    }

    #[test]
    fn clashes_get_numbers() {
        let mut ns = Namespace::with_reserved(&["Api"]);
        assert_eq!(ns.claim("Api"), "Api2");
        assert_eq!(ns.claim("Message"), "Message");
        assert_eq!(ns.claim("Message"), "Message2");
        let mut fields = Namespace::default();
        assert_eq!(fields.claim("user_id"), "user_id");
        assert_eq!(fields.claim("user_id"), "user_id_2");
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("r#type"), "type_2");
    }
}
