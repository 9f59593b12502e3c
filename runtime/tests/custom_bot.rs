//! Custom bots against the fake's hook route, which checks the documented signature.

use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::message::card::{Button, Card, Element};
use lark_runtime::message::{Content, CustomBot, CustomBotError, Node, Post, PostBody, Text, custom_bot_signature};
use serde_json::{Value, json};

const HOOKS: &str = "/open-apis/bot/v2/hook/:token";

fn received(fake: &FakeLark) -> Vec<Value> {
    fake.requests_to(HttpMethod::Post, HOOKS).iter().map(|r| r.json()).collect()
}

#[tokio::test]
async fn a_signed_text_is_accepted_and_a_wrong_secret_is_a_typed_error() {
    let fake = FakeLark::start().await;
    let url = fake.custom_bot(Some("s3cret"));

    let answer = CustomBot::new(&url).secret("s3cret").send("deploy done").await.expect("accepted");
    assert_eq!(answer["code"], 0);
    let body = &received(&fake)[0];
    assert_eq!(body["msg_type"], "text");
    assert_eq!(body["content"], json!({ "text": "deploy done" }), "content is an object for custom bots");
    let timestamp: u64 = body["timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(body["sign"], custom_bot_signature(timestamp, "s3cret"));

    let wrong = CustomBot::new(&url).secret("guess").send("x").await.unwrap_err();
    assert!(matches!(wrong, CustomBotError::BadSignature { code: 19021, .. }), "{wrong}");
    let unsigned = CustomBot::new(&url).send("x").await.unwrap_err();
    assert!(matches!(unsigned, CustomBotError::BadSignature { code: 19021, .. }), "{unsigned}");
    assert!(unsigned.to_string().contains("code 19021"), "{unsigned}");
}

#[tokio::test]
async fn a_signature_more_than_an_hour_old_is_refused() {
    let fake = FakeLark::start().await;
    let url = fake.custom_bot(Some("s3cret"));
    let bot = CustomBot::new(&url).secret("s3cret");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let post = |body: Value| {
        let url = url.clone();
        async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(post(bot.body(&Content::from("x"), now - 3000).unwrap()).await["code"], 0);
    assert_eq!(post(bot.body(&Content::from("x"), now - 4000).unwrap()).await["code"], 19021);
}

#[tokio::test]
async fn every_type_custom_bots_take_has_its_body() {
    let fake = FakeLark::start().await;
    let bot = CustomBot::new(fake.custom_bot(None));
    bot.send(Text::new("hi ").mention_all()).await.unwrap();
    bot.send(Post::zh_cn(PostBody::titled("T").paragraph(Node::text("p")))).await.unwrap();
    bot.send(Content::image("img_1")).await.unwrap();
    bot.send(Content::share_chat("oc_1")).await.unwrap();
    bot.send(Card::new().element(Button::new("Open").open_url("https://example.com"))).await.unwrap();
    let bodies = received(&fake);
    assert_eq!(bodies[0], json!({ "msg_type": "text", "content": { "text": "hi <at user_id=\"all\"></at>" } }));
    assert_eq!(
        bodies[1],
        json!({ "msg_type": "post", "content": { "post": { "zh_cn": { "title": "T", "content": [[{ "tag": "text", "text": "p", "style": [] }]] } } } })
    );
    assert_eq!(bodies[2], json!({ "msg_type": "image", "content": { "image_key": "img_1" } }));
    assert_eq!(bodies[3], json!({ "msg_type": "share_chat", "content": { "share_chat_id": "oc_1" } }));
    assert_eq!(bodies[4]["msg_type"], "interactive");
    assert_eq!(bodies[4]["card"]["schema"], "2.0");
    assert!(bodies.iter().all(|b| b.get("sign").is_none()), "unsigned without a secret");
}

#[tokio::test]
async fn what_a_custom_bot_cannot_send_is_refused_before_sending() {
    let fake = FakeLark::start().await;
    let bot = CustomBot::new(fake.custom_bot(None));
    let callback = Card::new().element(Element::markdown("x")).element(Button::new("Like").callback(json!({})));
    let CustomBotError::Content(e) = bot.send(callback).await.unwrap_err() else { panic!() };
    assert_eq!(e.path, "body.elements[1].behaviors[0]");
    let CustomBotError::Content(e) = bot.send(Content::file("f")).await.unwrap_err() else { panic!() };
    assert_eq!(e.path, "msg_type");
    let big = "x".repeat(21 * 1024);
    let error = bot.send(big.as_str()).await.unwrap_err();
    assert!(matches!(error, CustomBotError::TooLarge { limit: 20480, .. }), "{error}");
    assert!(received(&fake).is_empty(), "nothing reached the hook");
}

#[tokio::test]
async fn the_documented_error_codes_are_typed() {
    let fake = FakeLark::start().await;
    for (token, code) in [("kw", 19024), ("ip", 19022), ("rate", 11232), ("body", 9499)] {
        fake.route_public(HttpMethod::Post, &format!("/open-apis/bot/v2/hook/{token}"), move |_| {
            FakeResponse::json(json!({ "code": code, "msg": "refused", "data": {} }))
        });
    }
    let bot = |token: &str| CustomBot::new(format!("{}/open-apis/bot/v2/hook/{token}", fake.base_url()));
    assert!(matches!(bot("kw").send("x").await, Err(CustomBotError::Keyword { code: 19024, .. })));
    assert!(matches!(bot("ip").send("x").await, Err(CustomBotError::IpNotAllowed { code: 19022, .. })));
    assert!(matches!(bot("rate").send("x").await, Err(CustomBotError::RateLimited { code: 11232, .. })));
    assert!(matches!(bot("body").send("x").await, Err(CustomBotError::Refused { code: 9499, .. })));
    let missing = bot("nobody").send("x").await.unwrap_err();
    assert!(matches!(missing, CustomBotError::Refused { .. } | CustomBotError::Decode { .. }), "{missing}");
}

#[test]
fn debug_output_hides_the_hook_url_and_the_secret() {
    let bot = CustomBot::new("https://open.feishu.cn/open-apis/bot/v2/hook/tok-123").secret("s3cret");
    let shown = format!("{bot:?}");
    assert!(!shown.contains("tok-123") && !shown.contains("s3cret"), "{shown}");
}
