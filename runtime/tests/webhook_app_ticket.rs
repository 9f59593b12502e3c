//! A store app gets its tokens from the `app_ticket` the webhook receives: the client is
//! the webhook's ticket sink, with no handler code in between.

use lark_runtime::event::Dispatcher;
use lark_runtime::fake::FakeLark;
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v1_envelope};
use lark_runtime::{AppType, Client, Error};

const KEY: &str = "encrypt-key-Zq8";
const TOKEN: &str = "verification-token-Wm3";

#[tokio::test]
async fn the_pushed_ticket_feeds_the_store_app_token_flow() {
    let fake = FakeLark::start().await;
    let client = Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)
        .base_url(fake.base_url())
        .app_type(AppType::Store)
        .build()
        .unwrap();
    assert!(matches!(client.app_access_token().await, Err(Error::AppTicketMissing)));

    let webhook = Webhook::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .app_ticket(client.clone())
        .build(Dispatcher::new());
    // The platform issues a ticket and pushes it as a v1 event.
    let ticket = fake.push_app_ticket();
    let event = serde_json::json!({ "type": "app_ticket", "app_id": FakeLark::APP_ID, "app_ticket": ticket });
    let push = Push::new(v1_envelope("uuid-ticket-1", TOKEN, &event.to_string())).encrypt_and_sign(KEY);
    assert_eq!(webhook.handle(push.request()).await.status(), 200);

    let token = client.app_access_token().await.expect("the pushed ticket is enough for a token");
    assert!(!token.is_empty());
    let tenant_token = client.tenant_access_token_for("tenant_1").await.expect("and for tenant tokens");
    assert_eq!(fake.tenant_of(&tenant_token).as_deref(), Some("tenant_1"));
}
