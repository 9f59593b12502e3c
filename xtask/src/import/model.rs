//! Builds one file's models and enums by walking Python model classes and Node type
//! trees in parallel.
//!
//! Walking only records observations (which Python type, which Node types, whether a
//! model is sent or read); `finish` then decides every type at once, so a model that
//! several endpoints share gets the union of what they say. Decisions:
//! - Python `int` that Node writes as `string` is an int64 travelling as a string;
//!   Node `number` is an int32 (the Node SDK's own mapping); a Python `int` no Node type
//!   covers is an int64 (read as number or string when the model is only read).
//! - Node literal unions become enums, named after the field (`UserIdType`), reused
//!   within the file for the same name and value set, otherwise prefixed with the owner.
//! - A field is `required` when the model is sent and every Node occurrence on the
//!   sending side marks it required. A model that is also read keeps the flag: the
//!   generator gives such a model an input variant for requests and keeps the read side
//!   forgiving.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::doc::{Enum, Field, Models};
use super::merge::camel;
use super::sources::Ts;

type Classes = BTreeMap<String, Vec<(String, String)>>;

/// Which Python model folder a class lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    Api,
    Callbacks,
}

/// Names the file's overlay declares (see `Builder::curated_enums`).
#[derive(Debug, Default)]
pub struct Curated {
    pub models: BTreeSet<String>,
    pub enums: BTreeMap<String, BTreeSet<String>>,
}

/// A path or query parameter to type.
pub struct Param<'a> {
    pub wire: &'a str,
    pub py: Option<&'a str>,
    pub ts: Option<&'a Ts>,
    pub required: bool,
}

/// A parsed Python annotation from a `_types` dict.
#[derive(Debug, Clone, PartialEq)]
enum Py {
    Str,
    Int,
    Float,
    Bool,
    Any,
    File,
    List(Box<Py>),
    Map(Box<Py>),
    Model(String),
}

#[derive(Debug, Default)]
struct Draft {
    fields: IndexMap<String, DraftField>,
    sent: bool,
    read: bool,
}

#[derive(Debug, Default)]
struct DraftField {
    py: Option<Py>,
    obs: Vec<Obs>,
    /// The model this field (or its list/map leaf) refers to.
    child: Option<String>,
}

#[derive(Debug)]
struct Obs {
    ts: Ts,
    optional: bool,
    /// Seen in a request (a body or a sent model) rather than a reply.
    sent: bool,
}

pub struct Builder<'a> {
    api: Option<&'a Classes>,
    callbacks: Option<&'a Classes>,
    /// Names no synthesized model or enum may take: every Python class of the folders.
    /// A model the overlay declares is not reserved: an imported model of the same name
    /// is the one the overlay means to merge into.
    reserved: BTreeSet<String>,
    /// Enums the overlay declares, by name: an imported enum takes such a name only
    /// for the same values, so an overlay never redefines an imported enum.
    curated_enums: BTreeMap<String, BTreeSet<String>>,
    taken: BTreeSet<String>,
    python_names: BTreeMap<(bool, String), String>,
    synthesized: BTreeMap<(String, String), String>,
    drafts: IndexMap<String, Draft>,
    enums: BTreeMap<String, Enum>,
}

impl<'a> Builder<'a> {
    pub fn new(api: Option<&'a Classes>, callbacks: Option<&'a Classes>, curated: &Curated) -> Self {
        let reserved: BTreeSet<String> = api.into_iter().chain(callbacks).flat_map(|c| c.keys().cloned()).collect();
        Builder {
            api,
            callbacks,
            reserved,
            curated_enums: curated.enums.clone(),
            taken: BTreeSet::new(),
            python_names: BTreeMap::new(),
            synthesized: BTreeMap::new(),
            drafts: IndexMap::new(),
            enums: BTreeMap::new(),
        }
    }

