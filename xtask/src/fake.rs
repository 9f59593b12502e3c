//! `cargo xtask fake-check`: the standalone fake (`cargo run --example fake_server`) as a
//! client from outside the Rust world sees it.
//!
//! Schemathesis (PyPI, pinned in `xtask/fake/requirements.txt`) fuzzes every operation of
//! the OpenAPI document against it, a few examples each: every answer must conform to the
//! document and every malformed request must get a 4xx with an error envelope, never a
//! 5xx or a hang. Then a second server, started with `--scopes`, `--app-id` and
//! `--app-secret`, must refuse what the grant does not cover and serve its control API;
//! and a third, started with `--push-url`, `--encrypt-key` and `--verification-token`,
//! must push an event posted to `/__fake/events` to an app, signed, and retry it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::time::Instant;

use crate::tools;

const TOOLS: &str = "xtask/fake";
const CACHE: &str = "target/tools/fake";
const DOCUMENT: &str = "generated/openapi/openapi.json";
const SERVER: &str = "target/debug/examples/fake_server";

pub fn run() -> ExitCode {
    tools::exit(check())
}

/// A running `fake_server`, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub base_url: String,
    /// Its stdout, kept open: a server whose stdout is closed fails when it prints.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts the built example on a free port with these flags.
    pub fn start(args: &[&str]) -> Result<Server, String> {
        let mut child = Command::new(SERVER)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {SERVER}: {e}"))?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        stdout.read_line(&mut first).map_err(|e| format!("reading the server's first line: {e}"))?;
        // The documented first line: `LARK_APP_ID=… LARK_APP_SECRET=… LARK_BASE_URL=…`.
        let base_url = first
            .split_whitespace()
            .find_map(|pair| pair.strip_prefix("LARK_BASE_URL="))
            .ok_or_else(|| format!("the first line has no LARK_BASE_URL: {first}"))?
            .to_owned();
        if !first.starts_with("LARK_APP_ID=") {
            return Err(format!("unexpected first line: {first}"));
        }
        Ok(Server { child, base_url, _stdout: stdout })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn check() -> Result<(), String> {
    let started = Instant::now();
    let bin = tools::venv(&Path::new(CACHE).join("venv"), &Path::new(TOOLS).join("requirements.txt"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--quiet", "-p", "lark-examples", "--example", "fake_server"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err("building the fake_server example failed".to_owned());
    }
    eprintln!("tools and server ready in {:.1} s", started.elapsed().as_secs_f64());
    let script = Path::new(TOOLS).join("fuzz.py");

    let started = Instant::now();
    let server = Server::start(&[])?;
    let status = Command::new(bin.join("python"))
        .arg(&script)
        .args(["fuzz", &server.base_url, DOCUMENT])
        .status()
        .map_err(|e| format!("cannot run fuzz.py: {e}"))?;
    drop(server);
    if !status.success() {
        return Err("schemathesis found answers that do not conform (above)".to_owned());
    }
    eprintln!("fuzzing took {:.1} s", started.elapsed().as_secs_f64());

    let server =
        Server::start(&["--scopes", "im:message:send", "--app-id", "cli_check_app", "--app-secret", "check-secret"])?;
    let status = Command::new(bin.join("python"))
        .arg(&script)
        .args(["control", &server.base_url, "cli_check_app", "check-secret"])
        .status()
        .map_err(|e| format!("cannot run fuzz.py: {e}"))?;
    if !status.success() {
        return Err("the standalone fake's flags or control API misbehave (above)".to_owned());
    }
    drop(server);
    let status = Command::new(bin.join("python"))
        .arg(&script)
        .args(["events", SERVER])
        .status()
        .map_err(|e| format!("cannot run fuzz.py: {e}"))?;
    if !status.success() {
        return Err("the standalone fake's event pushes misbehave (above)".to_owned());
    }
    Ok(())
}
