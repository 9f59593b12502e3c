//! The importer on tiny fixture packages written for these tests in the upstream layouts
//! (`xtask/tests/fixtures/py`, a wheel tree; `xtask/tests/fixtures/node`, an npm package).
//!
//! Needs `python3` and `node` on PATH and the pinned TypeScript compiler in
//! `target/upstream/ts` (`cargo xtask import --install-tools`, which `.ci/run` runs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::doc::{Field, File, Response};
use super::merge::Sources;
use super::model::Curated;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

fn typescript() -> PathBuf {
    let ts = root().join(super::upstream::CACHE).join("ts/node_modules/typescript");
    assert!(ts.is_dir(), "{} is missing: run `cargo xtask import --install-tools` first", ts.display());
    ts
}

fn import_fixtures(curated: &BTreeMap<String, Curated>) -> BTreeMap<String, File> {
    let fixtures = root().join("xtask/tests/fixtures");
    let sources = Sources { pypi: "pypi:fixture@1".into(), npm: "npm:fixture@1".into() };
    let (py, node) = super::extract(
        &root().join(super::upstream::TOOLS),
        &fixtures.join("py"),
        &typescript(),
        &fixtures.join("node"),
    )
    .expect("the fixtures read");
    let merged = super::merge::merge(&py, &node, &sources, curated);
    merged.files
}

fn texts(files: &BTreeMap<String, File>) -> BTreeMap<String, String> {
    files.iter().map(|(rel, f)| (rel.clone(), f.to_yaml())).collect()
}

fn field<'f>(file: &'f File, model: &str, wire: &str) -> &'f Field {
    let fields = file.models.get(model).unwrap_or_else(|| panic!("no model {model}: {:?}", file.models.keys()));
    &fields.iter().find(|(w, _)| w == wire).unwrap_or_else(|| panic!("no field {model}.{wire}")).1
}

fn ty(t: &str, required: bool, as_string: bool) -> Field {
    Field { ty: t.into(), required, as_string }
}

#[test]
fn reimport_with_unchanged_inputs_is_a_zero_diff() {
    let first = texts(&import_fixtures(&BTreeMap::new()));
    let second = texts(&import_fixtures(&BTreeMap::new()));
    assert_eq!(first, second, "two runs on the same inputs differ");

    let dir = tempfile::tempdir().expect("temp dir");
    let (_, differs) = super::sync(dir.path(), &first, false).expect("first write");
    assert!(differs, "the first write creates the files");
    let written: Vec<_> = first.keys().map(|rel| std::fs::read(dir.path().join(rel)).expect("written")).collect();
    let (moves, differs) = super::sync(dir.path(), &second, false).expect("second write");
    assert!(!differs, "re-import rewrote files");
    assert!(moves.values().all(|m| m.endpoints.added + m.endpoints.changed + m.endpoints.removed == 0));
    let again: Vec<_> = first.keys().map(|rel| std::fs::read(dir.path().join(rel)).expect("still there")).collect();
    assert_eq!(written, again);
}

