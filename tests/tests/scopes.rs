//! Scope facts per endpoint and event, and the smallest set of scopes an app must request.

use lark_generator::ir::{Access, Identity, Scopes};
use lark_generator::scopes::{self, Entry};

fn fixture() -> (lark_generator::ir::Catalogue, Vec<Entry>) {
    let catalogue = lark_generator::catalogue(&lark_tests::workspace_root().join("tests/fixtures/spec"))
        .unwrap_or_else(|e| panic!("fixtures load:\n{e}"));
    let entries = scopes::entries(&catalogue);
    (catalogue, entries)
}

#[test]
fn dump_lines_keep_unknown_apart_from_none() {
    let (_, entries) = fixture();
    let line = |id: &str| entries.iter().find(|e| e.id == id).expect("entry").to_json_line();
    assert_eq!(
        line("models.v1.thing.get"),
        r#"{"kind":"endpoint","id":"models.v1.thing.get","method":"GET","path":"/open-apis/models/v1/things/:thing_id","event_type":null,"tokens":["tenant_access_token","user_access_token"],"scopes_any":["demo:thing:readonly","demo:thing"],"scopes_all":[]}"#
    );
    assert_eq!(
        line("files.v1.file.upload"),
        r#"{"kind":"endpoint","id":"files.v1.file.upload","method":"POST","path":"/open-apis/files/v1/files","event_type":null,"tokens":["tenant_access_token"],"scopes_any":null,"scopes_all":null}"#
    );
    assert!(line("enums.v1.setting.update").ends_with(r#""scopes_any":[],"scopes_all":[]}"#), "`scopes: none`");
    assert_eq!(
        line("events.thing.created_v1"),
        r#"{"kind":"event","id":"events.thing.created_v1","method":null,"path":null,"event_type":"events.thing.created_v1","tokens":["tenant_access_token"],"scopes_any":["demo:thing:readonly"],"scopes_all":[]}"#
    );
}

#[test]
fn minimal_set_per_identity() {
    let (catalogue, entries) = fixture();
    let all: Vec<&Entry> = entries.iter().collect();
    let plan = scopes::minimal(&all, &catalogue);
    // `demo:thing` is required outright by thing.create and also satisfies thing.get and
    // member.add; the list endpoint and the event still need the read scope.
    assert_eq!(plan.tenant_names(), ["demo:thing", "demo:thing:readonly"]);
    // `demo:thing` cannot be granted to users, so member.add has no user-identity scope.
    assert_eq!(plan.user_names(), ["demo:thing:readonly"]);
    assert_eq!(plan.unsatisfiable, ["params.v1.member.add (user)"]);
    assert!(plan.unknown.contains(&"files.v1.file.upload".to_owned()));
    assert_eq!(
        plan.console_json(),
        r#"{"scopes":{"tenant":["demo:thing","demo:thing:readonly"],"user":["demo:thing:readonly"]}}"#
    );

    let one: Vec<&Entry> = entries.iter().filter(|e| e.id == "models.v1.thing.get").collect();
    let plan = scopes::minimal(&one, &catalogue);
    // Either scope is enough; the read-only one grants less than the sensitive catch-all.
    assert_eq!(plan.tenant_names(), ["demo:thing:readonly"]);
    assert_eq!(plan.tenant[0].calls, ["models.v1.thing.get"]);
}

#[test]
fn json_is_written_by_a_serialiser_so_any_text_stays_valid() {
    let (catalogue, entries) = fixture();
    let mut odd = entries.iter().find(|e| e.id == "models.v1.thing.get").unwrap().clone();
    odd.id = "a \"quoted\" \\ name with a \u{1} control character".to_owned();
    let parsed: serde_json::Value = serde_json::from_str(&odd.to_json_line()).expect("valid JSON");
    assert_eq!(parsed["id"], odd.id.as_str());
    let plan = scopes::minimal(&[&odd], &catalogue);
    for json in [plan.console_json(), plan.to_json()] {
        serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
    }
    let explained: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(explained["tenant"][0]["calls"][0], odd.id.as_str());
    assert_eq!(explained["tenant"][0]["access"], "read");
}

fn real() -> (lark_generator::ir::Catalogue, Vec<Entry>) {
    let catalogue = lark_generator::catalogue(&lark_tests::workspace_root().join("spec")).expect("spec loads");
    let entries = scopes::entries(&catalogue);
    (catalogue, entries)
}

#[test]
fn plans_ask_for_the_least_the_calls_allow() {
    let (catalogue, entries) = real();
    let plan_for = |ids: &[&str]| {
        let selected: Vec<&Entry> = ids.iter().map(|id| entries.iter().find(|e| e.id == *id).unwrap()).collect();
        scopes::minimal(&selected, &catalogue)
    };
    // Any of `im:chat` (read and write), `im:chat:read` or `im:chat:readonly` (the whole
    // area): the narrow read-only one.
    let chat = plan_for(&["im.v1.chat.get"]);
    assert_eq!((chat.tenant_names(), chat.user_names()), (vec!["im:chat:read"], vec!["im:chat:read"]));
    // The event's scopes deliver different messages: one current scope per part, the
    // sensitive "every group message" left out and shown as a choice.
    let receive = plan_for(&["im.message.receive_v1"]);
    assert_eq!(receive.tenant_names(), ["im:message.group_at_msg:readonly", "im:message.p2p_msg:readonly"]);
    let parts: Vec<(&str, bool)> = receive.choices.iter().map(|c| (c.delivers.as_str(), c.included)).collect();
    assert_eq!(
        parts,
        [
            ("every user message in the groups the bot is in", false),
            ("group messages that mention the bot", true),
            ("messages users send to the bot one-to-one", true),
        ]
    );
    // Sending needs a write scope: a send-only one, never the read-and-send `im:message`.
    let send = plan_for(&["im.v1.message.create"]);
    assert_eq!(send.tenant.len(), 1);
    assert_eq!((send.tenant[0].access, send.tenant[0].broad), (Access::Write, false), "{:?}", send.tenant);
}

/// For every identity and every call whose `any` list holds a read-only scope that
/// identity can hold, alone and in random groups of such calls: no write scope.
#[test]
fn a_call_with_a_read_only_option_never_brings_a_write_scope() {
    let (catalogue, entries) = real();
    let access: std::collections::BTreeMap<&str, Access> =
        catalogue.scopes.iter().map(|s| (s.name.as_str(), s.access)).collect();
    for (identity, token) in [(Identity::Tenant, "tenant_access_token"), (Identity::User, "user_access_token")] {
        let grantable = |s: &str| catalogue.scopes.iter().any(|v| v.name == s && v.identity.contains(&identity));
        let readable: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.tokens.contains(&token))
            .filter(|e| match &e.scopes {
                Scopes::Known { any, all } => {
                    all.is_empty() && any.iter().any(|s| grantable(s) && access[s.as_str()] == Access::Read)
                }
                Scopes::Unknown => false,
            })
            .collect();
        assert!(readable.len() > 150, "{identity:?}: {}", readable.len());
        let writes = |plan: &scopes::Plan| {
            let chosen = if identity == Identity::Tenant { &plan.tenant } else { &plan.user };
            chosen.iter().filter(|s| s.access != Access::Read).map(|s| s.scope.clone()).collect::<Vec<_>>()
        };
        for entry in &readable {
            assert_eq!(writes(&scopes::minimal(&[entry], &catalogue)), Vec::<String>::new(), "{}", entry.id);
        }
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..300 {
            let group: Vec<&Entry> = (0..6)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    readable[(seed % readable.len() as u64) as usize]
                })
                .collect();
            let ids: Vec<&str> = group.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(writes(&scopes::minimal(&group, &catalogue)), Vec::<String>::new(), "{ids:?}");
        }
    }
}

