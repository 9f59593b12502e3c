//! The echo bot end to end against the offline Lark: users write, click and add the bot
//! on the fake's side, the fake pushes the events as the platform does (over HTTP,
//! encrypted and signed, or over the long connection), and the bot's replies land in
//! what the fake remembers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lark_examples::echo::{self, GREETING, STREAM_STEPS, STREAMED};
use lark_fake::{Lark, Outcome, Platform, Said};
use lark_runtime::HttpMethod;
use lark_runtime::fake::{FakeResponse, Fault};
use lark_runtime::webhook::{self, Webhook};
use lark_runtime::ws::{ShutdownHandle, WsClient};
use serde_json::{Value, json};

const KEY: &str = "echo-encrypt-key";
const TOKEN: &str = "echo-verification-token";

/// How the bot receives its events.
#[derive(Clone, Copy, Debug)]
enum Transport {
    Http,
    LongConnection,
}

struct Bot {
    lark: Lark,
    lines: Arc<Mutex<Vec<Value>>>,
    ws: Option<ShutdownHandle>,
}

impl Bot {
    /// The fake, and the echo bot exactly as the example serves it, connected.
    async fn start(transport: Transport) -> Bot {
        Bot::start_with(transport, Platform::new()).await
    }

    async fn start_with(transport: Transport, platform: Platform) -> Bot {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/webhook/event", listener.local_addr().expect("address"));
        let lark = platform.push_to(url).encrypt_key(KEY).verification_token(TOKEN).start().await;
        let client = lark_sdk::Client::builder(lark.app_id(), lark.app_secret())
            .base_url(lark.base_url())
            .build()
            .expect("client");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&lines);
        let dispatcher = echo::dispatcher(client.clone(), Arc::new(move |line| keep.lock().unwrap().push(line)));
        let ws = match transport {
            Transport::Http => {
                let hook = Webhook::builder().encrypt_key(KEY).verification_token(TOKEN).build(dispatcher);
                let app = axum::Router::new().route("/webhook/event", webhook::axum::events(hook));
                tokio::spawn(async move { axum::serve(listener, app).await });
                None
            }
            Transport::LongConnection => {
                drop(listener);
                let ws = WsClient::builder(client.runtime()).build(dispatcher);
                let stop = ws.shutdown_handle();
                tokio::spawn(ws.run());
                assert!(lark.wait_for_clients(1, Duration::from_secs(5)).await, "the bot connects");
                Some(stop)
            }
        };
        Bot { lark, lines, ws }
    }

    async fn stop(self) {
        if let Some(ws) = self.ws {
            ws.shutdown();
        }
        self.lark.shutdown().await;
    }
}

async fn hello_mentions_are_resolved_and_answered_in_the_chat(transport: Transport) {
    let bot = Bot::start(transport).await;
    let (tom, ann) = (bot.lark.user("Tom"), bot.lark.user("Ann"));
    let team = bot.lark.group("Team", &[&tom, &ann]);

    let said = bot.lark.user_sends(&tom, &team, Said::text("hi ").mention(&ann)).await.expect("pushed");
    assert!(said.delivered(), "{:?}", said.delivery());
    let replies = said.replies();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].plain_text(), "you said: hi @Ann");
    assert_eq!(replies[0].parent_id.as_deref(), said.message_id(), "a reply to Tom's message");
    assert!(said.message_id().is_some_and(|id| id.starts_with("om_")));

    let post = Said::post("Plan").words("ship it, ").mention_bot();
    let said = bot.lark.user_sends(&tom, &team, post).await.expect("pushed");
    let reply = said.reply().await.expect("a reply");
    assert_eq!(reply.plain_text(), "you said: Plan\nship it, @Fake bot");
    let lines = bot.lines.lock().unwrap().clone();
    assert_eq!(lines.len(), 2, "one line per handled event");
    assert_eq!(lines[1]["event_id"], said.event_id());
    bot.stop().await;
}

