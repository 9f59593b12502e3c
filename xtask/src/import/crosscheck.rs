//! The required flags of requests, checked against a second official description: the
//! request schemas of `@larksuiteoapi/lark-mcp` (read by `extract_mcp.js`, never run).
//!
//! For every endpoint both describe, each query parameter and each body field, at every
//! depth both describe, is compared; fields only one side knows are not. Path parameters
//! are not: a URL cannot leave out a segment of its template, yet the other package marks
//! about 250 of them optional. Every disagreement is a line of
//! `spec/required-crosscheck.tsv` for a reviewer: either the catalogue is wrong (fix it
//! with an overlay) or the other package is (say so in the overlay's comment).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use lark_generator::ir::{Catalogue, Field, Method, Model, Type, Version};
use serde::Deserialize;

use super::upstream::run;

/// Where the disagreements are written.
pub const PATH: &str = "spec/required-crosscheck.tsv";

/// What people read on the official pages, by hand: `endpoint, where, verdict, page`.
pub const VERDICTS: &str = "spec/required-verdicts.tsv";

/// The hand-read verdicts by `(endpoint, where)`: `required` or `optional`, and the page.
pub fn verdicts(text: &str) -> BTreeMap<(String, String), (String, String)> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let key = (cols.next()?.to_owned(), cols.next()?.to_owned());
            Some((key, (cols.next()?.to_owned(), cols.next()?.to_owned())))
        })
        .collect()
}

/// One request part as the other package describes it.
#[derive(Debug, Deserialize)]
pub struct Shape {
    pub required: bool,
    #[serde(default)]
    pub fields: Option<BTreeMap<String, Shape>>,
    #[serde(default)]
    pub items: Option<Box<Shape>>,
}

/// An endpoint's request parts (its path parameters are not compared).
#[derive(Debug, Deserialize)]
pub struct Tool {
    #[serde(default)]
    pub data: Option<Shape>,
    #[serde(default)]
    pub params: Option<Shape>,
}

/// Runs `extract_mcp.js` on the package.
pub fn read(script_dir: &Path, typescript: &Path, package: &Path) -> Result<BTreeMap<String, Tool>, String> {
    let mut command = Command::new("node");
    command.arg(script_dir.join("extract_mcp.js")).arg(typescript).arg(package);
    let out = run(&mut command, "reading the lark-mcp package")?;
    serde_json::from_slice(&out).map_err(|e| format!("extract_mcp.js printed unexpected JSON: {e}"))
}

/// What the comparison found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Endpoints both describe.
    pub matched: usize,
    /// Endpoints only the other package has (its ids the catalogue does not know).
    pub unmatched: usize,
    /// `(endpoint, where, the other package requires it)`, in order.
    pub disagreements: Vec<(String, String, bool)>,
}

impl Report {
    /// The TSV file: a header, then one disagreement per line, with what the official page
    /// says where someone has read it (`spec/required-verdicts.tsv`).
    pub fn tsv(&self, verdicts: &BTreeMap<(String, String), (String, String)>) -> String {
        let mut out = String::from(
            "# Required flags where @larksuiteoapi/lark-mcp and the catalogue disagree; written by `cargo xtask import`.\n\
             # endpoint\twhere\tlark-mcp\tcatalogue\tofficial page (spec/required-verdicts.tsv)\n",
        );
        for (endpoint, at, theirs) in &self.disagreements {
            let (theirs, ours) = if *theirs { ("required", "optional") } else { ("optional", "required") };
            let page = verdicts.get(&(endpoint.clone(), at.clone())).map_or("unread", |(verdict, _)| verdict.as_str());
            out.push_str(&format!("{endpoint}\t{at}\t{theirs}\t{ours}\t{page}\n"));
        }
        out
    }

