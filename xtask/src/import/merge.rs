//! Merges the two packages' facts into service files.
//!
//! Endpoints are matched by verb and path. The Python package names the models; the
//! Node declarations give the exact wire types, required flags and enum values, so each
//! endpoint's Python model tree is walked in parallel with its Node type tree, field by
//! field (`model::Builder`). Endpoints only the Node package has get synthesized,
//! deterministic names. Everything is visited in sorted order, so names never depend on
//! the order of upstream files.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use super::doc::{self, Callback, Deprecated, Event, File, Method, Response};
use super::model::{Builder, Curated, Folder, Param};
use super::sources::{Node, NodeEndpoint, Notes, PyEndpoint, PyService, Python, Ts, TsField};

/// Provenance strings of the two packages.
pub struct Sources {
    pub pypi: String,
    pub npm: String,
}

/// What one import produced, with counts per source for the summary.
pub struct Merged {
    pub files: BTreeMap<String, File>,
    pub counts: Counts,
    pub warnings: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Counts {
    pub endpoints_both: usize,
    pub endpoints_node_only: usize,
    pub endpoints_python_only: usize,
    pub events_v2_both: usize,
    pub events_v2_node_only: usize,
    pub events_v2_python_only: usize,
    pub events_v1: usize,
    pub callbacks: usize,
}

/// The v2 envelope's header fields, which the Node handlers' payload types merge in front
/// of the event's own fields.
const V2_HEADER: &[&str] =
    &["event_id", "token", "create_time", "event_type", "tenant_key", "ts", "uuid", "type", "app_id"];

/// The v1 envelope's own keys, merged into the Node handlers' payload types.
const V1_ENVELOPE: &[&str] = &["ts", "uuid", "token"];

/// v1 event types carry no service; this is where each one is filed.
const V1_HOMES: &[(&str, &str, &str)] = &[
    ("add_bot", "im", "v1"),
    ("add_user_to_chat", "im", "v1"),
    ("app_open", "application", "v6"),
    ("app_status_change", "application", "v6"),
    ("app_ticket", "auth", "v3"),
    ("app_uninstalled", "application", "v6"),
    ("chat_disband", "im", "v1"),
    ("contact_scope_change", "contact", "v3"),
    ("dept_add", "contact", "v3"),
    ("group_setting_update", "im", "v1"),
    ("leave_approvalV2", "approval", "v4"),
    ("message", "im", "v1"),
    ("message_read", "im", "v1"),
    ("order_paid", "application", "v6"),
    ("out_approval", "approval", "v4"),
    ("p2p_chat_create", "im", "v1"),
    ("remedy_approval", "approval", "v4"),
    ("remove_bot", "im", "v1"),
    ("shift_approval", "approval", "v4"),
    ("third_party_meeting_room_event_created", "meeting_room", "v1"),
    ("trip_approval", "approval", "v4"),
    ("user_add", "contact", "v3"),
    ("user_status_change", "contact", "v3"),
    ("work_approval", "approval", "v4"),
];

/// Where the card callbacks are filed (the Python package keeps them outside `api/`).
const CALLBACK_HOME: (&str, &str) = ("cardkit", "v1");

const TOKEN_ORDER: &[&str] = &["tenant", "user", "app"];

/// Merges; `curated` holds, per file (`services/<service>/<version>.yaml`), the names
/// its overlay declares.
pub fn merge(py: &Python, node: &Node, sources: &Sources, curated: &BTreeMap<String, Curated>) -> Merged {
    let mut warnings = Vec::new();
    let mut counts = Counts::default();
    let folders: BTreeMap<(String, String), &PyService> =
        py.services.iter().map(|s| ((s.service.clone(), s.version.clone()), s)).collect();

    // Every endpoint once, keyed by verb and path, with its home file.
    let mut by_route: BTreeMap<(String, String), Sides> = BTreeMap::new();
    for service in &py.services {
        for e in &service.endpoints {
            let (Some(verb), Some(uri)) = (&e.http_method, &e.uri) else {
                warnings.push(format!(
                    "python {}/{} {}.{}: no verb or uri",
                    service.service, service.version, e.resource, e.method
                ));
                continue;
            };
            by_route.entry((verb.clone(), uri.clone())).or_default().0 = Some((service, e));
        }
    }
    for e in &node.endpoints {
        by_route.entry((e.method.clone(), e.url.clone())).or_default().1 = Some(e);
    }

    let official_ids: BTreeSet<&str> = node.endpoints.iter().map(|e| e.id.as_str()).collect();

    // Plan: file → resource → method → the endpoint's facts.
    let mut plan: BTreeMap<(String, String), BTreeMap<(String, String), Planned>> = BTreeMap::new();
    for ((verb, path), (py_side, node_side)) in by_route {
        let (service, version, resource, method, official) = match (node_side, py_side) {
            (Some(n), _) => {
                let parts: Vec<&str> = n.id.split('/').collect();
                let [project, version, resource, api] = parts.as_slice() else {
                    warnings.push(format!("node endpoint id `{}` is not project/version/resource/apiName", n.id));
                    continue;
                };
                (
                    (*project).to_owned(),
                    (*version).to_owned(),
                    (*resource).to_owned(),
                    (*api).to_owned(),
                    Some(n.id.clone()),
                )
            }
            (None, Some((s, e))) => (s.service.clone(), s.version.clone(), e.resource.clone(), e.method.clone(), None),
            (None, None) => continue,
        };
        match (py_side.is_some(), node_side.is_some()) {
            (true, true) => counts.endpoints_both += 1,
            (true, false) => counts.endpoints_python_only += 1,
            _ => counts.endpoints_node_only += 1,
        }
        let resource_key = resource.replace('.', "_");
        let entry = plan.entry((service, version)).or_default();
        let mut method_key = method.clone();
        let mut n = 2;
        while entry.contains_key(&(resource_key.clone(), method_key.clone())) {
            method_key = format!("{method}_{n}");
            n += 1;
        }
        entry.insert(
            (resource_key, method_key),
            Planned { verb, path, resource_label: resource, api: method, official, py: py_side, node: node_side },
        );
    }

    // Events: file → key → facts.
    let mut events: BTreeMap<(String, String), Vec<PlannedEvent>> = BTreeMap::new();
    let py_events: BTreeMap<String, (&PyService, &super::sources::PyEvent)> = py
        .services
        .iter()
        .flat_map(|s| {
            s.events.iter().map(move |e| (format!("P2{}", camel(&e.event_type.clone().unwrap_or_default())), (s, e)))
        })
        .collect();
    let mut matched = BTreeSet::new();
    for e in &node.events.v2 {
        let class = format!("P2{}", camel(&e.key));
        let py_side = py_events.get(&class).copied();
        let home = match py_side {
            Some((s, _)) => Some((s.service.clone(), s.version.clone())),
            None => v2_home(&e.key),
        };
        let Some(home) = home else {
            warnings.push(format!("event `{}` has no `_v<N>` suffix; skipped", e.key));
            continue;
        };
        if py_side.is_some() {
            matched.insert(class);
            counts.events_v2_both += 1;
        } else {
            counts.events_v2_node_only += 1;
        }
        let payload = strip_prefix_fields(&e.payload, V2_HEADER);
        events.entry(home).or_default().push(PlannedEvent {
            key: e.key.clone(),
            v1: false,
            py: py_side.map(|(_, ev)| ev),
            node: Some(payload),
            notes: e.notes.clone(),
        });
    }
    for (class, (s, e)) in &py_events {
        if matched.contains(class) {
            continue;
        }
        let Some(key) = &e.event_type else {
            warnings.push(format!("python event class {} is not registered by the dispatcher; skipped", e.class));
            continue;
        };
        counts.events_v2_python_only += 1;
        events.entry((s.service.clone(), s.version.clone())).or_default().push(PlannedEvent {
            key: key.clone(),
            v1: false,
            py: Some(e),
            node: None,
            notes: Notes::default(),
        });
    }
    for e in &node.events.v1 {
        let Some((_, service, version)) = V1_HOMES.iter().find(|(k, _, _)| *k == e.key) else {
            warnings.push(format!("v1 event `{}` has no home in V1_HOMES (xtask/src/import/merge.rs); skipped", e.key));
            continue;
        };
        counts.events_v1 += 1;
        let payload = strip_fields(&e.payload, V1_ENVELOPE);
        events.entry(((*service).to_owned(), (*version).to_owned())).or_default().push(PlannedEvent {
            key: e.key.clone(),
            v1: true,
            py: None,
            node: Some(payload),
            notes: e.notes.clone(),
        });
    }

    let mut homes: BTreeSet<(String, String)> = plan.keys().cloned().collect();
    homes.extend(events.keys().cloned());
    homes.insert((CALLBACK_HOME.0.to_owned(), CALLBACK_HOME.1.to_owned()));

    let callback_folder: BTreeMap<String, Vec<(String, String)>> = py.callbacks.models.clone();
    let mut files = BTreeMap::new();
    for home in homes {
        let folder = folders.get(&home).map(|s| &s.models);
        let is_callback_home = home.0 == CALLBACK_HOME.0 && home.1 == CALLBACK_HOME.1;
        let relative = format!("services/{}/{}.yaml", home.0, home.1);
        let none = Curated::default();
        let mut builder =
            Builder::new(folder, is_callback_home.then_some(&callback_folder), curated.get(&relative).unwrap_or(&none));
        let mut file = File {
            service: home.0.clone(),
            version: home.1.clone(),
            title: title(&home.0),
            source: format!("{} + {}", sources.pypi, sources.npm),
            ..File::default()
        };
        let methods = plan.remove(&home).unwrap_or_default();
        let tokens_guess = token_guesses(&methods);
        let mut pending = Vec::new();
        for ((resource, method_name), planned) in &methods {
            let mut method =
                endpoint(&mut builder, resource, method_name, planned, &tokens_guess, sources, &mut warnings);
            method.deprecated =
                planned.node.and_then(|n| n.notes.deprecated.as_deref()).map(|pages| deprecation(pages, &official_ids));
            pending.push((resource.clone(), method_name.clone(), method));
        }
        let mut home_events = events.remove(&home).unwrap_or_default();
        home_events.sort_by(|a, b| a.key.cmp(&b.key));
        for e in &home_events {
            let name = event_name(&home.0, &e.key);
            let payload = match (e.py, &e.node) {
                (Some(py_event), node_payload) => {
                    let folder = folders.get(&home).map(|s| &s.models);
                    builder.walk_python(Folder::Api, folder, &py_event.data, Some(&name), node_payload.as_ref(), false)
                }
                (None, Some(node_payload)) => builder.walk_node(&name, node_payload, false),
                (None, None) => continue,
            };
            let summary =
                if e.v1 { format!("Pushed as `{}` (v1 envelope).", e.key) } else { format!("Pushed as `{}`.", e.key) };
            let source = match (e.py.is_some(), e.node.is_some()) {
                (true, false) => Some(sources.pypi.clone()),
                (false, true) => Some(sources.npm.clone()),
                _ => None,
            };
            let deprecated = e.notes.deprecated.as_deref().map(|pages| deprecation(pages, &official_ids));
            file.events.insert(e.key.clone(), Event { summary, v1: e.v1, payload, deprecated, source });
        }
        if file.service == CALLBACK_HOME.0 && file.version == CALLBACK_HOME.1 {
            for c in &py.callbacks.items {
                let payload_name = format!("{}Event", camel(&c.callback_type));
                let response_name = format!("{}Response", camel(&c.callback_type));
                let payload = builder.walk_python(Folder::Callbacks, None, &c.data, Some(&payload_name), None, false);
                let response =
                    builder.walk_python(Folder::Callbacks, None, &c.response, Some(&response_name), None, true);
                counts.callbacks += 1;
                file.callbacks.insert(
                    c.callback_type.clone(),
                    Callback {
                        summary: format!("Pushed as `{}`; the handler's answer is the HTTP response.", c.callback_type),
                        payload,
                        response,
                    },
                );
            }
        }
        let (models, enums) = builder.finish();
        for (resource, method_name, mut method) in pending {
            method.pagination = pagination(&method, &models);
            let iterator =
                methods.get(&(resource.clone(), method_name.clone())).and_then(|p| p.node).is_some_and(|n| n.iterator);
            if iterator && method.pagination.is_none() {
                warnings
                    .push(format!("{}: the Node SDK pages it, but no unambiguous item list was found", method.http));
            }
            file.resources.entry(resource).or_default().insert(method_name, method);
        }
        file.models = models;
        file.enums = enums;
        files.insert(file.relative(), file);
    }
    Merged { files, counts, warnings }
}

/// One route's endpoint in each package, where it has one.
type Sides<'a> = (Option<(&'a PyService, &'a PyEndpoint)>, Option<&'a NodeEndpoint>);

