//! `cargo xtask import`: refresh `spec/services/` from the pinned upstream packages.
//!
//! fetch (pip download, npm pack; sha256 checked; cached in target/upstream/) →
//! extract (`xtask/import/extract_py.py` with Python's `ast`, `extract_ts.js` with the
//! pinned TypeScript compiler API; no upstream code runs) → merge (`merge`, `model`) →
//! write (`doc`) → report (`report`: what moved per service, and how the curated
//! overlays under `spec/overlays/` relate to the new facts).

pub mod crosscheck;
pub mod doc;
pub mod merge;
pub mod model;
pub mod notes;
pub mod report;
pub mod routes;
pub mod sources;
pub mod upstream;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use merge::{Merged, Sources};

pub const USAGE: &str = "cargo xtask import [--strict] [--offline] [--check] | cargo xtask import --install-tools";

#[derive(Debug, Default)]
struct Options {
    strict: bool,
    offline: bool,
    check: bool,
    install_tools: bool,
}

pub fn run(args: &[&str]) -> ExitCode {
    let mut options = Options::default();
    for arg in args {
        match *arg {
            "--strict" => options.strict = true,
            "--offline" => options.offline = true,
            "--check" => options.check = true,
            "--install-tools" => options.install_tools = true,
            _ => {
                eprintln!("usage: {USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match import(&options) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn import(options: &Options) -> Result<ExitCode, String> {
    let started = Instant::now();
    if options.install_tools {
        let ts = upstream::typescript(false)?;
        eprintln!("TypeScript ready in {}", ts.display());
        return Ok(ExitCode::SUCCESS);
    }
    let pins = upstream::read(Path::new("spec/upstream.toml"))?;
    eprintln!("[1/5] fetching the pinned packages");
    let wheel = upstream::fetch(&pins.pypi, "pypi", options.offline)?;
    let tarball = upstream::fetch(&pins.npm, "npm", options.offline)?;
    let mcp = upstream::fetch(&pins.mcp, "npm", options.offline)?;
    let typescript = upstream::typescript(options.offline)?;
    let sources = Sources { pypi: pins.pypi.source("pypi"), npm: pins.npm.source("npm") };

    eprintln!("[2/5] reading {} and {} (parsed, never run)", sources.pypi, sources.npm);
    let step = Instant::now();
    let curated = curated_names(Path::new("spec/overlays"))?;
    let (py, node) = extract(Path::new(upstream::TOOLS), &wheel, &typescript, &tarball)?;
    let merged = merge::merge(&py, &node, &sources, &curated);
    eprintln!("      done in {:.1} s", step.elapsed().as_secs_f64());

    eprintln!("[3/5] writing spec/services/, {} and {}", routes::PATH, notes::PATH);
    let texts: BTreeMap<String, String> = merged.files.iter().map(|(rel, f)| (rel.clone(), f.to_yaml())).collect();
    let spec = Path::new("spec");
    let moves = sync(spec, &texts, options.check)?;
    let routes_differ = sync_file(Path::new(routes::PATH), &routes::table(&py, &node), options.check)?;
    let notes_differ = sync_file(Path::new(notes::PATH), &notes::table(&node), options.check)?;

    eprintln!("[4/5] comparing the overlays with the imported facts");
    let conflicts = overlays(spec, &texts)?;

    eprintln!("[5/5] cross-checking required flags with {}", pins.mcp.source("npm"));
    let tools = crosscheck::read(Path::new(upstream::TOOLS), &typescript, &mcp)?;
    let catalogue = lark_generator::catalogue(spec).map_err(|e| e.to_string())?;
    let checked = crosscheck::compare(&catalogue, &tools);
    let read = crosscheck::verdicts(&fs::read_to_string(crosscheck::VERDICTS).unwrap_or_default());
    let crosscheck_differs = sync_file(Path::new(crosscheck::PATH), &checked.tsv(&read), options.check)?;
    let theirs = checked.disagreements.iter().filter(|d| d.2).count();
    let settled = checked.settled(&read);
    println!(
        "lark-mcp: {} of its {} endpoints matched; {} required flags disagree ({theirs} required there, optional here), listed in {}; \
         official pages: the catalogue is right on {}, wrong on {}; {} unsettled and {} unread (reasons in {})",
        checked.matched,
        tools.len(),
        checked.disagreements.len(),
        crosscheck::PATH,
        settled.ours_right,
        settled.ours_wrong,
        settled.unsettled,
        settled.unread,
        crosscheck::VERDICTS,
    );

    for w in &merged.warnings {
        eprintln!("warning: {w}");
    }
    println!("{}", counts(&merged));
    println!("{}", report::moves_table(&moves.0));
    if !options.check {
        users_view();
    }
    println!("import took {:.1} s", started.elapsed().as_secs_f64());
    if options.check && (moves.1 || routes_differ || notes_differ || crosscheck_differs) {
        eprintln!(
            "error: spec/services/, {}, {} or {} differs from a fresh import; run `cargo xtask import` and commit the result.",
            routes::PATH,
            notes::PATH,
            crosscheck::PATH
        );
        return Ok(ExitCode::FAILURE);
    }
    if options.strict && conflicts > 0 {
        eprintln!("error: {conflicts} overlay conflicts (--strict)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs both extractors.
fn extract(
    scripts: &Path,
    wheel: &Path,
    typescript: &Path,
    tarball: &Path,
) -> Result<(sources::Python, sources::Node), String> {
    Ok((sources::python(scripts, wheel)?, sources::node(scripts, typescript, tarball)?))
}

/// Writes (or, with `check`, only compares) one file; returns whether it differed.
fn sync_file(path: &Path, text: &str, check: bool) -> Result<bool, String> {
    let differs = fs::read_to_string(path).ok().as_deref() != Some(text);
    if differs && !check {
        fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(differs)
}

/// The model and enum names each overlay declares, by the service file it applies to.
fn curated_names(dir: &Path) -> Result<BTreeMap<String, model::Curated>, String> {
    let mut out = BTreeMap::new();
    for path in yaml_files(dir)? {
        let rel = path.strip_prefix(dir).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut curated = model::Curated::default();
        if let Some(models) = doc.get("models").and_then(serde_yaml::Value::as_mapping) {
            curated.models = models.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect();
        }
        if let Some(enums) = doc.get("enums").and_then(serde_yaml::Value::as_mapping) {
            for (name, e) in enums {
                let values = e
                    .get("values")
                    .and_then(serde_yaml::Value::as_sequence)
                    .map(|vs| vs.iter().map(|v| enum_value_text(v.get("value").unwrap_or(v))).collect());
                if let (Some(name), Some(values)) = (name.as_str(), values) {
                    curated.enums.insert(name.to_owned(), values);
                }
            }
        }
        out.insert(format!("services/{rel}"), curated);
    }
    Ok(out)
}

fn enum_value_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_owned(),
    }
}

/// Writes (or compares) the service files; removes service files the import no longer
/// produces. Returns the moves per file and whether anything differs.
fn sync(
    spec: &Path,
    texts: &BTreeMap<String, String>,
    check: bool,
) -> Result<(BTreeMap<String, report::FileMoves>, bool), String> {
    let mut existing = BTreeMap::new();
    for path in yaml_files(&spec.join("services"))? {
        let rel = path.strip_prefix(spec).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        existing.insert(rel, text);
    }
    let mut moves = BTreeMap::new();
    let mut differs = false;
    for (rel, text) in texts {
        let old = existing.remove(rel);
        moves.insert(rel.clone(), report::diff(old.as_deref(), Some(text)));
        if old.as_deref() != Some(text.as_str()) {
            differs = true;
            if !check {
                let path = spec.join(rel);
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
        }
    }
    for (rel, old) in existing {
        moves.insert(rel.clone(), report::diff(Some(&old), None));
        differs = true;
        if !check {
            let path = spec.join(&rel);
            fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok((moves, differs))
}

/// Prints how each overlay relates to the imported facts; returns the conflict count.
fn overlays(spec: &Path, texts: &BTreeMap<String, String>) -> Result<usize, String> {
    let dir = spec.join("overlays");
    let mut conflicts = 0;
    for path in yaml_files(&dir)? {
        let rel = path.strip_prefix(&dir).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        let shown = format!("spec/overlays/{rel}");
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let overlay: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        let Some(imported) = texts.get(&format!("services/{rel}")) else {
            println!("{shown}: a complete service file of its own (nothing imported for it)");
            continue;
        };
        let imported: serde_yaml::Value = serde_yaml::from_str(imported).map_err(|e| format!("services/{rel}: {e}"))?;
        let r = report::overlay(&overlay, &imported);
        println!(
            "{shown}: {} conflicts, {} redundant, {} curated additions, {} curated texts",
            r.conflicts.len(),
            r.redundant.len(),
            r.additions,
            r.texts
        );
        for (at, imported, ours) in &r.conflicts {
            println!("  conflict  {at}: upstream {imported}, overlay {ours}");
        }
        for at in &r.redundant {
            println!("  redundant {at}: equals the imported value, can be removed");
        }
        conflicts += r.conflicts.len();
    }
    Ok(conflicts)
}

/// `<dir>/<a>/<b>.yaml` files, sorted; none when `dir` does not exist.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return Ok(found) };
    for entry in entries.flatten() {
        let Ok(inner) = fs::read_dir(entry.path()) else { continue };
        for file in inner.flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Counts per source and in total.
fn counts(merged: &Merged) -> String {
    let c = &merged.counts;
    let files = &merged.files;
    let models: usize = files.values().map(|f| f.models.len()).sum();
    let enums: usize = files.values().map(|f| f.enums.len()).sum();
    let endpoints: usize = files.values().map(doc::File::endpoint_count).sum();
    format!(
        "imported {} service files: {endpoints} endpoints ({} in both packages, {} only in Node, {} only in Python), \
         {models} models, {enums} enums, {} v2 events ({} in both, {} only in Node, {} only in Python), {} v1 events, {} callbacks",
        files.len(),
        c.endpoints_both,
        c.endpoints_node_only,
        c.endpoints_python_only,
        c.events_v2_both + c.events_v2_node_only + c.events_v2_python_only,
        c.events_v2_both,
        c.events_v2_node_only,
        c.events_v2_python_only,
        c.events_v1,
        c.callbacks,
    )
}

/// What the import changes for users, from the catalogues alone (HEAD's against the new
/// one): the quick half of `cargo xtask semver`, which a pull request runs in full.
fn users_view() {
    let changes = crate::semver::worktree("HEAD").and_then(|base| crate::semver::catalogue_changes(&base));
    match changes {
        Ok(changes) => {
            println!("\nFor users, against HEAD (run `cargo xtask semver` to compare the Rust API too):");
            print!("{}", crate::semver::render(&changes, false, None));
        }
        Err(e) => eprintln!("warning: no catalogue comparison with HEAD: {e}"),
    }
}
