//! Lowers a validated catalogue to the IR: names decided, usages computed, order fixed.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{self, EnumRepr, HttpMethod, Type, Usage};
use crate::load::{Loaded, RawCatalogue};
use crate::naming::{self, Namespace};
use crate::spec::{self, ServiceFile};
use crate::types::{Builtin, TypeExpr};
use crate::validate::enum_value_text;

/// Names every version module reserves before models claim theirs.
const VERSION_RESERVED: &[&str] = &["Api"];
/// Module names inside a version module.
const MODULE_RESERVED: &[&str] = &["models", "events"];

/// Builds the IR. Call only on a catalogue `validate` found sound.
pub fn lower(raw: &RawCatalogue) -> ir::Catalogue {
    let mut by_service: BTreeMap<&str, Vec<&Loaded<ServiceFile>>> = BTreeMap::new();
    for file in &raw.services {
        by_service.entry(file.spec.service.as_str()).or_default().push(file);
    }
    let mut services: Vec<ir::Service> = by_service
        .into_iter()
        .map(|(wire, mut files)| {
            files.sort_by_key(|f| version_key(&f.spec.version));
            let first = &files[0].spec;
            ir::Service {
                wire: wire.to_owned(),
                module: naming::service_module(wire),
                accessor: naming::service_type(wire),
                title: first.title.clone(),
                summary: first.summary.clone(),
                versions: files.iter().map(|f| lower_version(&f.spec)).collect(),
            }
        })
        .collect();
    // Handler methods share one namespace: the crate's `EventDispatcher`.
    let mut handlers = Namespace::with_reserved(naming::DISPATCHER_RESERVED);
    let versions = services.iter_mut().flat_map(|s| s.versions.iter_mut());
    for version in versions {
        for e in &mut version.events {
            e.handler = handlers.claim(&e.handler);
        }
        for c in &mut version.callbacks {
            c.handler = handlers.claim(&c.handler);
        }
    }
    resolve_replacements(&mut services);
    let mut scopes: Vec<ir::Scope> = raw
        .scopes
        .spec
        .scopes
        .iter()
        .map(|(name, s)| ir::Scope {
            name: name.clone(),
            identity: s.identity.clone(),
            access: s.access,
            broad: s.broad,
            legacy: s.legacy,
            delivers: s.delivers.clone(),
            sensitive: s.sensitive,
            summary: s.summary.clone(),
        })
        .collect();
    scopes.sort_by(|a, b| a.name.cmp(&b.name));
    ir::Catalogue { services, scopes }
}

fn lower_deprecated(d: &spec::Deprecated) -> ir::Deprecation {
    ir::Deprecation { instead: d.instead.clone(), replacements: Vec::new(), doc: d.doc.clone() }
}

/// Resolves each deprecation's `instead` (official method ids, event types; validation has
/// checked they exist) to what a user calls and the item's rustdoc path.
fn resolve_replacements(services: &mut [ir::Service]) {
    let mut known: BTreeMap<String, ir::Replacement> = BTreeMap::new();
    for service in services.iter() {
        for version in &service.versions {
            for resource in &version.resources {
                for m in &resource.methods {
                    let Some(official) = &m.official_id else { continue };
                    let call = format!(
                        "client.{}().{}().{}().{}()",
                        service.module, version.module, resource.function, m.function
                    );
                    let link =
                        format!("crate::{}::{}::{}::{}", service.module, version.module, resource.accessor, m.function);
                    known.insert(official.clone(), ir::Replacement { call, link, id: m.id.clone() });
                }
            }
            for e in &version.events {
                let link = format!("crate::EventDispatcher::{}", e.handler);
                let replacement = ir::Replacement { call: e.handler.clone(), link, id: e.event_type.clone() };
                known.insert(e.event_type.clone(), replacement);
            }
        }
    }
    let resolve = |d: &mut Option<ir::Deprecation>| {
        if let Some(d) = d {
            d.replacements = d.instead.iter().filter_map(|id| known.get(id).cloned()).collect();
        }
    };
    for service in services.iter_mut() {
        for version in &mut service.versions {
            for resource in &mut version.resources {
                resource.methods.iter_mut().for_each(|m| resolve(&mut m.deprecated));
            }
            version.events.iter_mut().for_each(|e| resolve(&mut e.deprecated));
        }
    }
}

/// `v10` sorts after `v9`.
fn version_key(v: &str) -> (u64, String) {
    (v.trim_start_matches('v').parse().unwrap_or(u64::MAX), v.to_owned())
}

/// Rust names of a version's models and enums, by spec name.
struct TypeNames {
    models: BTreeMap<String, String>,
    enums: BTreeMap<String, String>,
}

