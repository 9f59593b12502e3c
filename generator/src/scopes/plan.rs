//! The least-privileged set of scopes that lets an app make a list of calls.
//!
//! Every call needs one scope of its `any` list and all of its `all` list. Among the sets
//! that do that, a plan is the one that grants the least, compared in this order:
//!
//! 1. fewest rights to change data (a `read` scope counts 0, `write` 1, `read_write` 2),
//!    so a call with a read-only option never brings a write scope;
//! 2. fewest sensitive scopes (an administrator has to review each);
//! 3. fewest broad scopes (a whole area rather than one kind of object);
//! 4. fewest legacy scopes (superseded by a newer one);
//! 5. fewest scopes;
//! 6. the first set in name order, so that the answer is the same on every run.
//!
//! So two narrow read-only scopes beat one read-write scope that covers both calls, and a
//! plan is smallest in count only among plans that grant equally little.
//!
//! Events whose scopes each deliver a part of the pushes (`delivers` in the vocabulary)
//! are not a choice between equals: the plan takes one scope per part, leaves out the
//! parts only sensitive scopes deliver, and lists every part as a [`Choice`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Entry;
use crate::ir::{Access, Catalogue, Identity, Scope, Scopes};

/// How many search steps a plan may take before it settles for the best set found so far
/// (a greedy one at worst); apps stay far below it.
const SEARCH_BUDGET: usize = 200_000;

/// The scopes to request for a list of calls, per identity, each with the calls that need
/// it.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Scopes for calls made with a tenant access token, and for events; in name order.
    pub tenant: Vec<PlannedScope>,
    /// Scopes for calls made with a user access token; in name order.
    pub user: Vec<PlannedScope>,
    /// The parts of events whose scopes each deliver something else, and which the plan asks for.
    pub choices: Vec<Choice>,
    /// Calls whose scopes the catalogue does not know yet.
    pub unknown: Vec<String>,
    /// Calls an identity cannot make because none of their scopes can be granted to it.
    pub unsatisfiable: Vec<String>,
}

/// One scope of a plan and why it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedScope {
    /// The scope's name.
    pub scope: String,
    /// `read`, `write` or `read_write`.
    pub access: Access,
    /// The identities the scope can be granted to.
    pub identity: Vec<Identity>,
    /// Whether it covers a whole area.
    pub broad: bool,
    /// Whether an administrator must review it.
    pub sensitive: bool,
    /// Whether the platform has superseded it.
    pub legacy: bool,
    /// What it grants, in one line.
    pub summary: String,
    /// The endpoints and events of the list that need it.
    pub calls: Vec<String>,
}

/// A part of an event's pushes that some of its scopes deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The event type.
    pub event: String,
    /// The part, e.g. "group messages that mention the bot".
    pub delivers: String,
    /// The scopes that deliver it, in name order.
    pub scopes: Vec<String>,
    /// Whether the plan asks for one of them: parts that only sensitive scopes deliver
    /// are left for the app to add.
    pub included: bool,
}

impl Plan {
    /// The tenant scopes' names.
    pub fn tenant_names(&self) -> Vec<&str> {
        self.tenant.iter().map(|s| s.scope.as_str()).collect()
    }

    /// The user scopes' names.
    pub fn user_names(&self) -> Vec<&str> {
        self.user.iter().map(|s| s.scope.as_str()).collect()
    }

    /// The developer console's batch-import form: `{"scopes":{"tenant":[…],"user":[…]}}`.
    pub fn console_json(&self) -> String {
        serde_json::json!({ "scopes": { "tenant": self.tenant_names(), "user": self.user_names() } }).to_string()
    }

