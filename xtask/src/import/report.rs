//! What an import changed, and how the curated overlays relate to the new facts.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_yaml::Value;

/// Added / changed / removed counts of one kind of item.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Moves {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

impl Moves {
    fn is_empty(self) -> bool {
        self == Moves::default()
    }

    fn add(&mut self, other: Moves) {
        self.added += other.added;
        self.changed += other.changed;
        self.removed += other.removed;
    }
}

impl std::fmt::Display for Moves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "+{} ~{} -{}", self.added, self.changed, self.removed)
    }
}

/// The moves of one service file: endpoints, models (with enums), events (with callbacks).
#[derive(Debug, Default, Clone, Copy)]
pub struct FileMoves {
    pub endpoints: Moves,
    pub models: Moves,
    pub events: Moves,
}

/// Compares an old and a new service file (either may be absent).
pub fn diff(old: Option<&str>, new: Option<&str>) -> FileMoves {
    let parse = |text: Option<&str>| text.and_then(|t| serde_yaml::from_str::<Value>(t).ok()).unwrap_or(Value::Null);
    let (old, new) = (parse(old), parse(new));
    FileMoves {
        endpoints: compare(&endpoints(&old), &endpoints(&new)),
        models: compare(&items(&old, &["models", "enums"]), &items(&new, &["models", "enums"])),
        events: compare(&items(&old, &["events", "callbacks"]), &items(&new, &["events", "callbacks"])),
    }
}

fn endpoints(file: &Value) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    if let Some(resources) = file.get("resources").and_then(Value::as_mapping) {
        for (r, resource) in resources {
            if let Some(methods) = resource.get("methods").and_then(Value::as_mapping) {
                for (m, method) in methods {
                    out.insert(format!("{}.{}", text(r), text(m)), method);
                }
            }
        }
    }
    out
}

fn items<'v>(file: &'v Value, sections: &[&str]) -> BTreeMap<String, &'v Value> {
    let mut out = BTreeMap::new();
    for section in sections {
        if let Some(map) = file.get(*section).and_then(Value::as_mapping) {
            for (k, v) in map {
                out.insert(format!("{section}.{}", text(k)), v);
            }
        }
    }
    out
}

fn compare(old: &BTreeMap<String, &Value>, new: &BTreeMap<String, &Value>) -> Moves {
    let mut m = Moves::default();
    for (k, v) in new {
        match old.get(k) {
            None => m.added += 1,
            Some(o) if o != v => m.changed += 1,
            Some(_) => {}
        }
    }
    m.removed = old.keys().filter(|k| !new.contains_key(*k)).count();
    m
}

/// The per-service table of moves; only files that moved get a line.
pub fn moves_table(moves: &BTreeMap<String, FileMoves>) -> String {
    let mut out = String::new();
    let mut total = FileMoves::default();
    let _ = writeln!(
        out,
        "{:<40} {:>16} {:>16} {:>16}",
        "file (added ~changed -removed)", "endpoints", "models+enums", "events+callbacks"
    );
    for (file, m) in moves {
        total.endpoints.add(m.endpoints);
        total.models.add(m.models);
        total.events.add(m.events);
        if m.endpoints.is_empty() && m.models.is_empty() && m.events.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{:<40} {:>16} {:>16} {:>16}",
            file,
            m.endpoints.to_string(),
            m.models.to_string(),
            m.events.to_string()
        );
    }
    let _ = writeln!(
        out,
        "{:<40} {:>16} {:>16} {:>16}",
        "total",
        total.endpoints.to_string(),
        total.models.to_string(),
        total.events.to_string()
    );
    out
}

/// How one overlay relates to the imported file it is merged onto.
#[derive(Debug, Default)]
pub struct OverlayReport {
    /// Overlay values that replace a different imported fact: `(path, imported, overlay)`.
    pub conflicts: Vec<(String, String, String)>,
    /// Overlay values equal to the imported ones: they can be removed.
    pub redundant: Vec<String>,
    /// Overlay keys the import does not have (curated additions).
    pub additions: usize,
    /// Our own text (`summary`, `title`) replacing the importer's mechanical text.
    pub texts: usize,
}

/// Keys an overlay replaces whole, as the loader merges them (`generator/src/load.rs`).
const ATOMIC_KEYS: &[&str] = &["body", "response", "scopes", "pagination"];

/// Keys whose imported values are our own mechanical text, not upstream facts.
const TEXT_KEYS: &[&str] = &["summary", "title"];

/// Walks an overlay against the imported file, following the merge rules: mappings
/// merge key by key, anything else replaces.
pub fn overlay(overlay: &Value, imported: &Value) -> OverlayReport {
    let mut report = OverlayReport::default();
    walk(overlay, imported, "", &mut report);
    report
}

fn walk(overlay: &Value, imported: &Value, path: &str, report: &mut OverlayReport) {
    match (overlay, imported) {
        (Value::Mapping(o), Value::Mapping(i)) => {
            for (k, v) in o {
                let key = text(k);
                let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match i.get(k) {
                    None => report.additions += 1,
                    // `{ json: M }` and `{ flat: M }` are one choice: replaced whole.
                    Some(iv) if ATOMIC_KEYS.contains(&key.as_str()) => leaf(v, iv, &sub, report),
                    Some(iv) => walk(v, iv, &sub, report),
                }
            }
        }
        (o, i) => leaf(o, i, path, report),
    }
}

fn leaf(overlay: &Value, imported: &Value, path: &str, report: &mut OverlayReport) {
    match (overlay, imported) {
        (o, i) if o == i => report.redundant.push(path.to_owned()),
        _ if TEXT_KEYS.contains(&path.rsplit('.').next().unwrap_or("")) => report.texts += 1,
        // The same enum values in the long form only add our own summaries or names.
        (o, i) if path.ends_with(".values") && enum_values(o) == enum_values(i) => report.texts += 1,
        (o, i) => report.conflicts.push((path.to_owned(), short(i), short(o))),
    }
}

fn enum_values(list: &Value) -> Option<std::collections::BTreeSet<String>> {
    let values = list.as_sequence()?.iter().map(|v| text(v.get("value").unwrap_or(v)));
    Some(values.collect())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => short(other),
    }
}

/// A value on one line, for the report.
fn short(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    if text.chars().count() > 70 { format!("{}…", text.chars().take(69).collect::<String>()) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).expect("yaml")
    }

    #[test]
    fn overlays_are_sorted_into_conflicts_redundancies_and_additions() {
        let imported = yaml("a: { x: 1, y: [1, 2], summary: mechanical }\nb: 2\n");
        let overlay_doc = yaml("a: { x: 1, y: [3], summary: ours, z: new }\nc: 3\n");
        let r = overlay(&overlay_doc, &imported);
        assert_eq!(r.redundant, vec!["a.x".to_owned()]);
        assert_eq!(r.conflicts, vec![("a.y".to_owned(), "[1,2]".to_owned(), "[3]".to_owned())]);
        assert_eq!((r.additions, r.texts), (2, 1));
    }

    #[test]
    fn diff_counts_endpoints_models_and_events() {
        let old = "resources: { r: { methods: { a: { x: 1 }, b: { x: 1 } } } }\nmodels: { M: 1 }\n";
        let new = "resources: { r: { methods: { a: { x: 2 }, c: { x: 1 } } } }\nmodels: { M: 1 }\nevents: { e: 1 }\n";
        let m = diff(Some(old), Some(new));
        assert_eq!(m.endpoints, Moves { added: 1, changed: 1, removed: 1 });
        assert!(m.models.is_empty());
        assert_eq!(m.events.added, 1);
    }
}
