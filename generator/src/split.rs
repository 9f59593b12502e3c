//! Input shapes apart from output shapes.
//!
//! The platform reuses one model for a request and a reply (`Badge` for creating a badge
//! and for reading one back). What a request must send, a reply may still leave out, so
//! such a model becomes two types:
//!
//! - the model itself, which replies and events decode: every field optional, so a
//!   missing one never fails decoding;
//! - an input variant ([`naming::input_model`]) that requests send, whose required fields
//!   are plain values set through its constructor.
//!
//! A model is split when it is both sent and read and it, or a model it holds, has a
//! required field. Everything else stays one type, identical on both sides. The spec
//! keeps one model with its facts; the split happens here, before lowering.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::lower::usages;
use crate::naming;
use crate::spec::{Body, ServiceFile};
use crate::types::TypeExpr;

/// The file with its two-way models split, or the file itself when none needs it.
pub fn input_shapes(spec: &ServiceFile) -> Cow<'_, ServiceFile> {
    let usage = usages(spec);
    let both = |name: &str| usage.get(name).is_some_and(|u| u.sent && u.read);
    // Split models, found to a fixpoint: a model holding a split one splits too.
    let mut split: BTreeSet<String> = BTreeSet::new();
    loop {
        let before = split.len();
        for (name, model) in &spec.models {
            let needs = model.runtime.is_none()
                && both(name)
                && model.fields.values().any(|f| f.required || held(&f.ty).is_some_and(|m| split.contains(&m)));
            if needs {
                split.insert(name.clone());
            }
        }
        if split.len() == before {
            break;
        }
    }
    if split.is_empty() {
        return Cow::Borrowed(spec);
    }
    let mut taken: BTreeSet<String> = spec.models.keys().chain(spec.enums.keys()).cloned().collect();
    let inputs: BTreeMap<String, String> =
        split.iter().map(|name| (name.clone(), naming::input_model(name, &mut taken))).collect();

    let mut out = spec.clone();
    let sent_only = |name: &str| usage.get(name).is_some_and(|u| u.sent && !u.read);
    for (name, model) in out.models.iter_mut() {
        if split.contains(name) {
            // The read side: forgiving.
            for field in model.fields.values_mut() {
                field.required = false;
            }
        } else if sent_only(name) {
            for field in model.fields.values_mut() {
                field.ty = retyped(&field.ty, &inputs);
            }
        }
    }
    for (name, input) in &inputs {
        let mut model = spec.models[name].clone();
        for field in model.fields.values_mut() {
            field.ty = retyped(&field.ty, &inputs);
        }
        let what = model.summary.as_deref().map_or_else(|| format!("`{name}`"), |s| s.trim_end_matches('.').to_owned());
        model.summary = Some(format!("{what}, as a request sends it: the fields the platform requires must be set."));
        out.models.insert(input.clone(), model);
    }
    for method in out.resources.values_mut().flat_map(|r| r.methods.values_mut()) {
        if let Some(Body::Json(body)) = &mut method.body
            && let Some(input) = inputs.get(body.as_str())
        {
            *body = input.clone();
        }
    }
    for callback in out.callbacks.values_mut() {
        if let Some(input) = inputs.get(&callback.response) {
            callback.response = input.clone();
        }
    }
    Cow::Owned(out)
}

/// The model or enum a field type names, directly or in a list or map.
fn held(ty: &str) -> Option<String> {
    match TypeExpr::parse(ty).ok()?.leaf() {
        TypeExpr::Named(name) => Some(name.clone()),
        _ => None,
    }
}

/// `ty` with the split models it holds replaced by their input variants.
fn retyped(ty: &str, inputs: &BTreeMap<String, String>) -> String {
    let ty = ty.trim();
    for wrapper in ["list", "map"] {
        if let Some(inner) =
            ty.strip_prefix(wrapper).and_then(|r| r.strip_prefix('<')).and_then(|r| r.strip_suffix('>'))
        {
            return format!("{wrapper}<{}>", retyped(inner, inputs));
        }
    }
    inputs.get(ty).cloned().unwrap_or_else(|| ty.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_retyped_through_lists_and_maps() {
        let inputs: BTreeMap<String, String> = [("Badge".to_owned(), "BadgeInput".to_owned())].into_iter().collect();
        assert_eq!(retyped("Badge", &inputs), "BadgeInput");
        assert_eq!(retyped("list<map<Badge>>", &inputs), "list<map<BadgeInput>>");
        assert_eq!(retyped("list<string>", &inputs), "list<string>");
        assert_eq!(held("list<Badge>").as_deref(), Some("Badge"));
        assert_eq!(held("string"), None);
    }
}
