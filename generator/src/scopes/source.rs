//! The endpoints and events a crate's Rust source uses.

use std::collections::{BTreeMap, BTreeSet};

use super::Entry;
use crate::ir::Catalogue;

/// The runtime's messaging API (`lark_runtime::message`, also `lark_sdk::runtime::message`)
/// makes calls of its own, which a crate names by method rather than by request type:
/// what each call looks like in source, a text the source must also hold for it to count
/// (many types have a `send`; the messaging one takes a `To::` recipient), and the
/// endpoints it makes.
pub const MESSAGING_CALLS: &[(&str, &str, &[&str])] = &[
    (".send(", "To::", &["im.v1.message.create"]),
    (".reply(", "", &["im.v1.message.reply"]),
    (".edit(", "", &["im.v1.message.update"]),
    (".update_card(", "", &["im.v1.message.patch"]),
    (".update_card_later(", "", &["interactive.v1.card.update"]),
    (".batch_send(", "", &["im.v4.batch.send"]),
    ("CardStream::", "", &["cardkit.v1.card.create", "cardkit.v1.card_element.content", "cardkit.v1.card.settings"]),
];

/// Entries a Rust source text uses: request types (`CreateMessageRequest`), event
/// registrations (`on_im_message_receive_v1`) and, where it uses the runtime's messaging
/// API, the calls of [`MESSAGING_CALLS`]. Request type names repeat across services, so
/// where the source names module paths (`im::v1`) only those services count; a name
/// still shared selects all its endpoints, which can only over-grant.
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
    if compact.contains("runtime::message") {
        for (call, with, endpoints) in MESSAGING_CALLS {
            if compact.contains(call) && compact.contains(with) {
                ids.extend(endpoints.iter().map(|id| (*id).to_owned()));
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
