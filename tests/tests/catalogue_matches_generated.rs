//! Every endpoint of the catalogue is generated exactly once, with the catalogue's
//! method, path and token kinds: the `ENDPOINT` constants under `generated/src` are read
//! as text and compared with the IR from `lark_generator::catalogue`, and, as a side that
//! went through neither the generator nor the spec, with what the pinned packages state
//! (`spec/upstream-routes.tsv`, copied from the importer's extractors).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use lark_generator::ir::TokenKind;
use lark_tests::{rust_files, workspace_root as root};

#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    method: String,
    path: String,
    tokens: Vec<String>,
}

/// The text between `key: ` and the next `,\n` inside one `Endpoint { ... }` literal.
fn value<'t>(block: &'t str, key: &str) -> &'t str {
    let start = block.find(&format!("{key}: ")).unwrap_or_else(|| panic!("no `{key}` in {block}")) + key.len() + 2;
    let rest = &block[start..];
    &rest[..rest.find(",\n").unwrap_or(rest.len())]
}

fn generated() -> BTreeMap<String, Endpoint> {
    let files = rust_files(&root().join("generated/src"));
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

/// One line of `spec/upstream-routes.tsv`.
struct Stated {
    verb: String,
    path: String,
    /// `None` where the package states no token kinds (the Node package never does).
    tokens: Option<BTreeSet<String>>,
}

/// `(package, the package's name) → what it states`.
fn stated() -> BTreeMap<(String, String), Stated> {
    let text = fs::read_to_string(root().join("spec/upstream-routes.tsv")).expect("spec/upstream-routes.tsv");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [package, name, verb, path, tokens] = cols.as_slice() else { panic!("not five columns: {line:?}") };
        let tokens = (*tokens != "-").then(|| tokens.split(',').map(str::to_owned).collect());
        let row = Stated { verb: (*verb).to_owned(), path: (*path).to_owned(), tokens };
        assert!(rows.insert(((*package).to_owned(), (*name).to_owned()), row).is_none(), "{package} {name} twice");
    }
    rows
}

