//! Module skeleton: `lib.rs`, one module per service, one per version.
//!
//! Accessors mirror the platform's URL structure: `client.im().v1().message().create(..)`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, doc, ident, module_doc, sentence};
use crate::ir;

pub fn lib(catalogue: &ir::Catalogue, crate_name: &str) -> TokenStream {
    let crate_ident = crate_name.replace('-', "_");
    let header = module_doc(&format!(
        "Typed Rust API of the Lark / Feishu Open Platform, generated from the catalogue in `spec/`.\n\n\
         Each service is a cargo feature; enable the ones the app calls.\n\n\
         ```no_run\n\
         # async fn example() -> {crate_ident}::Result<()> {{\n\
         let client = {crate_ident}::Client::builder(\"cli_app_id\", \"app secret\").build()?;\n\
         # let _ = client;\n\
         # Ok(())\n\
         # }}\n\
         ```"
    ));
    let callable = |s: &&ir::Service| s.versions.iter().any(|v| !v.resources.is_empty());
    let modules = catalogue.services.iter().map(|s| {
        let feature = &s.module;
        let module = ident(&s.module);
        let text =
            doc(&sentence(&format!("{}{}", s.title, s.summary.as_deref().map_or(String::new(), |x| format!(": {x}")))));
        quote! {
            #text
            #[cfg(feature = #feature)]
            pub mod #module;
        }
    });
    let accessors = catalogue.services.iter().filter(callable).map(|s| {
        let feature = &s.module;
        let module = ident(&s.module);
        let accessor = ident(&s.accessor);
        let text = doc(&format!("The {} service (`{}`).", s.title, s.wire));
        quote! {
            #text
            #[cfg(feature = #feature)]
            pub fn #module(&self) -> #module::#accessor<'_> {
                #module::#accessor::new(&self.inner)
            }
        }
    });
    quote! {
        #header
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![warn(missing_docs)]

        pub use ::lark_runtime as runtime;
        pub use ::lark_runtime::{Error, Result};

        mod dispatch;
        pub use self::dispatch::{EventDispatcher, visit_catalogue};

        #(#modules)*

        /// A Lark client with typed access to every enabled service.
        ///
        /// Cheap to clone; clones share the token cache and connection pool. The runtime
        /// client's own methods work here too (through `Deref`): sending messages in one
        /// line (`client.send(To::chat(id), "hello")`), raw calls, OAuth.
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        pub struct Client {
            inner: ::lark_runtime::Client,
        }

        impl Client {
            /// Starts configuring a client for an app's credentials.
            pub fn builder(
                app_id: impl ::std::convert::Into<::std::string::String>,
                app_secret: impl ::std::convert::Into<::std::string::String>,
            ) -> ::lark_runtime::ClientBuilder<Self> {
                ::lark_runtime::ClientBuilder::new(app_id, app_secret)
            }

            /// The runtime client underneath, for raw calls and token access.
            pub fn runtime(&self) -> &::lark_runtime::Client {
                &self.inner
            }

            #(#accessors)*
        }

        impl ::std::convert::From<::lark_runtime::Client> for Client {
            fn from(inner: ::lark_runtime::Client) -> Self {
                Self { inner }
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = ::lark_runtime::Client;

            fn deref(&self) -> &::lark_runtime::Client {
                &self.inner
            }
        }
    }
}

pub fn service(service: &ir::Service) -> TokenStream {
    let header = module_doc(&format!(
        "{}{}\n\nEnabled by the `{}` feature.",
        service.title,
        service.summary.as_deref().map_or(".".to_owned(), |s| format!(": {}", sentence(s))),
        service.module
    ));
    let accessor = ident(&service.accessor);
    let versions = service.versions.iter().map(|v| {
        let module = ident(&v.module);
        let text = doc(&format!("Version `{}` of the API.", v.wire));
        quote!(#text pub mod #module;)
    });
    let version_fns = service.versions.iter().filter(|v| !v.resources.is_empty()).map(|v| {
        let module = ident(&v.module);
        let text = doc(&format!("Calls of version `{}`.", v.wire));
        quote! {
            #text
            pub fn #module(&self) -> #module::Api<'c> {
                #module::Api::new(self.client)
            }
        }
    });
    let text =
        doc(&format!("Entry point to the `{}` service; get one with `client.{}()`.", service.wire, service.module));
    if service.versions.iter().all(|v| v.resources.is_empty()) {
        // Events only: nothing to call, so no accessor.
        return quote!(#header #(#versions)*);
    }
    quote! {
        #header
        #(#versions)*

        #text
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy)]
        pub struct #accessor<'c> {
            client: &'c ::lark_runtime::Client,
        }

        impl<'c> #accessor<'c> {
            pub(crate) fn new(client: &'c ::lark_runtime::Client) -> Self {
                Self { client }
            }

            #(#version_fns)*
        }
    }
}

pub fn version(ctx: &Ctx<'_>) -> TokenStream {
    let v = ctx.version;
    let header = module_doc(&format!("`{}` {}: resources, data types and events.", ctx.service.wire, v.wire));
    let has_models = !v.models.is_empty() || !v.enums.is_empty();
    let models = has_models.then(|| {
        quote!(
            mod models;
            pub use self::models::*;
        )
    });
    // `pub(crate)`: the crate root's `visit_catalogue` calls each version's `events::visit`.
    let events = (!v.events.is_empty() || !v.callbacks.is_empty()).then(|| {
        quote!(
            pub(crate) mod events;
        )
    });
    let resources = v.resources.iter().map(|r| {
        let module = ident(&r.module);
        let mut names = vec![ident(&r.accessor)];
        names.extend(r.methods.iter().map(|m| ident(&m.request_type)));
        quote!(mod #module; pub use self::#module::{#(#names),*};)
    });
    let accessors = v.resources.iter().map(|r| {
        let module = ident(&r.function);
        let accessor = ident(&r.accessor);
        let text = doc(&format!("Calls on the `{}` resource.", r.wire));
        quote! {
            #text
            pub fn #module(&self) -> #accessor<'c> {
                #accessor::new(self.client)
            }
        }
    });
    let text = doc(&format!(
        "Entry point to `{}` {}; get one with `client.{}().{}()`.",
        ctx.service.wire, v.wire, ctx.service.module, v.module
    ));
    if v.resources.is_empty() {
        return quote!(#header #models #events);
    }
    quote! {
        #header
        #models
        #events
        #(#resources)*

        #text
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy)]
        pub struct Api<'c> {
            client: &'c ::lark_runtime::Client,
        }

        impl<'c> Api<'c> {
            pub(crate) fn new(client: &'c ::lark_runtime::Client) -> Self {
                Self { client }
            }

            #(#accessors)*
        }
    }
}