    /// How the disagreements stand against the hand-read verdicts.
    pub fn settled(&self, verdicts: &BTreeMap<(String, String), (String, String)>) -> Settled {
        let mut settled = Settled::default();
        for (endpoint, at, theirs) in &self.disagreements {
            match verdicts.get(&(endpoint.clone(), at.clone())).map(|(v, _)| v.as_str()) {
                Some("required") if *theirs => settled.ours_wrong += 1,
                Some("optional") if !*theirs => settled.ours_wrong += 1,
                Some("required" | "optional") => settled.ours_right += 1,
                Some(_) => settled.unsettled += 1,
                None => settled.unread += 1,
            }
        }
        settled
    }
}

/// The disagreements by what the official pages say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// The page agrees with the catalogue.
    pub ours_right: usize,
    /// The page agrees with lark-mcp: an overlay should fix the catalogue.
    pub ours_wrong: usize,
    /// Read, but the page did not decide; the verdicts file says why.
    pub unsettled: usize,
    /// Not read yet.
    pub unread: usize,
}

/// Compares every endpoint both describe.
pub fn compare(catalogue: &Catalogue, tools: &BTreeMap<String, Tool>) -> Report {
    let mut methods: BTreeMap<String, (&Version, &Method)> = BTreeMap::new();
    for version in catalogue.services.iter().flat_map(|s| &s.versions) {
        for method in version.resources.iter().flat_map(|r| &r.methods) {
            methods.insert(method.id.clone(), (version, method));
        }
    }
    let mut report = Report::default();
    for (id, tool) in tools {
        let Some((version, method)) = methods.get(&normalised(id)) else {
            report.unmatched += 1;
            continue;
        };
        report.matched += 1;
        let mut found = Vec::new();
        if let Some(Shape { fields: Some(fields), .. }) = &tool.params {
            params(&method.query_params, fields, "query", &mut found);
        }
        let body = method.body.as_ref().filter(|b| !b.multipart).and_then(|b| model(version, &b.model));
        // A method's `requires` makes a field required for that request alone.
        let requires: BTreeSet<String> =
            method.requires.iter().filter(|rule| rule.len() == 1).map(|rule| format!("body.{}", rule[0])).collect();
        if let (Some(body), Some(Shape { fields: Some(fields), .. })) = (body, &tool.data) {
            walk(&Walk { version, requires: &requires }, body, fields, "body", &mut found, 0);
        }
        report.disagreements.extend(found.into_iter().map(|(at, theirs)| (method.id.clone(), at, theirs)));
    }
    report
}

/// The other package writes resources and methods in camelCase (`accessRecord`).
fn normalised(id: &str) -> String {
    id.split('.').map(snake).collect::<Vec<_>>().join(".")
}

fn snake(segment: &str) -> String {
    let mut out = String::new();
    for c in segment.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn params(ours: &[Field], theirs: &BTreeMap<String, Shape>, part: &str, found: &mut Vec<(String, bool)>) {
    for field in ours {
        if let Some(shape) = theirs.get(&field.wire)
            && shape.required != field.required
        {
            found.push((format!("{part}.{}", field.wire), shape.required));
        }
    }
}

/// What a walk over one request's body knows besides the models.
struct Walk<'a> {
    version: &'a Version,
    /// Body paths the method requires itself (`body.members.id`).
    requires: &'a BTreeSet<String>,
}

fn walk(
    cx: &Walk<'_>,
    ours: &Model,
    theirs: &BTreeMap<String, Shape>,
    at: &str,
    found: &mut Vec<(String, bool)>,
    depth: usize,
) {
    // Models can hold themselves; no request nests this deep.
    if depth > 12 {
        return;
    }
    for field in &ours.fields {
        let Some(shape) = theirs.get(&field.wire) else { continue };
        let here = format!("{at}.{}", field.wire);
        if shape.required != (field.required || cx.requires.contains(&here)) {
            found.push((here.clone(), shape.required));
        }
        let (inner, shape) = match (&field.ty, shape) {
            (Type::List(inner), Shape { items: Some(items), .. }) => (&**inner, &**items),
            (ty, shape) => (ty, shape),
        };
        if let (Type::Model(name), Some(fields)) = (inner, &shape.fields)
            && let Some(child) = model(cx.version, name)
        {
            walk(cx, child, fields, &here, found, depth + 1);
        }
    }
}

