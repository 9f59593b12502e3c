//! A web app's calls: who a user token belongs to, and the JSAPI ticket.

use lark_runtime::fake::{Caller, FakeResponse};
use serde_json::json;

use super::{Store, TENANT_KEY, hex_id};

pub(super) fn answer(store: &mut Store, operation: &str, caller: &Caller) -> Option<FakeResponse> {
    match operation {
        // The user who signed in (`FakeLark::sign_in_as`); a token of nobody in particular
        // keeps the made-up answer.
        "authen.v1.user_info.get" => {
            let Caller::User(Some(subject)) = caller else { return None };
            let user = store.user_by("open_id", subject)?;
            Some(FakeResponse::data(json!({
                "name": user.name,
                "en_name": user.name,
                "avatar_url": "https://fake.invalid/avatar.png",
                "open_id": user.open_id,
                "union_id": user.union_id,
                "user_id": user.user_id,
                "email": user.email,
                "tenant_key": TENANT_KEY,
            })))
        }
        // One ticket per app for the fake's life, as the platform hands out the same one
        // until it expires.
        "jssdk.v1.ticket.get" => {
            let ticket = hex_id(&store.app_id, "jsapi_ticket", 0);
            Some(FakeResponse::data(json!({"ticket": ticket, "expire_in": 7200})))
        }
        _ => None,
    }
}
