//! `models.rs` of a version: structs and enums.
//!
//! Conversions and enum helpers are `#[inline]` for the reason given in `endpoints`:
//! machine code only where they are used.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, doc, ident, module_doc, required_arg, sentence, types};
use crate::ir::{self, EnumRepr, Usage};
use crate::naming::unraw;

pub fn file(ctx: &Ctx<'_>) -> TokenStream {
    let header = module_doc(&format!(
        "Data types of {} {}: request bodies, responses, event payloads and their enums.",
        ctx.service.wire, ctx.version.wire
    ));
    let models = ctx.version.models.iter().map(|m| model(ctx, m));
    let enums = ctx.version.enums.iter().map(|e| enumeration(ctx, e));
    quote! {
        #header
        #(#models)*
        #(#enums)*
    }
}

/// Conversions a type's usage calls for: `FromJson` if it is read, `ToJson` if it is
/// sent, each with a one-line serde bridge. Derived serde impls would cost several times
/// the compile time over the whole platform (see `lark_runtime::json`).
fn conversions(name: &proc_macro2::Ident, usage: Usage, from_json: TokenStream, to_json: TokenStream) -> TokenStream {
    let read = usage.read.then(|| {
        quote! {
            impl ::lark_runtime::json::FromJson for #name {
                #[inline] fn from_json(value: ::serde_json::Value) -> ::std::result::Result<Self, ::lark_runtime::json::JsonError> {
                    #from_json
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    ::lark_runtime::json::deserialize(deserializer)
                }
            }
        }
    });
    let sent = usage.sent.then(|| {
        quote! {
            impl ::lark_runtime::json::ToJson for #name {
                #[inline] fn to_json(&self) -> ::serde_json::Value {
                    #to_json
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    ::lark_runtime::json::serialize(self, serializer)
                }
            }
        }
    });
    quote!(#read #sent)
}