    /// The whole plan as JSON, for scripts.
    pub fn to_json(&self) -> String {
        // Plain strings, booleans and lists always serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The plan for a reader: each scope with its access, sensitivity and the calls that
    /// need it, then the events' choices and the calls left out.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        for (identity, scopes) in [("tenant", &self.tenant), ("user", &self.user)] {
            out.push_str(&format!("{identity} identity: {} scope(s)\n", scopes.len()));
            for s in scopes {
                let holders = s.identity.iter().map(|i| format!("{i:?}").to_lowercase()).collect::<Vec<_>>();
                let holders = format!("grantable to {}", holders.join(" and "));
                let mut traits = vec![access_name(s.access), &holders];
                traits.extend(s.broad.then_some("broad"));
                traits.extend(s.legacy.then_some("legacy"));
                traits.extend(s.sensitive.then_some("sensitive: needs an administrator's review"));
                out.push_str(&format!("  {} ({})\n    {}\n", s.scope, traits.join(", "), s.summary));
                out.push_str(&format!("    needed by: {}\n", s.calls.join(", ")));
            }
        }
        if !self.choices.is_empty() {
            out.push_str("events whose scopes each deliver a part:\n");
            for c in &self.choices {
                let verdict = if c.included { "asked for" } else { "left out (only sensitive scopes deliver it)" };
                out.push_str(&format!("  {}: {}: {verdict}; scopes: {}\n", c.event, c.delivers, c.scopes.join(", ")));
            }
        }
        for id in &self.unknown {
            out.push_str(&format!("unknown scopes: {id} (check its official page)\n"));
        }
        for what in &self.unsatisfiable {
            out.push_str(&format!("no grantable scope: {what}\n"));
        }
        out
    }
}

fn access_name(access: Access) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::ReadWrite => "read and write",
    }
}

/// The plan for `entries`: per identity, the least-privileged set of scopes (see the
/// module's rule). Entries that accept a tenant token count for tenant identity, those
/// that accept a user token for user identity.
pub fn minimal(entries: &[&Entry], catalogue: &Catalogue) -> Plan {
    let vocabulary: BTreeMap<&str, &Scope> = catalogue.scopes.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut plan = Plan::default();
    for (identity, token) in [(Identity::Tenant, "tenant_access_token"), (Identity::User, "user_access_token")] {
        let grantable = |s: &&String| vocabulary.get(s.as_str()).is_some_and(|v| v.identity.contains(&identity));
        let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut needs: Vec<(String, BTreeSet<String>)> = Vec::new();
        for entry in entries.iter().filter(|e| e.tokens.contains(&token)) {
            let Scopes::Known { any, all } = &entry.scopes else { continue };
            for scope in all.iter().filter(grantable) {
                required.entry(scope.clone()).or_default().insert(entry.id.clone());
            }
            let options: BTreeSet<String> = any.iter().filter(grantable).cloned().collect();
            if options.is_empty() && !any.is_empty() {
                plan.unsatisfiable.push(format!("{} ({identity:?})", entry.id).to_lowercase());
                continue;
            }
            let parts = parts_delivered(&options, &vocabulary);
            if entry.kind != "event" || parts.len() < 2 {
                if !options.is_empty() {
                    needs.push((entry.id.clone(), options));
                }
                continue;
            }
            for (delivers, scopes) in parts {
                let included = scopes.iter().any(|s| !vocabulary[s.as_str()].sensitive);
                if included {
                    needs.push((entry.id.clone(), scopes.clone()));
                }
                if identity == Identity::Tenant {
                    let scopes = scopes.into_iter().collect();
                    plan.choices.push(Choice { event: entry.id.clone(), delivers, scopes, included });
                }
            }
        }
        let already: BTreeSet<String> = required.keys().cloned().collect();
        let sets: Vec<BTreeSet<String>> = needs.iter().map(|(_, options)| options.clone()).collect();
        let chosen = cover(&sets, &already, &|s: &str| vocabulary.get(s).map_or(u64::MAX / 4, |v| weight(v)));
        for scope in already.iter().chain(&chosen) {
            let mut calls = required.get(scope).cloned().unwrap_or_default();
            calls.extend(needs.iter().filter(|(_, options)| options.contains(scope)).map(|(id, _)| id.clone()));
            let info = vocabulary[scope.as_str()];
            let planned = PlannedScope {
                scope: scope.clone(),
                access: info.access,
                identity: info.identity.clone(),
                broad: info.broad,
                sensitive: info.sensitive,
                legacy: info.legacy,
                summary: info.summary.clone(),
                calls: calls.into_iter().collect(),
            };
            match identity {
                Identity::Tenant => plan.tenant.push(planned),
                Identity::User => plan.user.push(planned),
            }
        }
        let by_name = |a: &PlannedScope, b: &PlannedScope| a.scope.cmp(&b.scope);
        plan.tenant.sort_by(by_name);
        plan.user.sort_by(by_name);
    }
    plan.unknown = entries.iter().filter(|e| e.scopes == Scopes::Unknown).map(|e| e.id.clone()).collect();
    plan.unsatisfiable.sort();
    plan.unsatisfiable.dedup();
    plan
}

