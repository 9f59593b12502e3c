//! Events wrapped as the platform pushes them: the v2 envelope (`schema`, `header`,
//! `event`) or, for the older events, the v1 one (`uuid`, `token`, `ts`, `type`, `event`).

use serde_json::{Value, json};

use crate::state::TENANT_KEY;

/// Who the push is for.
pub(crate) struct App<'a> {
    pub app_id: &'a str,
    pub verification_token: &'a str,
}

/// The envelope of one push; `id` is its `event_id` (v2) or `uuid` (v1), the same for
/// every redelivery.
pub(crate) fn wrap(app: &App<'_>, event_type: &str, id: &str, v1: bool, mut event: Value, now_ms: u64) -> Value {
    if v1 {
        if let Value::Object(map) = &mut event {
            map.entry("type").or_insert_with(|| json!(event_type));
            map.entry("app_id").or_insert_with(|| json!(app.app_id));
            map.entry("tenant_key").or_insert_with(|| json!(TENANT_KEY));
        }
        let ts = format!("{}.{:03}", now_ms / 1000, now_ms % 1000);
        return json!({"uuid": id, "token": app.verification_token, "ts": ts, "type": "event_callback", "event": event});
    }
    json!({
        "schema": "2.0",
        "header": {
            "event_id": id,
            "event_type": event_type,
            "create_time": now_ms.to_string(),
            "token": app.verification_token,
            "app_id": app.app_id,
            "tenant_key": TENANT_KEY,
        },
        "event": event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_carry_the_id_token_and_app() {
        let app = App { app_id: "cli_1", verification_token: "vt" };
        let v2 = wrap(&app, "im.message.receive_v1", "ev_1", false, json!({"message": {}}), 1_700_000_000_123);
        assert_eq!(v2["header"]["event_id"], "ev_1");
        assert_eq!(v2["header"]["token"], "vt");
        assert_eq!(v2["header"]["create_time"], "1700000000123");
        let v1 = wrap(&app, "app_ticket", "u_1", true, json!({"app_ticket": "t"}), 1_700_000_000_123);
        assert_eq!(v1["uuid"], "u_1");
        assert_eq!(v1["ts"], "1700000000.123");
        assert_eq!(v1["event"]["type"], "app_ticket");
        assert_eq!(v1["event"]["app_id"], "cli_1");
    }
}
