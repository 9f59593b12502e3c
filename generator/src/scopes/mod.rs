//! Which permission scopes an app needs: the facts per endpoint and event ([`entries`]),
//! the least-privileged set that covers a list of them ([`minimal`]), and the calls a crate's
//! source uses ([`used_in_source`]).

mod plan;
mod source;

pub use plan::{Choice, Plan, PlannedScope, minimal};
pub use source::{MESSAGING_CALLS, used_in_source};

use serde::Serialize;

use crate::ir::{Catalogue, Scopes, TokenKind};

/// One endpoint or event with the facts a permission check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `endpoint` or `event` (callbacks need no scope).
    pub kind: &'static str,
    /// `im.v1.message.create`, or the event type.
    pub id: String,
    /// HTTP method, for endpoints.
    pub method: Option<&'static str>,
    /// Path with `:param` placeholders, for endpoints.
    pub path: Option<String>,
    /// The event type, for events.
    pub event_type: Option<String>,
    /// The platform's token kind names (`tenant_access_token`, …).
    pub tokens: Vec<&'static str>,
    pub scopes: Scopes,
}

/// Every endpoint and event of the catalogue, in catalogue order.
pub fn entries(catalogue: &Catalogue) -> Vec<Entry> {
    let mut out = Vec::new();
    for service in &catalogue.services {
        for version in &service.versions {
            for method in version.resources.iter().flat_map(|r| &r.methods) {
                out.push(Entry {
                    kind: "endpoint",
                    id: method.id.clone(),
                    method: Some(method.http.as_str()),
                    path: Some(method.path.clone()),
                    event_type: None,
                    tokens: method.tokens.iter().map(|t| t.token_name()).collect(),
                    scopes: method.scopes.clone(),
                });
            }
            for event in &version.events {
                out.push(Entry {
                    kind: "event",
                    id: event.event_type.clone(),
                    method: None,
                    path: None,
                    event_type: Some(event.event_type.clone()),
                    // Events are pushed to the app itself.
                    tokens: vec![TokenKind::Tenant.token_name()],
                    scopes: event.scopes.clone(),
                });
            }
        }
    }
    out
}

impl Entry {
    /// One JSON line: `{"kind","id","method","path","event_type","tokens","scopes_any","scopes_all"}`;
    /// unknown scopes are `null`, "none needed" is two empty lists.
    pub fn to_json_line(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            kind: &'a str,
            id: &'a str,
            method: Option<&'a str>,
            path: Option<&'a str>,
            event_type: Option<&'a str>,
            tokens: &'a [&'a str],
            scopes_any: Option<&'a [String]>,
            scopes_all: Option<&'a [String]>,
        }
        let (any, all) = match &self.scopes {
            Scopes::Unknown => (None, None),
            Scopes::Known { any, all } => (Some(any.as_slice()), Some(all.as_slice())),
        };
        let line = Line {
            kind: self.kind,
            id: &self.id,
            method: self.method,
            path: self.path.as_deref(),
            event_type: self.event_type.as_deref(),
            tokens: &self.tokens,
            scopes_any: any,
            scopes_all: all,
        };
        // Strings and lists always serialise.
        serde_json::to_string(&line).unwrap_or_default()
    }
}
