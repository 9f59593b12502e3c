//! Reads `spec/` from disk: every file parsed, every syntax or shape error collected.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::locate::Locations;
use crate::spec::{ScopeFile, ServiceFile};

/// One file on disk that contributed to a loaded item, with its node positions.
#[derive(Debug)]
pub struct Source {
    /// The path as shown in messages (the spec directory as given, joined with the
    /// file's relative path).
    pub file: PathBuf,
    pub locations: Locations,
}

/// A parsed catalogue file, possibly with its curated overlay merged in.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The logical path relative to the spec directory, e.g. `services/im/v1.yaml`
    /// (also for an overlay that stands alone).
    pub relative: String,
    /// Where the content came from: the imported file first, then its overlay.
    pub sources: Vec<Source>,
    pub spec: T,
}

impl<T> Loaded<T> {
    /// A diagnostic at the node `spec_path`, in whichever file defines that node (the
    /// overlay wins where both do, since its value is the one in force).
    pub fn error(&self, spec_path: &str, message: String, hint: Option<String>) -> Diagnostic {
        let mut path = spec_path;
        loop {
            for source in self.sources.iter().rev() {
                if let Some((line, column)) = source.locations.get(path) {
                    let file = source.file.clone();
                    return Diagnostic { file, line, column, spec_path: spec_path.to_owned(), message, hint };
                }
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => break,
            }
        }
        let file = self.sources.first().map(|s| s.file.clone()).unwrap_or_default();
        Diagnostic { file, line: 1, column: 1, spec_path: spec_path.to_owned(), message, hint }
    }

    /// The file shown for problems with the whole item.
    pub fn display_file(&self) -> &Path {
        self.sources.first().map_or(Path::new(""), |s| s.file.as_path())
    }
}

/// The whole catalogue as written.
#[derive(Debug)]
pub struct RawCatalogue {
    pub scopes: Loaded<ScopeFile>,
    /// Sorted by relative path, so everything downstream is in a stable order.
    pub services: Vec<Loaded<ServiceFile>>,
}

/// Loads `spec_dir/scopes.yaml` and every `spec_dir/services/<service>/<version>.yaml`,
/// each merged with `spec_dir/overlays/<service>/<version>.yaml` when that exists.
///
/// Overlays hold curated facts that a re-import must not erase. They have the shape of a
/// service file with every key optional and are deep-merged: mappings key by key, any
/// other value replaces the imported one. An overlay without an imported file is a
/// complete service file of its own.
pub fn load(spec_dir: &Path) -> Result<RawCatalogue, Diagnostics> {
    let mut errors = Diagnostics::default();
    let scopes = load_item::<ScopeFile>(spec_dir, "scopes.yaml", &[Path::new("scopes.yaml")], &mut errors);
    let mut names = service_files(spec_dir, "services", &mut errors);
    names.extend(service_files(spec_dir, "overlays", &mut errors));
    names.sort();
    names.dedup();
    let mut services = Vec::new();
    for name in names {
        let base = format!("services/{name}");
        let overlay = format!("overlays/{name}");
        let files: Vec<&Path> =
            [&base, &overlay].into_iter().map(Path::new).filter(|f| spec_dir.join(f).is_file()).collect();
        if let Some(service) = load_item::<ServiceFile>(spec_dir, &base, &files, &mut errors) {
            services.push(service);
        }
    }
    match scopes {
        Some(scopes) if errors.is_empty() => Ok(RawCatalogue { scopes, services }),
        _ => Err(errors.sorted()),
    }
}

/// `<service>/<version>.yaml` names under `spec_dir/<dir>`; a missing `overlays` is fine.
fn service_files(spec_dir: &Path, dir: &str, errors: &mut Diagnostics) -> Vec<String> {
    let root = spec_dir.join(dir);
    let mut found = Vec::new();
    let Ok(services) = fs::read_dir(&root) else {
        if dir == "services" {
            errors.push(io_error(&root, "cannot read the services directory".into(), SERVICES_HINT));
        }
        return found;
    };
    for service in services.flatten() {
        let Ok(versions) = fs::read_dir(service.path()) else { continue };
        for version in versions.flatten() {
            let path = version.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let service = service.file_name().to_string_lossy().into_owned();
                let version = version.file_name().to_string_lossy().into_owned();
                found.push(format!("{service}/{version}"));
            } else if path.is_file() {
                errors.push(io_error(&path, format!("unexpected file in spec/{dir}"), SERVICES_HINT));
            }
        }
    }
    found
}

