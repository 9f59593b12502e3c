//! The Rust API comparison, by cargo-semver-checks: its findings read back per service.

use std::path::Path;
use std::process::Command;

use super::catalogue::{Change, Kind};

/// Runs cargo-semver-checks on the generated crate at `current` against the one at
/// `baseline` (each a directory with the crate's `Cargo.toml`), every feature enabled,
/// and returns its findings (stdout) and its progress and summary (stderr). It exits
/// non-zero when it finds a breaking change, so the exit status alone is no error; a run
/// without its summary line is.
pub fn run(tool: &Path, current: &Path, baseline: &Path) -> Result<(String, String), String> {
    let mut command = Command::new(tool);
    command
        .args(["semver-checks", "check-release", "--all-features", "--release-type", "patch", "--color", "never"])
        .arg("--manifest-path")
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(baseline);
    let out = command.output().map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    let (findings, progress) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !format!("{findings}{progress}").contains("Summary") {
        return Err(format!("cargo-semver-checks gave no summary:\n{findings}{progress}"));
    }
    Ok((findings.into_owned(), progress.into_owned()))
}

/// The breaking changes in cargo-semver-checks' findings: one per place a lint failed in,
/// attributed to the service whose file (`src/<service>/`), module
/// (`lark_sdk::<service>::…`) or cargo feature it names. Deprecation lints are left to
/// the catalogue comparison, which knows them as deprecations, not breakage.
pub fn parse(report: &str, crate_name: &str) -> Vec<Change> {
    let module = format!("{}::", crate_name.replace('-', "_"));
    let mut changes = Vec::new();
    let mut lint: Option<String> = None;
    let mut listing = false;
    for line in report.lines() {
        if let Some(header) = line.strip_prefix("--- failure ").and_then(|l| l.strip_suffix(" ---")) {
            lint = Some(header.to_owned()).filter(|h| !h.split(':').next().unwrap_or_default().contains("deprecated"));
            listing = false;
        } else if line.starts_with("--- ") {
            lint = None;
        } else if line.trim() == "Failed in:" {
            listing = lint.is_some();
        } else if listing && line.starts_with("  ") && !line.starts_with("   ") {
            let place = line.trim();
            let service = service_of(place, &module).unwrap_or_else(|| "(crate)".to_owned());
            let what = lint.as_deref().unwrap_or_default();
            let text = format!("{}: {}", what.split(':').next().unwrap_or(what), shorten(place));
            changes.push(Change { service, kind: Kind::Breaking, text });
        } else if line.trim().is_empty() {
            listing = false;
        }
    }
    changes
}

fn service_of(place: &str, module: &str) -> Option<String> {
    let word = |rest: &str| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().map(str::to_owned);
    if let Some(at) = place.find("/src/") {
        let rest = &place[at + 5..];
        if rest.contains('/') {
            return word(rest);
        }
    }
    if let Some(at) = place.find(module) {
        // Services are lowercase modules; `lark_sdk::EventDispatcher` is not one.
        return word(&place[at + module.len()..]).filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()));
    }
    place.strip_prefix("feature ").and_then(word)
}

/// A finding without the absolute paths of the files it was found in (`… in /tmp/x.rs:9`,
/// `…, previously in file /tmp/x.rs:9`), which differ between machines.
fn shorten(place: &str) -> String {
    let mut out = place.to_owned();
    for marker in [", previously in file /", " in file /", ", in /", " in /"] {
        while let Some(at) = out.find(marker) {
            let path = at + marker.len();
            let end = out[path..].find([',', ' ']).map_or(out.len(), |e| path + e);
            out.replace_range(at..end, "");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
     Parsing lark-sdk v0.1.0 (current)
    Checking lark-sdk v0.1.0 -> v0.1.0 (no change; assume patch)
     Checked [   0.1s] 120 checks: 117 pass, 3 fail, 0 warn, 0 skip

--- failure struct_missing: pub struct removed or renamed ---

Description:
A publicly-visible struct cannot be imported by its prior path.
       impl: https://example.invalid/struct_missing.ron

Failed in:
  struct lark_sdk::vc::v1::MaterialApi, previously in file /tmp/b/generated/src/vc/v1/material.rs:9
  struct lark_sdk::approval::v4::PassTaskRequest, previously in file /tmp/b/generated/src/approval/v4/task.rs:70
  type ActionConfig no longer derives PartialEq, in /tmp/c/generated/src/approval/v4/models.rs:10
  lark_sdk::acs::v1::ListRequest::new takes 0 parameters in /tmp/b/src/acs/v1/a.rs:87, but now takes 2 parameters in /tmp/c/src/acs/v1/a.rs:101

--- failure feature_missing: package feature removed or renamed ---

Failed in:
  feature spark in the package's Cargo.toml

--- failure type_method_marked_deprecated: type method #[deprecated] added ---

Failed in:
  method lark_sdk::EventDispatcher::on_x_v1 in /tmp/c/generated/src/x/v1/events.rs:628
";

    #[test]
    fn failures_are_read_per_service_and_warnings_are_left_out() {
        let changes = parse(REPORT, "lark-sdk");
        let seen: Vec<(&str, &str)> = changes.iter().map(|c| (c.service.as_str(), c.text.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("vc", "struct_missing: struct lark_sdk::vc::v1::MaterialApi"),
                ("approval", "struct_missing: struct lark_sdk::approval::v4::PassTaskRequest"),
                ("approval", "struct_missing: type ActionConfig no longer derives PartialEq"),
                (
                    "acs",
                    "struct_missing: lark_sdk::acs::v1::ListRequest::new takes 0 parameters, but now takes 2 parameters"
                ),
                ("spark", "feature_missing: feature spark in the package's Cargo.toml"),
            ]
        );
        assert!(changes.iter().all(|c| c.kind == Kind::Breaking));
    }
}
