//! `cargo xtask semver`: what a catalogue change does to users, per service.
//!
//! The baseline is the repository at a git revision (default `HEAD`, checked out as a
//! worktree under `target/semver/`; no network) or a checkout given by path. Two sides
//! are compared:
//! - the generated crate's public Rust API, by cargo-semver-checks with every feature
//!   enabled (`catalogue` cannot see a changed field type or a newly required parameter
//!   as precisely): its failures are the breaking changes;
//! - the catalogues, for what the Rust API does not show: endpoints and events added,
//!   scope lists changed, calls newly deprecated (`catalogue`).
//!
//! The report goes to stdout and `target/semver/report.md`; `--changelog` also adds it to
//! `CHANGELOG.md` under "Unreleased". `--catalogue-only` skips the slow Rust comparison
//! (`cargo xtask import` runs that part after every import).

pub mod catalogue;
pub mod checks;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use catalogue::{Change, Kind};

pub const USAGE: &str =
    "cargo xtask semver [--baseline <git rev> | --baseline-dir <checkout>] [--catalogue-only] [--changelog]";

const WORK: &str = "target/semver";
const PINS: &str = "xtask/semver/pins.txt";

#[derive(Debug, Default)]
struct Options {
    baseline_rev: Option<String>,
    baseline_dir: Option<PathBuf>,
    catalogue_only: bool,
    changelog: bool,
}

pub fn run(args: &[&str]) -> ExitCode {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (*arg, args.clone().next()) {
            ("--baseline", Some(rev)) => {
                options.baseline_rev = Some((*rev).to_owned());
                args.next();
            }
            ("--baseline-dir", Some(dir)) => {
                options.baseline_dir = Some(PathBuf::from(dir));
                args.next();
            }
            ("--catalogue-only", _) => options.catalogue_only = true,
            ("--changelog", _) => options.changelog = true,
            _ => {
                eprintln!("usage: {USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    crate::tools::exit(report(&options))
}

fn report(options: &Options) -> Result<(), String> {
    let started = Instant::now();
    let baseline = match &options.baseline_dir {
        Some(dir) => dir.clone(),
        None => worktree(options.baseline_rev.as_deref().unwrap_or("HEAD"))?,
    };
    let mut changes = catalogue_changes(&baseline)?;
    if !options.catalogue_only {
        let tool = install()?;
        let step = Instant::now();
        let (findings, progress) = checks::run(&tool, Path::new("generated"), &baseline.join("generated"))?;
        write(&Path::new(WORK).join("cargo-semver-checks.txt"), &format!("{findings}\n{progress}"))?;
        eprintln!("cargo-semver-checks compared the Rust APIs in {:.0} s", step.elapsed().as_secs_f64());
        changes.extend(checks::parse(&findings, "lark-sdk"));
    }
    changes.sort();
    changes.dedup();
    let markdown = render(&changes, !options.catalogue_only, None);
    write(&Path::new(WORK).join("report.md"), &markdown)?;
    print!("{markdown}");
    if options.changelog {
        add_to_changelog(Path::new("CHANGELOG.md"), &render(&changes, !options.catalogue_only, Some(CHANGELOG_ITEMS)))?;
        eprintln!("added to CHANGELOG.md under \"Unreleased\"");
    }
    eprintln!("semver report in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The catalogue changes from the checkout at `baseline` to this one.
pub fn catalogue_changes(baseline: &Path) -> Result<Vec<Change>, String> {
    let old = lark_generator::catalogue(&baseline.join("spec")).map_err(|e| format!("the baseline's spec: {e}"))?;
    let new = lark_generator::catalogue(Path::new("spec")).map_err(|e| format!("spec: {e}"))?;
    Ok(catalogue::diff(&old, &new))
}

/// A fresh worktree of `rev` under `target/semver/baseline`.
pub fn worktree(rev: &str) -> Result<PathBuf, String> {
    let dir = Path::new(WORK).join("baseline");
    if dir.exists() {
        let _ = Command::new("git").args(["worktree", "remove", "--force"]).arg(&dir).status();
        let _ = fs::remove_dir_all(&dir);
    }
    let _ = Command::new("git").args(["worktree", "prune"]).status();
    let status = Command::new("git")
        .args(["worktree", "add", "--quiet", "--detach"])
        .arg(&dir)
        .arg(rev)
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !status.success() {
        return Err(format!("git worktree add {} {rev} failed", dir.display()));
    }
    Ok(dir)
}

/// cargo-semver-checks at the version pinned in `xtask/semver/pins.txt`, installed once
/// under `target/tools/semver` from the crate registry.
fn install() -> Result<PathBuf, String> {
    let pins = fs::read_to_string(PINS).map_err(|e| format!("cannot read {PINS}: {e}"))?;
    let version = pins
        .lines()
        .find_map(|l| l.strip_prefix("cargo-semver-checks "))
        .ok_or_else(|| format!("{PINS} pins no cargo-semver-checks version"))?
        .trim()
        .to_owned();
    let root = Path::new("target/tools/semver");
    let tool = root.join("bin/cargo-semver-checks");
    crate::tools::installed(root, Path::new(PINS), &tool, || {
        let mut cargo = Command::new("cargo");
        cargo
            .args(["install", "--quiet", "--locked", "cargo-semver-checks", "--version", &version, "--root"])
            .arg(root);
        crate::import::upstream::run(&mut cargo, "cargo install cargo-semver-checks").map(drop)
    })?;
    Ok(tool)
}

/// How many changes of one kind the changelog names per service; the rest are counted.
const CHANGELOG_ITEMS: usize = 10;

/// The report as Markdown: totals, then per service what breaks and what is new, each
/// list cut to `limit` items when given.
pub fn render(changes: &[Change], rust_api: bool, limit: Option<usize>) -> String {
    let count = |kind| changes.iter().filter(|c| c.kind == kind).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} breaking, {} added, {} scope changes, {} newly deprecated{}\n",
        count(Kind::Breaking),
        count(Kind::Added),
        count(Kind::Scopes),
        count(Kind::Deprecated),
        if rust_api { "" } else { " (catalogue only; the Rust API was not compared)" }
    );
    let mut by_service: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        by_service.entry(&c.service).or_default().push(c);
    }
    for (service, changes) in by_service {
        let breaking = changes.iter().any(|c| c.kind == Kind::Breaking);
        let _ = writeln!(out, "#### `{service}`{}\n", if breaking { " (breaking)" } else { "" });
        for (kind, title) in [
            (Kind::Breaking, "Breaking"),
            (Kind::Added, "Added"),
            (Kind::Scopes, "Scopes changed"),
            (Kind::Deprecated, "Deprecated"),
        ] {
            let items: Vec<&&Change> = changes.iter().filter(|c| c.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "- {title} ({}):", items.len());
            let shown = limit.unwrap_or(items.len()).min(items.len());
            for c in &items[..shown] {
                let _ = writeln!(out, "  - {}", c.text);
            }
            if shown < items.len() {
                let _ = writeln!(out, "  - and {} more (`cargo xtask semver` lists them all)", items.len() - shown);
            }
        }
        out.push('\n');
    }
    out
}

/// Puts `entry` at the top of the "Unreleased" section, as a catalogue refresh.
fn add_to_changelog(path: &Path, entry: &str) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let heading = "## [Unreleased]";
    let at = text.find(heading).ok_or_else(|| format!("{} has no `{heading}` section", path.display()))?;
    let insert = at + heading.len();
    let block = format!("\n\n### Catalogue refresh\n\n{}", entry.trim_end());
    write(path, &format!("{}{block}{}", &text[..insert], &text[insert..]))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
