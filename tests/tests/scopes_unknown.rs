//! `spec/scopes-unknown.tsv` lists exactly the endpoints and events whose scopes the
//! catalogue does not know yet, each with what the last look-up found: curating a call
//! removes its line, and a call cannot lose its scopes unnoticed.

use std::collections::BTreeMap;
use std::fs;

use lark_generator::ir::Scopes;
use lark_tests::workspace_root as root;

#[test]
fn the_unknown_list_is_exactly_the_calls_without_scopes() {
    let catalogue = lark_generator::catalogue(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let mut unknown = Vec::new();
    let mut total = 0;
    for service in &catalogue.services {
        for version in &service.versions {
            let file = format!("{}/{}", service.wire, version.wire);
            for resource in &version.resources {
                for m in &resource.methods {
                    total += 1;
                    if matches!(m.scopes, Scopes::Unknown) {
                        unknown.push((file.clone(), format!("{}.{}", resource.wire, m.wire)));
                    }
                }
            }
            for e in &version.events {
                total += 1;
                if matches!(e.scopes, Scopes::Unknown) {
                    unknown.push((file.clone(), e.event_type.clone()));
                }
            }
        }
    }
    unknown.sort();

    let text = fs::read_to_string(root().join("spec/scopes-unknown.tsv")).expect("spec/scopes-unknown.tsv");
    let mut listed = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cells: Vec<&str> = line.split('\t').collect();
        let [file, key, why] = cells[..] else { panic!("three columns: {line}") };
        assert!(!why.trim().is_empty(), "{file} {key}: say why its scopes are unknown");
        assert!(listed.insert((file.to_owned(), key.to_owned()), why).is_none(), "{file} {key} is listed twice");
    }
    let listed: Vec<(String, String)> = listed.into_keys().collect();
    let curated: Vec<_> = listed.iter().filter(|k| !unknown.contains(k)).collect();
    let unlisted: Vec<_> = unknown.iter().filter(|k| !listed.contains(k)).collect();
    assert!(curated.is_empty(), "listed as unknown but curated now; remove their lines: {curated:?}");
    assert!(unlisted.is_empty(), "scopes unknown but not listed: {unlisted:?}");
    let known = total - unknown.len();
    println!("scopes known for {known} of {total} endpoints and events ({:.1}%)", 100.0 * known as f64 / total as f64);
}
