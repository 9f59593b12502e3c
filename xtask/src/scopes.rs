//! `cargo xtask scopes`: which permission scopes an app must request.
//!
//! - `cargo xtask scopes im.v1.message.create im.message.receive_v1`: by endpoint id or
//!   event type;
//! - `cargo xtask scopes --source path/to/app/src`: every endpoint and event the Rust
//!   sources under the paths use;
//! - `cargo xtask scopes --dump`: the whole mapping as JSON lines.
//!
//! A plan prints in the developer console's batch-import form; `--explain` prints why each
//! scope is there instead, and `--json` the same as JSON for scripts.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use lark_generator::scopes::{self, Entry};

/// Runs the subcommand with the arguments after `scopes`.
pub fn run(args: &[&str]) -> ExitCode {
    let catalogue = match lark_generator::catalogue(Path::new("spec")) {
        Ok(catalogue) => catalogue,
        Err(problems) => {
            eprintln!("{problems}");
            return ExitCode::FAILURE;
        }
    };
    let entries = scopes::entries(&catalogue);
    let (format, args) = match args {
        ["--explain", rest @ ..] => (Format::Explain, rest),
        ["--json", rest @ ..] => (Format::Json, rest),
        rest => (Format::Console, rest),
    };
    let selected: Vec<&Entry> = match args {
        ["--dump"] => {
            // A closed pipe (`| head`) ends the listing quietly.
            let mut out = std::io::stdout().lock();
            for entry in &entries {
                if writeln!(out, "{}", entry.to_json_line()).is_err() {
                    break;
                }
            }
            return ExitCode::SUCCESS;
        }
        ["--source", paths @ ..] if !paths.is_empty() => {
            let mut source = String::new();
            for path in paths {
                if let Err(e) = read_sources(Path::new(path), &mut source) {
                    eprintln!("error: cannot read {path}: {e}");
                    return ExitCode::FAILURE;
                }
            }
            scopes::used_in_source(&source, &catalogue, &entries)
        }
        ids if !ids.is_empty() && !ids[0].starts_with('-') => {
            let mut selected = Vec::new();
            for id in ids {
                match entries.iter().find(|e| e.id == *id) {
                    Some(entry) => selected.push(entry),
                    None => {
                        eprintln!("error: `{id}` is neither an endpoint id nor an event type in spec/");
                        eprintln!("  hint: `cargo xtask scopes --dump` lists them all");
                        return ExitCode::FAILURE;
                    }
                }
            }
            selected
        }
        _ => {
            eprintln!(
                "usage: cargo xtask scopes [--explain | --json] (<endpoint id | event type>... | --source <path>...)\n       cargo xtask scopes --dump"
            );
            return ExitCode::from(2);
        }
    };
    let plan = scopes::minimal(&selected, &catalogue);
    eprintln!("{} endpoints and events selected", selected.len());
    match format {
        Format::Explain => print!("{}", plan.explain()),
        Format::Json => println!("{}", plan.to_json()),
        Format::Console => {
            for id in &plan.unknown {
                eprintln!("warning: scopes of `{id}` are not catalogued yet; check its official page");
            }
            for what in &plan.unsatisfiable {
                eprintln!("warning: no listed scope of {what} can be granted to that identity");
            }
            for choice in plan.choices.iter().filter(|c| !c.included) {
                eprintln!(
                    "note: {} can also deliver {} with a sensitive scope ({}); add it to receive those",
                    choice.event,
                    choice.delivers,
                    choice.scopes.join(" or ")
                );
            }
            // Standard output carries exactly what the developer console's batch import accepts.
            println!("{}", plan.console_json());
        }
    }
    ExitCode::SUCCESS
}

/// How a plan is printed.
enum Format {
    /// The console's batch-import JSON.
    Console,
    /// Each scope with its reasons, for a reader.
    Explain,
    /// Each scope with its reasons, as JSON.
    Json,
}

/// Appends every `.rs` file under `path` (or `path` itself) to `out`.
fn read_sources(path: &Path, out: &mut String) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if entry.file_name() != "target" {
                read_sources(&entry.path(), out)?;
            }
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push_str(&fs::read_to_string(path)?);
        out.push('\n');
    }
    Ok(())
}
