//! `cargo xtask <command>`: the project's maintenance commands.
//!
//! - `gen`: regenerate every generated crate from its catalogue.
//! - `gen --check`: fail, naming the command to run, when a generated crate is stale.
//! - `import`: refresh `spec/services/` from the pinned upstream packages (see `import`).
//! - `stats [--json]`: the catalogue's counts per service.
//! - `semver`: what a catalogue change breaks and adds, per service (see `semver`).
//! - `layers`: check that `runtime/src`'s imports point down its layers (see `layers`).
//! - `openapi-check`: validate the OpenAPI documents with independent tools (see `openapi`).
//! - `fake-check`: fuzz the standalone fake with schemathesis, check its flags (see `fake`).
//! - `test`: every test, then `openapi-check` and `fake-check`.

mod fake;
mod import;
mod layers;
mod openapi;
mod scopes;
mod semver;
mod stats;
mod tools;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use lark_generator::project::{self, SyncError, TARGETS, Target};
use lark_generator::write::Mode;

const USAGE: &str = "usage: cargo xtask gen [--check] | import [--strict] [--offline] [--check] | import --install-tools | stats [--json] | scopes (<id>... | --source <path>... | --dump) | semver [--baseline <rev> | --baseline-dir <dir>] [--catalogue-only] [--changelog] | layers | openapi-check | fake-check | web-check | test [cargo test args]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    // Relative paths keep spec locations in messages short: `spec/services/im/v1.yaml:3:5`.
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("error: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    match args.as_slice() {
        ["gen"] => gen_all(Mode::Write),
        ["gen", "--check"] => gen_all(Mode::Check),
        ["import", rest @ ..] => import::run(rest),
        ["stats"] => stats::run(false),
        ["stats", "--json"] => stats::run(true),
        ["scopes", rest @ ..] => scopes::run(rest),
        ["semver", rest @ ..] => semver::run(rest),
        ["layers"] => layers::run(),
        ["openapi-check"] => openapi::run(),
        ["fake-check"] => fake::run(),
        ["web-check"] => web::run(),
        ["test", rest @ ..] => test(rest),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn gen_all(mode: Mode) -> ExitCode {
    let mut ok = true;
    for target in TARGETS {
        ok &= gen_one(target, mode);
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn gen_one(target: &Target, mode: Mode) -> bool {
    let started = Instant::now();
    // An empty root keeps paths in messages as `spec/...`, not `./spec/...`.
    let report = match project::sync(Path::new(""), target, mode) {
        Ok(report) => report,
        Err(SyncError::Generate(e)) => {
            eprintln!("{e}");
            eprintln!("{}/ was left untouched.", target.out);
            return false;
        }
        Err(e) => {
            eprintln!("error: {}/: {e}", target.out);
            return false;
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let out = target.out;
    match mode {
        Mode::Write => {
            let (changed, removed, unchanged) = (report.changed.len(), report.stale.len(), report.unchanged);
            println!("{out}/: {changed} written, {removed} removed, {unchanged} unchanged ({elapsed:.2} s)");
            true
        }
        Mode::Check if report.is_fresh() => {
            println!("{out}/ is fresh ({} files, {elapsed:.2} s)", report.unchanged);
            true
        }
        Mode::Check => {
            eprintln!("error: {out}/ is stale; run `cargo xtask gen` and commit the result.");
            for file in &report.changed {
                eprintln!("  differs: {out}/{file}");
            }
            for file in &report.stale {
                eprintln!("  no longer generated: {out}/{file}");
            }
            false
        }
    }
}

/// `cargo xtask test`: every test of the workspace. The importer's tests read fixture
/// declarations with the pinned TypeScript compiler, so that is installed first (once;
/// it is cached under `target/upstream/`). Then the OpenAPI documents go through the
/// independent tools of `openapi-check`, and the standalone fake through `fake-check`.
fn test(extra: &[&str]) -> ExitCode {
    if import::run(&["--install-tools"]) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo).args(["test", "--workspace", "--all-features"]).args(extra).status();
    match status {
        Ok(status) if status.success() => match openapi::run() {
            ExitCode::SUCCESS => match fake::run() {
                ExitCode::SUCCESS => web::run(),
                failed => failed,
            },
            failed => failed,
        },
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run cargo test: {e}");
            ExitCode::FAILURE
        }
    }
}