struct Planned<'a> {
    verb: String,
    path: String,
    /// The official resource name (may be dotted), for the summary.
    resource_label: String,
    api: String,
    official: Option<String>,
    py: Option<(&'a PyService, &'a PyEndpoint)>,
    node: Option<&'a NodeEndpoint>,
}

struct PlannedEvent<'a> {
    key: String,
    v1: bool,
    py: Option<&'a super::sources::PyEvent>,
    node: Option<Ts>,
    notes: Notes,
}

fn endpoint<'a>(
    builder: &mut Builder<'a>,
    resource: &str,
    method_name: &str,
    p: &Planned<'a>,
    tokens_guess: &BTreeMap<String, Vec<String>>,
    sources: &Sources,
    warnings: &mut Vec<String>,
) -> Method {
    let owner = format!("{}{}", camel(method_name), camel(resource));
    let py = p.py.map(|(_, e)| e);
    let folder = p.py.map(|(s, _)| &s.models);
    let node = p.node;
    let tokens = match py {
        Some(e) => ordered_tokens(&e.tokens),
        None => tokens_guess.get(resource).cloned().unwrap_or_else(|| vec!["tenant".into(), "user".into()]),
    };

    // Path parameters: exactly the placeholders of the path.
    let mut path_params = Vec::new();
    for name in p.path.split('/').filter_map(|s| s.strip_prefix(':')) {
        let py_ty = py.and_then(|e| e.path.iter().find(|(n, _)| n == name)).map(|(_, t)| t.as_str());
        let ts = node.and_then(|n| n.path.as_ref()).and_then(|t| t.field(name));
        let field = builder.param(&owner, Param { wire: name, py: py_ty, ts: ts.map(|f| &f.ty), required: true });
        path_params.push((name.to_owned(), field));
    }
    // Query parameters: the Python order, then what only the Node types list.
    let mut query = Vec::new();
    let node_params: Vec<&TsField> =
        node.and_then(|n| n.params.as_ref()).map(|t| t.fields().iter().collect()).unwrap_or_default();
    let params_optional = node.is_none_or(|n| n.params_optional);
    let mut names: Vec<String> = py.map(|e| e.query.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    for f in &node_params {
        if !names.contains(&f.name) {
            names.push(f.name.clone());
        }
    }
    for name in names {
        if query.iter().any(|(n, _): &(String, doc::Field)| *n == name) {
            continue;
        }
        let py_ty = py.and_then(|e| e.query.iter().find(|(n, _)| *n == name)).map(|(_, t)| t.as_str());
        let ts = node_params.iter().find(|f| f.name == name);
        let required = ts.is_some_and(|f| !f.optional) && !params_optional;
        let field = builder.param(&owner, Param { wire: &name, py: py_ty, ts: ts.map(|f| &f.ty), required });
        query.push((name, field));
    }

    let multipart = py.is_some_and(|e| e.multipart) || node.is_some_and(|n| n.multipart);
    let node_body = node.and_then(|n| n.data.as_ref()).filter(|t| !t.fields().is_empty());
    let body = match (py.and_then(|e| e.body.as_deref()), node_body) {
        (Some(class), ts) => Some(builder.walk_python(Folder::Api, folder, class, None, ts, true)),
        (None, Some(ts)) => Some(builder.walk_node(&format!("{owner}Body"), ts, true)),
        (None, None) => None,
    };
    let download = py.is_some_and(|e| e.download) || node.is_some_and(|n| n.download);
    let node_data = node.and_then(|n| n.response.as_ref()).filter(|t| !t.fields().is_empty());
    let response = if download {
        Some(Response::Binary)
    } else {
        match (py.and_then(|e| e.response.as_deref()), node_data) {
            (Some(class), ts) => Some(Response::Json(builder.walk_python(Folder::Api, folder, class, None, ts, false))),
            (None, Some(ts)) => Some(Response::Json(builder.walk_node(&format!("{owner}Data"), ts, false))),
            (None, None) => None,
        }
    };
    if multipart && body.is_none() {
        warnings.push(format!("{} {}: multipart without a body model", p.verb, p.path));
    }
    let source = match (py.is_some(), node.is_some()) {
        (true, false) => Some(sources.pypi.clone()),
        (false, true) => Some(sources.npm.clone()),
        _ => None,
    };
    Method {
        summary: format!("Calls `{}` on `{}`.", p.api, p.resource_label),
        http: format!("{} {}", p.verb, p.path),
        doc: node.map(|n| n.doc.clone()),
        official_id: p.official.clone(),
        tokens,
        path: path_params,
        query,
        body: body.map(|b| (if multipart { "multipart" } else { "json" }, b)),
        response,
        pagination: None,
        deprecated: None,
        source,
    }
}

/// A deprecation notice's pages as catalogued methods where they name one
/// (`…/reference/contact-v3/user/patch` is `contact/v3/user/patch`), else the first page.
fn deprecation(pages: &[String], official_ids: &BTreeSet<&str>) -> Deprecated {
    let mut deprecated = Deprecated::default();
    for page in pages {
        match official_id_of(page).filter(|id| official_ids.contains(id.as_str())) {
            Some(id) => deprecated.instead.push(id),
            None => {
                deprecated.doc.get_or_insert_with(|| page.clone());
            }
        }
    }
    deprecated
}

/// The official id a documentation page's path spells: a `<project>-<version>` segment,
/// then the resource (its dots written as dashes) and the api name.
fn official_id_of(page: &str) -> Option<String> {
    let segments: Vec<&str> = page.split('/').collect();
    let at = segments.iter().position(|s| {
        s.rsplit_once("-v")
            .is_some_and(|(project, v)| !project.is_empty() && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
    })?;
    let [resource, api] = segments.get(at + 1..)? else { return None };
    let (project, version) = segments[at].rsplit_once('-')?;
    Some(format!("{project}/{version}/{}/{api}", resource.replace('-', ".")))
}

/// Token kinds for endpoints the Python package lacks: the kinds every Python endpoint
/// of the same resource agrees on.
fn token_guesses(methods: &BTreeMap<(String, String), Planned>) -> BTreeMap<String, Vec<String>> {
    let mut seen: BTreeMap<String, BTreeSet<Vec<String>>> = BTreeMap::new();
    for ((resource, _), p) in methods {
        if let Some((_, e)) = p.py {
            seen.entry(resource.clone()).or_default().insert(ordered_tokens(&e.tokens));
        }
    }
    seen.into_iter()
        .filter(|(_, kinds)| kinds.len() == 1)
        .filter_map(|(r, kinds)| Some((r, kinds.into_iter().next()?)))
        .collect()
}

fn ordered_tokens(kinds: &[String]) -> Vec<String> {
    TOKEN_ORDER.iter().filter(|k| kinds.iter().any(|x| x == *k)).map(|k| (*k).to_owned()).collect()
}

/// `pagination: { items }` when the method has the cursor query parameters and its answer
/// has `has_more`, `page_token` and exactly one list (or a list called `items`).
fn pagination(method: &Method, models: &doc::Models) -> Option<String> {
    let query = |name: &str, ty: &str| method.query.iter().any(|(n, f)| n == name && f.ty == ty);
    if !query("page_size", "int32") || !query("page_token", "string") {
        return None;
    }
    let Some(Response::Json(model)) = &method.response else { return None };
    let fields = models.get(model)?;
    let has = |name: &str, ty: &str| fields.iter().any(|(n, f)| n == name && f.ty == ty);
    if !has("has_more", "bool") || !has("page_token", "string") {
        return None;
    }
    let lists: Vec<&String> = fields.iter().filter(|(_, f)| f.ty.starts_with("list<")).map(|(n, _)| n).collect();
    match lists.as_slice() {
        [one] => Some((*one).clone()),
        many => many.iter().find(|n| n.as_str() == "items").map(|n| (*n).clone()),
    }
}

fn v2_home(key: &str) -> Option<(String, String)> {
    let service = key.split('.').next()?;
    let (_, version) = key.rsplit_once("_v")?;
    version.chars().all(|c| c.is_ascii_digit()).then(|| (service.to_owned(), format!("v{version}")))
}

/// `im.message.receive_v1` in `im` → `MessageReceiveV1Event`.
fn event_name(service: &str, key: &str) -> String {
    let rest = key.strip_prefix(service).and_then(|r| r.strip_prefix('.')).unwrap_or(key);
    format!("{}Event", camel(rest))
}

fn strip_prefix_fields(ts: &Ts, names: &[&str]) -> Ts {
    let fields = ts.fields();
    let skip = fields.iter().take_while(|f| names.contains(&f.name.as_str())).count();
    Ts::Object { fields: fields[skip..].to_vec() }
}

fn strip_fields(ts: &Ts, names: &[&str]) -> Ts {
    Ts::Object { fields: ts.fields().iter().filter(|f| !names.contains(&f.name.as_str())).cloned().collect() }
}

/// UpperCamelCase from any wire text, keeping only ASCII letters and digits.
pub fn camel(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut name: String = spaced.to_upper_camel_case().chars().filter(char::is_ascii_alphanumeric).collect();
    if name.is_empty() {
        name = "Value".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// `human_authentication` → `Human authentication`.
fn title(service: &str) -> String {
    let words = service.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