#[test]
fn every_generated_endpoint_says_what_the_packages_state() {
    let catalogue = lark_generator::catalogue(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let stated = stated();
    let generated = generated();
    // Which package line names each generated endpoint: the platform's own id for the Node
    // package, `service/version/resource/method` for an endpoint only Python has.
    let mut named = BTreeMap::new();
    // Endpoints no package has, added by hand in a curated service file.
    let mut curated = BTreeSet::new();
    for service in &catalogue.services {
        for version in &service.versions {
            for resource in &version.resources {
                for method in &resource.methods {
                    if method.source == "curated" {
                        curated.insert(method.id.clone());
                        continue;
                    }
                    let key = match &method.official_id {
                        Some(official) => ("npm".to_owned(), official.clone()),
                        None => {
                            let name = format!("{}/{}/{}/{}", service.wire, version.wire, resource.wire, method.wire);
                            ("pypi".to_owned(), name)
                        }
                    };
                    named.insert(method.id.clone(), key);
                }
            }
        }
    }

    let mut wrong = Vec::new();
    for (id, ours) in &generated {
        let Some(key) = named.get(id) else { continue };
        let Some(theirs) = stated.get(key) else {
            wrong.push(format!("{id}: no line `{} {}` in spec/upstream-routes.tsv", key.0, key.1));
            continue;
        };
        if (ours.method.as_str(), ours.path.as_str()) != (theirs.verb.as_str(), theirs.path.as_str()) {
            wrong.push(format!(
                "{id}: generated {} {}, {} states {} {}",
                ours.method, ours.path, key.0, theirs.verb, theirs.path
            ));
        }
    }

    // Every route either package states is generated exactly once, and where the Python
    // package states token kinds, the generated endpoint has exactly those.
    let mut routes: BTreeMap<(&str, &str), Vec<&String>> = BTreeMap::new();
    for (id, ours) in &generated {
        routes.entry((ours.method.as_str(), ours.path.as_str())).or_default().push(id);
    }
    let mut from_python = 0;
    for ((package, name), theirs) in &stated {
        let ids = routes.get(&(theirs.verb.as_str(), theirs.path.as_str())).map_or(&[][..], Vec::as_slice);
        let [id] = ids else {
            wrong.push(format!(
                "{package} {name} ({} {}) is generated {} times: {ids:?}",
                theirs.verb,
                theirs.path,
                ids.len()
            ));
            continue;
        };
        if let Some(tokens) = &theirs.tokens {
            from_python += 1;
            let ours: BTreeSet<String> = generated[*id].tokens.iter().cloned().collect();
            if &ours != tokens {
                wrong.push(format!("{id}: generated tokens {ours:?}, {package} {name} states {tokens:?}"));
            }
        }
    }
    let stated_routes: BTreeSet<(&str, &str)> = stated.values().map(|s| (s.verb.as_str(), s.path.as_str())).collect();
    for ((verb, path), ids) in &routes {
        if ids.iter().all(|id| curated.contains(id.as_str())) {
            continue;
        }
        if !stated_routes.contains(&(*verb, *path)) {
            wrong.push(format!("{ids:?} ({verb} {path}) is stated by neither package"));
        }
    }
    println!(
        "{} generated endpoints checked against {} package lines; token kinds of {from_python} as the Python package \
         states them; {} curated endpoints no package has: {curated:?}",
        generated.len() - curated.len(),
        stated.len(),
        curated.len()
    );
    assert!(wrong.is_empty(), "{} differences from the packages:\n{}", wrong.len(), wrong.join("\n"));
}

/// The runtime's one-line message helpers carry their own copies of a few endpoints (the
/// runtime cannot see the generated crate); each copy must be the catalogue's.
#[test]
fn the_runtimes_message_endpoints_are_the_catalogues() {
    use lark_runtime::message::{
        BATCH_SEND, CARD_SETTINGS, CREATE, CREATE_CARD, DELAYED_UPDATE, PATCH, REPLY, STREAM_CONTENT, UPDATE,
    };
    let catalogue = lark_generator::catalogue(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let methods: BTreeMap<&str, &lark_generator::ir::Method> = catalogue
        .services
        .iter()
        .flat_map(|s| &s.versions)
        .flat_map(|v| &v.resources)
        .flat_map(|r| &r.methods)
        .map(|m| (m.id.as_str(), m))
        .collect();
    for copy in
        [&CREATE, &REPLY, &UPDATE, &PATCH, &DELAYED_UPDATE, &BATCH_SEND, &CREATE_CARD, &STREAM_CONTENT, &CARD_SETTINGS]
    {
        let method = methods.get(copy.id).unwrap_or_else(|| panic!("{} is not in the catalogue", copy.id));
        assert_eq!(copy.method.as_str(), method.http.as_str(), "{}", copy.id);
        assert_eq!(copy.path, method.path, "{}", copy.id);
        let tokens: Vec<String> = copy.tokens.iter().map(|t| format!("{t:?}").to_lowercase()).collect();
        assert_eq!(tokens, method.tokens.iter().map(token).collect::<Vec<_>>(), "{}", copy.id);
        match (&method.scopes, copy.scopes) {
            (lark_generator::ir::Scopes::Unknown, lark_runtime::Scopes::Unknown) => {}
            (lark_generator::ir::Scopes::Known { any, all }, lark_runtime::Scopes::Known { any: a, all: b }) => {
                assert_eq!((a.to_vec(), b.to_vec()), (as_strs(any), as_strs(all)), "{}", copy.id);
            }
            (ours, theirs) => panic!("{}: catalogue scopes {ours:?}, runtime copy {theirs:?}", copy.id),
        }
        assert_eq!(Some(copy.doc_url), method.doc_url.as_deref(), "{}", copy.id);
    }
    // The scope tool's table of messaging calls names exactly these endpoints.
    let mut named: Vec<&str> =
        lark_generator::scopes::MESSAGING_CALLS.iter().flat_map(|(_, _, ids)| ids.iter().copied()).collect();
    named.sort_unstable();
    let mut copies: Vec<&str> =
        [&CREATE, &REPLY, &UPDATE, &PATCH, &DELAYED_UPDATE, &BATCH_SEND, &CREATE_CARD, &STREAM_CONTENT, &CARD_SETTINGS]
            .iter()
            .map(|e| e.id)
            .collect();
    copies.sort_unstable();
    assert_eq!(named, copies);
}

fn as_strs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}
