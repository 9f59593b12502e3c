//! The echo bot's behaviour, kept in the library so that its test drives exactly what
//! `cargo run --example echo_bot` serves.

use std::sync::Arc;

use lark_runtime::message::card::{Button, Card, CardAnswer, Element, Header, Toast};
use lark_runtime::message::{CardStream, Content, Mention, Received, Text, To};
use lark_sdk::EventDispatcher;
use lark_sdk::im::v1::MessageReceiveEvent;
use serde_json::{Value, json};

/// Where each handled event's JSON line goes (stdout in the example).
pub type Printer = Arc<dyn Fn(Value) + Send + Sync>;

/// The element the `stream` reply streams into.
pub const STREAMED: &str = "answer";
/// The three texts the `stream` reply streams, in order.
pub const STREAM_STEPS: [&str; 3] = ["Thinking", "Thinking about it", "Done thinking: 42"];
/// What the bot says in a group it was added to.
pub const GREETING: &str = "Hi, I am the echo bot: say something and I say it back.";

/// Replies to each received message, answers clicks on its card, greets a group it was
/// added to, and prints one line per handled event.
pub fn dispatcher(client: lark_sdk::Client, print: Printer) -> EventDispatcher {
    let on_click = Arc::clone(&print);
    let (on_added, greeter) = (Arc::clone(&print), client.clone());
    EventDispatcher::new()
        .on_im_chat_member_bot_added_v1(move |ctx, event| {
            let (client, print) = (greeter.clone(), Arc::clone(&on_added));
            async move {
                let chat_id = event.chat_id.unwrap_or_default();
                client.send(To::chat(&chat_id), Text::new(GREETING)).await?;
                print(crate::event_line(&ctx, json!({ "chat_id": chat_id, "reply": "greeting" })));
                Ok(())
            }
        })
        .on_im_message_receive_v1(move |ctx, event| {
            let (client, print) = (client.clone(), Arc::clone(&print));
            async move {
                let (message_id, text) = read(&event)?;
                let reply = match text.as_str() {
                    "card" => client.reply(&message_id, like_card(None), false).await.map(|_| "card"),
                    "stream" => stream(&client, &message_id).await.map(|()| "stream"),
                    _ => client.reply(&message_id, Text::new("you said: ").push(&text), false).await.map(|_| "text"),
                }?;
                print(crate::event_line(&ctx, json!({ "message_id": message_id, "text": text, "reply": reply })));
                Ok(())
            }
        })
        .on_card_action_trigger(move |ctx, event| {
            let print = Arc::clone(&on_click);
            async move {
                let action = event.action.and_then(|a| a.value).unwrap_or_default();
                let who = event.operator.and_then(|o| o.open_id).unwrap_or_default();
                print(crate::event_line(&ctx, json!({ "action": action, "operator": who })));
                if action["action"] != "like" {
                    return Ok(CardAnswer::nothing());
                }
                Ok(CardAnswer::toast(Toast::success("Thanks for the like").i18n("zh_cn", "感谢点赞"))
                    .card(like_card(Some(&who))))
            }
        })
}

/// The message's id and its plain text, mentions resolved.
fn read(event: &MessageReceiveEvent) -> Result<(String, String), lark_runtime::ContentError> {
    let message = event.message.as_ref();
    let message_id = message.and_then(|m| m.message_id.clone()).unwrap_or_default();
    let message_type = message.and_then(|m| m.message_type.as_deref()).unwrap_or("text");
    let content = message.and_then(|m| m.content.as_deref()).unwrap_or("{}");
    let mentions: Vec<Mention> = message
        .and_then(|m| m.mentions.as_ref())
        .into_iter()
        .flatten()
        .map(|m| Mention::new(m.key.clone().unwrap_or_default(), m.name.clone().unwrap_or_default()))
        .collect();
    Ok((message_id, Received::parse(message_type, content)?.plain_text(&mentions)))
}

/// A card with a like button; after a click it says who liked it.
pub fn like_card(liked_by: Option<&str>) -> Card {
    let status = match liked_by {
        None => "Nobody has liked this yet.".to_owned(),
        Some(open_id) => format!("Liked by <at id={open_id}></at>."),
    };
    Card::new()
        .header(Header::new("Echo bot").template("blue"))
        .element(Element::markdown(status).id("status"))
        .element(Button::new("Like").primary().callback(json!({ "action": "like" })).id("like"))
}

/// Creates a card entity, replies with it, streams three texts into it, ends streaming.
async fn stream(client: &lark_sdk::Client, message_id: &str) -> lark_runtime::Result<()> {
    let card = Card::new().element(Element::markdown("").id(STREAMED));
    let stream = CardStream::create(client.runtime(), card).await?;
    client.reply(message_id, Content::card_entity(stream.card_id()), false).await?;
    for step in STREAM_STEPS {
        stream.text(STREAMED, step).await?;
    }
    stream.finish().await
}
