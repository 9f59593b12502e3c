//! Markdown and crate files rendered from `templates/` with minijinja.
//!
//! Templates are compiled into the generator so a run never depends on the working
//! directory; views are small serialisable copies of the IR, in output order.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Serialize;

use crate::emit::HEADER;
use crate::emit::types::{scopes_text, tokens_text};
use crate::ir;

const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml.j2", include_str!("../../templates/Cargo.toml.j2")),
    ("README.md.j2", include_str!("../../templates/README.md.j2")),
    ("service.md.j2", include_str!("../../templates/service.md.j2")),
];

/// Where the crate sits relative to what it depends on.
#[derive(Debug, Serialize)]
struct CrateView<'a> {
    name: &'a str,
    publish: bool,
    header: &'a str,
    services: Vec<ServiceView>,
    total_endpoints: usize,
    total_scoped: usize,
    total_events: usize,
}

#[derive(Debug, Serialize)]
struct ServiceView {
    wire: String,
    module: String,
    title: String,
    summary: Option<String>,
    endpoints: Vec<EndpointView>,
    events: Vec<EventView>,
    /// Endpoints whose scopes are catalogued (including "none needed").
    scoped: usize,
    /// The vocabulary entries this service's endpoints and events name.
    scopes: Vec<ScopeView>,
    /// Runtime features its hand-written runtime models need: a `runtime:` path's first
    /// segment names the runtime module, and the feature is named after it.
    runtime_features: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ScopeView {
    name: String,
    identity: String,
    sensitive: bool,
    summary: String,
}

#[derive(Debug, Serialize)]
struct EndpointView {
    id: String,
    call: String,
    method: &'static str,
    path: String,
    tokens: String,
    scopes: String,
    summary: String,
    /// Markdown: what to use instead, when the platform no longer recommends it.
    deprecated: Option<String>,
    doc_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct EventView {
    event_type: String,
    kind: &'static str,
    payload: String,
    scopes: String,
    summary: String,
    deprecated: Option<String>,
    doc_url: Option<String>,
}

/// A deprecation as a table cell's text: the replacements as code, else the page.
fn deprecated_text(d: &ir::Deprecation) -> String {
    let calls: Vec<String> =
        d.replacements.iter().map(|r| format!("`{}`", r.call.trim_start_matches("client."))).collect();
    match (calls.is_empty(), &d.doc) {
        (false, _) => format!("use {} instead", ir::or_list(&calls)),
        (true, Some(doc)) => format!("see [its page]({doc})"),
        (true, None) => "no replacement named".to_owned(),
    }
}

/// Renders `Cargo.toml`, `README.md` and `docs/<service>.md`.
pub fn render(
    catalogue: &ir::Catalogue,
    options: &crate::Options,
) -> Result<BTreeMap<String, String>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    let header = HEADER.trim_start_matches("// ").trim_end();
    let services: Vec<ServiceView> = catalogue.services.iter().map(|s| service_view(s, &catalogue.scopes)).collect();
    let view = CrateView {
        name: &options.crate_name,
        publish: options.publish,
        header,
        total_endpoints: services.iter().map(|s| s.endpoints.len()).sum(),
        total_scoped: services.iter().map(|s| s.scoped).sum(),
        total_events: services.iter().map(|s| s.events.len()).sum(),
        services,
    };
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".to_owned(), env.get_template("Cargo.toml.j2")?.render(&view)?);
    files.insert("README.md".to_owned(), env.get_template("README.md.j2")?.render(&view)?);
    let template = env.get_template("service.md.j2")?;
    for service in &view.services {
        let page = template
            .render(minijinja::context! { header => header, crate_name => &options.crate_name, service => service })?;
        files.insert(format!("docs/{}.md", service.module), page);
    }
    Ok(files)
}

fn service_view(s: &ir::Service, vocabulary: &[ir::Scope]) -> ServiceView {
    let mut endpoints = Vec::new();
    let mut events = Vec::new();
    let mut scoped = 0;
    let mut used = std::collections::BTreeSet::new();
    let mut note = |scopes: &ir::Scopes| {
        if let ir::Scopes::Known { any, all } = scopes {
            used.extend(any.iter().chain(all).cloned());
            return true;
        }
        false
    };
    for v in &s.versions {
        for r in &v.resources {
            for m in &r.methods {
                scoped += usize::from(note(&m.scopes));
                endpoints.push(EndpointView {
                    id: m.id.clone(),
                    call: format!("{}().{}().{}().{}()", s.module, v.module, r.function, m.function),
                    method: m.http.as_str(),
                    path: m.path.clone(),
                    tokens: tokens_text(&m.tokens),
                    scopes: scopes_text(&m.scopes),
                    summary: m.summary.clone(),
                    deprecated: m.deprecated.as_ref().map(deprecated_text),
                    doc_url: m.doc_url.clone(),
                });
            }
        }
        for e in &v.events {
            note(&e.scopes);
            events.push(EventView {
                event_type: e.event_type.clone(),
                kind: "event",
                payload: format!("{}::{}::{}", s.module, v.module, e.payload),
                scopes: scopes_text(&e.scopes),
                summary: e.summary.clone(),
                deprecated: e.deprecated.as_ref().map(deprecated_text),
                doc_url: e.doc_url.clone(),
            });
        }
        for c in &v.callbacks {
            events.push(EventView {
                event_type: c.callback_type.clone(),
                kind: "callback",
                payload: format!("{}::{}::{}", s.module, v.module, c.payload),
                scopes: "none".to_owned(),
                summary: c.summary.clone(),
                deprecated: None,
                doc_url: c.doc_url.clone(),
            });
        }
    }
    let scopes = vocabulary
        .iter()
        .filter(|v| used.contains(&v.name))
        .map(|v| ScopeView {
            name: v.name.clone(),
            identity: v.identity.iter().map(|i| format!("{i:?}").to_lowercase()).collect::<Vec<_>>().join(", "),
            sensitive: v.sensitive,
            summary: v.summary.clone(),
        })
        .collect();
    let runtime_features: std::collections::BTreeSet<String> = s
        .versions
        .iter()
        .flat_map(|v| &v.models)
        .filter_map(|m| m.runtime.as_deref())
        .filter_map(|path| path.split("::").next())
        .map(|module| format!("lark-runtime/{module}"))
        .collect();
    ServiceView {
        runtime_features: runtime_features.into_iter().collect(),
        wire: s.wire.clone(),
        module: s.module.clone(),
        title: s.title.clone(),
        summary: s.summary.clone(),
        endpoints,
        events,
        scoped,
        scopes,
    }
}
