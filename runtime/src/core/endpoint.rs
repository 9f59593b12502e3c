//! The static description of an endpoint that generated code hands to the runtime.

/// Base URL of Feishu, the mainland China edition of the platform.
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";

/// Base URL of Lark, the international edition of the platform.
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";

/// The HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method name as it appears on the wire, e.g. `"GET"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        }
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of access token an endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `tenant_access_token`: the app acting inside one tenant (organisation).
    Tenant,
    /// `user_access_token`: the app acting for a signed-in user.
    User,
    /// `app_access_token`: the app acting as itself.
    App,
}

/// The permission scopes an endpoint needs.
///
/// The platform does not publish scopes for every endpoint, hence `Unknown`. An endpoint
/// that needs none is `Known` with both lists empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scopes {
    /// The catalogue does not know which scopes the endpoint needs.
    Unknown,
    /// The scopes the endpoint needs.
    Known {
        /// Granting any one of these is enough.
        any: &'static [&'static str],
        /// Every one of these must be granted as well.
        all: &'static [&'static str],
    },
}

impl Scopes {
    /// A sentence saying which scopes to grant, or `None` when there is nothing to say.
    pub(crate) fn advice(self) -> Option<String> {
        let Scopes::Known { any, all } = self else {
            return None;
        };
        let mut parts = Vec::new();
        match any {
            [] => {}
            [one] => parts.push(format!("`{one}`")),
            many => parts.push(format!("one of {}", quoted_list(many))),
        }
        if !all.is_empty() {
            parts.push(format!("all of {}", quoted_list(all)));
        }
        if parts.is_empty() {
            return None;
        }
        Some(parts.join(" and "))
    }
}

fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// How the body of a successful reply is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// The usual envelope `{code, msg, data}`; the response type is read from `data`.
    Data,
    /// The fields sit next to `code` and `msg` at the top level (the token endpoints do this).
    Flat,
    /// A file; use [`Client::download`](crate::Client::download).
    Binary,
    /// Only `{code, msg}`; the response type is [`Empty`](crate::Empty).
    Empty,
}

/// Static description of one endpoint; generated code has one `const` per endpoint.
///
/// Every field is public so that other crates can write the description as a constant.
#[derive(Debug)]
pub struct Endpoint {
    /// A stable identifier such as `"im.v1.message.create"`, used in errors and logs.
    pub id: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template, with `:name` placeholders for path parameters,
    /// e.g. `"/open-apis/im/v1/messages/:message_id"`.
    pub path: &'static str,
    /// The token kinds the endpoint accepts; empty means it takes no `Authorization` header.
    pub tokens: &'static [TokenKind],
    /// The permission scopes the endpoint needs.
    pub scopes: Scopes,
    /// How a successful reply is laid out.
    pub response: ResponseKind,
    /// The official documentation page; may be empty.
    pub doc_url: &'static str,
}

impl Endpoint {
    /// Whether the endpoint accepts tokens of this kind.
    pub fn accepts(&self, kind: TokenKind) -> bool {
        self.tokens.contains(&kind)
    }
}

/// What a call needs to know about its endpoint: borrowed from a static [`Endpoint`], or
/// from the settings of a raw call.
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    pub id: &'static str,
    pub method: HttpMethod,
    pub path: &'a str,
    pub tokens: &'a [TokenKind],
    pub scopes: Scopes,
    pub response: ResponseKind,
}

impl Target<'static> {
    pub(crate) fn of(endpoint: &'static Endpoint) -> Self {
        Target {
            id: endpoint.id,
            method: endpoint.method,
            path: endpoint.path,
            tokens: endpoint.tokens,
            scopes: endpoint.scopes,
            response: endpoint.response,
        }
    }
}

impl Target<'_> {
    pub(crate) fn accepts(&self, kind: TokenKind) -> bool {
        self.tokens.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_advice_names_every_scope() {
        let s = Scopes::Known { any: &["a", "b"], all: &["c"] };
        assert_eq!(s.advice().unwrap(), "one of `a`, `b` and all of `c`");
        let one = Scopes::Known { any: &["im:message"], all: &[] };
        assert_eq!(one.advice().unwrap(), "`im:message`");
        assert_eq!(Scopes::Unknown.advice(), None);
        assert_eq!(Scopes::Known { any: &[], all: &[] }.advice(), None);
    }
}