impl TypeNames {
    fn lower(&self, expr: &TypeExpr, as_string: bool) -> Type {
        match expr {
            TypeExpr::Builtin(b) => match b {
                Builtin::String => Type::String,
                Builtin::Bool => Type::Bool,
                Builtin::Int32 => Type::I32,
                Builtin::Int64 if as_string => Type::Int64String,
                Builtin::Int64 => Type::I64,
                Builtin::Float64 => Type::F64,
                Builtin::File => Type::File,
                Builtin::Json => Type::Json,
            },
            TypeExpr::List(inner) => Type::List(Box::new(self.lower(inner, as_string))),
            TypeExpr::Map(inner) => Type::Map(Box::new(self.lower(inner, as_string))),
            TypeExpr::Named(name) => match (self.models.get(name), self.enums.get(name)) {
                (Some(rust), _) => Type::Model(rust.clone()),
                (None, Some(rust)) => Type::Enum(rust.clone()),
                // Unreachable after validation; an untyped value is the safe reading.
                (None, None) => Type::Json,
            },
        }
    }

    fn field(&self, ns: &mut Namespace, wire: &str, field: &spec::Field) -> ir::Field {
        let wanted = field.rust_name.clone().unwrap_or_else(|| naming::snake(wire));
        let ty = TypeExpr::parse(&field.ty).map_or(Type::Json, |t| self.lower(&t, field.as_string));
        ir::Field {
            wire: wire.to_owned(),
            rust: ns.claim(&wanted),
            ty,
            required: field.required,
            summary: field.summary.clone(),
            setter: None,
        }
    }

    fn fields(&self, ns: &mut Namespace, fields: &indexmap::IndexMap<String, spec::Field>) -> Vec<ir::Field> {
        fields.iter().map(|(wire, f)| self.field(ns, wire, f)).collect()
    }
}

fn lower_version(spec: &ServiceFile) -> ir::Version {
    let spec = &*crate::split::input_shapes(spec);
    let mut types = Namespace::with_reserved(VERSION_RESERVED);
    let mut modules = Namespace::with_reserved(MODULE_RESERVED);
    // Fixed generated names claim first, so a model that happens to share one is renamed.
    let mut resource_names = Vec::new();
    let mut functions = Namespace::with_reserved(&["new"]);
    for (wire, resource) in &spec.resources {
        let accessor = types.claim(&naming::resource_type(wire));
        let requests: Vec<String> =
            resource.methods.keys().map(|m| types.claim(&naming::request_type(m, wire))).collect();
        let names = (modules.claim(&naming::snake(wire)), functions.claim(&naming::snake(wire)));
        resource_names.push((names, accessor, requests));
    }
    let names = TypeNames {
        models: spec.models.keys().map(|k| (k.clone(), types.claim(&naming::camel(k)))).collect(),
        enums: spec.enums.keys().map(|k| (k.clone(), types.claim(&naming::camel(k)))).collect(),
    };
    let usage = usages(spec);
    let mut models: Vec<ir::Model> = spec
        .models
        .iter()
        .map(|(wire, model)| {
            let mut ns = Namespace::default();
            let multipart = spec
                .resources
                .values()
                .flat_map(|r| r.methods.values())
                .any(|m| matches!(&m.body, Some(spec::Body::Multipart(b)) if b == wire));
            ir::Model {
                wire: wire.clone(),
                rust: names.models[wire].clone(),
                summary: model.summary.clone(),
                fields: names.fields(&mut ns, &model.fields),
                usage: usage.get(wire).copied().unwrap_or_default(),
                multipart,
                default: false,
                alias_of: None,
                runtime: model.runtime.clone(),
            }
        })
        .collect();
    let payloads: BTreeSet<String> = spec
        .events
        .values()
        .map(|e| &e.payload)
        .chain(spec.callbacks.values().flat_map(|c| [&c.payload, &c.response]))
        .map(|wire| names.models[wire].clone())
        .collect();
    let mut enums: Vec<ir::Enum> = spec.enums.iter().map(|(wire, e)| lower_enum(wire, e, &names, &usage)).collect();
    crate::dedupe::alias_identical(&mut models, &mut enums, &payloads);
    mark_defaults(&mut models);
    let resources = spec
        .resources
        .iter()
        .zip(resource_names)
        .map(|((wire, resource), ((module, function), accessor, requests))| {
            let mut functions = Namespace::with_reserved(&["new"]);
            let methods = resource
                .methods
                .iter()
                .zip(requests)
                .map(|((mwire, m), request_type)| {
                    lower_method(spec, wire, mwire, m, request_type, &mut functions, &names)
                })
                .collect();
            ir::Resource { wire: wire.clone(), module, function, accessor, summary: resource.summary.clone(), methods }
        })
        .collect();
    let source = spec.source.clone();
    let events = spec
        .events
        .iter()
        .map(|(key, e)| ir::Event {
            event_type: key.clone(),
            handler: naming::handler(key),
            summary: e.summary.clone(),
            envelope: e.envelope,
            payload: names.models[&e.payload].clone(),
            doc_url: e.doc.clone(),
            scopes: lower_scopes(e.scopes.as_ref()),
            deprecated: e.deprecated.as_ref().map(lower_deprecated),
            source: e.source.clone().unwrap_or_else(|| source.clone()),
        })
        .collect();
    let callbacks = spec
        .callbacks
        .iter()
        .map(|(key, c)| ir::Callback {
            callback_type: key.clone(),
            handler: naming::handler(key),
            summary: c.summary.clone(),
            envelope: c.envelope,
            payload: names.models[&c.payload].clone(),
            response: names.models[&c.response].clone(),
            doc_url: c.doc.clone(),
            source: c.source.clone().unwrap_or_else(|| source.clone()),
        })
        .collect();
    ir::Version {
        wire: spec.version.clone(),
        module: naming::snake(&spec.version),
        source,
        resources,
        models: std::mem::take(&mut models),
        enums,
        events,
        callbacks,
    }
}

