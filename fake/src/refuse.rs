//! The platform's refusals: unknown routes, wrong tokens, missing scopes, invalid fields.

use lark_runtime::fake::{Caller, FakeRequest, FakeResponse};
use serde_json::json;

use lark_runtime::TokenKind;

use crate::catalogue::{Operation, SCHEMES};
use crate::check::Violation;

/// An unknown path or method.
pub(crate) fn not_found(request: &FakeRequest) -> FakeResponse {
    let msg = format!("404 page not found: no endpoint {} {} in the catalogue", request.method, request.path);
    FakeResponse::json(json!({"code": 404, "msg": msg, "error": {}})).status(404)
}

/// A call without a token, with one the platform refuses, or with a kind the endpoint
/// does not take. The last gets the error of the kind it wants (99991663 for a tenant
/// token, 99991668 for a user token, 99991664 for an app token); which code the platform
/// gives there is not documented.
pub(crate) fn token(op: &Operation, caller: &Caller) -> Option<FakeResponse> {
    if op.tokens.is_empty() {
        return None;
    }
    let kind = match caller {
        Caller::Tenant => TokenKind::Tenant,
        Caller::User(_) => TokenKind::User,
        Caller::App => TokenKind::App,
        Caller::Refused(refusal) => return Some(refusal.clone()),
        _ => return Some(Caller::missing_token()),
    };
    if op.tokens.contains(&kind) {
        return None;
    }
    let takes: Vec<&str> = op.tokens.iter().map(|t| name(*t)).collect();
    let msg =
        format!("Invalid access token for authorization: {} takes {}, not {}", op.id, takes.join(" or "), name(kind));
    let code = match op.tokens[0] {
        TokenKind::Tenant => 99991663,
        TokenKind::User => 99991668,
        TokenKind::App => 99991664,
    };
    Some(FakeResponse::json(json!({"code": code, "msg": msg, "error": {}})).status(400))
}

fn name(token: TokenKind) -> &'static str {
    SCHEMES.iter().find(|(_, kind)| *kind == token).map_or("access token", |(name, _)| name)
}

/// A call whose scopes the app was not granted: one of `any` and every one of `all`.
/// Code 99991672 names the scopes that would do (99991679 for a user token, whose user
/// has not granted them).
pub(crate) fn scopes(op: &Operation, caller: &Caller, granted: impl Fn(&str) -> bool) -> Option<FakeResponse> {
    let (any, all) = op.scopes.as_ref()?;
    let any_ok = any.is_empty() || any.iter().any(|s| granted(s));
    let missing_all: Vec<&String> = all.iter().filter(|s| !granted(s)).collect();
    if any_ok && missing_all.is_empty() {
        return None;
    }
    let needed: Vec<&String> = if any_ok { missing_all } else { any.iter().chain(missing_all).collect() };
    let list = needed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let msg = if any_ok {
        format!("Access denied. All of the following scopes are required: [{list}].")
    } else {
        format!("Access denied. One of the following scopes is required: [{list}].")
    };
    let violations: Vec<_> = needed
        .iter()
        .map(|s| json!({"type": "action_scope_required", "subject": s, "description": format!("the app needs {s}")}))
        .collect();
    let code = if matches!(caller, Caller::User(_)) { 99991679 } else { 99991672 };
    Some(
        FakeResponse::json(json!({"code": code, "msg": msg, "error": {"permission_violations": violations}}))
            .status(400),
    )
}

/// A field the platform's validation refuses (code 99992402).
pub(crate) fn invalid(violation: &Violation) -> FakeResponse {
    let field = if violation.field.is_empty() { "body" } else { violation.field.as_str() };
    FakeResponse::json(json!({
        "code": 99992402,
        "msg": format!("field validation failed: {field}: {}", violation.problem),
        "error": {"field_violations": [{
            "field": field,
            "value": violation.value,
            "description": violation.problem,
        }]},
    }))
    .status(400)
}
