//! `cargo xtask stats [--json]`: the catalogue's counts per service, read through the
//! generator's own loader (`lark_generator::catalogue`), so overlays are included.

use std::path::Path;
use std::process::ExitCode;

use lark_generator::ir::{Catalogue, Scopes, Service, TokenKind};
use serde_json::json;

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    endpoints: usize,
    models: usize,
    enums: usize,
    events: usize,
    callbacks: usize,
    /// Endpoints and events whose scopes are known (curated).
    scoped: usize,
}

impl Counts {
    fn of(service: &Service) -> Counts {
        let mut c = Counts::default();
        for v in &service.versions {
            let methods = v.resources.iter().flat_map(|r| &r.methods);
            c.endpoints += methods.clone().count();
            c.scoped += methods.filter(|m| m.scopes != Scopes::Unknown).count();
            c.scoped += v.events.iter().filter(|e| e.scopes != Scopes::Unknown).count();
            c.models += v.models.len();
            c.enums += v.enums.len();
            c.events += v.events.len();
            c.callbacks += v.callbacks.len();
        }
        c
    }

    fn add(&mut self, o: Counts) {
        self.endpoints += o.endpoints;
        self.models += o.models;
        self.enums += o.enums;
        self.events += o.events;
        self.callbacks += o.callbacks;
        self.scoped += o.scoped;
    }

    fn json(self) -> serde_json::Value {
        json!({
            "endpoints": self.endpoints,
            "models": self.models,
            "enums": self.enums,
            "events": self.events,
            "callbacks": self.callbacks,
            "curated_scopes": self.scoped,
        })
    }
}

pub fn run(as_json: bool) -> ExitCode {
    let catalogue = match lark_generator::catalogue(Path::new("spec")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    if as_json {
        print_json(&catalogue)
    } else {
        print_table(&catalogue)
    }
    ExitCode::SUCCESS
}

fn print_table(catalogue: &Catalogue) {
    println!(
        "{:<28} {:>9} {:>7} {:>6} {:>7} {:>9} {:>14}",
        "service", "endpoints", "models", "enums", "events", "callbacks", "curated scopes"
    );
    let mut total = Counts::default();
    for s in &catalogue.services {
        let c = Counts::of(s);
        total.add(c);
        row(&s.wire, c);
    }
    row("total", total);
}

fn row(name: &str, c: Counts) {
    println!(
        "{:<28} {:>9} {:>7} {:>6} {:>7} {:>9} {:>14}",
        name, c.endpoints, c.models, c.enums, c.events, c.callbacks, c.scoped
    );
}

/// One JSON document; each endpoint sits on a line of its own, for grep and diff.
fn print_json(catalogue: &Catalogue) {
    let mut total = Counts::default();
    let mut services = serde_json::Map::new();
    for s in &catalogue.services {
        let c = Counts::of(s);
        total.add(c);
        services.insert(s.wire.clone(), c.json());
    }
    println!("{{");
    println!("  \"services\": {},", serde_json::Value::Object(services));
    println!("  \"total\": {},", total.json());
    println!("  \"endpoints\": [");
    let endpoints: Vec<String> = catalogue
        .services
        .iter()
        .flat_map(|s| &s.versions)
        .flat_map(|v| &v.resources)
        .flat_map(|r| &r.methods)
        .map(|m| {
            let tokens: Vec<&str> = m.tokens.iter().map(|t| token(*t)).collect();
            json!({ "id": m.id, "method": m.http.as_str(), "path": m.path, "tokens": tokens }).to_string()
        })
        .collect();
    println!("    {}", endpoints.join(",\n    "));
    println!("  ]");
    println!("}}");
}

fn token(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Tenant => "tenant",
        TokenKind::User => "user",
        TokenKind::App => "app",
    }
}