fn lower_method(
    spec: &ServiceFile,
    resource: &str,
    wire: &str,
    m: &spec::Method,
    request_type: String,
    functions: &mut Namespace,
    names: &TypeNames,
) -> ir::Method {
    let (verb, path) = m.http.split_once(' ').unwrap_or(("GET", &m.http));
    let http = match verb {
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    };
    let mut fields = Namespace::default();
    let path_params = names.fields(&mut fields, &m.path);
    let mut query_params = names.fields(&mut fields, &m.query);
    // Setters share the request type's method namespace with `new`.
    let mut setters = Namespace::with_reserved(&["new", "into_request", "ENDPOINT"]);
    for param in query_params.iter_mut().filter(|p| !p.required) {
        param.setter = Some(setters.claim(&param.rust));
    }
    let body = m.body.as_ref().map(|b| {
        let (model, multipart) = match b {
            spec::Body::Json(model) => (model, false),
            spec::Body::Multipart(model) => (model, true),
        };
        ir::Body { field: fields.claim("body"), model: names.models[model].clone(), multipart }
    });
    let response = match &m.response {
        Some(spec::Response::Json(model)) => ir::Response::Data(names.models[model].clone()),
        Some(spec::Response::Flat(model)) => ir::Response::Flat(names.models[model].clone()),
        Some(spec::Response::Binary) => ir::Response::Binary,
        None => ir::Response::Empty,
    };
    let pagination = m.pagination.as_ref().and_then(|p| {
        let Some(spec::Response::Json(model)) = &m.response else { return None };
        // Field names are decided the same way as when the model itself is lowered.
        let mut ns = Namespace::default();
        let mut fields = names.fields(&mut ns, &spec.models[model].fields);
        let mut take = |wire: &str| fields.iter().position(|f| f.wire == wire).map(|i| fields.swap_remove(i));
        let items = take(&p.items)?;
        let has_more = take("has_more")?;
        let cursor = take(p.cursor.as_deref().unwrap_or("page_token"))?;
        let page_token = query_params.iter().find(|q| q.wire == "page_token")?.rust.clone();
        Some(ir::Pagination {
            function: functions.claim(&format!("{}_all", naming::snake(wire))),
            page_token,
            items,
            has_more,
            cursor,
        })
    });
    let mut tokens = m.tokens.clone();
    tokens.sort();
    ir::Method {
        id: format!("{}.{}.{resource}.{wire}", spec.service, spec.version),
        wire: wire.to_owned(),
        function: functions.claim(&naming::snake(wire)),
        request_type,
        summary: m.summary.clone(),
        http,
        path: path.to_owned(),
        doc_url: m.doc.clone(),
        official_id: m.official_id.clone(),
        deprecated: m.deprecated.as_ref().map(lower_deprecated),
        tokens,
        scopes: lower_scopes(m.scopes.as_ref()),
        path_params,
        query_params,
        body,
        response,
        pagination,
        requires: m.requires.iter().map(|rule| alternatives(rule).map(str::to_owned).collect()).collect(),
        source: m.source.clone().unwrap_or_else(|| spec.source.clone()),
    }
}