/// An event's options grouped by the part of its pushes each delivers; options that name
/// no part stand for the whole event.
fn parts_delivered(
    options: &BTreeSet<String>,
    vocabulary: &BTreeMap<&str, &Scope>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut parts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for option in options {
        let part = vocabulary[option.as_str()].delivers.clone().unwrap_or_else(|| "every push of the event".to_owned());
        parts.entry(part).or_default().insert(option.clone());
    }
    parts
}

/// What a scope costs a plan: the rule's first five criteria as digits of one number, so
/// that a sum compares the way the rule does (each level counts far fewer than 1,000).
pub(crate) fn weight(scope: &Scope) -> u64 {
    let access = match scope.access {
        Access::Read => 0,
        Access::Write => 1,
        Access::ReadWrite => 2,
    };
    access * 1_000_000_000_000
        + u64::from(scope.sensitive) * 1_000_000_000
        + u64::from(scope.broad) * 1_000_000
        + u64::from(scope.legacy) * 1_000
        + 1
}

/// The cheapest set that hits every need not already hit, ties broken by name order.
fn cover(needs: &[BTreeSet<String>], already: &BTreeSet<String>, weight: &dyn Fn(&str) -> u64) -> BTreeSet<String> {
    let mut open: Vec<&BTreeSet<String>> = needs.iter().filter(|n| n.is_disjoint(already)).collect();
    // Small needs first: they constrain most. A need holding a smaller one is hit
    // whenever that one is, so it drops out.
    open.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    open.dedup();
    let open: Vec<&BTreeSet<String>> =
        open.iter().enumerate().filter(|(i, n)| !open[..*i].iter().any(|m| m.is_subset(n))).map(|(_, n)| *n).collect();
    let greedy = greedy(&open, weight);
    let mut search = Search { open: &open, weight, best: (cost(&greedy, weight), greedy), steps: 0 };
    search.run(&mut BTreeSet::new(), 0);
    search.best.1
}

fn cost(set: &BTreeSet<String>, weight: &dyn Fn(&str) -> u64) -> u64 {
    set.iter().map(|s| weight(s)).sum()
}

/// A cover that is never far off: the scope that hits the most open needs per unit of
/// cost, again and again.
fn greedy(open: &[&BTreeSet<String>], weight: &dyn Fn(&str) -> u64) -> BTreeSet<String> {
    let mut chosen = BTreeSet::new();
    let mut left: Vec<&BTreeSet<String>> = open.to_vec();
    while !left.is_empty() {
        let mut hits: BTreeMap<&String, u64> = BTreeMap::new();
        for need in &left {
            for s in need.iter() {
                *hits.entry(s).or_default() += 1;
            }
        }
        // Best ratio hits / weight; compared crosswise to stay in integers.
        let best = hits
            .iter()
            .min_by(|(a, ha), (b, hb)| (weight(b) * **ha).cmp(&(weight(a) * **hb)).reverse().then(a.cmp(b)))
            .map(|(s, _)| (*s).clone());
        let Some(best) = best else { break };
        left.retain(|n| !n.contains(&best));
        chosen.insert(best);
    }
    chosen
}

