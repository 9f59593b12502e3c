//! Helpers shared by the examples: configuration from the environment.

use std::env;

/// A client configured from `LARK_APP_ID`, `LARK_APP_SECRET` and, optionally,
/// `LARK_BASE_URL` (default: the Feishu base URL; use `https://open.larksuite.com` for Lark).
pub fn client_from_env() -> Result<lark_sdk::Client, String> {
    let app_id = required("LARK_APP_ID")?;
    let app_secret = required("LARK_APP_SECRET")?;
    let base_url = env::var("LARK_BASE_URL").unwrap_or_else(|_| lark_sdk::runtime::FEISHU_BASE_URL.to_owned());
    lark_sdk::Client::builder(app_id, app_secret).base_url(base_url).build().map_err(|e| e.to_string())
}

fn required(name: &str) -> Result<String, String> {
    match env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!("set {name} (see the app's credentials page in the developer console)")),
    }
}