/// The access level follows the scope's name where the name says it, so a curation slip
/// (a `:readonly` scope recorded as writing, or the reverse) fails here.
#[test]
fn access_levels_agree_with_what_the_names_say() {
    let (catalogue, _) = real();
    for scope in &catalogue.scopes {
        let action = scope.name.rsplit(':').next().unwrap_or_default();
        let reads = ["readonly", "read", "readonly_as_app", "retrieve", "download"];
        let writes = ["write_only", "writeonly", "create", "delete", "update", "send_as_bot", "upload", "recall"];
        if reads.contains(&action) {
            assert_eq!(scope.access, Access::Read, "{}", scope.name);
        }
        if writes.contains(&action) {
            assert_eq!(scope.access, Access::Write, "{}", scope.name);
        }
    }
}

#[test]
fn finds_what_a_crate_uses_in_its_source() {
    let (catalogue, entries) = fixture();
    let source = r#"
        use lark_fixture_sdk::models::v1::GetThingRequest;
        let thing = client.models().v1().thing().get(GetThingRequest::new("t1")).await?;
        dispatcher.on_events_thing_created_v1(|ctx, ev| async move { Ok(()) });
    "#;
    let used: Vec<&str> = scopes::used_in_source(source, &catalogue, &entries).iter().map(|e| e.id.as_str()).collect();
    // In catalogue order: services sort by name.
    assert_eq!(used, ["events.thing.created_v1", "models.v1.thing.get"]);
}

