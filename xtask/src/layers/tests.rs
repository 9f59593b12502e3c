use std::path::Path;

use super::{LAYERS, check};

/// Writes a small crate under a temporary `src` and checks it against `layers`.
fn problems(files: &[(&str, &str)], layers: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    for (path, text) in files {
        let path = src.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let report = check(&src, layers).unwrap();
    let prefix = format!("{}/", src.display());
    report.problems.iter().map(|p| p.replace(&prefix, "src/")).collect()
}

const ROOT: &str = "mod core;\nmod http;\npub use http::wire::Wire;\npub use core::{Thing, error::Error as Failure};\n";

#[test]
fn imports_pointing_down_pass() {
    let found = problems(
        &[
            ("lib.rs", ROOT),
            ("core/mod.rs", "mod error;\npub struct Thing;\n"),
            ("core/error.rs", "pub struct Error;\n/// Sent by [`Wire`](crate::Wire); docs may point up.\nfn f() {}\n"),
            ("http/mod.rs", "pub mod wire;\nuse crate::{Thing, Failure, core::error::Error};\n"),
            (
                "http/wire.rs",
                "pub struct Wire(super::super::Thing);\nmod tests { use super::super::super::core::Thing; }\n",
            ),
        ],
        &["core", "http"],
    );
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn an_upward_import_names_both_files_in_every_spelling() {
    let spellings = [
        "use crate::http::wire::Wire;",
        "use crate::Wire;",
        "use crate::{Thing, http::{wire::{self, Wire}}};",
        "fn f() -> crate::http::wire::Wire { todo!() }",
        "macro_rules! m { () => { $crate::http::wire::Wire } }",
        "fn f() { let _ = super::super::http::wire::Wire; }",
        "mod tests { use super::super::super::http::wire::Wire; }",
    ];
    for spelling in spellings {
        let found = problems(
            &[
                ("lib.rs", ROOT),
                ("core/mod.rs", "pub struct Thing;\npub mod error;\n"),
                ("core/error.rs", &format!("pub struct Error;\n{spelling}\n")),
                ("http/mod.rs", "pub mod wire;\n"),
                ("http/wire.rs", "pub struct Wire;\n"),
            ],
            &["core", "http"],
        );
        assert_eq!(found.len(), 1, "{spelling}: {found:?}");
        assert!(
            found[0].starts_with("src/core/error.rs imports `crate::") && found[0].contains("from src/http/wire.rs"),
            "{spelling}: {found:?}"
        );
        assert!(found[0].contains("`core` is below `http`"), "{found:?}");
    }
}

#[test]
fn comments_strings_and_visibility_are_not_imports() {
    let found = problems(
        &[
            ("lib.rs", ROOT),
            (
                "core/mod.rs",
                "// use crate::http::wire::Wire;\n/* crate::http */\npub(crate) struct Thing;\n\
                 pub(super) fn f() -> &'static str { \"crate::http::wire::Wire\" }\n/// [`Wire`](crate::http::wire::Wire)\npub fn g() {}\n",
            ),
            ("http/mod.rs", "pub mod wire;\n"),
            ("http/wire.rs", "pub struct Wire;\n"),
        ],
        &["core", "http"],
    );
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn modules_that_import_each_other_are_named_with_their_files() {
    let found = problems(
        &[
            ("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;\n"),
            ("b.rs", "use crate::a::A;\nuse crate::c::C;\npub struct B;\n"),
            ("c.rs", "use crate::d::D;\npub struct C;\n"),
            ("d.rs", "use crate::b::B;\npub struct D;\n"),
        ],
        &["a", "b", "c", "d"],
    );
    assert!(
        found.contains(
            &"`a` and `b` import each other: src/a.rs → src/b.rs (`crate::b::B`); src/b.rs → src/a.rs (`crate::a::A`)"
                .to_owned()
        ),
        "{found:#?}"
    );
    assert!(found.contains(&"4 top-level modules import each other in a circle: a, b, c, d".to_owned()), "{found:#?}");
    // With `a` at the bottom, a → b, b → c and c → d point up.
    assert_eq!(found.iter().filter(|p| p.contains("imports point down only")).count(), 3, "{found:#?}");
}

#[test]
fn modules_outside_the_layers_and_unknown_paths_are_reported() {
    let found = problems(
        &[("lib.rs", "mod core;\nmod extra;\n"), ("core/mod.rs", "use crate::Missing;\n"), ("extra.rs", "\n")],
        &["core", "gone"],
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("module `extra`, which is in no layer"), "{found:#?}");
    assert!(found[1].contains("layer `gone` is not a module"), "{found:#?}");
    assert!(found[2].contains("src/core/mod.rs uses `crate::Missing`"), "{found:#?}");
}

#[test]
fn the_runtime_keeps_its_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src");
    let report = check(&src, LAYERS).unwrap();
    assert_eq!(report.problems, Vec::<String>::new(), "run `cargo xtask layers` for the details");
    let names: Vec<&str> = report.modules.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(names, LAYERS);
}
