//! `tests/offline.rs` of the generated crate: every endpoint whose example call needs no
//! hand-written argument, called through the typed API against `lark-fake` built from
//! the crate's own OpenAPI document. The platform's side is made up; what is tested is
//! that each generated request reaches its endpoint as the catalogue describes it and
//! that each answer decodes into the generated response type.

use std::fmt::Write as _;

use crate::emit::Ctx;
use crate::emit::endpoints::{ExampleCall, example_call};
use crate::ir::{self, TokenKind};

/// The test file's text.
pub fn file(catalogue: &ir::Catalogue, crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    let mut tests = String::new();
    let mut total = 0;
    for service in &catalogue.services {
        let mut calls = String::new();
        for version in &service.versions {
            let ctx = Ctx { service, version, crate_name };
            for resource in &version.resources {
                for m in &resource.methods {
                    let Some(call) = offline_call(&ctx, resource, m) else { continue };
                    calls.push_str(&call);
                    total += 1;
                }
            }
        }
        if calls.is_empty() {
            continue;
        }
        let _ = write!(
            tests,
            "#[cfg(feature = \"{module}\")]\n#[tokio::test]\nasync fn {module}() {{\n\
             let (_fake, client, user) = offline().await;\nlet _ = &user;\n{calls}}}\n\n",
            module = service.module
        );
    }
    let text = format!(
        "//! Every endpoint whose example needs no hand-written argument ({total} of them), called\n\
         //! through the typed API against `lark-fake` built from this crate's own OpenAPI\n\
         //! document: each request must pass the platform's checks and each answer must decode.\n\n\
         use {krate}::runtime::fake::FakeLark;\n\n\
         /// A fake platform answering every endpoint from its schema alone (it remembers\n\
         /// nothing, so the examples' placeholder ids are not unknown), a client of it, and a\n\
         /// user token.\n\
         async fn offline() -> (lark_fake::Lark, {krate}::Client, String) {{\n\
         static PLATFORM: std::sync::OnceLock<lark_fake::Platform> = std::sync::OnceLock::new();\n\
         let platform = PLATFORM.get_or_init(|| {{\n\
         lark_fake::Platform::from_openapi(include_str!(\"../openapi/openapi.json\")).expect(\"the crate's OpenAPI document\").stateless()\n\
         }});\n\
         let fake = platform.clone().start().await;\n\
         let client = {krate}::Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET)\n\
         .base_url(fake.base_url()).build().expect(\"a client of the fake\");\n\
         let user = fake.user_token();\n\
         (fake, client, user)\n\
         }}\n\n{tests}"
    );
    match syn::parse_file(&text) {
        Ok(file) => format!("{}{}", super::HEADER, super::space_items(&prettyplease::unparse(&file))),
        Err(e) => format!("{}compile_error!({:?});\n", super::HEADER, e.to_string()),
    }
}

/// One call as a block, or `None` where an argument needs writing by hand, the call takes
/// no token (the token endpoints want real credentials) or a rule is checked before
/// sending (the default body would break it).
fn offline_call(ctx: &Ctx<'_>, resource: &ir::Resource, m: &ir::Method) -> Option<String> {
    let ExampleCall { uses, request, call, ready } = example_call(ctx, resource, m);
    if !ready || m.tokens.is_empty() || !m.requires.is_empty() {
        return None;
    }
    let as_user = !m.tokens.contains(&TokenKind::Tenant) && m.tokens.contains(&TokenKind::User);
    let token = if as_user { ".user_access_token(user.clone())" } else { "" };
    // Calling a deprecated endpoint is the point here, not a slip.
    let allow = if m.deprecated.is_some() { "#[allow(deprecated)]\n" } else { "" };
    Some(format!(
        "{allow}{{\nuse {}::{uses};\nlet request = {request};\n{call}{token}.await.expect({:?});\n}}\n",
        ctx.public_path(),
        m.id
    ))
}
