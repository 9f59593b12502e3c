//! Models that are the same type under two names become one struct and a type alias.
//!
//! The upstream packages declare a class per place a shape appears, so a service often
//! has several structs with identical fields (667 of 4,717 imported models, counted on
//! direct fields alone). Each would cost its own derives and conversions to compile;
//! an alias costs nothing and keeps every name users know.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Enum, Model, Type, Usage};

/// Marks each model whose fields and docs equal an earlier model's (after resolving
/// nested models the same way) as an alias of it, and merges their usages.
///
/// Event and callback payloads are left alone: each carries its own trait impls.
/// Multipart bodies are left alone: they are request-side builders, not data.
pub fn alias_identical(models: &mut [Model], enums: &mut [Enum], keep: &BTreeSet<String>) {
    let mut canonical = alias_enums(enums);
    let eligible = |m: &Model| !m.multipart && !keep.contains(&m.rust);
    canonical.extend(models.iter().map(|m| (m.rust.clone(), m.rust.clone())));
    // Merging two models can make their parents equal, so repeat until nothing changes.
    loop {
        let mut first_of: BTreeMap<String, String> = BTreeMap::new();
        let mut changed = false;
        for m in models.iter().filter(|m| eligible(m)) {
            if canonical[&m.rust] != m.rust {
                continue;
            }
            let key = shape(m, &canonical);
            match first_of.get(&key) {
                Some(first) => {
                    canonical.insert(m.rust.clone(), first.clone());
                    changed = true;
                }
                None => {
                    first_of.insert(key, m.rust.clone());
                }
            }
        }
        if !changed {
            break;
        }
    }
    merge_usage(models, &canonical);
}

/// Enums with the same representation, values and docs: the later ones become aliases.
/// Returns each enum's canonical name.
fn alias_enums(enums: &mut [Enum]) -> BTreeMap<String, String> {
    let mut canonical = BTreeMap::new();
    let mut first_of: BTreeMap<String, String> = BTreeMap::new();
    for e in enums.iter() {
        let mut key = format!("{:?}|{:?}|", e.repr, e.summary);
        for v in &e.variants {
            key.push_str(&format!("{}|{}|{:?}\n", v.rust, v.wire, v.summary));
        }
        let first = first_of.entry(key).or_insert_with(|| e.rust.clone()).clone();
        canonical.insert(e.rust.clone(), first);
    }
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    for e in enums.iter() {
        let target = usage.entry(canonical[&e.rust].clone()).or_default();
        target.read |= e.usage.read;
        target.sent |= e.usage.sent;
    }
    for e in enums.iter_mut() {
        let target: &String = &canonical[&e.rust];
        e.usage = usage[target];
        if *target != e.rust {
            e.alias_of = Some(target.clone());
        }
    }
    canonical
}

fn merge_usage(models: &mut [Model], canonical: &BTreeMap<String, String>) {
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    for m in models.iter() {
        let target = usage.entry(canonical[&m.rust].clone()).or_default();
        target.read |= m.usage.read;
        target.sent |= m.usage.sent;
    }
    for m in models.iter_mut() {
        let target = &canonical[&m.rust];
        m.usage = usage[target];
        if *target != m.rust {
            m.alias_of = Some(target.clone());
        }
    }
}

/// Everything that makes two models the same Rust type with the same docs.
fn shape(m: &Model, canonical: &BTreeMap<String, String>) -> String {
    let mut key = format!("{:?}|{:?}|", m.summary, m.runtime);
    for f in &m.fields {
        key.push_str(&format!("{}|{}|{}|{:?}|{}\n", f.wire, f.rust, f.required, f.summary, type_key(&f.ty, canonical)));
    }
    key
}

fn type_key(ty: &Type, canonical: &BTreeMap<String, String>) -> String {
    match ty {
        Type::Model(name) => format!("Model({})", canonical.get(name).unwrap_or(name)),
        Type::Enum(name) => format!("Enum({})", canonical.get(name).unwrap_or(name)),
        Type::List(inner) => format!("List({})", type_key(inner, canonical)),
        Type::Map(inner) => format!("Map({})", type_key(inner, canonical)),
        other => format!("{other:?}"),
    }
}
