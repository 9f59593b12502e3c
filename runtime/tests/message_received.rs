//! Received `message.content` of every documented `message_type`, parsed and rendered as
//! plain text; unknown types stay raw; malformed content is an error naming the field.

use lark_runtime::message::{Mention, Received, ReceivedNode, ReceivedPost};
use serde_json::json;

fn parse(message_type: &str, content: serde_json::Value) -> Received {
    Received::parse(message_type, &content.to_string()).unwrap_or_else(|e| panic!("{message_type}: {e}"))
}

fn tom() -> Vec<Mention> {
    vec![Mention::new("@_user_1", "Tom"), Mention::new("@_user_10", "Ten")]
}

#[test]
fn text_with_mention_placeholders() {
    let received = parse("text", json!({ "text": "@_user_1 hi @_user_10" }));
    assert_eq!(received, Received::Text { text: "@_user_1 hi @_user_10".into() });
    assert_eq!(received.plain_text(&tom()), "@Tom hi @Ten");
    assert_eq!(received.plain_text(&[]), "@_user_1 hi @_user_10", "unresolved placeholders stay");
}

#[test]
fn post_without_a_locale_wrapper() {
    let received = parse(
        "post",
        json!({ "title": "Plan", "content": [
            [
                { "tag": "text", "text": "ask ", "style": ["bold"] },
                { "tag": "at", "user_id": "@_user_1", "user_name": "Tom", "style": [] },
                { "tag": "a", "text": " the docs", "href": "https://example.com", "style": [] },
            ],
            [{ "tag": "img", "image_key": "img_1", "width": 300, "height": 200 }],
            [{ "tag": "media", "file_key": "f", "image_key": "i" }, { "tag": "emotion", "emoji_type": "SMILE" }],
            [{ "tag": "code_block", "language": "GO", "text": "x := 1" }],
            [{ "tag": "hr" }, { "tag": "hologram" }],
        ] }),
    );
    let Received::Post(ReceivedPost { title, content }) = &received else { panic!("{received:?}") };
    assert_eq!(title, "Plan");
    assert_eq!(content[0][1], ReceivedNode::At { user_id: "@_user_1".into(), user_name: Some("Tom".into()) });
    assert_eq!(content[4][1], ReceivedNode::Other, "an unknown node is kept as Other");
    assert_eq!(received.plain_text(&tom()), "Plan\nask @Tom the docs\n[image]\n[video][SMILE]\nx := 1\n---");
}

#[test]
fn files_and_shares() {
    let cases = [
        ("image", json!({ "image_key": "img_1" }), Received::Image { image_key: "img_1".into() }, "[image]"),
        (
            "file",
            json!({ "file_key": "f", "file_name": "a.pdf" }),
            Received::File { file_key: "f".into(), file_name: "a.pdf".into() },
            "[file a.pdf]",
        ),
        (
            "audio",
            json!({ "file_key": "f", "duration": 2000 }),
            Received::Audio { file_key: "f".into(), duration: 2000 },
            "[audio]",
        ),
        (
            "media",
            json!({ "file_key": "f", "image_key": "i", "file_name": "v.mp4", "duration": "2000" }),
            Received::Media { file_key: "f".into(), image_key: "i".into(), file_name: "v.mp4".into(), duration: 2000 },
            "[video v.mp4]",
        ),
        ("sticker", json!({ "file_key": "f" }), Received::Sticker { file_key: "f".into() }, "[sticker]"),
        ("share_chat", json!({ "chat_id": "oc_1" }), Received::ShareChat { chat_id: "oc_1".into() }, "[shared chat]"),
        (
            "share_user",
            json!({ "user_id": "ou_1" }),
            Received::ShareUser { user_id: "ou_1".into() },
            "[shared contact]",
        ),
    ];
    for (message_type, content, want, text) in cases {
        let got = parse(message_type, content);
        assert_eq!(got, want, "{message_type}");
        assert_eq!(got.plain_text(&[]), text, "{message_type}");
    }
}

#[test]
fn receive_only_types() {
    let interactive =
        parse("interactive", json!({ "title": "Deploy", "elements": [[{ "tag": "text", "text": "ok" }]] }));
    assert_eq!(interactive.plain_text(&[]), "[card Deploy]");
    let system = parse(
        "system",
        json!({ "template": "{from_user} invited {to_chatters} to this chat.", "from_user": ["Ann"], "to_chatters": ["Bo", "Cy"] }),
    );
    assert_eq!(system.plain_text(&[]), "Ann invited Bo, Cy to this chat.");
    let location = parse("location", json!({ "name": "Office", "longitude": "116.4", "latitude": "39.9" }));
    assert_eq!(
        location,
        Received::Location { name: "Office".into(), longitude: "116.4".into(), latitude: "39.9".into() }
    );
    let todo = parse(
        "todo",
        json!({ "task_id": "t1", "summary": { "title": "", "content": [[{ "tag": "text", "text": "ship it" }]] }, "due_time": "1700000000000" }),
    );
    assert_eq!(todo.plain_text(&[]), "[task ship it]");
    let vote = parse("vote", json!({ "topic": "Lunch?", "options": ["yes", "no"] }));
    assert_eq!(vote, Received::Vote { topic: "Lunch?".into(), options: vec!["yes".into(), "no".into()] });
    assert_eq!(parse("merge_forward", json!({ "content": "Merged and Forwarded Message" })), Received::MergeForward);
    let call = parse("video_chat", json!({ "topic": "Sync", "start_time": 1700000000000_i64 }));
    assert_eq!(call, Received::VideoChat { topic: "Sync".into(), start_time: "1700000000000".into() });
    for kind in ["share_calendar_event", "calendar", "general_calendar"] {
        let event = parse(kind, json!({ "summary": "Review", "start_time": "1", "end_time": "2" }));
        assert_eq!(event.plain_text(&[]), "[calendar event Review]", "{kind}");
    }
    assert_eq!(parse("hongbao", json!({ "text": "gift" })).plain_text(&[]), "[red packet gift]");
}

#[test]
fn unknown_types_stay_raw_and_bad_content_names_the_field() {
    let unknown = parse("hologram", json!({ "x": [1] }));
    assert_eq!(unknown, Received::Unknown { message_type: "hologram".into(), content: json!({ "x": [1] }) });
    assert_eq!(unknown.plain_text(&[]), "[hologram]");

    let not_json = Received::parse("text", "{").unwrap_err();
    assert_eq!(not_json.path, "content");
    let wrong = Received::parse("file", r#"{"file_key": 7, "file_name": ["x"]}"#).unwrap_err();
    assert_eq!(wrong.path, "content.file_name");
    let wrong = Received::parse("vote", r#"{"options": ["a", 2]}"#).unwrap_err();
    assert_eq!(wrong.path, "content.options[1]");
    let wrong = Received::parse("post", r#"{"content": [[{"tag": "text", "text": 5}]]}"#).unwrap_err();
    assert!(wrong.path.starts_with("content.content[0][0]"), "{}", wrong.path);
}
