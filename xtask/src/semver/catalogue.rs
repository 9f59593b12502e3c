//! What a catalogue change means beyond the Rust API: endpoints and events that come and
//! go, scope lists that change and calls the platform deprecates. cargo-semver-checks
//! sees the types; it cannot see scopes, and it counts nothing that is only added.

use std::collections::BTreeMap;

use lark_generator::ir::{Catalogue, Scopes};

/// How a change affects users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Code that compiled before may not compile, or a call may stop working.
    Breaking,
    /// Something new to use; nothing existing changes.
    Added,
    /// A call's permission scopes changed: an app may need to ask for others.
    Scopes,
    /// The platform no longer recommends a call; it still works.
    Deprecated,
}

/// One change, attributed to the service (cargo feature) it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub service: String,
    pub kind: Kind,
    pub text: String,
}

/// What one endpoint or event looks like for this comparison.
struct Item {
    service: String,
    scopes: String,
    deprecated: bool,
}

fn items(catalogue: &Catalogue) -> (BTreeMap<String, Item>, BTreeMap<String, Item>) {
    let mut endpoints = BTreeMap::new();
    let mut events = BTreeMap::new();
    for service in &catalogue.services {
        for version in &service.versions {
            for m in version.resources.iter().flat_map(|r| &r.methods) {
                let item = Item {
                    service: service.module.clone(),
                    scopes: scopes_text(&m.scopes),
                    deprecated: m.deprecated.is_some(),
                };
                endpoints.insert(m.id.clone(), item);
            }
            for e in &version.events {
                let item = Item {
                    service: service.module.clone(),
                    scopes: scopes_text(&e.scopes),
                    deprecated: e.deprecated.is_some(),
                };
                events.insert(e.event_type.clone(), item);
            }
        }
    }
    (endpoints, events)
}

fn scopes_text(scopes: &Scopes) -> String {
    match scopes {
        Scopes::Unknown => "unknown".to_owned(),
        Scopes::Known { any, all } if any.is_empty() && all.is_empty() => "none".to_owned(),
        Scopes::Known { any, all } => {
            let mut parts = Vec::new();
            if !any.is_empty() {
                parts.push(format!("any of {}", any.join(", ")));
            }
            if !all.is_empty() {
                parts.push(format!("all of {}", all.join(", ")));
            }
            parts.join("; ")
        }
    }
}

/// The changes from `old` to `new`, sorted by service, kind and text.
pub fn diff(old: &Catalogue, new: &Catalogue) -> Vec<Change> {
    let mut changes = Vec::new();
    let (old_endpoints, old_events) = items(old);
    let (new_endpoints, new_events) = items(new);
    for (what, before, after) in [("endpoint", &old_endpoints, &new_endpoints), ("event", &old_events, &new_events)] {
        for (id, item) in before {
            let Some(now) = after.get(id) else {
                changes.push(change(&item.service, Kind::Breaking, format!("{what} `{id}` removed")));
                continue;
            };
            if now.scopes != item.scopes {
                let text = format!("{what} `{id}`: scopes {} → {}", item.scopes, now.scopes);
                changes.push(change(&now.service, Kind::Scopes, text));
            }
            if now.deprecated && !item.deprecated {
                changes.push(change(&now.service, Kind::Deprecated, format!("{what} `{id}` deprecated")));
            }
        }
        for (id, item) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
            changes.push(change(&item.service, Kind::Added, format!("{what} `{id}` added")));
        }
    }
    changes.sort();
    changes
}

fn change(service: &str, kind: Kind, text: String) -> Change {
    Change { service: service.to_owned(), kind, text }
}
