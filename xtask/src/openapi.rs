//! `cargo xtask openapi-check`: the OpenAPI documents, read by tools that are not ours.
//!
//! - `openapi-spec-validator` (PyPI, pinned in `xtask/openapi/requirements.txt`, installed
//!   into a virtual environment) validates each document against OpenAPI 3.1;
//! - `openapi-typescript` (npm, pinned in `xtask/openapi/package-lock.json`) turns the
//!   platform's document into TypeScript types, and `tsc --strict` checks
//!   `xtask/openapi/use.ts`, a small client written against them.
//!
//! The tools are installed once under `target/tools/openapi/` and again only when their
//! pins change.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::import::upstream::run as run_tool;
use crate::tools;

/// The pins and the TypeScript client.
const TOOLS: &str = "xtask/openapi";
/// Where the tools are installed.
const CACHE: &str = "target/tools/openapi";
/// The documents: the platform's, and the test fixtures', which exercise every construct
/// in a few operations.
const DOCUMENTS: [&str; 2] = ["generated/openapi/openapi.json", "tests/fixture-sdk/openapi/openapi.json"];

pub fn run() -> ExitCode {
    tools::exit(check())
}

fn check() -> Result<(), String> {
    let started = Instant::now();
    let validator = python_tools()?;
    let node = node_tools()?;
    eprintln!("tools ready in {:.1} s", started.elapsed().as_secs_f64());

    for document in DOCUMENTS {
        let started = Instant::now();
        let out = run_tool(Command::new(&validator).arg(document), "openapi-spec-validator")?;
        let verdict = String::from_utf8_lossy(&out);
        // It prints `<file>: OK` and fails otherwise; insist on the word, not just the exit code.
        if !verdict.trim_end().ends_with(": OK") {
            return Err(format!("openapi-spec-validator did not say OK for {document}: {verdict}"));
        }
        println!("openapi-spec-validator: {} ({:.1} s)", verdict.trim(), started.elapsed().as_secs_f64());
    }

    let started = Instant::now();
    let out_dir = Path::new(CACHE).join("client");
    fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let types = out_dir.join("lark.d.ts");
    let cli = node.join("node_modules/openapi-typescript/bin/cli.js");
    run_tool(Command::new("node").arg(&cli).arg(DOCUMENTS[0]).arg("-o").arg(&types), "openapi-typescript")?;
    let client = out_dir.join("use.ts");
    fs::copy(Path::new(TOOLS).join("use.ts"), &client).map_err(|e| format!("cannot copy use.ts: {e}"))?;
    let tsc = node.join("node_modules/typescript/bin/tsc");
    let mut command = Command::new("node");
    command.arg(tsc).args(["--noEmit", "--strict", "--target", "es2020"]).arg(&types).arg(&client);
    run_tool(&mut command, "tsc on the generated TypeScript types")?;
    let size = fs::metadata(&types).map(|m| m.len()).unwrap_or(0);
    println!(
        "openapi-typescript: {} of types, which tsc --strict accepts with xtask/openapi/use.ts ({:.1} s)",
        mib(size),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The validator's executable in the project's virtual environment.
fn python_tools() -> Result<PathBuf, String> {
    let bin = tools::venv(&Path::new(CACHE).join("venv"), &Path::new(TOOLS).join("requirements.txt"))?;
    Ok(bin.join("openapi-spec-validator"))
}

/// The directory whose `node_modules` holds openapi-typescript and TypeScript.
fn node_tools() -> Result<PathBuf, String> {
    tools::npm(Path::new(TOOLS), &Path::new(CACHE).join("node"), "openapi-typescript")
}