#[test]
fn python_names_and_node_wire_types_merge_field_by_field() {
    let files = import_fixtures(&BTreeMap::new());
    let demo = &files["services/demo/v1.yaml"];

    let create = &demo.resources["thing"]["create"];
    assert_eq!(create.http, "POST /open-apis/demo/v1/things");
    assert_eq!(create.tokens, ["tenant", "user"]);
    assert_eq!(create.official_id.as_deref(), Some("demo/v1/thing/create"));
    assert_eq!(create.body, Some(("json", "CreateThingBody".to_owned())));
    assert_eq!(create.response, Some(Response::Json("CreateThingData".into())));
    assert_eq!(create.query, [("user_id_type".to_owned(), ty("UserIdType", false, false))]);
    assert_eq!(create.source, None, "both packages have it");

    // Sent-only model: Node's required flags; `from_` is the wire name `from`.
    assert_eq!(*field(demo, "CreateThingBody", "name"), ty("string", true, false));
    assert_eq!(*field(demo, "CreateThingBody", "size"), ty("int32", false, false));
    assert_eq!(*field(demo, "CreateThingBody", "from"), ty("string", false, false));
    assert_eq!(*field(demo, "CreateThingBody", "tags"), ty("list<string>", false, false));

    // A named Python model, typed by Node: int64 as string, enum union, nested models.
    assert_eq!(*field(demo, "Thing", "create_time"), ty("int64", false, true));
    assert_eq!(*field(demo, "Thing", "size"), ty("int32", false, false));
    assert_eq!(*field(demo, "Thing", "color"), ty("Color", false, false));
    assert_eq!(demo.enums["Color"].values, ["red", "green", "blue"], "values of every occurrence");
    assert_eq!(*field(demo, "Thing", "children"), ty("list<Thing>", false, false));
    assert_eq!(*field(demo, "Thing", "extra"), ty("map<json>", false, false));
    assert_eq!(*field(demo, "Thing", "weight"), ty("int64", false, false), "a field only Node has");
    assert_eq!(*field(demo, "Thing", "dimensions"), ty("ThingDimensions", false, false));
    assert_eq!(*field(demo, "Owner", "async"), ty("bool", false, false));
    // Sent in the create body and read in its reply: the sending side's required flags,
    // which the generator turns into an input variant of its own.
    assert_eq!(*field(demo, "Owner", "open_id"), ty("string", true, false));
    assert_eq!(*field(demo, "CreateThingBody", "owner"), ty("Owner", false, false));

    let list = &demo.resources["thing"]["list"];
    assert_eq!(list.pagination.as_deref(), Some("items"));
    assert_eq!(list.path, [("folder_id".to_owned(), ty("string", true, false))]);
    assert_eq!(list.query[0], ("page_size".to_owned(), ty("int32", false, false)));

    let upload = &demo.resources["thing"]["upload"];
    assert_eq!(upload.body, Some(("multipart", "UploadThingBody".to_owned())));
    assert_eq!(*field(demo, "UploadThingBody", "file"), ty("file", true, false));
    assert_eq!(demo.resources["thing"]["download"].response, Some(Response::Binary));

    let legacy = &demo.resources["thing"]["legacy"];
    assert_eq!((legacy.tokens.clone(), legacy.source.as_deref()), (vec!["app".to_owned()], Some("pypi:fixture@1")));
    assert_eq!(legacy.official_id, None);

    // Only in Node: dotted resource, synthesized names, an integer enum.
    let patch = &demo.resources["thing_label"]["patch"];
    assert_eq!(patch.official_id.as_deref(), Some("demo/v1/thing.label/patch"));
    assert_eq!(patch.summary, "Calls `patch` on `thing.label`.");
    assert_eq!(patch.source.as_deref(), Some("npm:fixture@1"));
    assert_eq!(patch.body, Some(("json", "PatchThingLabelBody".to_owned())));
    assert_eq!(patch.response, None, "an empty data object");
    assert_eq!(*field(demo, "PatchThingLabelBody", "priority"), ty("Priority", true, false));
    assert!(demo.enums["Priority"].int);
    assert_eq!(*field(demo, "PatchThingLabelBody", "window"), ty("PatchThingLabelBodyWindow", true, false));
    assert_eq!(*field(demo, "PatchThingLabelBodyWindow", "start_time"), ty("string", true, false));

    // Events: header fields dropped, Python names kept, Node-only ones synthesized.
    let created = &demo.events["demo.thing.created_v1"];
    assert_eq!(created.payload, "ThingCreatedV1Event");
    let payload: Vec<&str> = demo.models["ThingCreatedV1Event"].iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(payload, ["thing", "operator_id"]);
    let deleted = &demo.events["demo.thing.deleted_v1"];
    assert_eq!(*field(demo, &deleted.payload, "reasons"), ty("list<list<int64>>", false, false));
    assert_eq!(demo.models[&deleted.payload].len(), 2);

    let ticket = &files["services/auth/v3.yaml"].events["app_ticket"];
    assert!(ticket.v1);
    let fields: Vec<&str> =
        files["services/auth/v3.yaml"].models[&ticket.payload].iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(fields, ["type", "app_id", "app_ticket"], "envelope keys dropped");

    let cards = &files["services/cardkit/v1.yaml"];
    let trigger = &cards.callbacks["card.action.trigger"];
    assert_eq!(
        (trigger.payload.as_str(), trigger.response.as_str()),
        ("CardActionTriggerEvent", "CardActionTriggerResponse")
    );
    assert_eq!(*field(cards, "CardActionTriggerEvent", "operator"), ty("CallBackOperator", false, false));
}

#[test]
fn an_overlay_enum_keeps_its_name_for_its_own_values() {
    let mut curated = Curated::default();
    curated.enums.insert("UserIdType".into(), ["email".to_owned()].into_iter().collect());
    let files = import_fixtures(&[("services/demo/v1.yaml".to_owned(), curated)].into_iter().collect());
    let demo = &files["services/demo/v1.yaml"];
    assert_eq!(demo.resources["thing"]["create"].query[0].1.ty, "CreateThingUserIdType");
    assert!(!demo.enums.contains_key("UserIdType"));
}

