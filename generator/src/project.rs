//! This repository's generated crates: which catalogue feeds which directory.

use std::path::Path;

use crate::write::{Mode, Report};
use crate::{Error, Options};

/// A catalogue and the crate generated from it, relative to the workspace root.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub spec: &'static str,
    pub out: &'static str,
    pub crate_name: &'static str,
    pub publish: bool,
}

/// Every generated crate of the workspace, in the order `cargo xtask gen` writes them.
pub const TARGETS: &[Target] = &[
    Target { spec: "spec", out: "generated", crate_name: "lark-sdk", publish: true },
    // The generator's test fixtures, compiled as a workspace member so a fixture that
    // generates broken Rust fails the build.
    Target { spec: "tests/fixtures/spec", out: "tests/fixture-sdk", crate_name: "lark-fixture-sdk", publish: false },
];

/// Why syncing a target failed.
#[derive(Debug)]
pub enum SyncError {
    Generate(Error),
    Io(std::io::Error),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Generate(e) => e.fmt(f),
            SyncError::Io(e) => write!(f, "cannot write the generated files: {e}"),
        }
    }
}

impl std::error::Error for SyncError {}

/// Generates `target` under `root` and writes (or, in check mode, compares) the result.
/// Nothing is written unless the whole catalogue is sound.
pub fn sync(root: &Path, target: &Target, mode: Mode) -> Result<Report, SyncError> {
    let options = options(root, target).map_err(SyncError::Io)?;
    crate::sync(&root.join(target.spec), &root.join(target.out), &options, mode)
}

/// The options `cargo xtask gen` generates `target` with.
pub fn options(root: &Path, target: &Target) -> std::io::Result<Options> {
    Ok(Options { crate_name: target.crate_name.to_owned(), version: workspace_version(root)?, publish: target.publish })
}

/// `version` of `[workspace.package]` in `root/Cargo.toml`: the one version of the
/// published crates, which the generated crate inherits and its OpenAPI document states.
pub fn workspace_version(root: &Path) -> std::io::Result<String> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    let mut section = "";
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[workspace.package]"
            && let Some(value) = line.strip_prefix("version").map(str::trim).and_then(|v| v.strip_prefix('='))
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    Err(std::io::Error::other(format!("{}: no `version` in [workspace.package]", manifest.display())))
}
