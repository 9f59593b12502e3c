//! The Lark SDK generator: `spec/` in, a formatted, documented Rust crate out.
//!
//! Stages, each its own module: [`load`] → [`validate`] → [`lower`] (to the [`ir`]) →
//! [`emit`] (Rust), [`docs`] (markdown, crate files) and [`openapi`] (the OpenAPI
//! document) → [`write`].

pub mod dedupe;
pub mod diagnostics;
pub mod docs;
pub mod emit;
pub mod ir;
pub mod load;
pub mod locate;
pub mod lower;
pub mod naming;
pub mod openapi;
pub mod project;
pub mod scopes;
pub mod spec;
pub mod split;
pub mod types;
pub mod validate;
pub mod write;

use std::collections::BTreeMap;
use std::path::Path;

pub use diagnostics::{Diagnostic, Diagnostics};

/// What is being generated.
#[derive(Debug, Clone)]
pub struct Options {
    /// The package name of the generated crate, e.g. `lark-sdk`.
    pub crate_name: String,
    /// Its version, which its OpenAPI document states too; the crate's `Cargo.toml`
    /// inherits it from the workspace (see [`project::workspace_version`]).
    pub version: String,
    /// Whether the crate is meant for crates.io; a fixture crate is not.
    pub publish: bool,
}

/// Everything that can stop a generation run.
#[derive(Debug)]
pub enum Error {
    /// The catalogue has problems; every one is listed.
    Spec(Diagnostics),
    /// A template failed to render (a bug in `templates/`).
    Template(minijinja::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(d) => d.fmt(f),
            Error::Template(e) => write!(f, "template error: {e:#}"),
        }
    }
}

impl std::error::Error for Error {}

/// Loads, validates and lowers the catalogue in `spec_dir`.
pub fn catalogue(spec_dir: &Path) -> Result<ir::Catalogue, Diagnostics> {
    let raw = load::load(spec_dir)?;
    let problems = validate::validate(&raw);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(lower::lower(&raw))
}

/// Generates from `spec_dir` and makes `out_dir` match (or, in check mode, compares).
/// Nothing is written unless the whole catalogue is sound.
pub fn sync(
    spec_dir: &Path,
    out_dir: &Path,
    options: &Options,
    mode: write::Mode,
) -> Result<write::Report, project::SyncError> {
    let files = generate(spec_dir, options).map_err(project::SyncError::Generate)?;
    write::sync(out_dir, &files, mode).map_err(project::SyncError::Io)
}

/// Every file of the generated crate, keyed by path relative to the crate root.
pub fn generate(spec_dir: &Path, options: &Options) -> Result<BTreeMap<String, String>, Error> {
    let catalogue = catalogue(spec_dir).map_err(Error::Spec)?;
    let mut files = emit::emit(&catalogue, &options.crate_name);
    files.extend(docs::render(&catalogue, options).map_err(Error::Template)?);
    files.insert(openapi::PATH.to_owned(), openapi::document(&catalogue, &options.crate_name, &options.version));
    Ok(files)
}
