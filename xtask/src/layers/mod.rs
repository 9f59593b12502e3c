//! `cargo xtask layers`: the folders of `runtime/src` are layers, and imports point down.
//!
//! Every path a file takes into its crate (`crate::…` and `$crate::…` in `use` lines,
//! inline and in macro bodies, and `super::` chains) is resolved to the top-level module
//! that defines it, through the crate root's re-exports when it names one
//! (`crate::Client` is `client`). A path from a lower layer to a higher one fails the
//! check, and so does any pair of top-level modules that import each other; both name the
//! two files. Doc comments are text, not imports, so a doc link may point anywhere.

mod scan;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The top-level modules of `runtime/src`, bottom layer first: each may import from those
/// before it, never from those after. Keep in step with the diagram in `runtime/src/lib.rs`.
pub const LAYERS: &[&str] =
    &["core", "wire", "auth", "client", "message", "web", "event", "webhook", "ws", "shared", "fake"];

/// The runtime's source folder, relative to the workspace root.
const RUNTIME_SRC: &str = "runtime/src";

/// `cargo xtask layers`: prints the layers with their files, or what breaks the rule.
pub fn run() -> ExitCode {
    match check(Path::new(RUNTIME_SRC), LAYERS) {
        Ok(report) if report.problems.is_empty() => {
            print!("{}", report.table());
            println!("{RUNTIME_SRC}: no import points up a layer; no two top-level modules import each other.");
            ExitCode::SUCCESS
        }
        Ok(report) => {
            for problem in &report.problems {
                eprintln!("error: {problem}");
            }
            eprintln!(
                "{} layering problem(s) in {RUNTIME_SRC}; the rule is in {RUNTIME_SRC}/lib.rs.",
                report.problems.len()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the check found.
#[derive(Debug)]
pub struct Report {
    /// Each top-level module with its files (relative to `src`) and their line counts, in
    /// layer order; modules in no layer come last.
    pub modules: Vec<(String, Vec<(String, usize)>)>,
    /// Every breach of the rule, one sentence each, in a stable order.
    pub problems: Vec<String>,
}

impl Report {
    /// One line per layer: its line count and its files.
    pub fn table(&self) -> String {
        let mut out = String::from("layers of runtime/src, bottom first (lines per file):\n");
        for (module, files) in &self.modules {
            let total: usize = files.iter().map(|(_, lines)| lines).sum();
            let list: Vec<String> = files
                .iter()
                .map(|(file, lines)| format!("{} {lines}", file.strip_prefix(&format!("{module}/")).unwrap_or(file)))
                .collect();
            let _ = writeln!(out, "  {module:<8} {:>2} files {total:>5} lines: {}", files.len(), list.join(", "));
        }
        out
    }
}

/// One source file: where it is, the module it defines, how long it is.
struct Source {
    /// Relative to `src`, with `/` separators.
    file: String,
    module: Vec<String>,
    text: String,
}

/// Checks the crate whose sources are under `src` against `layers` (bottom first).
pub fn check(src: &Path, layers: &[&str]) -> Result<Report, String> {
    let sources = read_tree(src)?;
    let root = sources.iter().find(|s| s.module.is_empty()).ok_or_else(|| format!("{}: no lib.rs", src.display()))?;
    let (declared, uses) = scan::crate_root(&root.text).map_err(|e| format!("{}/lib.rs {e}", src.display()))?;
    // What the root makes visible by name, as the path to where it is defined.
    let reexports: BTreeMap<String, Vec<String>> = uses
        .into_iter()
        .filter(|leaf| leaf.path.first().is_some_and(|m| declared.contains(m)))
        .filter_map(|leaf| Some((leaf.name?, leaf.path)))
        .collect();
    let rank = |module: &str| layers.iter().position(|l| *l == module);
    let shown = |file: &str| format!("{}/{file}", src.display());

    let mut problems = Vec::new();
    for module in declared.iter().filter(|m| rank(m).is_none()) {
        problems.push(format!(
            "{} declares module `{module}`, which is in no layer: add it to LAYERS in xtask/src/layers/mod.rs",
            shown("lib.rs")
        ));
    }
    for layer in layers.iter().filter(|l| !declared.iter().any(|m| m == *l)) {
        problems.push(format!("layer `{layer}` is not a module of {}: drop it from LAYERS", shown("lib.rs")));
    }

    // Per pair of top-level modules, the imports from one to the other, by file pair.
    let mut edges: BTreeMap<(String, String), BTreeMap<(String, String), String>> = BTreeMap::new();
    for source in sources.iter().filter(|s| !s.module.is_empty()) {
        let paths =
            scan::crate_paths(&source.text, &source.module).map_err(|e| format!("{} {e}", shown(&source.file)))?;
        for path in paths {
            let target = match reexports.get(&path[0]) {
                _ if declared.contains(&path[0]) => path.clone(),
                Some(defined) => defined.iter().chain(&path[1..]).cloned().collect(),
                None => {
                    problems.push(format!(
                        "{} uses `crate::{}`, which is neither a module of the crate root nor one of its re-exports",
                        shown(&source.file),
                        path.join("::")
                    ));
                    continue;
                }
            };
            let (from, to) = (&source.module[0], &target[0]);
            if from == to {
                continue;
            }
            let files = (source.file.clone(), defining_file(&sources, &target));
            edges.entry((from.clone(), to.clone())).or_default().entry(files).or_insert_with(|| path.join("::"));
        }
    }

    for ((from, to), files) in &edges {
        let (Some(low), Some(high)) = (rank(from), rank(to)) else { continue };
        if low < high {
            for ((from_file, to_file), path) in files {
                problems.push(format!(
                    "{} imports `crate::{path}` from {}: `{from}` is below `{to}`, and imports point down only \
                     (move the shared item down, or declare a trait in `{from}` that `{to}` implements)",
                    shown(from_file),
                    shown(to_file)
                ));
            }
        }
    }
    for ((a, b), there) in &edges {
        let Some(back) = edges.get(&(b.clone(), a.clone())).filter(|_| a < b) else { continue };
        let example = |files: &BTreeMap<(String, String), String>| {
            let ((from_file, to_file), path) = files.iter().next().expect("an edge has a file");
            format!("{} → {} (`crate::{path}`)", shown(from_file), shown(to_file))
        };
        problems.push(format!("`{a}` and `{b}` import each other: {}; {}", example(there), example(back)));
    }
    for circle in circles(edges.keys()) {
        problems.push(format!(
            "{} top-level modules import each other in a circle: {}",
            circle.len(),
            circle.join(", ")
        ));
    }

    let mut modules: Vec<(String, Vec<(String, usize)>)> = declared
        .iter()
        .map(|m| {
            let files = sources.iter().filter(|s| s.module.first() == Some(m));
            (m.clone(), files.map(|s| (s.file.clone(), s.text.lines().count())).collect())
        })
        .collect();
    modules.sort_by_key(|(m, _)| (rank(m).unwrap_or(usize::MAX), m.clone()));
    Ok(Report { modules, problems })
}

/// Every `.rs` file under `src`, sorted, with the module it defines.
fn read_tree(src: &Path) -> Result<Vec<Source>, String> {
    let mut files = Vec::new();
    let mut folders = vec![PathBuf::from(src)];
    while let Some(folder) = folders.pop() {
        let entries = fs::read_dir(&folder).map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot list {}: {e}", folder.display()))?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let relative = path.strip_prefix(src).expect("listed under src");
            let file = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            let mut module: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            Ok(Source { file, module, text })
        })
        .collect()
}

/// The file that defines the item at `path`: the deepest module along it that has a file.
fn defining_file(sources: &[Source], path: &[String]) -> String {
    (1..=path.len())
        .rev()
        .find_map(|n| sources.iter().find(|s| s.module == path[..n]))
        .map_or_else(|| path[0].clone(), |s| s.file.clone())
}

/// The sets of three or more modules that all reach each other through imports (pairs are
/// reported on their own), each sorted.
fn circles<'a>(edges: impl Iterator<Item = &'a (String, String)>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges {
        graph.entry(from).or_default().insert(to);
        graph.entry(to).or_default();
    }
    // Modules that reach each other both ways form one circle (a strongly connected part).
    let reach = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start];
        while let Some(node) = todo.pop() {
            for next in &graph[node] {
                if seen.insert(*next) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<&str>> = graph.keys().map(|n| (*n, reach(n))).collect();
    let mut placed = BTreeSet::new();
    let mut out = Vec::new();
    for node in graph.keys() {
        if placed.contains(node) {
            continue;
        }
        let part: Vec<&str> =
            graph.keys().filter(|m| reached[node].contains(*m) && reached[*m].contains(node)).copied().collect();
        placed.extend(part.iter().copied());
        if part.len() > 2 {
            out.push(part.iter().map(|m| (*m).to_owned()).collect());
        }
    }
    out
}
