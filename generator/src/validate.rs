//! Semantic checks over the loaded catalogue; every problem is reported, none fixed.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{Loaded, RawCatalogue};
use crate::spec::{Body, Deprecated, Field, Method, Response, Scopes, ServiceFile};
use crate::types::{Builtin, TypeExpr};

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Checks everything `lower` relies on; an empty result means the catalogue is sound.
pub fn validate(catalogue: &RawCatalogue) -> Diagnostics {
    let mut errors = Diagnostics::default();
    let vocabulary: BTreeSet<&str> = catalogue.scopes.spec.scopes.keys().map(String::as_str).collect();
    for (name, scope) in &catalogue.scopes.spec.scopes {
        if scope.identity.is_empty() {
            let path = format!("scopes.{name}.identity");
            errors.push(catalogue.scopes.error(
                &path,
                "a scope needs at least one identity".into(),
                Some("write `identity: [tenant]`, `[user]` or both".into()),
            ));
        }
    }
    let mut endpoints: BTreeMap<String, String> = BTreeMap::new();
    let mut pushed: BTreeMap<String, String> = BTreeMap::new();
    for file in &catalogue.services {
        let mut check = FileCheck { file, vocabulary: &vocabulary, errors: &mut errors };
        check.header();
        check.enums();
        check.models();
        check.methods(&mut endpoints);
        check.events(&mut pushed);
    }
    deprecations(catalogue, &mut errors);
    errors.sorted()
}

/// A deprecation's `instead` names catalogued items: methods by official id, events by type.
fn deprecations(catalogue: &RawCatalogue, errors: &mut Diagnostics) {
    let methods: BTreeSet<&str> = catalogue
        .services
        .iter()
        .flat_map(|f| f.spec.resources.values().flat_map(|r| r.methods.values()))
        .filter_map(|m| m.official_id.as_deref())
        .collect();
    let events: BTreeSet<&str> =
        catalogue.services.iter().flat_map(|f| f.spec.events.keys().map(String::as_str)).collect();
    for file in &catalogue.services {
        let mut check = FileCheck { file, vocabulary: &BTreeSet::new(), errors };
        for (resource_name, resource) in &file.spec.resources {
            for (method_name, method) in &resource.methods {
                let path = format!("resources.{resource_name}.methods.{method_name}");
                check.deprecated(&path, method.deprecated.as_ref(), &methods, "the official id of a catalogued method");
            }
        }
        for (key, event) in &file.spec.events {
            check.deprecated(&format!("events.{key}"), event.deprecated.as_ref(), &events, "a catalogued event type");
        }
    }
}

struct FileCheck<'a> {
    file: &'a Loaded<ServiceFile>,
    vocabulary: &'a BTreeSet<&'a str>,
    errors: &'a mut Diagnostics,
}

