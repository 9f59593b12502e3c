//! JSON 2.0 cards: golden JSON of the structure and each modelled component, and one
//! failing card per documented rule, with the path the error names.

use lark_runtime::message::Content;
use lark_runtime::message::card::{
    Button, ButtonType, Card, Column, ColumnSet, Element, Header, MAX_BYTES, Select, validate_json,
};
use serde_json::{Value, json};

fn body(card: &Card) -> Value {
    card.to_json()["body"]["elements"].clone()
}

#[test]
fn structure_config_header_and_body() {
    let card = Card::new()
        .streaming(true)
        .summary("short")
        .width_mode("fill")
        .enable_forward(false)
        .card_link("https://example.com")
        .body_property("direction", "vertical")
        .header(Header::new("Title").subtitle("Sub").template("blue").tag("new", "green").property("padding", "12px"))
        .element(Element::markdown("**x**"));
    assert_eq!(
        card.to_json(),
        json!({
            "schema": "2.0",
            "config": { "streaming_mode": true, "summary": { "content": "short" }, "width_mode": "fill", "enable_forward": false, "update_multi": true },
            "card_link": { "url": "https://example.com" },
            "header": {
                "title": { "tag": "plain_text", "content": "Title" },
                "subtitle": { "tag": "plain_text", "content": "Sub" },
                "template": "blue",
                "text_tag_list": [{ "tag": "text_tag", "text": { "tag": "plain_text", "content": "new" }, "color": "green" }],
                "padding": "12px",
            },
            "body": { "direction": "vertical", "elements": [{ "tag": "markdown", "content": "**x**" }] },
        })
    );
    let content = Content::from(card);
    assert_eq!(content.msg_type(), "interactive");
    assert_eq!(content.to_json()["schema"], "2.0");
}

#[test]
fn every_modelled_component() {
    let card = Card::new().elements([
        Element::text("plain").id("t1"),
        Element::image("img_1", "a cat"),
        Element::divider(),
        Element::person("ou_1"),
        Element::chart(json!({ "type": "bar" })),
        Element::table(json!([{ "name": "a" }]), json!([{ "a": 1 }])),
        Element::form(
            "f",
            [
                Element::input("q", "type here"),
                Select::new("pick", "choose").option("One", "1").option("Two", "2").into(),
                Select::new("many", "several").multiple().option("A", "a").into(),
                Button::new("Send").kind(ButtonType::Primary).submit("send").into(),
            ],
        ),
        Element::collapsible_panel("More", [Element::markdown("hidden")]),
        Element::interactive_container(
            [Element::markdown("click me")],
            [lark_runtime::message::card::Behavior::OpenUrl("https://example.com".into())],
        ),
        ColumnSet::new()
            .id("cols")
            .column(Column::new().weight(2).element(Element::markdown("left")))
            .column(Column::new())
            .into(),
        Button::new("Go").danger().open_url("https://example.com").property("disabled", true).into(),
        Select::new("s", "p").callback(json!({ "k": 1 })).id("sel").into(),
        Element::new("checker").property("checked", true),
        Element::raw(json!({ "tag": "audio", "file_key": "f", "element_id": "snd" })),
    ]);
    assert_eq!(
        body(&card),
        json!([
            { "tag": "div", "element_id": "t1", "text": { "tag": "plain_text", "content": "plain" } },
            { "tag": "img", "img_key": "img_1", "alt": { "tag": "plain_text", "content": "a cat" } },
            { "tag": "hr" },
            { "tag": "person", "user_id": "ou_1" },
            { "tag": "chart", "chart_spec": { "type": "bar" } },
            { "tag": "table", "columns": [{ "name": "a" }], "rows": [{ "a": 1 }] },
            { "tag": "form", "name": "f", "elements": [
                { "tag": "input", "name": "q", "placeholder": { "tag": "plain_text", "content": "type here" } },
                { "tag": "select_static", "name": "pick", "placeholder": { "tag": "plain_text", "content": "choose" }, "options": [
                    { "text": { "tag": "plain_text", "content": "One" }, "value": "1" },
                    { "text": { "tag": "plain_text", "content": "Two" }, "value": "2" },
                ] },
                { "tag": "multi_select_static", "name": "many", "placeholder": { "tag": "plain_text", "content": "several" }, "options": [
                    { "text": { "tag": "plain_text", "content": "A" }, "value": "a" },
                ] },
                { "tag": "button", "name": "send", "form_action_type": "submit", "text": { "tag": "plain_text", "content": "Send" }, "type": "primary",
                  "behaviors": [{ "type": "form_action", "behavior": "submit" }] },
            ] },
            { "tag": "collapsible_panel", "header": { "title": { "tag": "plain_text", "content": "More" } }, "elements": [{ "tag": "markdown", "content": "hidden" }] },
            { "tag": "interactive_container", "behaviors": [{ "type": "open_url", "default_url": "https://example.com" }], "elements": [{ "tag": "markdown", "content": "click me" }] },
            { "tag": "column_set", "element_id": "cols", "columns": [
                { "tag": "column", "width": "weighted", "weight": 2, "elements": [{ "tag": "markdown", "content": "left" }] },
                { "tag": "column", "elements": [] },
            ] },
            { "tag": "button", "disabled": true, "text": { "tag": "plain_text", "content": "Go" }, "type": "danger",
              "behaviors": [{ "type": "open_url", "default_url": "https://example.com" }] },
            { "tag": "select_static", "element_id": "sel", "name": "s", "placeholder": { "tag": "plain_text", "content": "p" },
              "behaviors": [{ "type": "callback", "value": { "k": 1 } }], "options": [] },
            { "tag": "checker", "checked": true },
            { "tag": "audio", "file_key": "f", "element_id": "snd" },
        ])
    );
    card.validate().expect("a valid card");
}

