//! The OpenAPI document holds the whole catalogue, and says what the catalogue says:
//! every endpoint, model, enum, event, callback and scope, every `$ref` resolving, and
//! the constructs (scopes as security requirements, uploads, downloads, open enums,
//! envelopes, extensions) as the fixture catalogue exercises them. `cargo xtask
//! openapi-check` adds the independent validator and a TypeScript client.

use std::collections::BTreeSet;
use std::fs;

use lark_generator::ir::{Catalogue, Scopes, TokenKind};
use serde_json::{Value, json};

fn document(relative: &str) -> Value {
    let path = lark_tests::workspace_root().join(relative);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the document is JSON")
}

fn catalogue(relative: &str) -> Catalogue {
    lark_generator::catalogue(&lark_tests::workspace_root().join(relative)).expect("the catalogue loads")
}

/// Every `$ref` in the document, as the path below `#/`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => references(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

#[test]
fn every_part_of_the_catalogue_is_in_the_document_and_every_reference_resolves() {
    let doc = document("generated/openapi/openapi.json");
    let catalogue = catalogue("spec");
    assert_eq!(doc["openapi"], "3.1.1");

    let mut operation_ids = BTreeSet::new();
    let mut endpoints = 0;
    for (service, version) in catalogue.services.iter().flat_map(|s| s.versions.iter().map(move |v| (s, v))) {
        for method in version.resources.iter().flat_map(|r| &r.methods) {
            endpoints += 1;
            let path = method.path.split('/').map(|s| s.strip_prefix(':').map_or(s.to_owned(), |n| format!("{{{n}}}")));
            let path = path.collect::<Vec<_>>().join("/");
            let op = &doc["paths"][&path][method.http.as_str().to_lowercase()];
            assert_eq!(op["operationId"], method.id.as_str(), "{} at {path}", method.id);
            // Token endpoints take no token; every other call names its token kinds.
            let security = op["security"].as_array().expect("security");
            let kinds: BTreeSet<&str> =
                security.iter().flat_map(|r| r.as_object().expect("requirement").keys()).map(String::as_str).collect();
            let expected: BTreeSet<&str> = method.tokens.iter().map(|t| t.token_name()).collect();
            assert_eq!(kinds, expected, "{}", method.id);
            match &method.scopes {
                Scopes::Unknown => assert_eq!(op["x-lark-scopes"], "unknown", "{}", method.id),
                Scopes::Known { any, all } => assert_eq!(op["x-lark-scopes"], json!({ "any": any, "all": all })),
            }
        }
        let scope = |rust: &str| format!("{}.{}.{rust}", service.wire, version.wire);
        for name in version.models.iter().map(|m| &m.rust).chain(version.enums.iter().map(|e| &e.rust)) {
            assert!(doc["components"]["schemas"].get(scope(name)).is_some(), "no component {}", scope(name));
        }
        for event in &version.events {
            assert_eq!(
                doc["webhooks"][&event.event_type]["post"]["operationId"],
                format!("event:{}", event.event_type)
            );
        }
        for callback in &version.callbacks {
            let answer = &doc["webhooks"][&callback.callback_type]["post"]["responses"]["200"];
            assert_eq!(
                answer["content"]["application/json"]["schema"]["$ref"],
                format!("#/components/schemas/{}", scope(&callback.response))
            );
        }
    }
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            assert!(operation_ids.insert(op["operationId"].as_str().expect("id").to_owned()), "{}", op["operationId"]);
        }
    }
    assert_eq!(operation_ids.len(), endpoints, "one operation per endpoint");
    assert!(endpoints > 1600, "the whole platform: {endpoints} endpoints");

    // Every scope of the vocabulary is offered by the flow of each identity it fits.
    let schemes = &doc["components"]["securitySchemes"];
    for scope in &catalogue.scopes {
        let offered = ["tenant_access_token", "user_access_token"].iter().any(|s| {
            schemes[s]["flows"].as_object().expect("flows").values().any(|f| f["scopes"].get(&scope.name).is_some())
        });
        assert!(offered, "scope {} is in no flow", scope.name);
    }

    let mut refs = Vec::new();
    references(&doc, &mut refs);
    assert!(refs.len() > 10_000, "{} references", refs.len());
    for target in &refs {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

/// The fixture catalogue, small enough to state each construct exactly.
#[test]
fn each_construct_says_what_the_catalogue_says() {
    let doc = document("tests/fixture-sdk/openapi/openapi.json");
    let paths = &doc["paths"];
    let schemas = &doc["components"]["schemas"];

    // Any one of `any` per token kind, keeping the scopes the token's identity can hold.
    let get = &paths["/open-apis/models/v1/things/{thing_id}"]["get"];
    assert_eq!(
        get["security"],
        json!([
            { "tenant_access_token": ["demo:thing:readonly"] },
            { "tenant_access_token": ["demo:thing"] },
            { "user_access_token": ["demo:thing:readonly"] }
        ])
    );
    assert_eq!(
        get["parameters"][0],
        json!({
            "name": "thing_id", "in": "path", "description": "The thing's id", "required": true, "schema": { "type": "string" }
        })
    );
    // Unknown scopes stay unknown, apart from "none needed".
    let list = &paths["/open-apis/pagination/v1/items"]["get"];
    assert_eq!(list["x-lark-pagination"]["items"], "items");
    assert_eq!(paths["/open-apis/files/v1/files"]["post"]["x-lark-scopes"], "unknown");
    assert_eq!(paths["/open-apis/files/v1/files"]["post"]["security"], json!([{ "tenant_access_token": [] }]));
    assert_eq!(paths["/open-apis/enums/v1/settings"]["put"]["x-lark-scopes"], json!({ "any": [], "all": [] }));

    // The rules the SDK checks before sending, and the idempotency key.
    let replace = &paths["/open-apis/models/v1/things/{thing_id}"]["put"];
    assert_eq!(replace["x-lark-requires"], json!([["label.color"], ["self", "count"]]));
    assert_eq!(replace["x-lark-idempotency-key"], "uuid");
    assert_eq!(
        replace["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]["$ref"],
        "#/components/schemas/models.v1.Thing"
    );

    // Input shapes are strict, read shapes forgiving; int64 strings are strings.
    assert_eq!(schemas["models.v1.LabelInput"]["required"], json!(["text"]));
    assert!(schemas["models.v1.Label"].get("required").is_none());
    assert_eq!(schemas["models.v1.Thing"]["properties"]["created_at"]["format"], "int64");
    assert_eq!(schemas["models.v1.Thing"]["properties"]["created_at"]["type"], "string");
    assert_eq!(schemas["aliases.v1.ListBoxColor"], json!({ "$ref": "#/components/schemas/aliases.v1.BoxColor" }));

    // Uploads are multipart with a binary part; downloads are bytes with a file name.
    let upload = &paths["/open-apis/files/v1/files"]["post"]["requestBody"]["content"];
    assert_eq!(upload["multipart/form-data"]["schema"]["$ref"], "#/components/schemas/files.v1.Upload");
    assert_eq!(schemas["files.v1.Upload"]["properties"]["file"]["contentMediaType"], "application/octet-stream");
    let download = &paths["/open-apis/files/v1/files/{file_key}"]["get"]["responses"]["200"];
    assert!(download["content"].get("application/octet-stream").is_some());
    assert!(download["headers"].get("Content-Disposition").is_some());

    // Enums list what is known and accept what is not, as the SDK does.
    let color = &schemas["enums.v1.Color"]["anyOf"];
    assert_eq!(color[0]["enum"], json!(["red", "light-blue"]));
    assert_eq!(color[1]["type"], "string");
    assert_eq!(schemas["enums.v1.Level"]["anyOf"][0]["enum"], json!([1, 2]));

    // Events and callbacks are webhooks, in the envelope they arrive in.
    let v2 = &doc["webhooks"]["events.thing.created_v1"]["post"];
    assert_eq!(v2["x-lark-envelope"], "v2");
    let body = &v2["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["properties"]["header"]["$ref"], "#/components/schemas/lark.EventHeader");
    let v1 = &doc["webhooks"]["thing_deleted"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(v1["properties"]["type"]["const"], "event_callback");
    assert_eq!(v1["properties"]["event"]["$ref"], "#/components/schemas/events.v1.ThingDeleted");
    let answer = &doc["webhooks"]["thing.button.clicked"]["post"]["responses"]["200"];
    assert_eq!(answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/events.v1.ButtonAnswer");

    // Failures share the error envelope; throttling has its headers.
    let limited = &doc["components"]["responses"]["lark.RateLimited"]["headers"];
    assert!(limited.get("x-ogw-ratelimit-reset").is_some());
    let user = &doc["components"]["securitySchemes"][TokenKind::User.token_name()]["flows"]["authorizationCode"];
    assert!(user["scopes"].get("demo:thing:readonly").is_some());
}