fn model(ctx: &Ctx<'_>, m: &ir::Model) -> TokenStream {
    let name = ident(&m.rust);
    if let Some(runtime) = &m.runtime {
        let docs = doc(&format!(
            "{}\n\nWritten by hand in the runtime, with builders: [`lark_runtime::{runtime}`].",
            sentence(m.summary.as_deref().unwrap_or(&format!("The `{}` object.", m.wire)))
        ));
        let path: TokenStream = format!("::lark_runtime::{runtime}").parse().expect("validated path");
        return quote! {
            #docs
            pub type #name = #path;
        };
    }
    if let Some(original) = &m.alias_of {
        let docs = doc(&format!(
            "{}\n\nThe same type as [`{original}`]: the platform declares this shape more than once.",
            sentence(m.summary.as_deref().unwrap_or(&format!("The `{}` object.", m.wire)))
        ));
        let original = ctx.type_path(original);
        return quote! {
            #docs
            pub type #name = #original;
        };
    }
    let mut text = sentence(m.summary.as_deref().unwrap_or(&format!("The `{}` object.", m.wire)));
    if m.multipart {
        text.push_str("\n\nSent as `multipart/form-data`; `file` fields become file parts.");
    } else if m.usage.read && !m.usage.sent {
        text.push_str(
            "\n\nRead from the server; unknown fields are ignored, so new server fields never break decoding.",
        );
    }
    let docs = doc(&text);
    let mut derives = vec![quote!(::std::fmt::Debug), quote!(::std::clone::Clone)];
    // Server-owned types skip `PartialEq`: over the platform's ~3,500 read-only models its
    // derived bodies cost about 250 MB of compiler memory (measured with `cargo check`),
    // and comparing whole replies is rare; their fields still compare.
    if !m.multipart && m.usage.sent {
        derives.push(quote!(::std::cmp::PartialEq));
    }
    if m.default {
        derives.push(quote!(::std::default::Default));
    }
    // The server owns read-only types: adding a field upstream must not break callers.
    let non_exhaustive = (m.usage.read && !m.usage.sent).then(|| quote!(#[non_exhaustive]));
    let fields = m.fields.iter().map(|f| field(ctx, f));
    let wire_name = &m.rust;
    let reads = m.fields.iter().map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        if f.required { quote!(#name: object.required(#wire)?,) } else { quote!(#name: object.optional(#wire)?,) }
    });
    let writes = m.fields.iter().map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        quote!(object.put(#wire, &self.#name);)
    });
    let (from_json, to_json) = if m.fields.is_empty() {
        // Still insists on an object, so a wrong shape is reported.
        let from_json = quote! {
            ::lark_runtime::json::Object::new(value, #wire_name)?;
            ::std::result::Result::Ok(Self {})
        };
        (from_json, quote!(::lark_runtime::json::ObjectWriter::new().finish()))
    } else {
        let from_json = quote! {
            let mut object = ::lark_runtime::json::Object::new(value, #wire_name)?;
            ::std::result::Result::Ok(Self { #(#reads)* })
        };
        let to_json = quote! {
            let mut object = ::lark_runtime::json::ObjectWriter::new();
            #(#writes)*
            object.finish()
        };
        (from_json, to_json)
    };
    let usage = if m.multipart { Usage::default() } else { m.usage };
    let conversions = conversions(&name, usage, from_json, to_json);
    let constructor = constructor(ctx, m);
    quote! {
        #docs
        #[derive(#(#derives),*)]
        #non_exhaustive
        pub struct #name {
            #(#fields)*
        }

        #constructor
        #conversions
    }
}

/// `new` for a sent model with required fields, which has no `Default`: it takes the
/// required fields in wire order and leaves the optional ones unset, so a request cannot
/// be built without what the platform requires. Set optional fields with struct update
/// syntax: `Body { uuid: Some(..), ..Body::new(a, b) }`.
fn constructor(ctx: &Ctx<'_>, m: &ir::Model) -> Option<TokenStream> {
    if !m.usage.sent || m.multipart || !m.fields.iter().any(|f| f.required) {
        return None;
    }
    let name = ident(&m.rust);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in &m.fields {
        if f.required {
            let (arg, init) = required_arg(ctx, &f.rust, &f.ty);
            args.push(arg);
            inits.push(init);
        } else {
            let field = ident(&f.rust);
            inits.push(quote!(#field: ::std::option::Option::None));
        }
    }
    // Rust has no named arguments; a few bodies require more than clippy's seven fields,
    // and a constructor that takes them all is still the only way not to forget one.
    let allow = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    Some(quote! {
        impl #name {
            /// A value with every required field, in wire order; the optional ones start unset.
            #allow
            #[inline] pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

fn field(ctx: &Ctx<'_>, f: &ir::Field) -> TokenStream {
    let name = ident(&f.rust);
    let ty = types::field(ctx, &f.ty, f.required);
    let docs = doc(&field_doc(f));
    quote! {
        #docs
        pub #name: #ty,
    }
}

/// A field's rustdoc: its summary, and the wire name when it differs.
pub fn field_doc(f: &ir::Field) -> String {
    let mut text = f.summary.as_deref().map(sentence).unwrap_or_else(|| format!("`{}`.", f.wire));
    if unraw(&f.rust) != f.wire {
        text.push_str(&format!("\n\nWire name: `{}`.", f.wire));
    }
    if f.ty == ir::Type::Int64String {
        text.push_str("\n\nAn int64 that travels as a JSON string.");
    }
    text
}

fn enumeration(ctx: &Ctx<'_>, e: &ir::Enum) -> TokenStream {
    let name = ident(&e.rust);
    if let Some(original) = &e.alias_of {
        let docs = doc(&format!(
            "{}\n\nThe same type as [`{original}`]: the platform declares these values more than once.",
            sentence(e.summary.as_deref().unwrap_or(&format!("Values of `{}`.", e.wire)))
        ));
        let original = ctx.type_path(original);
        return quote! {
            #docs
            pub type #name = #original;
        };
    }
    let first = e.variants.first().map_or("Unknown", |v| v.rust.as_str());
    let match_example = format!(
        "Match with a wildcard arm: new values the platform adds arrive as [`{0}::Unknown`]\n\
         instead of failing to decode.\n\n\
         ```ignore\n\
         match value {{\n    {0}::{first} => {{}}\n    other => println!(\"{{}}\", other.as_str()),\n}}\n```",
        e.rust
    );
    let docs = doc(&format!(
        "{}\n\n{match_example}",
        sentence(e.summary.as_deref().unwrap_or(&format!("Values of `{}`.", e.wire)))
    ));
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.rust);
        let text = match &v.summary {
            Some(s) => format!("`{}`: {}", v.wire, sentence(s)),
            None => format!("`{}`.", v.wire),
        };
        let vdoc = doc(&text);
        quote!(#vdoc #vname,)
    });
    let names: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<_> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let (inherent, conversions) = match e.repr {
        EnumRepr::String => string_impls(e, &names, &wires),
        EnumRepr::Int => int_impls(e, &names, &wires),
    };
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this SDK does not know yet; [`Self::as_str`] gives it.
            Unknown(::lark_runtime::UnknownValue),
        }
        #inherent
        impl ::std::fmt::Display for #name {
            #[inline] fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        #conversions
    }
}

fn string_impls(e: &ir::Enum, names: &[proc_macro2::Ident], wires: &[&str]) -> (TokenStream, TokenStream) {
    let name = ident(&e.rust);
    let conversions = quote! {
        impl #name {
            /// Every value this SDK knows, as written on the wire.
            pub const KNOWN: &'static [&'static str] = &[#(#wires),*];

            /// The value as written on the wire.
            #[inline] pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #wires,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Strict parsing: `None` for a value this SDK does not know.
            #[inline] pub fn try_parse(value: &str) -> ::std::option::Option<Self> {
                match Self::from(value) {
                    Self::Unknown(_) => ::std::option::Option::None,
                    known => ::std::option::Option::Some(known),
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            #[inline] fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#names,)*
                    other => Self::Unknown(::lark_runtime::UnknownValue::__new(other.to_owned())),
                }
            }
        }
    };
    let from_json = quote!(::lark_runtime::json::enum_text(value).map(|text| Self::from(text.as_str())));
    let to_json = quote!(::serde_json::Value::String(self.as_str().to_owned()));
    (conversions, self::conversions(&name, e.usage, from_json, to_json))
}

fn int_impls(e: &ir::Enum, names: &[proc_macro2::Ident], wires: &[&str]) -> (TokenStream, TokenStream) {
    let name = ident(&e.rust);
    let values: Vec<proc_macro2::Literal> =
        wires.iter().map(|w| proc_macro2::Literal::i64_unsuffixed(w.parse().unwrap_or_default())).collect();
    let conversions = quote! {
        impl #name {
            /// Every value this SDK knows.
            pub const KNOWN: &'static [i64] = &[#(#values),*];

            /// The value as written on the wire.
            #[inline] pub fn value(&self) -> i64 {
                match self {
                    #(Self::#names => #values,)*
                    Self::Unknown(value) => value.as_str().parse().unwrap_or_default(),
                }
            }

            /// The value as text.
            #[inline] pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #wires,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Strict parsing: `None` for a value this SDK does not know.
            #[inline] pub fn try_parse(value: i64) -> ::std::option::Option<Self> {
                match Self::from(value) {
                    Self::Unknown(_) => ::std::option::Option::None,
                    known => ::std::option::Option::Some(known),
                }
            }
        }
        impl ::std::convert::From<i64> for #name {
            #[inline] fn from(value: i64) -> Self {
                match value {
                    #(#values => Self::#names,)*
                    other => Self::Unknown(::lark_runtime::UnknownValue::__new(other.to_string())),
                }
            }
        }
    };
    let from_json = quote!(::lark_runtime::json::enum_int(value).map(Self::from));
    let to_json = quote!(::serde_json::Value::from(self.value()));
    (conversions, self::conversions(&name, e.usage, from_json, to_json))
}
