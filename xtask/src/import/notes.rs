//! `spec/upstream-notes.tsv`: what the Node package's JSDoc states about each endpoint and
//! event besides its types: the official title (Chinese, a few words) and whether the
//! platform no longer recommends it.
//!
//! It is the independent side of `tests/tests/summaries_and_deprecations.rs`, which checks
//! that every item with an official title has a summary of our own (not the importer's
//! mechanical one) and that every item the platform deprecates is marked in the catalogue.

use super::sources::{Node, Notes};

/// Where the table lives, relative to the workspace root.
pub const PATH: &str = "spec/upstream-notes.tsv";

const HEADER: &str = "\
# The official title and deprecation of each endpoint and event, as the pinned Node
# package's JSDoc states them; written by `cargo xtask import`, never edited by hand.
# tests/tests/summaries_and_deprecations.rs checks the catalogue against it.
# Columns: kind (endpoint, event), official id or event type, `deprecated` or `-`, title or `-`.
";

/// The table, sorted, so the same package gives the same bytes.
pub fn table(node: &Node) -> String {
    let mut rows = Vec::new();
    let mut row = |kind: &str, id: &str, notes: &Notes| {
        if notes.title.is_none() && notes.deprecated.is_none() {
            return;
        }
        let deprecated = if notes.deprecated.is_some() { "deprecated" } else { "-" };
        let title = notes.title.as_deref().map_or("-".to_owned(), |t| t.replace(['\t', '\n'], " "));
        rows.push(format!("{kind}\t{id}\t{deprecated}\t{title}"));
    };
    for e in &node.endpoints {
        row("endpoint", &e.id, &e.notes);
    }
    for e in node.events.v2.iter().chain(&node.events.v1) {
        row("event", &e.key, &e.notes);
    }
    super::routes::sorted_table(HEADER, rows)
}