fn error(card: &Card) -> (String, String) {
    let e = card.validate().expect_err("the card breaks a rule");
    (e.path, e.problem)
}

#[test]
fn element_ids_must_be_well_formed_and_unique() {
    for (bad, why) in
        [("1abc", "start with a letter"), ("a-b", "not `-`"), ("abcdefghijklmnopqrstu", "1 to 20"), ("", "1 to 20")]
    {
        let card =
            Card::new().element(Element::markdown("x")).element(Element::form("f", [Element::input("q", "p").id(bad)]));
        let (path, problem) = error(&card);
        assert_eq!(path, "body.elements[1].elements[0].element_id", "{bad}");
        assert!(problem.contains(why), "{bad}: {problem}");
    }
    let card = Card::new()
        .element(Element::markdown("a").id("same"))
        .element(ColumnSet::new().column(Column::new().element(Element::markdown("b").id("same"))));
    let (path, problem) = error(&card);
    assert_eq!(path, "body.elements[1].columns[0].elements[0].element_id");
    assert!(problem.contains("already used at body.elements[0].element_id"), "{problem}");
    assert!(Card::new().element(Element::markdown("a").id("abcdefghijklmnopqrst")).validate().is_ok(), "20 is allowed");
}

#[test]
fn at_most_200_elements_counted_at_every_depth() {
    let inner = |n: usize| (0..n).map(|i| Element::markdown(format!("{i}")));
    // 1 form + 199 inside = 200: allowed; one more anywhere is not.
    let ok = Card::new().element(Element::form("f", inner(199)));
    assert!(ok.validate().is_ok());
    let over = Card::new().element(Element::form("f", inner(199))).element(Element::divider());
    let (path, problem) = error(&over);
    assert_eq!((path.as_str(), problem.contains("201 components")), ("body", true), "{problem}");
}

#[test]
fn at_most_5_tables() {
    let table = || Element::table(json!([]), json!([]));
    assert!(Card::new().elements((0..5).map(|_| table())).validate().is_ok());
    let card = Card::new().elements((0..5).map(|_| table())).element(Element::collapsible_panel("p", [table()]));
    assert_eq!(error(&card).0, "body.elements[5].elements[0]", "the sixth table is named");
}

#[test]
fn at_most_3_header_tags() {
    let header = Header::new("t").tag("a", "red").tag("b", "red").tag("c", "red");
    assert!(Card::new().header(header.clone()).validate().is_ok());
    let (path, problem) = error(&Card::new().header(header.tag("d", "red")));
    assert_eq!(path, "header.text_tag_list");
    assert!(problem.contains("4 tags"), "{problem}");
    let i18n = json!({ "schema": "2.0", "header": { "i18n_text_tag_list": { "en_us": [{}, {}, {}, {}] } }, "body": { "elements": [] } });
    assert_eq!(validate_json(&i18n).unwrap_err().path, "header.i18n_text_tag_list.en_us");
}

