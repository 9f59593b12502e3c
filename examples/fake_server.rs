//! A local stand-in for the whole Lark API, for trying the other examples offline and for
//! testing an app written in any language.
//!
//! ```text
//! cargo run --example fake_server -- [--port N] [--scopes a,b,c] [--app-id ID] [--app-secret SECRET] \
//!     [--push-url URL] [--encrypt-key KEY] [--verification-token TOKEN]
//! # then, in another shell, with the printed settings:
//! LARK_APP_ID=cli_fake_app LARK_APP_SECRET=fake-secret LARK_BASE_URL=http://127.0.0.1:PORT \
//!     cargo run --example send_message -- chat_id oc_demo "hello"
//! ```
//!
//! Every catalogued endpoint answers as `lark-fake` does: requests are checked like the
//! platform checks them (fields, token kinds, and the scopes granted with `--scopes`;
//! default all, `--scopes ''` none) and answers are made up from the response model.
//! `--port 0` (the default) takes any free port. It remembers what a bot relies on
//! (messages, chats, users, files, cards) and pushes events: to `--push-url` (encrypted and
//! signed with `--encrypt-key`, carrying `--verification-token`), or to a connected
//! long-connection client. Besides, it answers a custom bot hook for `custom_bot` (signed
//! with the printed secret). The control API (`GET /__fake/requests`, `POST` and `DELETE
//! /__fake/faults`, `POST /__fake/events`, `GET /__fake/messages`, …) is described in the
//! README. It runs until interrupted.
//!
//! The first line of stdout is the settings, `LARK_APP_ID=… LARK_APP_SECRET=…
//! LARK_BASE_URL=http://127.0.0.1:PORT`; the second the custom bot's.

use std::io::Write as _;

use lark_fake::Platform;
use lark_runtime::fake::FakeLark;

/// The custom bot hook's signing secret.
const BOT_SECRET: &str = "fake-bot-secret";

const USAGE: &str = "usage: fake_server [--port N] [--scopes a,b,c] [--app-id ID] [--app-secret SECRET] \
                     [--push-url URL] [--encrypt-key KEY] [--verification-token TOKEN]";

/// The command line.
struct Settings {
    port: u16,
    scopes: Option<Vec<String>>,
    app_id: String,
    app_secret: String,
    push_url: Option<String>,
    encrypt_key: String,
    verification_token: String,
}

fn settings(args: impl IntoIterator<Item = String>) -> Result<Settings, String> {
    let mut settings = Settings {
        port: 0,
        scopes: None,
        app_id: FakeLark::APP_ID.to_owned(),
        app_secret: FakeLark::APP_SECRET.to_owned(),
        push_url: None,
        encrypt_key: String::new(),
        verification_token: String::new(),
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--port" => settings.port = value()?.parse().map_err(|e| format!("--port: {e}\n{USAGE}"))?,
            "--scopes" => {
                let list = value()?;
                settings.scopes =
                    Some(list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect());
            }
            "--app-id" => settings.app_id = value()?,
            "--app-secret" => settings.app_secret = value()?,
            "--push-url" => settings.push_url = Some(value()?),
            "--encrypt-key" => settings.encrypt_key = value()?,
            "--verification-token" => settings.verification_token = value()?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(settings)
}

#[tokio::main]
async fn main() {
    let settings = match settings(std::env::args().skip(1)) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut platform = match &settings.scopes {
        Some(scopes) => Platform::new().grant(scopes.iter().cloned()),
        None => Platform::new(),
    };
    platform = platform
        .port(settings.port)
        .app(&settings.app_id, &settings.app_secret)
        .encrypt_key(&settings.encrypt_key)
        .verification_token(&settings.verification_token);
    if let Some(url) = &settings.push_url {
        platform = platform.push_to(url);
    }
    let fake = match platform.try_start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", settings.port);
            std::process::exit(1);
        }
    };
    let hook = fake.custom_bot(Some(BOT_SECRET));
    // A reader that stops reading must not stop the server, so write errors are ignored.
    let mut out = std::io::stdout();
    let base_url = fake.base_url();
    let _ = writeln!(
        out,
        "LARK_APP_ID={} LARK_APP_SECRET={} LARK_BASE_URL={base_url}",
        settings.app_id, settings.app_secret
    );
    let _ = writeln!(out, "LARK_BOT_WEBHOOK={hook} LARK_BOT_SECRET={BOT_SECRET}");
    let _ = out.flush();
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    fake.shutdown().await;
}
