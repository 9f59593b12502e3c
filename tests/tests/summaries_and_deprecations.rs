//! Every endpoint and event is explained in our own words, and everything the platform no
//! longer recommends is marked.
//!
//! The independent side is `spec/upstream-notes.tsv`, which the importer copies from the
//! pinned Node package's JSDoc before any merging: each item's official title and whether
//! the platform deprecates it. The catalogue side is the IR from `lark_generator`, and the
//! generated crate is read as text for its `#[deprecated]` attributes.

use std::collections::BTreeMap;
use std::fs;

use lark_generator::ir::Catalogue;
use lark_tests::{rust_files, workspace_root as root};

/// What the catalogue says about one endpoint or event.
struct Item {
    summary: String,
    deprecated: bool,
}

/// Endpoints by official id and events by type.
fn items(catalogue: &Catalogue) -> (BTreeMap<String, Item>, BTreeMap<String, Item>) {
    let mut endpoints = BTreeMap::new();
    let mut events = BTreeMap::new();
    for version in catalogue.services.iter().flat_map(|s| &s.versions) {
        for m in version.resources.iter().flat_map(|r| &r.methods) {
            let item = Item { summary: m.summary.clone(), deprecated: m.deprecated.is_some() };
            endpoints.insert(m.official_id.clone().unwrap_or_else(|| m.id.clone()), item);
        }
        for e in &version.events {
            events
                .insert(e.event_type.clone(), Item { summary: e.summary.clone(), deprecated: e.deprecated.is_some() });
        }
    }
    (endpoints, events)
}

/// The importer's placeholders: "Calls `patch` on `x`." and "Pushed as `x`."
fn mechanical(summary: &str) -> bool {
    summary.starts_with("Calls `") || summary.starts_with("Pushed as `")
}

/// One line of `spec/upstream-notes.tsv`: kind, id, deprecated, title.
struct Note {
    kind: String,
    id: String,
    deprecated: bool,
    titled: bool,
}

fn notes() -> Vec<Note> {
    let text = fs::read_to_string(root().join("spec/upstream-notes.tsv")).expect("spec/upstream-notes.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert_eq!(cells.len(), 4, "four columns: {line}");
            Note {
                kind: cells[0].to_owned(),
                id: cells[1].to_owned(),
                deprecated: cells[2] == "deprecated",
                titled: cells[3] != "-",
            }
        })
        .collect()
}

fn catalogue() -> Catalogue {
    lark_generator::catalogue(&root().join("spec")).expect("the catalogue loads")
}

#[test]
fn every_item_with_an_official_title_has_a_summary_of_our_own() {
    let (endpoints, events) = items(&catalogue());
    let mut missing = Vec::new();
    let mut placeholder = Vec::new();
    let mut titled = 0;
    for note in notes().iter().filter(|n| n.titled) {
        titled += 1;
        let found = match note.kind.as_str() {
            "endpoint" => endpoints.get(&note.id),
            "event" => events.get(&note.id),
            other => panic!("unknown kind `{other}` in spec/upstream-notes.tsv"),
        };
        match found {
            None => missing.push(format!("{} {}", note.kind, note.id)),
            Some(item) if mechanical(&item.summary) => placeholder.push(format!("{}: {}", note.id, item.summary)),
            Some(_) => {}
        }
    }
    assert!(titled > 1800, "the Node package titles {titled} items; the table looks truncated");
    assert!(missing.is_empty(), "titled upstream but not in the catalogue: {missing:#?}");
    assert!(placeholder.is_empty(), "{} items keep the importer's placeholder: {placeholder:#?}", placeholder.len());
}

#[test]
fn no_endpoint_event_or_service_is_left_unexplained() {
    let catalogue = catalogue();
    let (endpoints, events) = items(&catalogue);
    let placeholder: Vec<&String> =
        endpoints.iter().chain(&events).filter(|(_, item)| mechanical(&item.summary)).map(|(id, _)| id).collect();
    assert!(placeholder.is_empty(), "placeholders without an upstream title either: {placeholder:#?}");
    let unwritten: Vec<&str> =
        catalogue.services.iter().filter(|s| s.summary.is_none()).map(|s| s.wire.as_str()).collect();
    assert!(unwritten.is_empty(), "services with no summary of our own: {unwritten:?}");
    let cjk =
        |s: &str| s.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c));
    let untranslated: Vec<&String> =
        endpoints.iter().chain(&events).filter(|(_, item)| cjk(&item.summary)).map(|(id, _)| id).collect();
    assert!(untranslated.is_empty(), "summaries in Chinese: {untranslated:?}");
}

#[test]
fn everything_the_platform_deprecates_is_marked_and_generated_so() {
    let catalogue = catalogue();
    let (endpoints, events) = items(&catalogue);
    let upstream: Vec<Note> = notes().into_iter().filter(|n| n.deprecated).collect();
    assert!(upstream.len() >= 25, "the Node package deprecates {} items; the table looks truncated", upstream.len());
    let unmarked: Vec<&str> = upstream
        .iter()
        .filter(|n| {
            let table = if n.kind == "endpoint" { &endpoints } else { &events };
            !table.get(&n.id).is_some_and(|item| item.deprecated)
        })
        .map(|n| n.id.as_str())
        .collect();
    assert!(unmarked.is_empty(), "deprecated upstream, not in the catalogue: {unmarked:?}");

    // Each deprecated method and its pager, and each deprecated event's handler, carries
    // the attribute in the generated crate.
    let mut expected = 0;
    for version in catalogue.services.iter().flat_map(|s| &s.versions) {
        for m in version.resources.iter().flat_map(|r| &r.methods).filter(|m| m.deprecated.is_some()) {
            expected += 1 + usize::from(m.pagination.is_some());
        }
        expected += version.events.iter().filter(|e| e.deprecated.is_some()).count();
    }
    let generated: usize = rust_files(&root().join("generated/src"))
        .iter()
        .map(|f| fs::read_to_string(f).expect("readable").matches("#[deprecated(").count())
        .sum();
    assert_eq!(generated, expected, "`#[deprecated]` attributes in generated/src");
}
