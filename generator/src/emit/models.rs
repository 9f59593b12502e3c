//! `models.rs` of a version: structs and enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, doc, ident, module_doc, sentence, types};
use crate::ir::{self, EnumRepr, Usage};
use crate::naming::unraw;

pub fn file(ctx: &Ctx<'_>) -> TokenStream {
    let header = module_doc(&format!(
        "Data types of {} {}: request bodies, responses, event payloads and their enums.",
        ctx.service.wire, ctx.version.wire
    ));
    let models = ctx.version.models.iter().map(|m| model(ctx, m));
    let enums = ctx.version.enums.iter().map(enumeration);
    quote! {
        #header
        #(#models)*
        #(#enums)*
    }
}

/// The derives a type's usage calls for. Fully qualified so no import can shadow them.
fn serde_derives(usage: Usage) -> Vec<TokenStream> {
    let mut derives = Vec::new();
    if usage.sent {
        derives.push(quote!(::serde::Serialize));
    }
    if usage.read {
        derives.push(quote!(::serde::Deserialize));
    }
    derives
}

fn model(ctx: &Ctx<'_>, m: &ir::Model) -> TokenStream {
    let name = ident(&m.rust);
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
    if !m.multipart {
        derives.push(quote!(::std::cmp::PartialEq));
        derives.extend(serde_derives(m.usage));
    }
    if m.default {
        derives.push(quote!(::std::default::Default));
    }
    // The server owns read-only types: adding a field upstream must not break callers.
    let non_exhaustive = (m.usage.read && !m.usage.sent).then(|| quote!(#[non_exhaustive]));
    let fields = m.fields.iter().map(|f| field(ctx, m, f));
    quote! {
        #docs
        #[derive(#(#derives),*)]
        #non_exhaustive
        pub struct #name {
            #(#fields)*
        }
    }
}

fn field(ctx: &Ctx<'_>, m: &ir::Model, f: &ir::Field) -> TokenStream {
    let name = ident(&f.rust);
    let ty = types::field(ctx, &f.ty, f.required);
    let docs = doc(&field_doc(f));
    let mut serde = Vec::new();
    if unraw(&f.rust) != f.wire {
        let wire = &f.wire;
        serde.push(quote!(rename = #wire));
    }
    if m.usage.sent && !f.required && !m.multipart {
        serde.push(quote!(skip_serializing_if = "::std::option::Option::is_none"));
    }
    let attr = (!serde.is_empty() && !m.multipart).then(|| quote!(#[serde(#(#serde),*)]));
    quote! {
        #docs
        #attr
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

fn enumeration(e: &ir::Enum) -> TokenStream {
    let name = ident(&e.rust);
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
    let (conversions, serde_impls) = match e.repr {
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
        #conversions
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        #serde_impls
    }
}

fn string_impls(e: &ir::Enum, names: &[proc_macro2::Ident], wires: &[&str]) -> (TokenStream, TokenStream) {
    let name = ident(&e.rust);
    let conversions = quote! {
        impl #name {
            /// Every value this SDK knows, as written on the wire.
            pub const KNOWN: &'static [&'static str] = &[#(#wires),*];

            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #wires,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Strict parsing: `None` for a value this SDK does not know.
            pub fn try_parse(value: &str) -> ::std::option::Option<Self> {
                match Self::from(value) {
                    Self::Unknown(_) => ::std::option::Option::None,
                    known => ::std::option::Option::Some(known),
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#names,)*
                    other => Self::Unknown(::lark_runtime::UnknownValue::__new(other.to_owned())),
                }
            }
        }
    };
    let ser = e.usage.sent.then(|| {
        quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        }
    });
    let de = e.usage.read.then(|| {
        quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                    ::std::result::Result::Ok(Self::from(value.as_str()))
                }
            }
        }
    });
    (conversions, quote!(#ser #de))
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
            pub fn value(&self) -> i64 {
                match self {
                    #(Self::#names => #values,)*
                    Self::Unknown(value) => value.as_str().parse().unwrap_or_default(),
                }
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #wires,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Strict parsing: `None` for a value this SDK does not know.
            pub fn try_parse(value: i64) -> ::std::option::Option<Self> {
                match Self::from(value) {
                    Self::Unknown(_) => ::std::option::Option::None,
                    known => ::std::option::Option::Some(known),
                }
            }
        }
        impl ::std::convert::From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#values => Self::#names,)*
                    other => Self::Unknown(::lark_runtime::UnknownValue::__new(other.to_string())),
                }
            }
        }
    };
    let ser = e.usage.sent.then(|| {
        quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_i64(self.value())
                }
            }
        }
    });
    let de = e.usage.read.then(|| {
        quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    <i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
                }
            }
        }
    });
    (conversions, quote!(#ser #de))
}
