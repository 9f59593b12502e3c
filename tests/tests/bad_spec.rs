//! A malformed catalogue gets every problem at once, each with file:line:col, the spec
//! path, what is wrong and a hint; and nothing is written.

use std::path::Path;

use lark_generator::Options;
use lark_generator::write::Mode;

fn errors_of(case: &str) -> String {
    // Relative to the test's working directory (the `tests` package) so messages are stable.
    let spec = Path::new("fixtures/bad").join(case);
    let options = Options { crate_name: "bad".into(), version: "0.1.0".into(), publish: false };
    match lark_generator::generate(&spec, &options) {
        Ok(_) => panic!("the `{case}` spec must be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn shape_errors_in_every_file_are_reported_together() {
    assert_eq!(
        errors_of("shape"),
        "\
error: fixtures/bad/shape/services/syntax/v1.yaml:9:1: did not find expected ',' or '}', while parsing a flow mapping at line 8 column 11
  hint: fix the YAML syntax here: an unclosed `{`, `[` or quote, or a wrong indentation
error: fixtures/bad/shape/services/typo/v1.yaml:10:9: resources.thing.methods.get.htp: unknown field `htp`, expected one of `summary`, `http`, `doc`, `official_id`, `tokens`, `scopes`, `path`, `query`, `body`, `response`, `pagination`, `requires`, `deprecated`, `source`
  hint: check the spelling against spec/README.md
2 errors in the spec; nothing was written"
    );
}

#[test]
fn semantic_errors_are_all_reported_with_locations_and_hints() {
    assert_eq!(
        errors_of("semantic"),
        "\
error: fixtures/bad/semantic/services/broken/v1.yaml:1:1: service: the file says `service: broken` and `version: v2` but lives at services/broken/v1.yaml
  hint: move it to spec/services/broken/v2.yaml or fix the header
error: fixtures/bad/semantic/services/broken/v1.yaml:10:9: resources.thing.methods.get.http: placeholder `:thing_id` has no entry under `path:`
  hint: add `path: { thing_id: { type: string, required: true } }`
error: fixtures/bad/semantic/services/broken/v1.yaml:11:26: resources.thing.methods.get.tokens[1]: token kind `tenant` is listed twice
error: fixtures/bad/semantic/services/broken/v1.yaml:12:25: resources.thing.methods.get.scopes.any[0]: scope `demo:raed` is not in the vocabulary
  hint: did you mean `demo:read`? otherwise add it to spec/scopes.yaml
error: fixtures/bad/semantic/services/broken/v1.yaml:15:21: resources.thing.methods.get.response.json: unknown model `Thnig`
  hint: did you mean `Thing`?
error: fixtures/bad/semantic/services/broken/v1.yaml:16:9: resources.thing.methods.get.pagination: a paginated method needs the query parameter `page_token: { type: string }`
error: fixtures/bad/semantic/services/broken/v1.yaml:19:9: resources.thing.methods.put.http: `FETCH` is not an HTTP method the platform uses
  hint: use GET, POST, PUT, PATCH or DELETE
error: fixtures/bad/semantic/services/broken/v1.yaml:22:33: resources.thing.methods.put.deprecated.instead[0]: `broken/v1/thing/get` is not in the catalogue
  hint: `instead` names the official id of a catalogued method
error: fixtures/bad/semantic/services/broken/v1.yaml:26:27: models.Thing.fields.id.as_string: `as_string` applies only to int64
  hint: remove it, or change the type to int64
error: fixtures/bad/semantic/services/broken/v1.yaml:27:16: models.Thing.fields.owner.type: unknown type `Owner`
  hint: declare `Owner` under `models:` or `enums:` in this file
error: fixtures/bad/semantic/services/broken/v1.yaml:28:15: models.Thing.fields.blob.type: `Thing` has a file field but is not a multipart body
  hint: use it as `body: { multipart: ... }`
error: fixtures/bad/semantic/services/broken/v1.yaml:30:5: models.Answer.runtime: `message::Card-Answer` is not a path to a runtime type
  hint: write the path below `lark_runtime::`, e.g. `message::card::CardAnswer`
error: fixtures/bad/semantic/services/broken/v1.yaml:34:19: enums.Color.values[1]: value `red` is listed twice
  hint: remove the duplicate
13 errors in the spec; nothing was written"
    );
}

#[test]
fn overlay_errors_point_into_the_overlay() {
    assert_eq!(
        errors_of("overlay"),
        "\
error: fixtures/bad/overlay/overlays/thing/v1.yaml:5:25: resources.thing.methods.get.scopes.any[0]: scope `demo:reed` is not in the vocabulary
  hint: did you mean `demo:read`? otherwise add it to spec/scopes.yaml
1 error in the spec; nothing was written"
    );
}

#[test]
fn a_bad_spec_leaves_the_output_untouched() {
    let out = tempfile::tempdir().expect("temp dir");
    // A crate as an earlier run left it, nested folders included.
    for (path, text) in
        [("src/lib.rs", "// hand-made\n"), ("src/im/v1/mod.rs", "// kept\n"), ("docs/im.md", "# kept\n")]
    {
        let path = out.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let before = tree(out.path());
    let options = Options { crate_name: "bad".into(), version: "0.1.0".into(), publish: false };
    for case in ["shape", "semantic", "overlay"] {
        let spec = Path::new("fixtures/bad").join(case);
        let result = lark_generator::sync(&spec, out.path(), &options, Mode::Write);
        assert!(result.is_err(), "`{case}` must be rejected");
        assert_eq!(tree(out.path()), before, "`{case}` changed the output");
    }
}

/// Every file and folder under `root`, with the files' contents.
fn tree(root: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Option<Vec<u8>>> {
    let mut found = std::collections::BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read dir") {
            let path = entry.expect("entry").path();
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            if path.is_dir() {
                found.insert(relative, None);
                folders.push(path);
            } else {
                found.insert(relative, Some(std::fs::read(&path).expect("read")));
            }
        }
    }
    found
}

#[test]
fn requires_entries_must_name_body_fields_that_are_not_required_already() {
    assert_eq!(
        errors_of("requires"),
        "\
error: fixtures/bad/requires/services/thing/v1.yaml:14:20: resources.thing.methods.create.requires[0]: `label.colour`: `colour` is not a field of `Label`
  hint: write a dotted path of wire names from the body
error: fixtures/bad/requires/services/thing/v1.yaml:14:34: resources.thing.methods.create.requires[1]: `name` is required by its model already
  hint: remove the entry
error: fixtures/bad/requires/services/thing/v1.yaml:14:40: resources.thing.methods.create.requires[2]: `id.part`: `id` does not hold a model
  hint: write a dotted path of wire names from the body
error: fixtures/bad/requires/services/thing/v1.yaml:14:49: resources.thing.methods.create.requires[3]: the alternatives of `label.text | name` are not fields of one object
error: fixtures/bad/requires/services/thing/v1.yaml:14:68: resources.thing.methods.create.requires[4]: `nmae`: `nmae` is not a field of `Thing`
  hint: write a dotted path of wire names from the body
error: fixtures/bad/requires/services/thing/v1.yaml:19:9: resources.thing.methods.delete.requires: `requires` names body fields, but the method has no JSON body
6 errors in the spec; nothing was written"
    );
}
