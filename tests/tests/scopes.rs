//! Scope facts per endpoint and event, and the smallest set of scopes an app must request.

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
    assert_eq!(plan.tenant.iter().map(String::as_str).collect::<Vec<_>>(), ["demo:thing", "demo:thing:readonly"]);
    // `demo:thing` cannot be granted to users, so member.add has no user-identity scope.
    assert_eq!(plan.user.iter().map(String::as_str).collect::<Vec<_>>(), ["demo:thing:readonly"]);
    assert_eq!(plan.unsatisfiable, ["params.v1.member.add (user)"]);
    assert!(plan.unknown.contains(&"files.v1.file.upload".to_owned()));
    assert_eq!(
        plan.console_json(),
        r#"{"scopes":{"tenant":["demo:thing","demo:thing:readonly"],"user":["demo:thing:readonly"]}}"#
    );

    let one: Vec<&Entry> = entries.iter().filter(|e| e.id == "models.v1.thing.get").collect();
    let plan = scopes::minimal(&one, &catalogue);
    assert_eq!(plan.tenant.len(), 1, "one of the `any` scopes is enough: {:?}", plan.tenant);
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

/// Curation mistakes show up as an identity that no listed scope can serve: a scope
/// recorded as tenant-only on a call that users make too. Each exception is a known
/// disagreement between the upstream token kinds and the documented scopes.
#[test]
fn every_curated_call_can_be_granted_for_each_identity_it_accepts() {
    let catalogue = lark_generator::catalogue(&lark_tests::workspace_root().join("spec")).expect("spec loads");
    let entries = scopes::entries(&catalogue);
    let all: Vec<&Entry> = entries.iter().collect();
    let plan = scopes::minimal(&all, &catalogue);
    // The packages say message search takes a tenant token; its only documented scope
    // is granted to users.
    assert_eq!(plan.unsatisfiable, ["im.v1.message.search (tenant)"]);
}
