//! The report on the fixture catalogue and a changed copy of it: what the catalogue side
//! finds, how it is rendered, and the changelog entry (cargo-semver-checks' side is
//! tested on a recorded report in `checks`).

use std::fs;
use std::path::{Path, PathBuf};

use super::catalogue::{Kind, diff};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("tests/fixtures/spec")
}

fn copy(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            fs::create_dir_all(&target).expect("dir");
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).expect("readable");
    assert!(text.contains(from), "{} has no {from:?}", file.display());
    fs::write(file, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn catalogue_changes_are_found_per_service_and_rendered() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&fixtures(), dir.path());
    let pagination = dir.path().join("services/pagination/v1.yaml");
    // A scope list changes, a call is deprecated, another is removed, an event is added.
    edit(&pagination, "scopes: { any: [demo:thing:readonly] }", "scopes: { any: [demo:thing:readonly, demo:thing] }");
    let legacy = fs::read_to_string(&pagination).expect("readable");
    let start = legacy.find("      list_legacy:").expect("list_legacy");
    let end = legacy.find("models:").expect("models");
    fs::write(&pagination, format!("{}{}", &legacy[..start], &legacy[end..])).expect("write");
    let events = dir.path().join("services/events/v1.yaml");
    edit(&events, "    summary: A thing was created\n", "    summary: A thing was created\n    deprecated: {}\n");
    edit(
        &events,
        "callbacks:",
        "  events.thing.archived_v1:\n    summary: A thing was archived\n    envelope: v2\n    payload: ThingDeleted\ncallbacks:",
    );
    // ThingDeleted is the payload of two events now; give the new one its own copy.
    edit(&events, "    payload: ThingDeleted\ncallbacks:", "    payload: ThingArchived\ncallbacks:");
    edit(&events, "models:\n", "models:\n  ThingArchived:\n    fields:\n      thing_id: { type: string }\n");

    let old = lark_generator::catalogue(&fixtures()).expect("fixtures load");
    let new = lark_generator::catalogue(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let changes = diff(&old, &new);
    let seen: Vec<(&str, Kind, &str)> = changes.iter().map(|c| (c.service.as_str(), c.kind, c.text.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("events", Kind::Added, "event `events.thing.archived_v1` added"),
            ("events", Kind::Deprecated, "event `events.thing.created_v1` deprecated"),
            ("pagination", Kind::Breaking, "endpoint `pagination.v1.item.list_legacy` removed"),
            (
                "pagination",
                Kind::Scopes,
                "endpoint `pagination.v1.item.list`: scopes any of demo:thing:readonly → any of demo:thing:readonly, demo:thing"
            ),
        ]
    );

    let report = super::render(&changes, false, None);
    let cut = super::render(&changes, false, Some(0));
    assert!(cut.contains("- Breaking (1):\n  - and 1 more (`cargo xtask semver` lists them all)\n"), "{cut}");
    assert!(report.starts_with("1 breaking, 1 added, 1 scope changes, 1 newly deprecated (catalogue only"), "{report}");
    assert!(
        report.contains(
            "#### `pagination` (breaking)\n\n- Breaking (1):\n  - endpoint `pagination.v1.item.list_legacy` removed\n"
        ),
        "{report}"
    );
    assert!(report.contains("#### `events`\n"), "{report}");

    let changelog = dir.path().join("CHANGELOG.md");
    fs::write(&changelog, "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- a fix\n").expect("write");
    super::add_to_changelog(&changelog, &report).expect("added");
    let text = fs::read_to_string(&changelog).expect("readable");
    assert!(text.starts_with("# Changelog\n\n## [Unreleased]\n\n### Catalogue refresh\n\n1 breaking,"), "{text}");
    assert!(text.ends_with("### Fixed\n\n- a fix\n"), "{text}");
}

#[test]
fn an_unchanged_catalogue_reports_nothing() {
    let catalogue = lark_generator::catalogue(&fixtures()).expect("fixtures load");
    let again = lark_generator::catalogue(&fixtures()).expect("fixtures load");
    assert!(diff(&catalogue, &again).is_empty());
}
