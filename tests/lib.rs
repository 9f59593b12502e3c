//! Shared helpers of the test suites in `tests/tests/`.

use std::path::{Path, PathBuf};

/// The workspace root, whatever directory the test runs from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Compile-time checks of the generated request types, as doctests (the fixture SDK is a
/// dev-dependency, which doctests can use).
///
/// A request-side model cannot be built without its required fields, whether they are
/// left out of a struct literal:
///
/// ```compile_fail,E0063
/// let _ = lark_fixture_sdk::models::v1::LabelInput { color: None, style: None };
/// ```
///
/// or hoped for from `Default`, which such a model does not have:
///
/// ```compile_fail,E0277
/// let _: lark_fixture_sdk::models::v1::NewThing = Default::default();
/// ```
///
/// With them, through `new`, it builds, and optional fields take struct update syntax:
///
/// ```
/// use lark_fixture_sdk::models::v1::{LabelInput, NewThing};
/// let label = LabelInput { color: Some("red".into()), ..LabelInput::new("urgent") };
/// let _ = NewThing { label: Some(label), ..NewThing::new("lamp") };
/// ```
pub mod required_fields {}