#[test]
fn module_paths_in_the_source_pick_between_same_named_requests() {
    let catalogue = lark_generator::catalogue(&lark_tests::workspace_root().join("spec")).expect("spec loads");
    let entries = scopes::entries(&catalogue);
    let shared: Vec<&str> = catalogue
        .services
        .iter()
        .flat_map(|s| &s.versions)
        .flat_map(|v| &v.resources)
        .flat_map(|r| &r.methods)
        .filter(|m| m.request_type == "CreateMessageRequest")
        .map(|m| m.id.as_str())
        .collect();
    assert!(shared.len() > 1, "the catalogue has several `CreateMessageRequest`s: {shared:?}");
    let source = "use lark_sdk::im::v1::{CreateMessageRequest, ReceiveIdType};";
    let used: Vec<&str> = scopes::used_in_source(source, &catalogue, &entries).iter().map(|e| e.id.as_str()).collect();
    assert_eq!(used, ["im.v1.message.create"]);
}

#[test]
fn the_echo_bot_example_gets_every_scope_it_uses() {
    let (catalogue, entries) = real();
    let root = lark_tests::workspace_root().join("examples");
    let source: String =
        ["echo.rs", "echo_bot.rs"].iter().map(|f| std::fs::read_to_string(root.join(f)).unwrap()).collect();
    let used: Vec<&str> = scopes::used_in_source(&source, &catalogue, &entries).iter().map(|e| e.id.as_str()).collect();
    // Replies (`client.reply`) and the greeting in a group it joins (`client.send`) are
    // two calls with their own scopes.
    for id in [
        "im.message.receive_v1",
        "im.chat.member.bot.added_v1",
        "im.v1.message.reply",
        "im.v1.message.create",
        "cardkit.v1.card.create",
    ] {
        assert!(used.contains(&id), "{id} missing from {used:?}");
    }
    assert!(!used.contains(&"im.v1.message.update"), "the bot edits nothing: {used:?}");
    let sender = std::fs::read_to_string(root.join("send_message.rs")).unwrap();
    let used: Vec<&str> = scopes::used_in_source(&sender, &catalogue, &entries).iter().map(|e| e.id.as_str()).collect();
    assert_eq!(used, ["im.v1.message.create"]);
}

/// Curation mistakes show up as an identity that no listed scope can serve: a scope
/// recorded as tenant-only on a call that users make too. Each exception is a known
/// disagreement between the upstream token kinds and the documented scopes.
#[test]
fn every_curated_call_can_be_granted_for_each_identity_it_accepts() {
    let (catalogue, entries) = real();
    let all: Vec<&Entry> = entries.iter().collect();
    let plan = scopes::minimal(&all, &catalogue);
    // The packages say message search takes a tenant token; its only documented scope
    // is granted to users.
    assert_eq!(plan.unsatisfiable, ["im.v1.message.search (tenant)"]);
}