    fn classes(&self, folder: Folder, given: Option<&'a Classes>) -> Option<&'a Classes> {
        match folder {
            Folder::Api => given.or(self.api),
            Folder::Callbacks => self.callbacks,
        }
    }

    /// Claims `wanted` or a numbered variant; `python` names may take reserved names.
    fn claim(&mut self, wanted: &str, python: bool) -> String {
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while self.taken.contains(&candidate) || (!python && self.reserved.contains(&candidate)) {
            candidate = format!("{wanted}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// The spec name of a Python class: `XRequestBody` → `XBody`, `XResponseBody` →
    /// `XData` (the names the curated catalogue uses), or `forced` for event payloads.
    fn python_name(&mut self, folder: Folder, classes: &Classes, class: &str, forced: Option<&str>) -> String {
        let key = (folder == Folder::Callbacks, class.to_owned());
        if let Some(name) = self.python_names.get(&key) {
            return name.clone();
        }
        let wanted = match forced {
            Some(f) => f.to_owned(),
            None => {
                let renamed = class
                    .strip_suffix("RequestBody")
                    .map(|s| format!("{s}Body"))
                    .or_else(|| class.strip_suffix("ResponseBody").map(|s| format!("{s}Data")));
                match renamed {
                    Some(r) if !classes.contains_key(&r) => r,
                    _ => class.to_owned(),
                }
            }
        };
        // Python names (and their renames, checked against the folder above) may take
        // reserved names: an overlay model of the same name is meant to merge into them.
        let name = self.claim(&wanted, true);
        self.python_names.insert(key, name.clone());
        name
    }

    /// Walks a Python class (and the Node object type at the same place, if any);
    /// returns the model's spec name.
    pub fn walk_python(
        &mut self,
        folder: Folder,
        given: Option<&'a Classes>,
        class: &str,
        forced: Option<&str>,
        ts: Option<&Ts>,
        sent: bool,
    ) -> String {
        let Some(classes) = self.classes(folder, given) else {
            return forced.map_or_else(|| class.to_owned(), str::to_owned);
        };
        let Some(fields) = classes.get(class) else {
            return match ts {
                Some(ts) => self.walk_node(forced.unwrap_or(class), ts, sent),
                None => forced.map_or_else(|| class.to_owned(), str::to_owned),
            };
        };
        let name = self.python_name(folder, classes, class, forced);
        let first = !self.drafts.contains_key(&name);
        let draft = self.drafts.entry(name.clone()).or_default();
        if sent {
            draft.sent = true
        } else {
            draft.read = true
        }
        if first {
            for (wire, py) in fields {
                draft
                    .fields
                    .insert(wire.clone(), DraftField { py: Some(parse_py(py, classes)), ..DraftField::default() });
            }
        } else if ts.is_none() {
            // Already walked; without Node facts there is nothing new to learn.
            return name;
        }
        for (wire, _) in fields {
            let node_field = ts.and_then(|t| t.field(wire));
            let py = self.drafts[&name].fields[wire].py.clone();
            if let Some(f) = node_field {
                let obs = Obs { ts: f.ty.clone(), optional: f.optional, sent };
                self.drafts[&name].fields[wire].obs.push(obs);
            }
            if let Some(Py::Model(child_class)) = py.as_ref().map(leaf) {
                let sub = node_field.map(|f| ts_leaf(&f.ty)).filter(|t| matches!(t, Ts::Object { .. }));
                let child = self.walk_python(folder, Some(classes), child_class, None, sub, sent);
                self.drafts[&name].fields[wire].child = Some(child);
            }
        }
        if let Some(ts) = ts {
            for f in ts.fields() {
                if !fields.iter().any(|(w, _)| *w == f.name) {
                    self.node_field(&name, &f.name, &f.ty, f.optional, sent);
                }
            }
        }
        name
    }

    /// Walks a Node object type into the model `wanted` (claimed on first use).
    pub fn walk_node(&mut self, wanted: &str, ts: &Ts, sent: bool) -> String {
        let name = self.claim(wanted, false);
        self.walk_node_into(&name, ts, sent);
        name
    }

    fn walk_node_into(&mut self, name: &str, ts: &Ts, sent: bool) {
        let draft = self.drafts.entry(name.to_owned()).or_default();
        if sent {
            draft.sent = true
        } else {
            draft.read = true
        }
        for f in ts.fields() {
            self.node_field(name, &f.name, &f.ty, f.optional, sent);
        }
    }

    fn node_field(&mut self, model: &str, wire: &str, ty: &Ts, optional: bool, sent: bool) {
        let field = self.drafts[model].fields.entry(wire.to_owned()).or_default();
        field.obs.push(Obs { ts: ty.clone(), optional, sent });
        let existing = field.child.clone();
        let sub = ts_leaf(ty);
        if matches!(sub, Ts::Object { fields } if !fields.is_empty()) {
            let child = match existing {
                Some(child) => child,
                None => {
                    let key = (model.to_owned(), wire.to_owned());
                    let child = match self.synthesized.get(&key) {
                        Some(c) => c.clone(),
                        None => {
                            let c = self.claim(&format!("{model}{}", camel(wire)), false);
                            self.synthesized.insert(key, c.clone());
                            c
                        }
                    };
                    self.drafts[model].fields[wire].child = Some(child.clone());
                    child
                }
            };
            self.walk_node_into(&child, sub, sent);
        }
    }

    /// Types a path or query parameter (enums are created in the file's namespace).
    pub fn param(&mut self, owner: &str, p: Param) -> Field {
        let py = p.py.map(|t| parse_py(t, &Classes::new()));
        let obs: Vec<&Ts> = p.ts.into_iter().collect();
        let (ty, as_string) = self.resolve(owner, p.wire, py.as_ref(), &obs, None, true);
        // Parameters take scalars, enums or lists of them.
        let ty = if ty == "json" || ty.starts_with("map<") || (self.drafts.contains_key(&ty)) {
            "string".to_owned()
        } else {
            ty
        };
        Field { ty, required: p.required, as_string }
    }

    /// Decides every field type; returns the models and enums, sorted by name.
    pub fn finish(mut self) -> (Models, BTreeMap<String, Enum>) {
        let mut models = BTreeMap::new();
        for (name, draft) in std::mem::take(&mut self.drafts) {
            let only_sent = draft.sent && !draft.read;
            let mut fields = Vec::new();
            for (wire, f) in &draft.fields {
                let obs: Vec<&Ts> = f.obs.iter().map(|o| &o.ts).collect();
                let (ty, as_string) = self.resolve(&name, wire, f.py.as_ref(), &obs, f.child.as_deref(), only_sent);
                let sent_obs: Vec<&Obs> = f.obs.iter().filter(|o| o.sent).collect();
                let required = draft.sent && !sent_obs.is_empty() && sent_obs.iter().all(|o| !o.optional);
                fields.push((wire.clone(), Field { ty, required, as_string }));
            }
            models.insert(name, fields);
        }
        (models, self.enums)
    }

    /// The spec type of a field from its Python type and Node observations.
    fn resolve(
        &mut self,
        owner: &str,
        wire: &str,
        py: Option<&Py>,
        obs: &[&Ts],
        child: Option<&str>,
        sent: bool,
    ) -> (String, bool) {
        // The first informative Node type; enum values are the union of all.
        let ts = obs.iter().find(|t| !matches!(t, Ts::Any)).copied();
        match (py, ts) {
            (Some(Py::Model(_)), _) => (child.map_or_else(|| "json".to_owned(), str::to_owned), false),
            (None, Some(Ts::Object { fields })) if !fields.is_empty() => {
                (child.map_or_else(|| "json".to_owned(), str::to_owned), false)
            }
            (Some(Py::List(inner)), _) | (Some(Py::Map(inner)), _) => {
                let list = matches!(py, Some(Py::List(_)));
                let sub: Vec<&Ts> = obs.iter().filter_map(|t| inner_of(t, list)).collect();
                let (ty, s) = self.resolve(owner, wire, Some(inner), &sub, child, sent);
                (format!("{}<{ty}>", if list { "list" } else { "map" }), s)
            }
            (None, Some(Ts::Array { .. })) | (None, Some(Ts::Map { .. })) => {
                let list = matches!(ts, Some(Ts::Array { .. }));
                let sub: Vec<&Ts> = obs.iter().filter_map(|t| inner_of(t, list)).collect();
                let (ty, s) = self.resolve(owner, wire, None, &sub, child, sent);
                (format!("{}<{ty}>", if list { "list" } else { "map" }), s)
            }
            (Some(Py::Str) | None, Some(Ts::Enum { .. })) | (Some(Py::Int), Some(Ts::Enum { .. })) => {
                (self.enum_for(owner, wire, obs), false)
            }
            (Some(Py::Str), _) | (None, Some(Ts::String)) => ("string".into(), false),
            (Some(Py::Int), Some(Ts::String)) => ("int64".into(), true),
            (Some(Py::Int), Some(Ts::Number)) => ("int32".into(), false),
            (Some(Py::Int), _) => ("int64".into(), !sent),
            (None, Some(Ts::Number)) => ("int64".into(), false),
            (Some(Py::Float), _) => ("float64".into(), false),
            (Some(Py::Bool), _) | (None, Some(Ts::Boolean)) => ("bool".into(), false),
            (Some(Py::File), _) | (None, Some(Ts::File)) => ("file".into(), false),
            (Some(Py::Any), Some(_)) => self.resolve(owner, wire, None, obs, child, sent),
            _ => ("json".into(), false),
        }
    }

    /// The enum for a field's literal unions: reused when a same-named enum has the
    /// same values, else a new one named after the field, then after owner and field.
    fn enum_for(&mut self, owner: &str, wire: &str, obs: &[&Ts]) -> String {
        let mut int = false;
        let mut values: Vec<String> = Vec::new();
        for t in obs {
            if let Ts::Enum { base, values: vs } = t {
                int = base == "number";
                for v in vs {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if !values.contains(&text) {
                        values.push(text);
                    }
                }
            }
        }
        if int && values.iter().any(|v| v.parse::<i32>().is_err()) {
            int = false;
        }
        let wanted = Enum { int, values };
        let base = camel(wire);
        let owned = format!("{owner}{base}");
        for candidate in [&base, &owned] {
            let values: BTreeSet<String> = wanted.values.iter().cloned().collect();
            if self.curated_enums.get(candidate.as_str()).is_some_and(|c| *c != values) {
                continue;
            }
            match self.enums.get(candidate.as_str()) {
                Some(e) if same_values(e, &wanted) => return candidate.clone(),
                Some(_) => continue,
                None if !self.taken.contains(candidate.as_str()) && !self.reserved.contains(candidate.as_str()) => {
                    self.taken.insert(candidate.clone());
                    self.enums.insert(candidate.clone(), wanted);
                    return candidate.clone();
                }
                None => continue,
            }
        }
        let mut name = self.claim(&owned, false);
        while self.curated_enums.contains_key(&name) {
            name = self.claim(&owned, false);
        }
        self.enums.insert(name.clone(), wanted);
        name
    }
}

fn same_values(a: &Enum, b: &Enum) -> bool {
    a.int == b.int && a.values.iter().collect::<BTreeSet<_>>() == b.values.iter().collect::<BTreeSet<_>>()
}

fn inner_of(ts: &Ts, list: bool) -> Option<&Ts> {
    match (ts, list) {
        (Ts::Array { of }, true) | (Ts::Map { of }, false) => Some(of),
        _ => None,
    }
}

fn leaf(py: &Py) -> &Py {
    match py {
        Py::List(inner) | Py::Map(inner) => leaf(inner),
        other => other,
    }
}

fn ts_leaf(ts: &Ts) -> &Ts {
    match ts {
        Ts::Array { of } | Ts::Map { of } => ts_leaf(of),
        other => other,
    }
}

/// Parses `str`, `int`, `List[X]`, `Dict[str, X]`, `IO[Any]`, or a class of `classes`.
fn parse_py(text: &str, classes: &Classes) -> Py {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix("List[").and_then(|r| r.strip_suffix(']')) {
        return Py::List(Box::new(parse_py(inner, classes)));
    }
    if let Some(inner) = text.strip_prefix("Dict[").and_then(|r| r.strip_suffix(']')) {
        let value = inner.split_once(',').map_or("Any", |(_, v)| v);
        return Py::Map(Box::new(parse_py(value, classes)));
    }
    match text {
        "str" => Py::Str,
        "int" => Py::Int,
        "float" => Py::Float,
        "bool" => Py::Bool,
        "IO[Any]" | "IO" | "BytesIO" => Py::File,
        t if classes.contains_key(t) => Py::Model(t.to_owned()),
        _ => Py::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_annotations_parse() {
        let classes: Classes = [("Mention".to_owned(), vec![])].into_iter().collect();
        assert_eq!(parse_py("List[Mention]", &classes), Py::List(Box::new(Py::Model("Mention".into()))));
        assert_eq!(parse_py("Dict[str, List[int]]", &classes), Py::Map(Box::new(Py::List(Box::new(Py::Int)))));
        assert_eq!(parse_py("IO[Any]", &classes), Py::File);
        assert_eq!(parse_py("Unknown", &classes), Py::Any);
    }
}
