//! Golden JSON of every sendable content type, built with the shapes in the platform's
//! "message content" page, and the escaping rule for text from users.

use lark_runtime::message::{Content, Interactive, Node, Post, PostBody, Style, SystemDivider, Text};
use serde_json::{Value, json};

/// `(msg_type, the content object)`, and the content string decodes to the same object.
fn sent(content: impl Into<Content>) -> (&'static str, Value) {
    let content = content.into();
    let string = content.to_content_string();
    let decoded: Value = serde_json::from_str(&string).expect("content is a JSON string");
    assert_eq!(decoded, content.to_json());
    (content.msg_type(), decoded)
}

#[test]
fn text_with_mentions_styles_and_links() {
    let text = Text::new("hi ")
        .mention("ou_1", "Tom")
        .push(" and ")
        .mention_all()
        .push("\nsee ")
        .link("docs", "https://example.com/a")
        .bold("now")
        .styled("!", &[Style::Bold, Style::Italic])
        .underline("u")
        .strikethrough("s")
        .italic("i");
    assert_eq!(
        sent(text),
        (
            "text",
            json!({ "text": "hi <at user_id=\"ou_1\">Tom</at> and <at user_id=\"all\"></at>\nsee [docs](https://example.com/a)<b>now</b><b><i>!</i></b><u>u</u><s>s</s><i>i</i>" })
        )
    );
    assert_eq!(sent("plain"), ("text", json!({ "text": "plain" })));
}

#[test]
fn text_from_users_never_becomes_markup() {
    // Each of these would mention everyone, style or link if sent as text markup.
    for hostile in [r#"<at user_id="all"></at>"#, "<b>loud</b>", "[click](https://evil.example)", "a < b"] {
        let (msg_type, content) = sent(Text::new("you said: ").push(hostile));
        assert_eq!(msg_type, "post", "{hostile}");
        assert_eq!(
            content,
            json!({ "zh_cn": { "content": [[
                { "tag": "text", "text": "you said: ", "style": [] },
                { "tag": "text", "text": hostile, "style": [] },
            ]] } }),
            "{hostile}: sent as literal text nodes, un_escape left false"
        );
    }
    // Mentions, links and styles keep their meaning in the post form; lines become paragraphs.
    let (_, content) =
        sent(Text::new("<x>\nline 2 ").mention("ou_1", "Tom").link("docs", "https://example.com").bold("b"));
    assert_eq!(
        content,
        json!({ "zh_cn": { "content": [
            [{ "tag": "text", "text": "<x>", "style": [] }],
            [
                { "tag": "text", "text": "line 2 ", "style": [] },
                { "tag": "at", "user_id": "ou_1", "style": [] },
                { "tag": "a", "text": "docs", "href": "https://example.com", "style": [] },
                { "tag": "text", "text": "b", "style": ["bold"] },
            ],
        ] } })
    );
    // Trusted markup is sent as given.
    assert_eq!(sent(Content::raw_text("<b>x</b>")), ("text", json!({ "text": "<b>x</b>" })));
}

#[test]
fn post_with_every_node_and_several_locales() {
    let body = PostBody::titled("Title")
        .paragraph([
            Node::text("t").bold().italic().underline().line_through(),
            Node::text("&nbsp;").un_escape(),
            Node::link("a", "https://example.com").bold(),
            Node::at("ou_1").italic(),
            Node::at_all(),
            Node::emotion("SMILE"),
        ])
        .paragraph(Node::image("img_1"))
        .paragraph(Node::media("file_1", Some("img_2".to_owned())))
        .paragraph(Node::media("file_2", None))
        .paragraph(Node::code_block(Some("rust"), "fn main() {}"))
        .paragraph(Node::code_block(None, "x"))
        .paragraph(Node::Hr)
        .paragraph(Node::markdown("**md**"));
    let post = Post::zh_cn(body)
        .locale("en_us", PostBody::new().paragraph(Node::text("en")))
        .locale("ja_jp", PostBody::titled("ja"));
    assert_eq!(
        sent(post),
        (
            "post",
            json!({
                "zh_cn": { "title": "Title", "content": [
                    [
                        { "tag": "text", "text": "t", "style": ["bold", "italic", "underline", "lineThrough"] },
                        { "tag": "text", "text": "&nbsp;", "un_escape": true, "style": [] },
                        { "tag": "a", "text": "a", "href": "https://example.com", "style": ["bold"] },
                        { "tag": "at", "user_id": "ou_1", "style": ["italic"] },
                        { "tag": "at", "user_id": "all", "style": [] },
                        { "tag": "emotion", "emoji_type": "SMILE" },
                    ],
                    [{ "tag": "img", "image_key": "img_1" }],
                    [{ "tag": "media", "file_key": "file_1", "image_key": "img_2" }],
                    [{ "tag": "media", "file_key": "file_2" }],
                    [{ "tag": "code_block", "language": "rust", "text": "fn main() {}" }],
                    [{ "tag": "code_block", "text": "x" }],
                    [{ "tag": "hr" }],
                    [{ "tag": "md", "text": "**md**" }],
                ] },
                "en_us": { "content": [[{ "tag": "text", "text": "en", "style": [] }]] },
                "ja_jp": { "title": "ja", "content": [] },
            })
        )
    );
}

