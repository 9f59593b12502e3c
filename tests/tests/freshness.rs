//! The committed generated crates match the catalogue byte for byte, and the write
//! stage keeps its contract: write what changed, remove what is stale, check touches nothing.

use std::fs;

use lark_generator::Options;
use lark_generator::project::{self, TARGETS};
use lark_generator::write::Mode;

#[test]
fn committed_generated_crates_are_fresh() {
    let root = lark_tests::workspace_root();
    for target in TARGETS {
        let report = project::sync(&root, target, Mode::Check).unwrap_or_else(|e| panic!("{}: {e}", target.spec));
        assert!(
            report.is_fresh(),
            "{}/ is stale; run `cargo xtask gen` and commit the result.\nchanged: {:?}\nstale: {:?}",
            target.out,
            report.changed,
            report.stale
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = lark_tests::workspace_root().join("spec");
    let options = Options { crate_name: "lark-sdk".into(), version: "0.1.0".into(), publish: false };
    let first = lark_generator::generate(&spec, &options).expect("seed catalogue generates");
    let second = lark_generator::generate(&spec, &options).expect("seed catalogue generates");
    assert_eq!(first, second);
    let text: String = first.values().map(String::as_str).collect();
    assert!(!text.contains(&*lark_tests::workspace_root().to_string_lossy()), "no absolute paths in output");
}

#[test]
fn check_reports_drift_and_write_repairs_it() {
    let spec = lark_tests::workspace_root().join("tests/fixtures/spec");
    let out = tempfile::tempdir().expect("temp dir");
    let options = Options { crate_name: "lark-fixture-sdk".into(), version: "0.1.0".into(), publish: false };
    let first = lark_generator::sync(&spec, out.path(), &options, Mode::Write).expect("write");
    assert!(first.changed.len() > 10 && first.stale.is_empty() && first.unchanged == 0);

    let lib = out.path().join("src/lib.rs");
    fs::write(&lib, "// edited by hand\n").expect("edit");
    fs::write(out.path().join("src/leftover.rs"), "// stale\n").expect("stale file");
    let check = lark_generator::sync(&spec, out.path(), &options, Mode::Check).expect("check");
    assert_eq!(check.changed, ["src/lib.rs"]);
    assert_eq!(check.stale, ["src/leftover.rs"]);
    assert_eq!(fs::read_to_string(&lib).expect("lib"), "// edited by hand\n", "check mode writes nothing");

    let repair = lark_generator::sync(&spec, out.path(), &options, Mode::Write).expect("repair");
    assert_eq!((repair.changed.len(), repair.stale.len()), (1, 1));
    assert!(!out.path().join("src/leftover.rs").exists());
    let again = lark_generator::sync(&spec, out.path(), &options, Mode::Check).expect("check");
    assert!(again.is_fresh() && again.unchanged == first.changed.len());
}