#[test]
fn nesting_at_most_5_levels() {
    let nest = |levels: usize| {
        (1..levels).fold(Element::markdown("deep"), |inner, _| Element::collapsible_panel("p", [inner]))
    };
    assert!(Card::new().element(nest(5)).validate().is_ok());
    let (path, problem) = error(&Card::new().element(nest(6)));
    assert_eq!(path, "body.elements[0].elements[0].elements[0].elements[0].elements[0].elements[0]");
    assert!(problem.contains("6 levels"), "{problem}");
}

#[test]
fn at_most_30_kb() {
    // The card's JSON around the markdown is under 200 bytes; fill up to just under and over.
    let around = Card::new().element(Element::markdown("")).to_json().to_string().len();
    let fits = Card::new().element(Element::markdown("x".repeat(MAX_BYTES - around)));
    assert!(fits.validate().is_ok());
    let over = Card::new().element(Element::markdown("x".repeat(MAX_BYTES - around + 1)));
    let (_, problem) = error(&over);
    assert!(problem.contains("30721 bytes") && problem.contains("30720"), "{problem}");
}

#[test]
fn schema_and_update_multi_in_json_cards() {
    let v1 = json!({ "elements": [] });
    assert_eq!(validate_json(&v1).unwrap_err().path, "schema");
    let shared = json!({ "schema": "2.0", "config": { "update_multi": false }, "body": { "elements": [] } });
    assert_eq!(validate_json(&shared).unwrap_err().path, "config.update_multi");
    let untagged = json!({ "schema": "2.0", "body": { "elements": [{ "tag": "markdown" }, { "content": "x" }] } });
    assert_eq!(validate_json(&untagged).unwrap_err().path, "body.elements[1]");
}

#[test]
fn sending_an_invalid_card_is_refused_with_its_path() {
    let card = Card::new().element(Element::markdown("x").id("9"));
    let error = Content::from(card).validate().unwrap_err();
    assert_eq!(error.path, "body.elements[0].element_id");
    assert!(error.to_string().starts_with("invalid message content at body.elements[0].element_id"), "{error}");
}

#[test]
fn more_display_and_interactive_components() {
    use lark_runtime::message::card::Behavior;
    let card = Card::new().elements([
        Element::person_list(["ou_1", "ou_2"]),
        Element::image_combination("double", ["img_1", "img_2"]),
        Element::audio("file_1"),
        Element::date_picker("day", "pick a day"),
        Element::time_picker("at", "pick a time"),
        Element::datetime_picker("when", "pick a moment"),
        Element::person_picker("who", ["ou_1"], false),
        Element::person_picker("whom", ["ou_1", "ou_2"], true),
        Element::image_picker("look", [("img_1", "a")]),
        Element::overflow([("Mute", "mute")]),
        Element::checker("done", true, [Behavior::Callback(json!({ "k": "done" }))]),
    ]);
    let placeholder = |text: &str| json!({ "tag": "plain_text", "content": text });
    assert_eq!(
        body(&card),
        json!([
            { "tag": "person_list", "persons": [{ "id": "ou_1" }, { "id": "ou_2" }] },
            { "tag": "img_combination", "combination_mode": "double", "img_list": [{ "img_key": "img_1" }, { "img_key": "img_2" }] },
            { "tag": "audio", "file_key": "file_1" },
            { "tag": "date_picker", "name": "day", "placeholder": placeholder("pick a day") },
            { "tag": "picker_time", "name": "at", "placeholder": placeholder("pick a time") },
            { "tag": "picker_datetime", "name": "when", "placeholder": placeholder("pick a moment") },
            { "tag": "select_person", "name": "who", "options": [{ "value": "ou_1" }] },
            { "tag": "multi_select_person", "name": "whom", "options": [{ "value": "ou_1" }, { "value": "ou_2" }] },
            { "tag": "select_img", "name": "look", "options": [{ "img_key": "img_1", "value": "a" }] },
            { "tag": "overflow", "options": [{ "text": placeholder("Mute"), "value": "mute" }] },
            { "tag": "checker", "text": placeholder("done"), "checked": true, "behaviors": [{ "type": "callback", "value": { "k": "done" } }] },
        ])
    );
    card.validate().expect("valid");
}
