//! Rust spellings of IR types and of the static facts shared by endpoints and events.

use proc_macro2::TokenStream;
use quote::quote;

use super::Ctx;
use crate::ir::{Envelope, Scopes, TokenKind, Type};

/// The Rust type of a value, without the `Option` of optional fields.
pub fn rust(ctx: &Ctx<'_>, ty: &Type) -> TokenStream {
    match ty {
        Type::String => quote!(::std::string::String),
        Type::Bool => quote!(bool),
        Type::I32 => quote!(i32),
        Type::I64 => quote!(i64),
        Type::F64 => quote!(f64),
        Type::Int64String => quote!(::lark_runtime::Int64),
        Type::File => quote!(::lark_runtime::UploadFile),
        Type::Json => quote!(::serde_json::Value),
        Type::Model(name) | Type::Enum(name) => ctx.type_path(name),
        Type::List(inner) => {
            let inner = rust(ctx, inner);
            quote!(::std::vec::Vec<#inner>)
        }
        Type::Map(inner) => {
            let inner = rust(ctx, inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

/// The declared type of a field: optional fields are `Option`s.
pub fn field(ctx: &Ctx<'_>, ty: &Type, required: bool) -> TokenStream {
    let inner = rust(ctx, ty);
    if required { inner } else { quote!(::std::option::Option<#inner>) }
}

/// `::lark_runtime::Scopes::…` for an endpoint or event.
pub fn scopes(scopes: &Scopes) -> TokenStream {
    match scopes {
        Scopes::Unknown => quote!(::lark_runtime::Scopes::Unknown),
        Scopes::Known { any, all } => quote!(::lark_runtime::Scopes::Known { any: &[#(#any),*], all: &[#(#all),*] }),
    }
}

/// `&[::lark_runtime::TokenKind::Tenant, …]`.
pub fn tokens(tokens: &[TokenKind]) -> TokenStream {
    let kinds = tokens.iter().map(|t| match t {
        TokenKind::Tenant => quote!(::lark_runtime::TokenKind::Tenant),
        TokenKind::User => quote!(::lark_runtime::TokenKind::User),
        TokenKind::App => quote!(::lark_runtime::TokenKind::App),
    });
    quote!(&[#(#kinds),*])
}

/// `::lark_runtime::event::Envelope::V2`.
pub fn envelope(envelope: Envelope) -> TokenStream {
    match envelope {
        Envelope::V1 => quote!(::lark_runtime::event::Envelope::V1),
        Envelope::V2 => quote!(::lark_runtime::event::Envelope::V2),
    }
}

/// Human text for docs: token kinds.
pub fn tokens_text(tokens: &[TokenKind]) -> String {
    if tokens.is_empty() {
        return "none (the call authenticates with its body)".to_owned();
    }
    tokens.iter().map(|t| t.token_name()).collect::<Vec<_>>().join(", ")
}

/// Human text for docs: which scopes a call or event needs.
pub fn scopes_text(scopes: &Scopes) -> String {
    match scopes {
        Scopes::Unknown => "not yet catalogued".to_owned(),
        Scopes::Known { any, all } if any.is_empty() && all.is_empty() => "none needed".to_owned(),
        Scopes::Known { any, all } => {
            let list = |v: &[String]| v.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            let mut parts = Vec::new();
            if !any.is_empty() {
                parts.push(if any.len() == 1 { list(any) } else { format!("any one of {}", list(any)) });
            }
            if !all.is_empty() {
                parts.push(format!("all of {}", list(all)));
            }
            parts.join("; and ")
        }
    }
}
