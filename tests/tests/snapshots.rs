//! One insta snapshot per generator feature, each generated from a tiny fixture service
//! under `tests/fixtures/spec/services/<fixture>/`. Review changes with
//! `cargo insta review` (or read the `.snap.new` files next to the snapshots).
//!
//! The same fixtures are generated into `tests/fixture-sdk`, a workspace member, so a
//! fixture that emits Rust which does not compile fails the build of this test crate.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use lark_generator::Options;

/// Fixture service and the generator features its snapshot covers.
const FIXTURES: &[(&str, &str)] = &[
    ("models", "structs, optional and required fields, int64 as string, keyword field names"),
    ("enums", "string and integer enums with an unknown-value variant"),
    ("params", "path and query parameters, repeated query keys, JSON body, empty response"),
    ("pagination", "cursor pagination"),
    ("files", "multipart upload and binary download"),
    ("events", "v1 and v2 events and a callback with a typed response"),
    ("collisions", "names that clash in Rust and how they are resolved"),
    ("aliases", "models and enums declared twice with one shape become one type and aliases"),
];

fn generated() -> &'static BTreeMap<String, String> {
    static FILES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let spec = lark_tests::workspace_root().join("tests/fixtures/spec");
        let options = Options { crate_name: "lark-fixture-sdk".into(), version: "0.1.0".into(), publish: false };
        lark_generator::generate(&spec, &options).unwrap_or_else(|e| panic!("fixtures must generate:\n{e}"))
    })
}

/// Every file the fixture service produced, each under a `==> path <==` banner.
fn service_output(service: &str) -> String {
    let prefix = format!("src/{service}/");
    let docs = format!("docs/{service}.md");
    let mut text = String::new();
    for (path, content) in generated() {
        if path.starts_with(&prefix) || *path == docs {
            text.push_str(&format!("==> {path} <==\n{content}\n"));
        }
    }
    assert!(!text.is_empty(), "fixture `{service}` generated nothing");
    text
}

fn check(service: &str) {
    let (_, covers) = FIXTURES.iter().find(|(s, _)| *s == service).expect("listed fixture");
    insta::with_settings!({ description => *covers, omit_expression => true }, {
        insta::assert_snapshot!(service, service_output(service));
    });
}

#[test]
fn models() {
    check("models");
}

#[test]
fn enums() {
    check("enums");
}

#[test]
fn params() {
    check("params");
}

#[test]
fn pagination() {
    check("pagination");
}

#[test]
fn files() {
    check("files");
}

#[test]
fn events() {
    check("events");
}

#[test]
fn collisions() {
    check("collisions");
}

#[test]
fn aliases() {
    check("aliases");
}

/// The crate-level files every catalogue produces: the root module with the client and
/// feature gates, the event dispatcher, and the crate's manifest and README.
#[test]
fn crate_root() {
    let files = ["Cargo.toml", "README.md", "src/lib.rs", "src/dispatch.rs"];
    let text: String =
        files.iter().map(|f| format!("==> {f} <==\n{}\n", generated().get(*f).expect("generated"))).collect();
    insta::with_settings!({ description => "crate root, dispatcher, manifest and README", omit_expression => true }, {
        insta::assert_snapshot!("crate_root", text);
    });
}

/// Stands in for `cargo insta test --unreferenced=reject`: a snapshot without a fixture,
/// or a fixture without a test above, fails.
#[test]
fn every_snapshot_belongs_to_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("snapshot directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = FIXTURES.iter().map(|(s, _)| format!("snapshots__{s}.snap")).collect();
    expected.push("snapshots__crate_root.snap".to_owned());
    expected.sort();
    assert_eq!(on_disk, expected);
    let services =
        std::fs::read_dir(lark_tests::workspace_root().join("tests/fixtures/spec/services")).expect("fixtures");
    let mut fixture_dirs: Vec<String> =
        services.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    fixture_dirs.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(s, _)| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(fixture_dirs, listed, "every fixture service needs a snapshot test");
}
