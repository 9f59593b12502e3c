//! Every endpoint of the catalogue is generated exactly once, with the catalogue's
//! method, path and token kinds: the `ENDPOINT` constants under `generated/src` are read
//! as text and compared with the IR from `lark_generator::catalogue`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use lark_generator::ir::TokenKind;

#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    method: String,
    path: String,
    tokens: Vec<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text between `key: ` and the next `,\n` inside one `Endpoint { ... }` literal.
fn value<'t>(block: &'t str, key: &str) -> &'t str {
    let start = block.find(&format!("{key}: ")).unwrap_or_else(|| panic!("no `{key}` in {block}")) + key.len() + 2;
    let rest = &block[start..];
    &rest[..rest.find(",\n").unwrap_or(rest.len())]
}

fn generated() -> BTreeMap<String, Endpoint> {
    let mut files = Vec::new();
    rust_files(&root().join("generated/src"), &mut files);
    let mut found = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable");
        for (at, _) in text.match_indices("::lark_runtime::Endpoint {") {
            let block = &text[at..at + text[at..].find("\n    };").expect("a closed literal")];
            let id = value(block, "id").trim_matches('"').to_owned();
            let method = value(block, "method").rsplit("::").next().unwrap_or_default().to_uppercase();
            let path = value(block, "path").trim_matches('"').to_owned();
            let tokens = value(block, "tokens")
                .trim_start_matches("&[")
                .trim_end_matches(']')
                .split(',')
                .filter_map(|t| t.trim().rsplit("::").next().filter(|t| !t.is_empty()))
                .map(str::to_lowercase)
                .collect();
            let previous = found.insert(id.clone(), Endpoint { method, path, tokens });
            assert!(previous.is_none(), "{id} is generated twice ({})", file.display());
        }
    }
    found
}

fn token(kind: &TokenKind) -> String {
    format!("{kind:?}").to_lowercase()
}

#[test]
fn every_generated_endpoint_matches_the_catalogue() {
    let catalogue = lark_generator::catalogue(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let mut expected = BTreeMap::new();
    for method in
        catalogue.services.iter().flat_map(|s| &s.versions).flat_map(|v| &v.resources).flat_map(|r| &r.methods)
    {
        let endpoint = Endpoint {
            method: method.http.as_str().to_owned(),
            path: method.path.clone(),
            tokens: method.tokens.iter().map(token).collect(),
        };
        expected.insert(method.id.clone(), endpoint);
    }
    let generated = generated();
    let missing: Vec<&String> = expected.keys().filter(|id| !generated.contains_key(*id)).collect();
    let extra: Vec<&String> = generated.keys().filter(|id| !expected.contains_key(*id)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "not generated: {missing:?}; not in the catalogue: {extra:?}");
    for (id, want) in &expected {
        assert_eq!(&generated[id], want, "{id}");
    }
}
