//! `cargo xtask web-check`: "Sign in with Lark" in a real browser.
//!
//! Debian's Chromium (installed by `.ci/run`), driven by playwright-core (npm, pinned in
//! `xtask/web/package-lock.json`), signs in through the `web_login` example against the
//! standalone fake and sees the user's name; a replayed or tampered callback and a refused
//! sign-in get an error page and no session; and the page's JSAPI configuration matches
//! SHA-1 of the documented string, recomputed in the browser.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::tools;

const TOOLS: &str = "xtask/web";
const CACHE: &str = "target/tools/web";
const CHROMIUM: &str = "/usr/bin/chromium";

pub fn run() -> ExitCode {
    tools::exit(check())
}

/// A child process, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn check() -> Result<(), String> {
    if !Path::new(CHROMIUM).exists() {
        return Err(format!("no {CHROMIUM}: install Debian's chromium (`apt-get install chromium`), as .ci/run does"));
    }
    let started = Instant::now();
    let node = tools::npm(Path::new(TOOLS), Path::new(CACHE), "playwright-core")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--quiet", "-p", "lark-examples", "--example", "fake_server", "--example", "web_login"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !built.success() {
        return Err("building the fake_server and web_login examples failed".to_owned());
    }
    eprintln!("tools and servers ready in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let fake = crate::fake::Server::start(&[])?;
    let base = fake.base_url.clone();
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let listen = format!("127.0.0.1:{port}");
    let app = Command::new("target/debug/examples/web_login")
        .envs([
            ("LARK_APP_ID", "cli_fake_app"),
            ("LARK_APP_SECRET", "fake-secret"),
            ("LARK_BASE_URL", base.as_str()),
            ("LARK_AUTH_URL", base.as_str()),
            ("LARK_LISTEN", listen.as_str()),
        ])
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start web_login: {e}"))?;
    let _app = Running(app);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&listen).is_err() {
        if Instant::now() > deadline {
            return Err(format!("web_login did not listen on {listen}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let screenshot = std::fs::canonicalize(CACHE).map_err(|e| e.to_string())?.join("signed-in.png");
    // An ES module finds its packages next to itself: it runs from beside node_modules.
    let script = node.join("signin.mjs");
    std::fs::copy(Path::new(TOOLS).join("signin.mjs"), &script).map_err(|e| format!("cannot copy signin.mjs: {e}"))?;
    let status = Command::new("node")
        .arg("signin.mjs")
        .args([base.as_str(), &format!("http://{listen}"), CHROMIUM])
        .arg(&screenshot)
        .current_dir(&node)
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !status.success() {
        return Err("the browser sign-in misbehaves (above)".to_owned());
    }
    eprintln!("the browser check took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