/// Depth-first search over covers, one open need at a time, cheapest option first.
struct Search<'a> {
    open: &'a [&'a BTreeSet<String>],
    weight: &'a dyn Fn(&str) -> u64,
    /// The cheapest cover so far, and its cost.
    best: (u64, BTreeSet<String>),
    steps: usize,
}

impl Search<'_> {
    fn run(&mut self, chosen: &mut BTreeSet<String>, spent: u64) {
        self.steps += 1;
        if self.steps > SEARCH_BUDGET {
            return;
        }
        let Some(need) = self.open.iter().find(|n| n.is_disjoint(chosen)) else {
            if (spent, &*chosen) < (self.best.0, &self.best.1) {
                self.best = (spent, chosen.clone());
            }
            return;
        };
        let mut options: Vec<(u64, &String)> = need.iter().map(|s| ((self.weight)(s), s)).collect();
        options.sort();
        for (w, option) in options {
            if spent + w > self.best.0 {
                break;
            }
            chosen.insert(option.clone());
            self.run(chosen, spent + w);
            chosen.remove(option);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn unit(_: &str) -> u64 {
        1
    }

    #[test]
    fn cover_finds_the_smallest_hitting_set_with_equal_weights() {
        // `b` alone satisfies all three; greedy on names would start with `a`.
        let needs = vec![set(&["a", "b"]), set(&["b", "c"]), set(&["b", "d"])];
        assert_eq!(cover(&needs, &BTreeSet::new(), &unit), set(&["b"]));
        let needs = vec![set(&["a"]), set(&["c", "d"]), set(&["a", "e"])];
        assert_eq!(cover(&needs, &BTreeSet::new(), &unit), set(&["a", "c"]));
        // Already granted scopes satisfy what they hit.
        assert_eq!(cover(&[set(&["x", "y"])], &set(&["y"]), &unit), set(&[]));
    }

    #[test]
    fn two_narrow_scopes_beat_one_that_grants_more() {
        let needs = vec![set(&["rw", "r1"]), set(&["rw", "r2"])];
        let weight = |s: &str| if s == "rw" { 2_000_000_000_001 } else { 1 };
        assert_eq!(cover(&needs, &BTreeSet::new(), &weight), set(&["r1", "r2"]));
    }

    /// A small random instance: scope weights and needs over `n` scopes.
    fn instance(seed: &mut u64, n: usize) -> (Vec<u64>, Vec<BTreeSet<String>>) {
        let mut next = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed
        };
        let weights: Vec<u64> = (0..n)
            .map(|_| {
                let r = next();
                (r % 3) * 1_000_000_000_000
                    + (r >> 8) % 2 * 1_000_000_000
                    + (r >> 16) % 2 * 1_000_000
                    + (r >> 24) % 2 * 1_000
                    + 1
            })
            .collect();
        let needs = (0..1 + next() % 6)
            .map(|_| {
                let mask = next() as usize % (1 << n);
                (0..n).filter(|i| mask & (1 << i) != 0).map(|i| format!("s{i}")).collect::<BTreeSet<_>>()
            })
            .filter(|need| !need.is_empty())
            .collect();
        (weights, needs)
    }

    #[test]
    fn the_plan_is_the_cheapest_cover_and_the_first_by_name_among_equals() {
        // Against every subset of the scopes, on 2,000 random instances.
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2_000 {
            let n = 7;
            let (weights, needs) = instance(&mut seed, n);
            let weight = |s: &str| weights[s[1..].parse::<usize>().unwrap()];
            let found = cover(&needs, &BTreeSet::new(), &weight);
            assert!(needs.iter().all(|need| !need.is_disjoint(&found)), "{needs:?} not covered by {found:?}");
            let best = (0..1usize << n)
                .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).map(|i| format!("s{i}")).collect::<BTreeSet<_>>())
                .filter(|s| needs.iter().all(|need| !need.is_disjoint(s)))
                .map(|s| (cost(&s, &weight), s))
                .min()
                .unwrap();
            assert_eq!((cost(&found, &weight), found), best, "needs {needs:?}, weights {weights:?}");
        }
    }
}