#[test]
fn files_stickers_and_shares() {
    assert_eq!(sent(Content::image("img_1")), ("image", json!({ "image_key": "img_1" })));
    assert_eq!(sent(Content::file("file_1")), ("file", json!({ "file_key": "file_1" })));
    assert_eq!(sent(Content::audio("file_2")), ("audio", json!({ "file_key": "file_2" })));
    assert_eq!(
        sent(Content::media("file_3", Some("img_3"))),
        ("media", json!({ "file_key": "file_3", "image_key": "img_3" }))
    );
    assert_eq!(sent(Content::media("file_4", None)), ("media", json!({ "file_key": "file_4" })));
    assert_eq!(sent(Content::sticker("file_5")), ("sticker", json!({ "file_key": "file_5" })));
    assert_eq!(sent(Content::share_chat("oc_1")), ("share_chat", json!({ "chat_id": "oc_1" })));
    assert_eq!(sent(Content::share_user("ou_1")), ("share_user", json!({ "user_id": "ou_1" })));
}

#[test]
fn system_divider() {
    assert_eq!(
        sent(SystemDivider::new("new session").i18n("en_us", "new session").i18n("zh_cn", "新会话").need_rollup(true)),
        (
            "system",
            json!({
                "type": "divider",
                "params": { "divider_text": { "text": "new session", "i18n_text": { "en_us": "new session", "zh_cn": "新会话" } } },
                "options": { "need_rollup": true },
            })
        )
    );
    assert_eq!(
        sent(SystemDivider::new("x")),
        ("system", json!({ "type": "divider", "params": { "divider_text": { "text": "x" } } }))
    );
}

#[test]
fn cards_templates_entities_and_raw_json() {
    assert_eq!(
        sent(Content::template_card("AAq1", Some("1.0.2"), Some(json!({ "name": "Ann" })))),
        (
            "interactive",
            json!({ "type": "template", "data": { "template_id": "AAq1", "template_version_name": "1.0.2", "template_variable": { "name": "Ann" } } })
        )
    );
    assert_eq!(
        sent(Content::template_card("AAq1", None, None)),
        ("interactive", json!({ "type": "template", "data": { "template_id": "AAq1" } }))
    );
    assert_eq!(
        sent(Content::card_entity("7355")),
        ("interactive", json!({ "type": "card", "data": { "card_id": "7355" } }))
    );
    let v1 = json!({ "config": { "wide_screen_mode": true }, "elements": [{ "tag": "div", "text": { "tag": "lark_md", "content": "x" } }] });
    assert_eq!(sent(Interactive::Raw(v1.clone())), ("interactive", v1));
}

#[test]
fn oversized_content_is_refused_before_sending() {
    let long = "x".repeat(lark_runtime::message::TEXT_LIMIT);
    let error = Content::from(long.as_str()).validate().expect_err("150 KB of text plus the JSON around it");
    assert_eq!(error.path, "content");
    assert!(error.problem.contains("at most 153600 bytes"), "{error}");
    assert!(Content::from("x".repeat(1000)).validate().is_ok());
    let post =
        Post::zh_cn(PostBody::new().paragraph(Node::text("y".repeat(lark_runtime::message::CARD_AND_POST_LIMIT))));
    assert!(Content::from(post).validate().is_err());
}
