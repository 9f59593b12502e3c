//! The pinned upstream artifacts: `spec/upstream.toml`, fetching them with the
//! registries' own clients, verifying their sha256 and caching them under
//! `target/upstream/`; and the pinned TypeScript compiler the Node extractor needs.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// `spec/upstream.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    pub pypi: Artifact,
    pub npm: Artifact,
    /// A second official description of the requests, read only to cross-check.
    pub mcp: Artifact,
}

/// One pinned package file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub name: String,
    pub version: String,
    /// The file name the registry client saves.
    pub file: String,
    pub sha256: String,
}

impl Artifact {
    /// Provenance as written in `source:` keys, e.g. `pypi:lark-oapi@1.7.5`.
    pub fn source(&self, registry: &str) -> String {
        format!("{registry}:{}@{}", self.name, self.version)
    }
}

/// Where downloads and installed tools are cached.
pub const CACHE: &str = "target/upstream";

/// Folder of the pinned Node tools (package.json and package-lock.json).
pub const TOOLS: &str = "xtask/import";

pub fn read(path: &Path) -> Result<Upstream, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The sha256 of a file as lowercase hex.
pub fn sha256(path: &Path) -> Result<String, String> {
    let mut file = fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Returns the cached artifact, downloading it first when it is missing or corrupt.
pub fn fetch(artifact: &Artifact, registry: &str, offline: bool) -> Result<PathBuf, String> {
    let dir = Path::new(CACHE);
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {CACHE}: {e}"))?;
    let path = dir.join(&artifact.file);
    if path.is_file() && sha256(&path)? == artifact.sha256 {
        eprintln!("  {} {} (cached, sha256 ok)", artifact.name, artifact.version);
        return Ok(path);
    }
    if offline {
        return Err(format!("{} is not in {CACHE}/ and --offline forbids downloading it", artifact.file));
    }
    eprintln!("  downloading {} {} with {}", artifact.name, artifact.version, client(registry));
    let spec = format!("{}@{}", artifact.name, artifact.version);
    let mut command = match registry {
        "pypi" => {
            let mut c = Command::new("python3");
            c.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check"])
                .arg(format!("{}=={}", artifact.name, artifact.version))
                .arg("--dest")
                .arg(dir);
            c
        }
        _ => {
            let mut c = Command::new("npm");
            c.args(["pack", "--silent", &spec, "--pack-destination"]).arg(dir);
            c
        }
    };
    run(&mut command, &format!("downloading {spec}"))?;
    if !path.is_file() {
        return Err(format!("{} did not produce {}", client(registry), path.display()));
    }
    let actual = sha256(&path)?;
    if actual != artifact.sha256 {
        return Err(format!(
            "{} has sha256 {actual}, but spec/upstream.toml pins {}; if the new version is intended, update the pin",
            path.display(),
            artifact.sha256
        ));
    }
    eprintln!("  {} {}: sha256 ok", artifact.name, artifact.version);
    Ok(path)
}

fn client(registry: &str) -> &'static str {
    if registry == "pypi" { "pip download" } else { "npm pack" }
}

/// The TypeScript module installed by `npm ci` from the committed lockfile into
/// `target/upstream/ts/`; reinstalled only when the lockfile changed.
pub fn typescript(offline: bool) -> Result<PathBuf, String> {
    let dir = Path::new(CACHE).join("ts");
    let module = dir.join("node_modules/typescript");
    let lock = fs::read(Path::new(TOOLS).join("package-lock.json"))
        .map_err(|e| format!("cannot read {TOOLS}/package-lock.json: {e}"))?;
    let stamp = dir.join("lock.sha256");
    let want = format!("{:x}", Sha256::digest(&lock));
    if module.is_dir() && fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
        return Ok(module);
    }
    if offline {
        return Err(format!("{} is not installed and --offline forbids `npm ci`", module.display()));
    }
    eprintln!("  installing the pinned TypeScript compiler with npm ci into {}", dir.display());
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for file in ["package.json", "package-lock.json"] {
        fs::copy(Path::new(TOOLS).join(file), dir.join(file)).map_err(|e| format!("cannot copy {file}: {e}"))?;
    }
    let mut command = Command::new("npm");
    command.args(["ci", "--no-audit", "--no-fund", "--silent"]).current_dir(&dir);
    run(&mut command, "npm ci")?;
    fs::write(&stamp, want).map_err(|e| format!("cannot write {}: {e}", stamp.display()))?;
    Ok(module)
}

/// Runs a command, turning a missing program or a failure into a message.
pub fn run(command: &mut Command, what: &str) -> Result<Vec<u8>, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run `{program}`: {e}; see README.md, \"Refreshing the catalogue\""))?;
    if !output.status.success() {
        return Err(format!(
            "{what}: `{program}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output.stdout)
}
