//! `spec/upstream-routes.tsv`: each endpoint as a pinned package states it (its own name,
//! verb, path, token kinds), copied from the extractors' output before any merging.
//!
//! It is the independent side of `tests/tests/catalogue_matches_generated.rs`: the
//! generated constants went through merge, YAML, overlays, the loader and the emitter,
//! while these lines went through none of them, so a fact mangled on the way shows up.

use std::fmt::Write as _;

use super::sources::{Node, Python};

/// Where the table lives, relative to the workspace root.
pub const PATH: &str = "spec/upstream-routes.tsv";

const HEADER: &str = "\
# Each endpoint as the pinned packages state it, written by `cargo xtask import`; never
# edited by hand. tests/tests/catalogue_matches_generated.rs compares the generated
# crate with it. Columns: package, the package's own name for the endpoint, verb, path,
# token kinds (the Node package states none, so `-`).
";

/// The table, sorted by package then name, so the same packages give the same bytes.
pub fn table(py: &Python, node: &Node) -> String {
    let mut rows = Vec::new();
    for service in &py.services {
        for e in &service.endpoints {
            let (Some(verb), Some(uri)) = (&e.http_method, &e.uri) else { continue };
            let name = format!("{}/{}/{}/{}", service.service, service.version, e.resource, e.method);
            let tokens = if e.tokens.is_empty() { "-".to_owned() } else { e.tokens.join(",") };
            rows.push(format!("pypi\t{name}\t{verb}\t{uri}\t{tokens}"));
        }
    }
    for e in &node.endpoints {
        rows.push(format!("npm\t{}\t{}\t{}\t-", e.id, e.method, e.url));
    }
    sorted_table(HEADER, rows)
}

/// `header`, then `rows` sorted and without repeats, one per line: the same facts give
/// the same bytes whatever order the extractors listed them in.
pub fn sorted_table(header: &str, mut rows: Vec<String>) -> String {
    rows.sort();
    rows.dedup();
    let mut out = header.to_owned();
    for row in rows {
        let _ = writeln!(out, "{row}");
    }
    out
}
