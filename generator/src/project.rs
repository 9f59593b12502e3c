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
}

/// Every generated crate of the workspace, in the order `cargo xtask gen` writes them.
pub const TARGETS: &[Target] = &[
    Target { spec: "spec", out: "generated", crate_name: "lark-sdk" },
    // The generator's test fixtures, compiled as a workspace member so a fixture that
    // generates broken Rust fails the build.
    Target { spec: "tests/fixtures/spec", out: "tests/fixture-sdk", crate_name: "lark-fixture-sdk" },
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
    let options = Options { crate_name: target.crate_name.to_owned() };
    crate::sync(&root.join(target.spec), &root.join(target.out), &options, mode)
}