impl FileCheck<'_> {
    fn error(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let hint = hint.into();
        let d: Diagnostic = self.file.error(path, message.into(), (!hint.is_empty()).then_some(hint));
        self.errors.push(d);
    }

    fn spec(&self) -> &ServiceFile {
        &self.file.spec
    }

    fn header(&mut self) {
        let expected = format!("services/{}/{}.yaml", self.spec().service, self.spec().version);
        if self.file.relative != expected {
            let message = format!(
                "the file says `service: {}` and `version: {}` but lives at {}",
                self.spec().service,
                self.spec().version,
                self.file.relative
            );
            self.error("service", message, format!("move it to spec/{expected} or fix the header"));
        }
        let lower =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !lower(&self.spec().service) {
            self.error(
                "service",
                format!("service name `{}` must be lowercase letters, digits and `_`", self.spec().service),
                "",
            );
        }
        if !self.spec().version.starts_with('v') || !lower(&self.spec().version) {
            self.error("version", format!("version `{}` must look like `v1`", self.spec().version), "");
        }
    }

    fn enums(&mut self) {
        let file = self.file;
        for (name, e) in &file.spec.enums {
            let path = format!("enums.{name}");
            self.type_name(&path, name);
            if file.spec.models.contains_key(name) {
                self.error(&path, format!("`{name}` is both a model and an enum"), "rename one of them");
            }
            let int = match e.ty.as_str() {
                "string" => false,
                "int32" => true,
                other => {
                    self.error(
                        &format!("{path}.type"),
                        format!("enum type `{other}` is not supported"),
                        "use `string` or `int32`",
                    );
                    continue;
                }
            };
            let mut seen = BTreeSet::new();
            for (i, value) in e.values.iter().enumerate() {
                let vpath = format!("{path}.values[{i}]");
                let (text, named) = match value {
                    crate::spec::EnumValue::Bare(s) => (s.clone(), false),
                    crate::spec::EnumValue::Full(full) => (enum_value_text(&full.value), full.name.is_some()),
                };
                if int && text.parse::<i64>().is_err() {
                    self.error(&vpath, format!("`{text}` is not an integer, but the enum is `int32`"), "");
                }
                if int && !named {
                    self.error(
                        &vpath,
                        format!("integer value `{text}` needs a `name`"),
                        "write `{ value: 1, name: active }`",
                    );
                }
                if !seen.insert(text.clone()) {
                    self.error(&vpath, format!("value `{text}` is listed twice"), "remove the duplicate");
                }
            }
            if e.values.is_empty() {
                self.error(&path, "an enum needs at least one value", "");
            }
        }
    }

    fn models(&mut self) {
        let file = self.file;
        for (name, model) in &file.spec.models {
            let path = format!("models.{name}");
            self.type_name(&path, name);
            if let Some(runtime) = &model.runtime {
                let mut segments: Vec<&str> = runtime.split("::").collect();
                let last = segments.pop().unwrap_or_default();
                let module = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if TypeExpr::parse(last) != Ok(TypeExpr::Named(last.to_owned())) || !segments.iter().all(module) {
                    self.error(
                        &format!("{path}.runtime"),
                        format!("`{runtime}` is not a path to a runtime type"),
                        "write the path below `lark_runtime::`, e.g. `message::card::CardAnswer`",
                    );
                }
            }
            for (wire, field) in &model.fields {
                self.field(&format!("{path}.fields.{wire}"), field, Place::Model);
            }
        }
    }

    fn type_name(&mut self, path: &str, name: &str) {
        if TypeExpr::parse(name) != Ok(TypeExpr::Named(name.to_owned())) {
            self.error(
                path,
                format!("`{name}` is not an UpperCamelCase name"),
                "models and enums are named like `ChatMember`",
            );
        }
    }

    /// Checks a field's type and flags; returns the parsed type when it is sound.
    fn field(&mut self, path: &str, field: &Field, place: Place) -> Option<TypeExpr> {
        let tpath = format!("{path}.type");
        let ty = match TypeExpr::parse(&field.ty) {
            Ok(ty) => ty,
            Err(message) => {
                self.error(&tpath, message, "builtins: string, bool, int32, int64, float64, file, json; or list<T>, map<T>, or a model or enum of this file");
                return None;
            }
        };
        if let TypeExpr::Named(name) = ty.leaf() {
            let known = self.spec().models.contains_key(name) || self.spec().enums.contains_key(name);
            if !known {
                let hint = match closest(name, self.spec().models.keys().chain(self.spec().enums.keys())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("declare `{name}` under `models:` or `enums:` in this file"),
                };
                self.error(&tpath, format!("unknown type `{name}`"), hint);
                return None;
            }
            if place == Place::Param && self.spec().models.contains_key(name) {
                self.error(
                    &tpath,
                    format!("parameter of model type `{name}`"),
                    "path and query parameters take scalars, enums or lists of them",
                );
            }
        }
        if field.as_string && ty.leaf() != &TypeExpr::Builtin(Builtin::Int64) {
            self.error(
                &format!("{path}.as_string"),
                "`as_string` applies only to int64",
                "remove it, or change the type to int64",
            );
        }
        let file_leaf = ty.leaf() == &TypeExpr::Builtin(Builtin::File);
        if file_leaf && (place != Place::Model || ty != TypeExpr::Builtin(Builtin::File)) {
            self.error(&tpath, "`file` is allowed only as a plain field of a multipart body model", "");
        }
        if place == Place::Param && matches!(ty, TypeExpr::Map(_)) {
            self.error(&tpath, "maps cannot be parameters", "");
        }
        if let Some(name) = &field.rust_name {
            let valid = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid {
                self.error(&format!("{path}.rust_name"), format!("`{name}` is not a snake_case identifier"), "");
            }
        }
        Some(ty)
    }

    fn methods(&mut self, endpoints: &mut BTreeMap<String, String>) {
        let file = self.file;
        let mut multipart_models = BTreeSet::new();
        for (resource_name, resource) in &file.spec.resources {
            if resource.methods.is_empty() {
                self.error(&format!("resources.{resource_name}"), "a resource needs at least one method", "");
            }
            for (method_name, method) in &resource.methods {
                let path = format!("resources.{resource_name}.methods.{method_name}");
                let id = format!("{} {}", file.display_file().display(), path);
                if let Some(endpoint) = self.method(&path, method, &mut multipart_models)
                    && let Some(other) = endpoints.insert(endpoint.clone(), id)
                {
                    self.error(
                        &format!("{path}.http"),
                        format!("`{endpoint}` is also declared at {other}"),
                        "each method and path appears once in the catalogue",
                    );
                }
            }
        }
        // A `file` field anywhere but a multipart body cannot be sent.
        for (name, model) in &file.spec.models {
            for (wire, field) in &model.fields {
                if field.ty == "file" && !multipart_models.contains(name.as_str()) {
                    let path = format!("models.{name}.fields.{wire}.type");
                    self.error(
                        &path,
                        format!("`{name}` has a file field but is not a multipart body"),
                        "use it as `body: { multipart: ... }`",
                    );
                }
            }
        }
    }

    /// Checks one method; returns `"VERB /path"` when the http line is sound.
    fn method<'m>(&mut self, path: &str, method: &'m Method, multipart: &mut BTreeSet<&'m str>) -> Option<String> {
        self.scopes(path, method.scopes.as_ref());
        self.doc_url(path, method.doc.as_deref());
        let mut seen = BTreeSet::new();
        for (i, token) in method.tokens.iter().enumerate() {
            if !seen.insert(token) {
                self.error(
                    &format!("{path}.tokens[{i}]"),
                    format!("token kind `{token:?}` is listed twice").to_lowercase(),
                    "",
                );
            }
        }
        for (section, params) in [("path", &method.path), ("query", &method.query)] {
            for (wire, field) in params {
                self.field(&format!("{path}.{section}.{wire}"), field, Place::Param);
            }
        }
        match &method.body {
            Some(Body::Json(model)) => {
                self.model_ref(&format!("{path}.body.json"), model);
            }
            Some(Body::Multipart(model)) if self.model_ref(&format!("{path}.body.multipart"), model) => {
                multipart.insert(model);
                self.multipart_model(&format!("{path}.body.multipart"), model);
            }
            Some(Body::Multipart(_)) | None => {}
        }
        self.requires(path, method);
        match &method.response {
            Some(Response::Json(model)) => {
                self.model_ref(&format!("{path}.response.json"), model);
            }
            Some(Response::Flat(model)) => {
                self.model_ref(&format!("{path}.response.flat"), model);
            }
            Some(Response::Binary) | None => {}
        }
        if let Some(pagination) = &method.pagination {
            self.pagination(path, method, pagination);
        }
        let http_path = format!("{path}.http");
        let Some((verb, template)) = method.http.split_once(' ') else {
            self.error(
                &http_path,
                format!("`{}` is not `<METHOD> <path>`", method.http),
                "write e.g. `GET /open-apis/im/v1/messages/:message_id`",
            );
            return None;
        };
        if !HTTP_METHODS.contains(&verb) {
            self.error(
                &http_path,
                format!("`{verb}` is not an HTTP method the platform uses"),
                "use GET, POST, PUT, PATCH or DELETE",
            );
            return None;
        }
        if !template.starts_with("/open-apis/") || template.contains(['?', ' ', '#']) {
            self.error(
                &http_path,
                format!("`{template}` is not a path under /open-apis/"),
                "paths start with /open-apis/ and carry no query string",
            );
            return None;
        }
        let placeholders: Vec<&str> = template.split('/').filter_map(|s| s.strip_prefix(':')).collect();
        for name in &placeholders {
            if !method.path.contains_key(*name) {
                self.error(
                    &http_path,
                    format!("placeholder `:{name}` has no entry under `path:`"),
                    format!("add `path: {{ {name}: {{ type: string, required: true }} }}`"),
                );
            }
        }
        for (name, field) in &method.path {
            if !placeholders.contains(&name.as_str()) {
                self.error(
                    &format!("{path}.path.{name}"),
                    format!("path parameter `{name}` does not appear in `{template}`"),
                    format!("add `:{name}` to the path or remove the parameter"),
                );
            } else if !field.required {
                self.error(
                    &format!("{path}.path.{name}"),
                    format!("path parameter `{name}` must be `required: true`"),
                    "",
                );
            }
        }
        Some(format!("{verb} {template}"))
    }

    /// Each `requires` entry names fields of the JSON body's models, reached through
    /// models and lists; alternatives are siblings; and the field is not required already.
    fn requires(&mut self, path: &str, method: &Method) {
        if method.requires.is_empty() {
            return;
        }
        let Some(Body::Json(body)) = &method.body else {
            self.error(
                &format!("{path}.requires"),
                "`requires` names body fields, but the method has no JSON body",
                "",
            );
            return;
        };
        for (i, rule) in method.requires.iter().enumerate() {
            let at = format!("{path}.requires[{i}]");
            let alternatives: Vec<&str> = crate::lower::alternatives(rule).collect();
            let parent = |p: &str| p.rsplit_once('.').map_or("", |(parent, _)| parent).to_owned();
            if alternatives.iter().any(|a| parent(a) != parent(alternatives[0])) {
                self.error(&at, format!("the alternatives of `{rule}` are not fields of one object"), "");
                continue;
            }
            for alternative in &alternatives {
                match self.body_field(body, alternative) {
                    Err(message) => self.error(&at, message, "write a dotted path of wire names from the body"),
                    Ok(true) if alternatives.len() == 1 => {
                        self.error(&at, format!("`{alternative}` is required by its model already"), "remove the entry")
                    }
                    Ok(_) => {}
                }
            }
        }
    }

    /// Follows a dotted path from the body model; whether its last field is required.
    fn body_field(&self, body: &str, dotted: &str) -> Result<bool, String> {
        let mut model = body.to_owned();
        let mut segments = dotted.split('.').peekable();
        while let Some(segment) = segments.next() {
            let field = self
                .spec()
                .models
                .get(&model)
                .and_then(|m| m.fields.get(segment))
                .ok_or_else(|| format!("`{dotted}`: `{segment}` is not a field of `{model}`"))?;
            if segments.peek().is_none() {
                return Ok(field.required);
            }
            let mut ty = TypeExpr::parse(&field.ty).map_err(|e| format!("`{dotted}`: {e}"))?;
            while let TypeExpr::List(inner) = ty {
                ty = *inner;
            }
            match ty {
                TypeExpr::Named(name) if self.spec().models.contains_key(&name) => model = name,
                _ => return Err(format!("`{dotted}`: `{segment}` does not hold a model")),
            }
        }
        Err(format!("`{dotted}` is empty"))
    }

    fn model_ref(&mut self, path: &str, name: &str) -> bool {
        if self.spec().models.contains_key(name) {
            return true;
        }
        let hint = match closest(name, self.spec().models.keys()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("declare `{name}` under `models:` in this file"),
        };
        self.error(path, format!("unknown model `{name}`"), hint);
        false
    }

    fn multipart_model(&mut self, path: &str, name: &str) {
        let Some(model) = self.spec().models.get(name) else { return };
        let mut has_file = false;
        let mut nested = Vec::new();
        for (wire, field) in &model.fields {
            match TypeExpr::parse(&field.ty) {
                Ok(TypeExpr::Builtin(Builtin::File)) => has_file = true,
                Ok(TypeExpr::Builtin(Builtin::Json)) | Ok(TypeExpr::List(_)) | Ok(TypeExpr::Map(_)) => {
                    nested.push(wire.clone())
                }
                Ok(TypeExpr::Named(n)) if self.spec().models.contains_key(&n) => nested.push(wire.clone()),
                _ => {}
            }
        }
        if !has_file {
            self.error(
                path,
                format!("multipart body `{name}` has no `file` field"),
                "use `body: { json: ... }` for bodies without files",
            );
        }
        for wire in nested {
            self.error(
                &format!("models.{name}.fields.{wire}.type"),
                format!("multipart field `{wire}` must be a scalar, an enum or a file"),
                "",
            );
        }
    }

    fn pagination(&mut self, path: &str, method: &Method, pagination: &crate::spec::Pagination) {
        let ppath = format!("{path}.pagination");
        for (param, ty) in [("page_size", "int32"), ("page_token", "string")] {
            if method.query.get(param).is_none_or(|f| f.ty != ty) {
                self.error(
                    &ppath,
                    format!("a paginated method needs the query parameter `{param}: {{ type: {ty} }}`"),
                    "",
                );
            }
        }
        let Some(Response::Json(model)) = &method.response else {
            self.error(&ppath, "a paginated method needs `response: { json: ... }`", "");
            return;
        };
        let file = self.file;
        let Some(model) = file.spec.models.get(model) else { return };
        let cursor = pagination.cursor.as_deref().unwrap_or("page_token");
        // (field, type prefix it must have, how to say it)
        let expect =
            [("has_more", "bool", "bool"), (cursor, "string", "string"), (&pagination.items, "list<", "a list")];
        for (field, prefix, what) in expect {
            if !model.fields.get(field).is_some_and(|f| f.ty.starts_with(prefix)) {
                self.error(&ppath, format!("the response model needs a field `{field}` that is {what}"), "");
            }
        }
    }

    fn scopes(&mut self, path: &str, scopes: Option<&Scopes>) {
        let Some(Scopes::Lists(lists)) = scopes else { return };
        if lists.any.is_empty() && lists.all.is_empty() {
            self.error(
                &format!("{path}.scopes"),
                "empty scope lists",
                "write `scopes: none` when the call needs no scope, or omit `scopes` when unknown",
            );
        }
        for (kind, list) in [("any", &lists.any), ("all", &lists.all)] {
            let mut seen = BTreeSet::new();
            for (i, scope) in list.iter().enumerate() {
                let spath = format!("{path}.scopes.{kind}[{i}]");
                if !self.vocabulary.contains(scope.as_str()) {
                    let hint = match closest(scope, self.vocabulary.iter()) {
                        Some(near) => format!("did you mean `{near}`? otherwise add it to spec/scopes.yaml"),
                        None => "add it to spec/scopes.yaml".to_owned(),
                    };
                    self.error(&spath, format!("scope `{scope}` is not in the vocabulary"), hint);
                }
                if !seen.insert(scope) {
                    self.error(&spath, format!("scope `{scope}` is listed twice"), "");
                }
            }
        }
    }

    fn deprecated(&mut self, path: &str, deprecated: Option<&Deprecated>, known: &BTreeSet<&str>, what: &str) {
        let Some(deprecated) = deprecated else { return };
        for (i, id) in deprecated.instead.iter().enumerate() {
            if !known.contains(id.as_str()) {
                let hint = match closest(id, known.iter()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("`instead` names {what}"),
                };
                self.error(&format!("{path}.deprecated.instead[{i}]"), format!("`{id}` is not in the catalogue"), hint);
            }
        }
        self.doc_url(&format!("{path}.deprecated"), deprecated.doc.as_deref());
    }

    fn doc_url(&mut self, path: &str, doc: Option<&str>) {
        if let Some(url) = doc
            && (!url.starts_with("https://") || url.contains(char::is_whitespace))
        {
            self.error(&format!("{path}.doc"), format!("`{url}` is not an https URL"), "");
        }
    }

    fn events(&mut self, pushed: &mut BTreeMap<String, String>) {
        let file = self.file;
        let mut payloads: IndexMap<&str, String> = IndexMap::new();
        let items =
            file.spec.events.iter().map(|(k, e)| ("events", k, &e.payload, e.doc.as_deref(), e.scopes.as_ref()));
        let callbacks = file.spec.callbacks.iter().map(|(k, c)| ("callbacks", k, &c.payload, c.doc.as_deref(), None));
        for (section, key, payload, doc, scopes) in items.chain(callbacks) {
            let path = format!("{section}.{key}");
            // v1 types have no dots and are not always lowercase (`app_ticket`,
            // `leave_approvalV2`); v2 types do (`im.message.receive_v1`).
            let valid = !key.is_empty()
                && !key.starts_with('.')
                && !key.ends_with('.')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !valid {
                self.error(
                    &path,
                    format!("`{key}` does not look like an event type"),
                    "event types look like `im.message.receive_v1` or `app_ticket`",
                );
            }
            if let Some(other) = pushed.insert(key.clone(), format!("{} {path}", file.display_file().display())) {
                self.error(&path, format!("`{key}` is also declared at {other}"), "");
            }
            if self.model_ref(&format!("{path}.payload"), payload)
                && let Some(other) = payloads.insert(payload, key.clone())
            {
                self.error(
                    &format!("{path}.payload"),
                    format!("model `{payload}` is already the payload of `{other}`"),
                    "give each event its own payload model",
                );
            }
            self.doc_url(&path, doc);
            self.scopes(&path, scopes);
        }
        for (key, callback) in &file.spec.callbacks {
            self.model_ref(&format!("callbacks.{key}.response"), &callback.response);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Model,
    Param,
}

/// An enum value as text, whether YAML read it as a string, number or bool.
pub(crate) fn enum_value_text(value: &serde_yaml::Value) -> String {
    match value {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo.
fn closest<'a, S: AsRef<str> + 'a>(name: &str, candidates: impl Iterator<Item = S>) -> Option<String> {
    candidates
        .map(|c| (distance(name, c.as_ref()), c.as_ref().to_owned()))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
