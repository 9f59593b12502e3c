//! Which permission scopes an app needs: per endpoint and event, and the smallest set
//! that covers a list of them, for tenant and for user identity.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Catalogue, Identity, Scopes, TokenKind};

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
                    tokens: method.tokens.iter().map(|t| token_name(*t)).collect(),
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
                    tokens: vec![token_name(TokenKind::Tenant)],
                    scopes: event.scopes.clone(),
                });
            }
        }
    }
    out
}

fn token_name(t: TokenKind) -> &'static str {
    match t {
        TokenKind::Tenant => "tenant_access_token",
        TokenKind::User => "user_access_token",
        TokenKind::App => "app_access_token",
    }
}

impl Entry {
    /// One JSON line: `{"kind","id","method","path","event_type","tokens","scopes_any","scopes_all"}`;
    /// unknown scopes are `null`, "none needed" is two empty lists.
    pub fn to_json_line(&self) -> String {
        let text = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let opt = |s: Option<&str>| s.map_or("null".to_owned(), text);
        let list = |v: &[String]| format!("[{}]", v.iter().map(|s| text(s)).collect::<Vec<_>>().join(","));
        let (any, all) = match &self.scopes {
            Scopes::Unknown => ("null".to_owned(), "null".to_owned()),
            Scopes::Known { any, all } => (list(any), list(all)),
        };
        let tokens = format!("[{}]", self.tokens.iter().map(|t| text(t)).collect::<Vec<_>>().join(","));
        format!(
            "{{\"kind\":{},\"id\":{},\"method\":{},\"path\":{},\"event_type\":{},\"tokens\":{tokens},\"scopes_any\":{any},\"scopes_all\":{all}}}",
            text(self.kind),
            text(&self.id),
            opt(self.method),
            opt(self.path.as_deref()),
            opt(self.event_type.as_deref()),
        )
    }
}

/// The scopes to request, per identity, for a set of entries.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Scopes for calls made with a tenant access token (and for events).
    pub tenant: BTreeSet<String>,
    /// Scopes for calls made with a user access token.
    pub user: BTreeSet<String>,
    /// Entries whose scopes the catalogue does not know yet.
    pub unknown: Vec<String>,
    /// Entries an identity cannot call because no listed scope is grantable to it.
    pub unsatisfiable: Vec<String>,
}

impl Plan {
    /// The developer console's batch-import form: `{"scopes":{"tenant":[…],"user":[…]}}`.
    pub fn console_json(&self) -> String {
        let list = |s: &BTreeSet<String>| s.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(",");
        format!("{{\"scopes\":{{\"tenant\":[{}],\"user\":[{}]}}}}", list(&self.tenant), list(&self.user))
    }
}

/// The smallest set of scopes per identity that lets every entry be called: each needs
/// one of its `any` scopes and all of its `all` scopes. Entries that accept a tenant
/// token count for tenant identity, those that accept a user token for user identity.
pub fn minimal(entries: &[&Entry], catalogue: &Catalogue) -> Plan {
    let mut plan = Plan::default();
    for (identity, token, out) in [
        (Identity::Tenant, "tenant_access_token", &mut plan.tenant),
        (Identity::User, "user_access_token", &mut plan.user),
    ] {
        let grantable = |s: &String| catalogue.scopes.iter().any(|v| &v.name == s && v.identity.contains(&identity));
        let mut needs: Vec<BTreeSet<String>> = Vec::new();
        for entry in entries.iter().filter(|e| e.tokens.contains(&token)) {
            let Scopes::Known { any, all } = &entry.scopes else { continue };
            out.extend(all.iter().filter(|s| grantable(s)).cloned());
            let options: BTreeSet<String> = any.iter().filter(|s| grantable(s)).cloned().collect();
            if options.is_empty() && !any.is_empty() {
                plan.unsatisfiable.push(format!("{} ({identity:?})", entry.id).to_lowercase());
            } else if !options.is_empty() {
                needs.push(options);
            }
        }
        out.extend(cover(needs, out));
    }
    plan.unknown = entries.iter().filter(|e| e.scopes == Scopes::Unknown).map(|e| e.id.clone()).collect();
    plan.unsatisfiable.sort();
    plan.unsatisfiable.dedup();
    plan
}

