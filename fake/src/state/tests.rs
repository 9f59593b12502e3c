//! The stateful endpoints through the platform's fallback: what is written reads back,
//! unknown ids get the platform's codes, and every answer fits its response model.

use lark_runtime::HttpMethod::{self, Delete, Get, Patch, Post, Put};
use lark_runtime::fake::{Caller, FakeFallback, FakeRequest};
use serde_json::{Value, json};

use crate::Platform;
use crate::catalogue::Answer;
use crate::check;

struct Bench {
    platform: Platform,
    /// Each stateful endpoint answered with 200, by operation id.
    succeeded: std::collections::BTreeSet<String>,
}

impl Bench {
    fn new() -> Bench {
        Bench { platform: Platform::new().remembering("cli_state"), succeeded: Default::default() }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, super::Store> {
        self.platform.world.as_ref().expect("a stateful platform").lock()
    }

    /// Sends a request; a success must fit the endpoint's response model.
    fn call(&mut self, method: HttpMethod, path: &str, query: &str, body: Value) -> (i64, Value) {
        let query = (!query.is_empty()).then_some(query);
        let raw = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        self.send(FakeRequest::from_parts(method, path, query, headers, raw))
    }

    fn send(&mut self, request: FakeRequest) -> (i64, Value) {
        let reply = self.platform.answer(&request, &Caller::Tenant).expect("an answer");
        let catalogue = self.platform.catalogue();
        let (op, _) = catalogue.find(request.method, &request.path).expect("a catalogued endpoint");
        let Ok(body) = serde_json::from_slice::<Value>(reply.body()) else {
            assert_eq!(reply.http_status(), 200, "{} answered bytes with an error status", op.id);
            self.succeeded.insert(op.id.clone());
            return (0, Value::Null);
        };
        let code = body["code"].as_i64().unwrap_or(-1);
        if code == 0 {
            if let Answer::Data(schema) = &op.answer {
                check::value(catalogue, schema, &body["data"]).unwrap_or_else(|v| panic!("{}: {v:?} in {body}", op.id));
            }
            self.succeeded.insert(op.id.clone());
        } else {
            assert_eq!(reply.http_status(), 400, "{}: business errors are HTTP 400: {body}", op.id);
        }
        (code, body["data"].clone())
    }

    fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> (i64, Value) {
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(format!("--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes());
        }
        body.extend(
            format!("--B\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"x\"\r\n\r\n", file.0).bytes(),
        );
        body.extend(file.1);
        body.extend(b"\r\n--B--\r\n");
        let headers = vec![("content-type".to_owned(), "multipart/form-data; boundary=B".to_owned())];
        self.send(FakeRequest::from_parts(Post, path, None, headers, body))
    }

    fn download(&mut self, path: &str, query: Option<&str>) -> Vec<u8> {
        let request = FakeRequest::from_parts(Get, path, query, Vec::new(), Vec::new());
        let reply = self.platform.answer(&request, &Caller::Tenant).expect("an answer");
        assert_eq!(reply.http_status(), 200, "{}", String::from_utf8_lossy(reply.body()));
        let (op, _) = self.platform.catalogue().find(Get, path).expect("a catalogued endpoint");
        self.succeeded.insert(op.id.clone());
        reply.body().to_vec()
    }
}

const MESSAGES: &str = "/open-apis/im/v1/messages";
const CHATS: &str = "/open-apis/im/v1/chats";

#[test]
fn messages_chats_people_files_and_cards_are_remembered() {
    let mut bench = Bench::new();
    let (ann, bo) = {
        let mut store = bench.store();
        let team = store.add_department("Team", "0");
        (store.add_user("Ann", &team), store.add_user("Bo", "0"))
    };

    // Chats and members.
    let (code, chat) =
        bench.call(Post, CHATS, "user_id_type=open_id", json!({"name": "Launch", "user_id_list": [ann.open_id]}));
    assert_eq!(code, 0);
    let chat_id = chat["chat_id"].as_str().expect("an id").to_owned();
    let chat_path = format!("{CHATS}/{chat_id}");
    assert_eq!(bench.call(Get, &chat_path, "", Value::Null).1["name"], "Launch");
    assert_eq!(bench.call(Put, &chat_path, "", json!({"name": "Launch day"})).0, 0);
    assert_eq!(bench.call(Get, CHATS, "", Value::Null).1["items"][0]["name"], "Launch day");
    let members = format!("{chat_path}/members");
    assert_eq!(
        bench.call(Post, &members, "member_id_type=user_id", json!({"id_list": [bo.user_id, "nobody"]})).1["not_existed_id_list"],
        json!(["nobody"])
    );
    let listed = bench.call(Get, &members, "member_id_type=open_id&page_size=1", Value::Null).1;
    assert_eq!((listed["member_total"].as_i64(), listed["has_more"].as_bool()), (Some(2), Some(true)));
    assert_eq!(bench.call(Get, &format!("{members}/is_in_chat"), "", Value::Null).1["is_in_chat"], true);
    assert_eq!(bench.call(Delete, &members, "member_id_type=open_id", json!({"id_list": [bo.open_id]})).0, 0);
    assert_eq!(bench.call(Get, &members, "", Value::Null).1["member_total"], 1);
    assert_eq!(bench.call(Get, &format!("{CHATS}/oc_nope"), "", Value::Null).0, 232006);

    // Messages: send, reply, read, list, edit, react, recall.
    let text = |t: &str| json!({"text": t}).to_string();
    let send = json!({"receive_id": chat_id, "msg_type": "text", "content": text("hello"), "uuid": "u-1"});
    let (code, first) = bench.call(Post, MESSAGES, "receive_id_type=chat_id", send.clone());
    assert_eq!(code, 0);
    let first_id = first["message_id"].as_str().unwrap().to_owned();
    assert_eq!(
        bench.call(Post, MESSAGES, "receive_id_type=chat_id", send).1["message_id"],
        first_id.as_str(),
        "same uuid, same message"
    );
    let p2p = bench.call(
        Post,
        MESSAGES,
        "receive_id_type=email",
        json!({"receive_id": ann.email, "msg_type": "text", "content": text("psst")}),
    );
    assert_eq!(p2p.0, 0);
    assert_ne!(p2p.1["chat_id"], chat_id.as_str(), "a one-to-one chat");
    let bad = json!({"receive_id": chat_id, "msg_type": "text", "content": "not json"});
    assert_eq!(bench.call(Post, MESSAGES, "receive_id_type=chat_id", bad).0, 230001);
    let one = format!("{MESSAGES}/{first_id}");
    let (code, reply) = bench.call(
        Post,
        &format!("{one}/reply"),
        "",
        json!({"msg_type": "text", "content": text("again"), "reply_in_thread": true}),
    );
    assert_eq!(code, 0);
    assert_eq!(
        (reply["parent_id"].as_str(), reply["root_id"].as_str()),
        (Some(first_id.as_str()), Some(first_id.as_str()))
    );
    assert!(reply["thread_id"].as_str().is_some_and(|t| t.starts_with("omt_")));
    assert_eq!(bench.call(Put, &one, "", json!({"msg_type": "text", "content": text("hello!")})).1["updated"], true);
    let read = bench.call(Get, &one, "", Value::Null).1;
    assert_eq!(read["items"][0]["body"]["content"], text("hello!"));
    let listed = bench
        .call(
            Get,
            MESSAGES,
            &format!("container_id_type=chat&container_id={chat_id}&sort_type=ByCreateTimeDesc"),
            Value::Null,
        )
        .1;
    let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().filter_map(|m| m["message_id"].as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[1], first_id, "newest first");
    let thread = reply["thread_id"].as_str().unwrap();
    assert_eq!(
        bench.call(Get, MESSAGES, &format!("container_id_type=thread&container_id={thread}"), Value::Null).1["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let reactions = format!("{one}/reactions");
    let (code, reaction) = bench.call(Post, &reactions, "", json!({"reaction_type": {"emoji_type": "SMILE"}}));
    assert_eq!(code, 0);
    assert_eq!(bench.call(Get, &reactions, "", Value::Null).1["items"][0]["reaction_type"]["emoji_type"], "SMILE");
    let reaction_path = format!("{reactions}/{}", reaction["reaction_id"].as_str().unwrap());
    assert_eq!(bench.call(Delete, &reaction_path, "", Value::Null).0, 0);
    assert_eq!(bench.call(Delete, &reaction_path, "", Value::Null).0, 231011);
    assert_eq!(bench.call(Delete, &one, "", Value::Null).0, 0);
    assert_eq!(bench.call(Get, &one, "", Value::Null).0, 230110, "a recalled message");
    assert_eq!(
        bench.call(Post, &format!("{one}/reply"), "", json!({"msg_type": "text", "content": text("x")})).0,
        230011
    );
    assert_eq!(bench.call(Get, &format!("{MESSAGES}/om_nope"), "", Value::Null).0, 230001);
    assert_eq!(
        bench
            .call(Post, &format!("{MESSAGES}/om_nope/reactions"), "", json!({"reaction_type": {"emoji_type": "OK"}}))
            .0,
        231003
    );

    // A card message is updated with PATCH; a text one is not.
    let card = json!({"schema": "2.0", "body": {"elements": []}}).to_string();
    let (_, carded) = bench.call(
        Post,
        MESSAGES,
        "receive_id_type=chat_id",
        json!({"receive_id": chat_id, "msg_type": "interactive", "content": card}),
    );
    let card_path = format!("{MESSAGES}/{}", carded["message_id"].as_str().unwrap());
    assert_eq!(bench.call(Patch, &card_path, "", json!({"content": card})).0, 0);
    let texted = format!("{MESSAGES}/{}", reply["message_id"].as_str().unwrap());
    assert_eq!(bench.call(Patch, &texted, "", json!({"content": card})).0, 230001);

    // Files and images download as uploaded, by key and as a message's resource.
    let (code, file) = bench.upload(
        "/open-apis/im/v1/files",
        &[("file_type", "pdf"), ("file_name", "a.pdf")],
        ("file", b"%PDF\x00\x01"),
    );
    assert_eq!(code, 0);
    let file_key = file["file_key"].as_str().unwrap().to_owned();
    assert_eq!(bench.download(&format!("/open-apis/im/v1/files/{file_key}"), None), b"%PDF\x00\x01");
    let (_, image) = bench.upload("/open-apis/im/v1/images", &[("image_type", "message")], ("image", b"\x89PNG"));
    let image_key = image["image_key"].as_str().unwrap().to_owned();
    assert_eq!(bench.download(&format!("/open-apis/im/v1/images/{image_key}"), None), b"\x89PNG");
    let (_, with_file) = bench.call(
        Post,
        MESSAGES,
        "receive_id_type=chat_id",
        json!({"receive_id": chat_id, "msg_type": "file", "content": json!({"file_key": file_key}).to_string()}),
    );
    let resource = format!("{MESSAGES}/{}/resources/{file_key}", with_file["message_id"].as_str().unwrap());
    assert_eq!(bench.download(&resource, Some("type=file")), b"%PDF\x00\x01");
    assert_eq!(
        bench
            .call(
                Get,
                &format!("{MESSAGES}/{}/resources/{image_key}", with_file["message_id"].as_str().unwrap()),
                "type=image",
                Value::Null
            )
            .0,
        234003
    );
    assert_eq!(bench.call(Get, "/open-apis/im/v1/files/file_v3_nope", "", Value::Null).0, 234005);

    // CardKit: each change needs a larger sequence.
    let entity =
        json!({"schema": "2.0", "body": {"elements": [{"tag": "markdown", "content": "", "element_id": "answer"}]}});
    let (code, created) =
        bench.call(Post, "/open-apis/cardkit/v1/cards", "", json!({"type": "card_json", "data": entity.to_string()}));
    assert_eq!(code, 0);
    let card_id = created["card_id"].as_str().unwrap().to_owned();
    let cards = format!("/open-apis/cardkit/v1/cards/{card_id}");
    let content = format!("{cards}/elements/answer/content");
    assert_eq!(bench.call(Put, &content, "", json!({"content": "Thinking", "sequence": 1})).0, 0);
    assert_eq!(bench.call(Put, &content, "", json!({"content": "Again", "sequence": 1})).0, 300317);
    assert_eq!(
        bench
            .call(
                Patch,
                &format!("{cards}/settings"),
                "",
                json!({"settings": r#"{"config":{"streaming_mode":false}}"#, "sequence": 2})
            )
            .0,
        0
    );
    let added = json!({"type": "insert_after", "target_element_id": "answer", "sequence": 3, "elements": r#"[{"tag":"hr","element_id":"line"}]"#});
    assert_eq!(bench.call(Post, &format!("{cards}/elements"), "", added).0, 0);
    assert_eq!(
        bench
            .call(
                Patch,
                &format!("{cards}/elements/line"),
                "",
                json!({"partial_element": r#"{"margin":"4px"}"#, "sequence": 4})
            )
            .0,
        0
    );
    assert_eq!(
        bench
            .call(
                Put,
                &format!("{cards}/elements/line"),
                "",
                json!({"element": r#"{"tag":"hr","element_id":"line2"}"#, "sequence": 5})
            )
            .0,
        0
    );
    assert_eq!(bench.call(Delete, &format!("{cards}/elements/line2"), "", json!({"sequence": 6})).0, 0);
    assert_eq!(
        bench.call(Put, &format!("{cards}/elements/gone/content"), "", json!({"content": "x", "sequence": 7})).0,
        300313
    );
    assert_eq!(
        bench
            .call(Put, &cards, "", json!({"card": {"type": "card_json", "data": entity.to_string()}, "sequence": 8}))
            .0,
        0
    );
    assert_eq!(
        bench
            .call(
                Put,
                "/open-apis/cardkit/v1/cards/7000/elements/a/content",
                "",
                json!({"content": "x", "sequence": 1})
            )
            .0,
        200740
    );
    {
        let store = bench.store();
        let shown = &store.cards[0].card;
        assert_eq!(shown, &entity, "replaced whole at sequence 8");
        assert_eq!(store.cards[0].sequence, 8);
    }

    // Users and departments.
    let team = ann.department_id.clone();
    assert_eq!(
        bench.call(Get, &format!("/open-apis/contact/v3/users/{}", ann.user_id), "user_id_type=user_id", Value::Null).1
            ["user"]["name"],
        "Ann"
    );
    assert_eq!(
        bench
            .call(
                Get,
                "/open-apis/contact/v3/users/batch",
                &format!("user_ids={}&user_ids={}", ann.open_id, bo.open_id),
                Value::Null
            )
            .1["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let found = bench
        .call(
            Get,
            "/open-apis/contact/v3/users/find_by_department",
            &format!("department_id={team}&department_id_type=department_id"),
            Value::Null,
        )
        .1;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        bench.call(Get, "/open-apis/contact/v3/users", "", Value::Null).1["items"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        bench
            .call(
                Get,
                &format!("/open-apis/contact/v3/departments/{team}"),
                "department_id_type=department_id",
                Value::Null
            )
            .1["department"]["name"],
        "Team"
    );
    assert_eq!(
        bench.call(Get, "/open-apis/contact/v3/departments/0/children", "", Value::Null).1["items"][0]["name"],
        "Team"
    );
    assert_eq!(bench.call(Get, "/open-apis/contact/v3/users/ou_nope", "", Value::Null).0, 41050);
    assert_eq!(bench.call(Get, "/open-apis/contact/v3/departments/od-nope", "", Value::Null).0, 40015);

    // A dissolved chat.
    assert_eq!(bench.call(Delete, &chat_path, "", Value::Null).0, 0);
    assert_eq!(bench.call(Get, &chat_path, "", Value::Null).0, 232009);

    let expected = [
        "cardkit.v1.card.create",
        "cardkit.v1.card.settings",
        "cardkit.v1.card.update",
        "cardkit.v1.card_element.content",
        "cardkit.v1.card_element.create",
        "cardkit.v1.card_element.delete",
        "cardkit.v1.card_element.patch",
        "cardkit.v1.card_element.update",
        "contact.v3.department.children",
        "contact.v3.department.get",
        "contact.v3.user.batch",
        "contact.v3.user.find_by_department",
        "contact.v3.user.get",
        "contact.v3.user.list",
        "im.v1.chat.create",
        "im.v1.chat.delete",
        "im.v1.chat.get",
        "im.v1.chat.list",
        "im.v1.chat.update",
        "im.v1.chat_members.create",
        "im.v1.chat_members.delete",
        "im.v1.chat_members.get",
        "im.v1.chat_members.is_in_chat",
        "im.v1.file.create",
        "im.v1.file.get",
        "im.v1.image.create",
        "im.v1.image.get",
        "im.v1.message.create",
        "im.v1.message.delete",
        "im.v1.message.get",
        "im.v1.message.list",
        "im.v1.message.patch",
        "im.v1.message.reply",
        "im.v1.message.update",
        "im.v1.message_reaction.create",
        "im.v1.message_reaction.delete",
        "im.v1.message_reaction.list",
        "im.v1.message_resource.get",
    ];
    let succeeded: Vec<&str> = bench.succeeded.iter().map(String::as_str).collect();
    assert_eq!(succeeded, expected, "every stateful endpoint answered and fit its model");
}