async fn a_card_click_is_answered_with_a_toast_and_the_changed_card(transport: Transport) {
    let bot = Bot::start(transport).await;
    let tom = bot.lark.user("Tom");
    let chat = bot.lark.p2p(&tom);
    let said = bot.lark.user_says(&tom, &chat, "card").await.expect("pushed");
    let card_message = said.reply().await.expect("the card");
    assert_eq!(card_message.msg_type, "interactive");
    let card = bot.lark.card_of(&card_message).expect("a card");
    assert_eq!(card["body"]["elements"][0]["content"], "Nobody has liked this yet.");

    let clicked = bot.lark.click(&tom, &card_message, "Like").await.expect("pushed");
    assert_eq!(
        clicked.toast(),
        Some(&json!({ "type": "success", "content": "Thanks for the like", "i18n": { "zh_cn": "感谢点赞" } }))
    );
    let shown = bot.lark.card_of(&card_message).expect("still a card");
    assert_eq!(shown["body"]["elements"][0]["content"], format!("Liked by <at id={}></at>.", tom.open_id));
    let missing = bot.lark.click(&tom, &card_message, "Dislike").await.expect_err("no such button");
    assert_eq!(missing.to_string(), format!("message {} shows no button `Dislike`", card_message.message_id));
    bot.stop().await;
}

async fn a_streamed_card_ends_with_the_last_step(transport: Transport) {
    let bot = Bot::start(transport).await;
    let tom = bot.lark.user("Tom");
    let chat = bot.lark.p2p(&tom);
    let said = bot.lark.user_says(&tom, &chat, "stream").await.expect("pushed");
    let reply = said.reply().await.expect("a reply");
    let card = bot.lark.card_of(&reply).expect("the card entity");
    assert_eq!(card["body"]["elements"][0]["element_id"], STREAMED);
    assert_eq!(card["body"]["elements"][0]["content"], STREAM_STEPS[2]);
    assert_eq!(card["config"]["streaming_mode"], false, "streaming ended");
    bot.stop().await;
}

async fn added_to_a_group_it_greets_it(transport: Transport) {
    let bot = Bot::start(transport).await;
    let tom = bot.lark.user("Tom");
    let team = bot.lark.group_without_bot("Team", &[&tom]);
    let added = bot.lark.add_bot(&team, &tom).await.expect("pushed");
    let replies = added.replies();
    assert_eq!(replies.iter().map(|m| m.plain_text()).collect::<Vec<_>>(), [GREETING]);
    assert!(bot.lark.chat(&team.chat_id).expect("the chat").has_bot);
    bot.stop().await;
}

/// The bot's reply fails once; its handler fails, so the push fails and the platform
/// pushes again; the second time it replies, once.
async fn a_failed_handling_is_pushed_again_and_answered_once(transport: Transport) {
    let bot = Bot::start_with(transport, Platform::new().retry_delays([Duration::from_millis(20)])).await;
    let reply_path = "/open-apis/im/v1/messages/:message_id/reply";
    let busy = FakeResponse::api_error(230020, "This operation triggers the frequency limit.");
    bot.lark.inject(Fault::Reply(busy).on(HttpMethod::Post, reply_path).times(1));
    let tom = bot.lark.user("Tom");
    let chat = bot.lark.p2p(&tom);
    let said = bot.lark.user_says(&tom, &chat, "hello").await.expect("pushed");
    let outcomes: Vec<&Outcome> = said.delivery().attempts.iter().map(|a| &a.outcome).collect();
    match transport {
        Transport::Http => assert_eq!(outcomes, [&Outcome::Answered(500), &Outcome::Answered(200)]),
        Transport::LongConnection => {
            assert!(
                matches!(outcomes[..], [Outcome::Acked { code: 500, .. }, Outcome::Acked { code: 200, .. }]),
                "{outcomes:?}"
            )
        }
    }
    assert!(said.delivery().attempts[1].after >= Duration::from_millis(20));
    assert_eq!(said.replies().len(), 1);
    bot.stop().await;
}

macro_rules! both_transports {
    ($($name:ident),* $(,)?) => {
        mod over_http {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Transport::Http).await;
            })*
        }
        mod over_the_long_connection {
            $(#[tokio::test]
            async fn $name() {
                super::$name(super::Transport::LongConnection).await;
            })*
        }
    };
}

both_transports!(
    hello_mentions_are_resolved_and_answered_in_the_chat,
    a_card_click_is_answered_with_a_toast_and_the_changed_card,
    a_streamed_card_ends_with_the_last_step,
    added_to_a_group_it_greets_it,
    a_failed_handling_is_pushed_again_and_answered_once,
);