const SERVICES_HINT: &str = "spec/services holds one `<service>/<version>.yaml` file per service version";

fn io_error(path: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic { file: path.to_owned(), line: 1, column: 1, spec_path: String::new(), message, hint: Some(hint.into()) }
}

/// Parses `files` (relative to `spec_dir`), merges them in order and deserialises the
/// result, reporting problems at their position in whichever file they are.
fn load_item<T: DeserializeOwned>(
    spec_dir: &Path,
    relative: &str,
    files: &[&Path],
    errors: &mut Diagnostics,
) -> Option<Loaded<T>> {
    let mut sources = Vec::new();
    let mut merged: Option<Value> = None;
    let mut broken = false;
    for relative_file in files {
        let file = spec_dir.join(relative_file);
        let text = match fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                let hint = "the spec directory needs scopes.yaml and services/<service>/<version>.yaml files";
                errors.push(io_error(&file, format!("cannot read: {e}"), hint));
                broken = true;
                continue;
            }
        };
        match serde_yaml::from_str::<Value>(&text) {
            Ok(value) => match &mut merged {
                Some(base) => merge(base, value),
                None => merged = Some(value),
            },
            Err(e) => {
                errors.push(syntax_error(file.clone(), &e));
                broken = true;
            }
        }
        sources.push(Source { file, locations: Locations::index(&text) });
    }
    let merged = merged.filter(|_| !broken)?;
    match serde_path_to_error::deserialize::<_, T>(merged) {
        Ok(spec) => Some(Loaded { relative: relative.to_owned(), sources, spec }),
        Err(e) => {
            let loaded = Loaded { relative: relative.to_owned(), sources, spec: () };
            errors.push(shape_error(&loaded, &e.path().to_string(), &e.into_inner()));
            None
        }
    }
}

/// Keys whose value is one choice, not a set of facts: an overlay replaces them whole.
/// (Merging `response: { flat: A }` into `response: { json: B }` would give two answers.)
const ATOMIC_KEYS: &[&str] = &["body", "response", "scopes", "pagination"];

/// Overlay values win; mappings merge key by key so an overlay can add one scope list
/// to one method without repeating the rest.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            // Only a method (`http`) or an event or callback (`payload`) has these keys;
            // a model field that happens to be called `body` still merges.
            let choices = base.contains_key("http") || base.contains_key("payload");
            for (key, value) in overlay {
                let atomic = choices && key.as_str().is_some_and(|k| ATOMIC_KEYS.contains(&k));
                match base.get_mut(&key) {
                    Some(slot) if !atomic => merge(slot, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// A YAML syntax error: serde_yaml knows the position.
fn syntax_error(file: PathBuf, e: &serde_yaml::Error) -> Diagnostic {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    // The position is in the diagnostic already; other positions in the text stay.
    let message = e.to_string().replacen(&format!(" at line {line} column {column}"), "", 1);
    let hint = Some("fix the YAML syntax here: an unclosed `{`, `[` or quote, or a wrong indentation".to_owned());
    Diagnostic { file, line, column, spec_path: String::new(), message, hint }
}

/// A shape error (unknown key, wrong type, missing key) at the path serde reported.
fn shape_error(loaded: &Loaded<()>, path: &str, e: &serde_yaml::Error) -> Diagnostic {
    let message = e.to_string();
    let path = if path == "." { "" } else { path };
    loaded.error(path, message.clone(), shape_hint(&message))
}

fn shape_hint(message: &str) -> Option<String> {
    let hint = if message.starts_with("unknown field") {
        "check the spelling against spec/README.md"
    } else if message.starts_with("missing field") {
        "add the field; spec/README.md lists what each construct requires"
    } else if message.starts_with("unknown variant") {
        "use one of the listed values"
    } else if message.contains("did not match any variant") {
        "see spec/README.md for the accepted forms of this construct"
    } else {
        return None;
    };
    Some(hint.to_owned())
}
