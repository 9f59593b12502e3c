//! Pinned tools from the package registries, installed under `target/tools/` once and
//! again only when their pins change.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};

use crate::import::upstream::run as run_tool;

/// A virtual environment at `dir` with the packages pinned in `requirements`; its `bin`.
pub fn venv(dir: &Path, requirements: &Path) -> Result<PathBuf, String> {
    let bin = dir.join("bin");
    installed(dir, requirements, &bin.join("python"), || {
        run_tool(Command::new("python3").args(["-m", "venv"]).arg(dir), "python3 -m venv")?;
        let mut pip = Command::new(bin.join("pip"));
        pip.args(["install", "--quiet", "--disable-pip-version-check", "-r"]).arg(requirements);
        run_tool(&mut pip, "pip install").map(drop)
    })?;
    Ok(bin)
}

/// Runs `install` into `dir` unless `marker` exists and `dir` was installed from the same
/// `pins` (a SHA-256 stamp), so that a changed pin reinstalls and nothing else does.
pub fn installed(
    dir: &Path,
    pins: &Path,
    marker: &Path,
    install: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let text = fs::read(pins).map_err(|e| format!("cannot read {}: {e}", pins.display()))?;
    let want = format!("{:x}", Sha256::digest(&text));
    let stamp = dir.join("pins.sha256");
    if marker.exists() && fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
        return Ok(());
    }
    eprintln!("installing the pinned tools of {} into {}", pins.display(), dir.display());
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    install()?;
    fs::write(&stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

/// `npm ci` of the `package.json` and `package-lock.json` in `pins` into `dir`, unless
/// already done from the same lock; `marker` is a package that must be installed.
pub fn npm(pins: &Path, dir: &Path, marker: &str) -> Result<PathBuf, String> {
    let lock = pins.join("package-lock.json");
    installed(dir, &lock, &dir.join("node_modules").join(marker), || {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for file in ["package.json", "package-lock.json"] {
            fs::copy(pins.join(file), dir.join(file)).map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
        let mut npm = Command::new("npm");
        npm.args(["ci", "--no-audit", "--no-fund", "--silent"]).current_dir(dir);
        run_tool(&mut npm, "npm ci").map(drop)
    })?;
    Ok(dir.to_path_buf())
}

/// The exit code of a check: success, or its error printed.
pub fn exit(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