#[test]
fn the_generator_accepts_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scopes.yaml"), "scopes: {}\n").expect("scopes");
    super::sync(dir.path(), &texts(&import_fixtures(&BTreeMap::new())), false).expect("write");
    let catalogue = lark_generator::catalogue(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let endpoints: usize = catalogue
        .services
        .iter()
        .flat_map(|s| &s.versions)
        .map(|v| v.resources.iter().map(|r| r.methods.len()).sum::<usize>())
        .sum();
    assert_eq!(endpoints, 6);
}

#[test]
fn the_routes_table_copies_each_package_line_as_stated() {
    let fixtures = root().join("xtask/tests/fixtures");
    let scripts = root().join(super::upstream::TOOLS);
    let (py, node) = super::extract(&scripts, &fixtures.join("py"), &typescript(), &fixtures.join("node"))
        .expect("the fixtures read");
    let table = super::routes::table(&py, &node);
    let rows: Vec<&str> = table.lines().filter(|l| !l.starts_with('#')).collect();
    let stated = py.services.iter().map(|s| s.endpoints.len()).sum::<usize>() + node.endpoints.len();
    assert_eq!(rows.len(), stated, "one line per package endpoint:\n{table}");
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted, "sorted, so the same packages give the same bytes");
    for row in &rows {
        let cols: Vec<&str> = row.split('\t').collect();
        assert_eq!(cols.len(), 5, "{row}");
        assert!(cols[3].starts_with("/open-apis/"), "{row}");
        match cols[0] {
            "npm" => assert_eq!(cols[4], "-", "{row}"),
            "pypi" => assert!(cols[4].split(',').all(|t| ["app", "tenant", "user"].contains(&t)), "{row}"),
            other => panic!("unknown package {other}"),
        }
    }
    assert_eq!(table, super::routes::table(&py, &node), "deterministic");
}

#[test]
fn the_mcp_schemas_are_read_without_running_them() {
    let tools = super::crosscheck::read(
        &root().join(super::upstream::TOOLS),
        &typescript(),
        &root().join("xtask/tests/fixtures/mcp"),
    )
    .expect("extract_mcp.js reads the fixture");
    assert_eq!(tools.keys().collect::<Vec<_>>(), ["demo.v1.thing.create", "demo.v1.thingLabel.patch"]);
    let create = &tools["demo.v1.thing.create"];
    let data = create.data.as_ref().expect("a body");
    let fields = data.fields.as_ref().expect("fields");
    let required = |name: &str| fields[name].required;
    assert!(data.required && required("name") && !required("size") && !required("owner"));
    let owner = fields["owner"].fields.as_ref().expect("an object");
    assert!(owner["open_id"].required && !owner["async"].required);
    let tag = fields["tags"].items.as_ref().and_then(|i| i.fields.as_ref()).expect("a list of objects");
    assert!(tag["text"].required);
    assert!(!create.params.as_ref().expect("params").required);
}

#[test]
fn titles_and_deprecations_are_read_from_the_jsdoc() {
    let fixtures = root().join("xtask/tests/fixtures");
    let scripts = root().join(super::upstream::TOOLS);
    let (_, node) = super::extract(&scripts, &fixtures.join("py"), &typescript(), &fixtures.join("node"))
        .expect("the fixtures read");
    let table = super::notes::table(&node);
    let rows: Vec<&str> = table.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        rows,
        [
            "endpoint\tdemo/v1/thing/create\t-\t创建物品",
            "endpoint\tdemo/v1/thing/list\tdeprecated\t列出物品",
            "event\tapp_ticket\tdeprecated\t-",
        ],
        "\"对比历史版本\" (compared with the old version) is no deprecation notice"
    );

    // The notice's page names a catalogued method; the link after the notice is ignored.
    let files = import_fixtures(&BTreeMap::new());
    let demo = &files["services/demo/v1.yaml"];
    let list = &demo.resources["thing"]["list"];
    let deprecated = list.deprecated.as_ref().expect("list is deprecated");
    assert_eq!(deprecated.instead, ["demo/v1/thing/create"]);
    assert_eq!(deprecated.doc, None);
    assert!(demo.resources["thing"]["create"].deprecated.is_none());
    assert!(demo.to_yaml().contains("        deprecated: { instead: [demo/v1/thing/create] }\n"));
    // A legacy event's notice links its own page, which is not a method.
    let ticket = files.values().find_map(|f| f.events.get("app_ticket")).expect("app_ticket imported");
    let page = "https://open.feishu.cn/document/ukTMukTMukTM/demo/event/app-ticket";
    assert_eq!(ticket.deprecated.as_ref().and_then(|d| d.doc.as_deref()), Some(page));
}
