//! The contract of generated files: write what changed, remove what is stale, or check.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a sync did, or in check mode would do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Files whose content differs (or that are missing), relative to the root.
    pub changed: Vec<String>,
    /// Files under the root that generation no longer produces.
    pub stale: Vec<String>,
    /// Files already up to date.
    pub unchanged: usize,
}

impl Report {
    /// True when the directory already matches.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }
}

/// Whether to touch the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// Makes `root` hold exactly `files` (paths relative to `root`).
///
/// Unchanged files are not rewritten, so timestamps and cargo's fingerprints stay put.
pub fn sync(root: &Path, files: &BTreeMap<String, String>, mode: Mode) -> io::Result<Report> {
    let mut report = Report::default();
    for (relative, content) in files {
        let path = root.join(relative);
        let same = fs::read(&path).is_ok_and(|old| old == content.as_bytes());
        if same {
            report.unchanged += 1;
            continue;
        }
        report.changed.push(relative.clone());
        if mode == Mode::Write {
            write_atomically(&path, content)?;
        }
    }
    let mut existing = Vec::new();
    if root.exists() {
        walk(root, root, &mut existing)?;
    }
    for relative in existing {
        if !files.contains_key(&relative) {
            if mode == Mode::Write {
                fs::remove_file(root.join(&relative))?;
            }
            report.stale.push(relative);
        }
    }
    if mode == Mode::Write && root.exists() {
        remove_empty_dirs(root)?;
    }
    Ok(report)
}

/// A reader never sees half a file, even if generation is interrupted.
fn write_atomically(path: &Path, content: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".tmp");
    fs::write(&tmp, content)?;
    fs::rename(&tmp, path)
}

/// Every file below `dir` as a `/`-separated path relative to `root`, skipping `target`.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            if entry.file_name() != "target" {
                walk(root, &path, out)?;
            }
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) -> io::Result<bool> {
    let mut empty = true;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            if entry.file_name() == "target" || !remove_empty_dirs(&entry.path())? {
                empty = false;
            } else {
                fs::remove_dir(entry.path())?;
            }
        } else {
            empty = false;
        }
    }
    Ok(empty)
}