/// A smallest hitting set: exact for the small candidate sets apps have, greedy beyond.
fn cover(needs: Vec<BTreeSet<String>>, already: &BTreeSet<String>) -> BTreeSet<String> {
    let open: Vec<BTreeSet<String>> = needs.into_iter().filter(|n| n.is_disjoint(already)).collect();
    let candidates: Vec<String> = open.iter().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    if candidates.len() <= 20 {
        // Subsets by size, then in name order, so the answer is the same on every run.
        for size in 0..=candidates.len() {
            if let Some(found) = subsets(&candidates, size).find(|s| open.iter().all(|n| !n.is_disjoint(s))) {
                return found;
            }
        }
    }
    let mut chosen = BTreeSet::new();
    let mut left = open;
    while !left.is_empty() {
        let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
        for need in &left {
            for s in need {
                *counts.entry(s).or_default() += 1;
            }
        }
        let Some(best) = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(s, _)| (*s).clone()) else {
            break;
        };
        left.retain(|n| !n.contains(&best));
        chosen.insert(best);
    }
    chosen
}

fn subsets(items: &[String], size: usize) -> impl Iterator<Item = BTreeSet<String>> + '_ {
    let mut idx: Vec<usize> = (0..size).collect();
    let mut done = size > items.len();
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let current = idx.iter().map(|&i| items[i].clone()).collect();
        // Next combination in lexicographic order.
        let mut i = size;
        loop {
            if i == 0 {
                done = true;
                break;
            }
            i -= 1;
            if idx[i] != i + items.len() - size {
                idx[i] += 1;
                for j in i + 1..size {
                    idx[j] = idx[j - 1] + 1;
                }
                break;
            }
        }
        Some(current)
    })
}

/// Entries a Rust source text uses: request types (`CreateMessageRequest`) and event
/// registrations (`on_im_message_receive_v1`) it mentions. Request type names repeat
/// across services, so where the source names module paths (`im::v1`) only those
/// services count; a name still shared selects all its endpoints, which can only over-grant.
pub fn used_in_source<'e>(source: &str, catalogue: &Catalogue, entries: &'e [Entry]) -> Vec<&'e Entry> {
    let words: Vec<&str> =
        source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let present: BTreeSet<&str> = words.iter().copied().collect();
    let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
    let mut by_type: BTreeMap<&str, Vec<(&str, &str, &str)>> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for service in &catalogue.services {
        for version in &service.versions {
            for method in version.resources.iter().flat_map(|r| &r.methods) {
                if present.contains(method.request_type.as_str()) {
                    by_type.entry(&method.request_type).or_default().push((
                        &service.module,
                        &version.module,
                        &method.id,
                    ));
                }
            }
            for event in &version.events {
                if present.contains(event.handler.as_str()) {
                    ids.insert(event.event_type.clone());
                }
            }
        }
    }
    for candidates in by_type.values() {
        let named: Vec<_> = candidates.iter().filter(|(s, v, _)| compact.contains(&format!("{s}::{v}"))).collect();
        let chosen: Vec<_> = if named.is_empty() { candidates.iter().collect() } else { named };
        ids.extend(chosen.into_iter().map(|(_, _, id)| (*id).to_owned()));
    }
    entries.iter().filter(|e| ids.contains(&e.id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn cover_finds_the_smallest_hitting_set() {
        // `b` alone satisfies all three; greedy on names would start with `a`.
        let needs = vec![set(&["a", "b"]), set(&["b", "c"]), set(&["b", "d"])];
        assert_eq!(cover(needs, &BTreeSet::new()), set(&["b"]));
        let needs = vec![set(&["a"]), set(&["c", "d"]), set(&["a", "e"])];
        assert_eq!(cover(needs, &BTreeSet::new()), set(&["a", "c"]));
        // Already granted scopes satisfy what they hit.
        assert_eq!(cover(vec![set(&["x", "y"])], &set(&["y"])), set(&[]));
    }

    #[test]
    fn subsets_are_in_order() {
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        let pairs: Vec<_> = subsets(&items, 2).collect();
        assert_eq!(pairs, vec![set(&["a", "b"]), set(&["a", "c"]), set(&["b", "c"])]);
        assert_eq!(subsets(&items, 0).count(), 1);
    }
}