/// A model of the version by Rust name, through an alias to the model it stands for.
fn model<'a>(version: &'a Version, rust: &str) -> Option<&'a Model> {
    let found = version.models.iter().find(|m| m.rust == rust)?;
    let original = found.alias_of.as_deref().and_then(|name| version.models.iter().find(|m| m.rust == name));
    original.or(Some(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(json: serde_json::Value) -> Shape {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn disagreements_are_found_at_every_depth_and_only_where_both_describe_a_field() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/spec");
        let catalogue = lark_generator::catalogue(&root).unwrap();
        let data = serde_json::json!({ "required": true, "fields": {
            "name": { "required": false },
            "count": { "required": false },
            "unknown_here": { "required": true },
            "label": { "required": false, "fields": {
                "text": { "required": true },
                "color": { "required": true },
                "style": { "required": false, "fields": { "bold": { "required": false } } }
            } }
        } });
        let tools: BTreeMap<String, Tool> = [
            ("models.v1.thing.create".to_owned(), Tool { data: Some(shape(data)), params: None }),
            ("nowhere.v1.thing.get".to_owned(), Tool { data: None, params: None }),
        ]
        .into_iter()
        .collect();
        let report = compare(&catalogue, &tools);
        assert_eq!((report.matched, report.unmatched), (1, 1));
        let found: Vec<(&str, bool)> =
            report.disagreements.iter().map(|(_, at, theirs)| (at.as_str(), *theirs)).collect();
        assert_eq!(found, [("body.name", false), ("body.label.color", true), ("body.label.style.bold", false)]);
        let read = verdicts("# a comment\nmodels.v1.thing.create\tbody.name\toptional\thttps://example.invalid/page\n");
        let tsv = report.tsv(&read);
        assert!(tsv.contains("models.v1.thing.create\tbody.label.color\trequired\toptional\tunread\n"), "{tsv}");
        assert!(tsv.contains("models.v1.thing.create\tbody.name\toptional\trequired\toptional\n"), "{tsv}");
        let settled = report.settled(&read);
        assert_eq!(
            settled,
            Settled { ours_right: 0, ours_wrong: 1, unsettled: 0, unread: 2 },
            "the page agrees with lark-mcp that `name` is optional"
        );
        let unsettled = verdicts("models.v1.thing.create\tbody.name\tunsettled\tno official page found\n");
        assert_eq!(report.settled(&unsettled).unsettled, 1);
    }

    #[test]
    fn a_field_the_method_requires_counts_as_required_for_that_method_alone() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/spec");
        let catalogue = lark_generator::catalogue(&root).unwrap();
        // `replace` requires `label.color` and one of `self` and `count`; `create` requires neither.
        let data = || {
            shape(serde_json::json!({ "required": true, "fields": {
                "self": { "required": false },
                "label": { "required": false, "fields": { "color": { "required": true } } }
            } }))
        };
        let tools: BTreeMap<String, Tool> = ["models.v1.thing.create", "models.v1.thing.replace"]
            .into_iter()
            .map(|id| (id.to_owned(), Tool { data: Some(data()), params: None }))
            .collect();
        let report = compare(&catalogue, &tools);
        assert_eq!(report.disagreements, [("models.v1.thing.create".to_owned(), "body.label.color".to_owned(), true)]);
    }

    #[test]
    fn camel_case_ids_match_ours() {
        assert_eq!(normalised("acs.v1.accessRecord.list"), "acs.v1.access_record.list");
        assert_eq!(normalised("im.v1.message.create"), "im.v1.message.create");
    }
}