/// The alternatives of a `requires` entry: `user_id | open_id`.
pub(crate) fn alternatives(rule: &str) -> impl Iterator<Item = &str> {
    rule.split('|').map(str::trim)
}

fn lower_scopes(scopes: Option<&spec::Scopes>) -> ir::Scopes {
    match scopes {
        None => ir::Scopes::Unknown,
        Some(spec::Scopes::Keyword(spec::ScopeKeyword::None)) => ir::Scopes::Known { any: vec![], all: vec![] },
        Some(spec::Scopes::Lists(l)) => ir::Scopes::Known { any: l.any.clone(), all: l.all.clone() },
    }
}

fn lower_enum(wire: &str, e: &spec::Enum, names: &TypeNames, usage: &BTreeMap<String, Usage>) -> ir::Enum {
    let repr = if e.ty == "int32" { EnumRepr::Int } else { EnumRepr::String };
    let mut ns = Namespace::with_reserved(&["Unknown"]);
    let variants = e
        .values
        .iter()
        .map(|v| {
            let (value, name, summary) = match v {
                spec::EnumValue::Bare(s) => (s.clone(), None, None),
                spec::EnumValue::Full(f) => (enum_value_text(&f.value), f.name.clone(), f.summary.clone()),
            };
            let rust = ns.claim(&naming::camel(name.as_deref().unwrap_or(&value)));
            ir::Variant { rust, wire: value, summary }
        })
        .collect();
    ir::Enum {
        wire: wire.to_owned(),
        rust: names.enums[wire].clone(),
        summary: e.summary.clone(),
        repr,
        variants,
        usage: usage.get(wire).copied().unwrap_or_default(),
        alias_of: None,
    }
}

/// How each model and enum travels, propagated from the roots through nested fields.
///
/// Serde derives are the dominant compile cost of a generated SDK, so a type gets
/// `Serialize` only if something sends it and `Deserialize` only if something reads it.
pub(crate) fn usages(spec: &ServiceFile) -> BTreeMap<String, Usage> {
    let mut roots: Vec<(&str, bool)> = Vec::new();
    for m in spec.resources.values().flat_map(|r| r.methods.values()) {
        if let Some(spec::Body::Json(model)) = &m.body {
            roots.push((model, true));
        }
        if let Some(spec::Body::Multipart(model)) = &m.body {
            // Multipart bodies are not serde-serialised, but their enums are sent as text.
            for f in spec.models[model].fields.values() {
                if let Ok(TypeExpr::Named(n)) = TypeExpr::parse(&f.ty) {
                    roots.push((spec.enums.get_key_value(&n).map_or("", |(k, _)| k.as_str()), true));
                }
            }
        }
        if let Some(spec::Response::Json(model) | spec::Response::Flat(model)) = &m.response {
            roots.push((model, false));
        }
        for param in m.path.values().chain(m.query.values()) {
            if let Ok(ty) = TypeExpr::parse(&param.ty)
                && let TypeExpr::Named(n) = ty.leaf()
            {
                roots.push((spec.enums.get_key_value(n).map_or("", |(k, _)| k.as_str()), true));
            }
        }
    }
    for e in spec.events.values() {
        roots.push((&e.payload, false));
    }
    for c in spec.callbacks.values() {
        roots.push((&c.payload, false));
        roots.push((&c.response, true));
    }
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut visited: BTreeSet<(String, bool)> = BTreeSet::new();
    while let Some((name, sent)) = roots.pop() {
        if name.is_empty() || !visited.insert((name.to_owned(), sent)) {
            continue;
        }
        let entry = usage.entry(name.to_owned()).or_default();
        if sent {
            entry.sent = true
        } else {
            entry.read = true
        }
        if let Some(model) = spec.models.get(name) {
            for field in model.fields.values() {
                if let Ok(ty) = TypeExpr::parse(&field.ty)
                    && let TypeExpr::Named(n) = ty.leaf()
                {
                    if let Some((key, _)) = spec.models.get_key_value(n).or(None) {
                        roots.push((key, sent));
                    } else if let Some((key, _)) = spec.enums.get_key_value(n) {
                        roots.push((key, sent));
                    }
                }
            }
        }
    }
    usage
}

/// A sent model derives `Default` when it has no required field, so callers can write
/// `..Default::default()` for the fields they leave out; one with required fields gets a
/// `new` that takes them instead, so that none can be left out.
fn mark_defaults(models: &mut [ir::Model]) {
    for m in models {
        m.default = m.usage.sent && !m.usage.read && !m.multipart && m.fields.iter().all(|f| !f.required);
    }
}
