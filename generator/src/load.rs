//! Reads `spec/` from disk: every file parsed, every syntax or shape error collected.

use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::locate::Locations;
use crate::spec::{ScopeFile, ServiceFile};

/// A parsed file with what is needed to point back into it.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The path as shown in messages (the spec directory as given, joined with the
    /// file's relative path).
    pub file: PathBuf,
    /// The file's path relative to the spec directory, with `/` separators.
    pub relative: String,
    pub spec: T,
    pub locations: Locations,
}

impl<T> Loaded<T> {
    /// A diagnostic at the node `spec_path` of this file.
    pub fn error(&self, spec_path: &str, message: String, hint: Option<String>) -> Diagnostic {
        let (line, column) = self.locations.find(spec_path);
        Diagnostic { file: self.file.clone(), line, column, spec_path: spec_path.to_owned(), message, hint }
    }
}

/// The whole catalogue as written.
#[derive(Debug)]
pub struct RawCatalogue {
    pub scopes: Loaded<ScopeFile>,
    /// Sorted by relative path, so everything downstream is in a stable order.
    pub services: Vec<Loaded<ServiceFile>>,
}

/// Loads `spec_dir/scopes.yaml` and `spec_dir/services/*/*.yaml`.
pub fn load(spec_dir: &Path) -> Result<RawCatalogue, Diagnostics> {
    let mut errors = Diagnostics::default();
    let scopes = load_file::<ScopeFile>(spec_dir, "scopes.yaml", &mut errors);
    let mut services = Vec::new();
    for relative in service_files(spec_dir, &mut errors) {
        if let Some(service) = load_file::<ServiceFile>(spec_dir, &relative, &mut errors) {
            services.push(service);
        }
    }
    match scopes {
        Some(scopes) if errors.is_empty() => Ok(RawCatalogue { scopes, services }),
        _ => Err(errors.sorted()),
    }
}

fn service_files(spec_dir: &Path, errors: &mut Diagnostics) -> Vec<String> {
    let root = spec_dir.join("services");
    let mut found = Vec::new();
    let Ok(services) = fs::read_dir(&root) else {
        errors.push(io_error(&root, "cannot read the services directory".into(), SERVICES_HINT));
        return found;
    };
    for service in services.flatten() {
        let Ok(versions) = fs::read_dir(service.path()) else { continue };
        for version in versions.flatten() {
            let path = version.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let service = service.file_name().to_string_lossy().into_owned();
                let version = version.file_name().to_string_lossy().into_owned();
                found.push(format!("services/{service}/{version}"));
            } else if path.is_file() {
                errors.push(io_error(&path, "unexpected file in spec/services".into(), SERVICES_HINT));
            }
        }
    }
    found.sort();
    found
}

const SERVICES_HINT: &str = "spec/services holds one `<service>/<version>.yaml` file per service version";

fn io_error(path: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic { file: path.to_owned(), line: 1, column: 1, spec_path: String::new(), message, hint: Some(hint.into()) }
}

fn load_file<T: DeserializeOwned>(spec_dir: &Path, relative: &str, errors: &mut Diagnostics) -> Option<Loaded<T>> {
    let file = spec_dir.join(relative);
    let text = match fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => {
            let hint = "the spec directory needs scopes.yaml and services/<service>/<version>.yaml files";
            errors.push(io_error(&file, format!("cannot read: {e}"), hint));
            return None;
        }
    };
    match serde_yaml::from_str::<T>(&text) {
        Ok(spec) => Some(Loaded { file, relative: relative.to_owned(), spec, locations: Locations::index(&text) }),
        Err(e) => {
            errors.push(shape_error(file, &e));
            None
        }
    }
}

/// Turns serde_yaml's `path: message at line L column C` into a diagnostic.
fn shape_error(file: PathBuf, e: &serde_yaml::Error) -> Diagnostic {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    // The position is in the diagnostic already; other positions in the text stay.
    let text = e.to_string().replacen(&format!(" at line {line} column {column}"), "", 1);
    let (spec_path, message) = match text.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_owned(), rest.to_owned()),
        _ => (String::new(), text),
    };
    let hint = shape_hint(&message);
    Diagnostic { file, line, column, spec_path, message, hint }
}

fn shape_hint(message: &str) -> Option<String> {
    let hint = if message.starts_with("unknown field") {
        "check the spelling against spec/README.md"
    } else if message.starts_with("missing field") {
        "add the field; spec/README.md lists what each construct requires"
    } else if message.starts_with("unknown variant") {
        "use one of the listed values"
    } else if message.contains("while parsing") || message.contains("while scanning") {
        "fix the YAML syntax here: an unclosed `{`, `[` or quote, or a wrong indentation"
    } else if message.contains("did not match any variant") {
        "see spec/README.md for the accepted forms of this construct"
    } else {
        return None;
    };
    Some(hint.to_owned())
}
