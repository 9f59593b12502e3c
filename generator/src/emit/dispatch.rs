//! Typed handler registration: the crate's `EventDispatcher` (`src/dispatch.rs`) and, per
//! version, one `on_<event type>` method per event and callback.
//!
//! The generic work (decoding, type erasure, routing) lives in the runtime's
//! `Dispatcher`; each generated method is a one-line call into it, so an app pays to
//! compile only the handlers it registers. The per-version methods are inherent methods
//! of `crate::EventDispatcher` written next to their events: Rust allows inherent impl
//! blocks anywhere in the defining crate, and the service's feature gate then covers them
//! with no extra `cfg`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, doc, ident, module_doc, sentence, types};
use crate::ir;

/// `src/dispatch.rs`: the wrapper type users register handlers on, and the catalogue walk.
pub fn file(catalogue: &ir::Catalogue, crate_name: &str) -> TokenStream {
    let krate = crate_name.replace('-', "_");
    let header = module_doc("Typed event and callback handlers: [`EventDispatcher`].");
    let type_doc = doc(&format!(
        "Routes pushed events and callbacks to typed async handlers.\n\n\
         Each event and callback of the enabled services has an `on_<type>` method, named after \
         its type string with dots turned into underscores (`im.message.receive_v1` becomes \
         `on_im_message_receive_v1`). The handler gets the envelope header and raw JSON \
         ([`EventContext`](::lark_runtime::event::EventContext)) and the typed payload; an \
         event handler returns `Ok(())`, a callback handler returns its typed answer, which \
         becomes the HTTP response body. An error makes the webhook answer 500, so the \
         platform pushes the event again later.\n\n\
         Hand the dispatcher to [`Webhook`](::lark_runtime::webhook::Webhook), which checks, \
         decrypts and deduplicates pushes before they reach a handler.\n\n\
         ```no_run\n\
         use {krate}::EventDispatcher;\n\
         use {krate}::runtime::webhook::Webhook;\n\n\
         let dispatcher = EventDispatcher::new().fallback(|ctx| async move {{\n    \
             println!(\"unhandled {{}} {{:?}}\", ctx.event_type(), ctx.event_id());\n    \
             Ok(())\n\
         }});\n\
         let webhook = Webhook::builder()\n    \
             .encrypt_key(std::env::var(\"LARK_ENCRYPT_KEY\").unwrap_or_default())\n    \
             .verification_token(std::env::var(\"LARK_VERIFICATION_TOKEN\").unwrap_or_default())\n    \
             .build(dispatcher);\n\
         # let _ = webhook;\n\
         ```"
    ));
    let visits = catalogue.services.iter().flat_map(|s| {
        s.versions.iter().filter(|v| has_events(v)).map(move |v| {
            let feature = &s.module;
            let service = ident(&s.module);
            let version = ident(&v.module);
            quote! {
                #[cfg(feature = #feature)]
                crate::#service::#version::events::visit(visitor);
            }
        })
    });
    quote! {
        #header

        #type_doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::default::Default)]
        pub struct EventDispatcher {
            inner: ::lark_runtime::event::Dispatcher,
        }

        impl EventDispatcher {
            /// A dispatcher with no handlers: every push is acknowledged and dropped.
            pub fn new() -> Self {
                Self::default()
            }

            /// Handles the typed event `E` (what each `on_<event type>` method calls).
            pub fn on<E: ::lark_runtime::event::Event, Fut: ::lark_runtime::event::HandlerFuture>(
                self,
                handler: impl ::lark_runtime::event::EventFn<E, Fut>,
            ) -> Self {
                Self { inner: self.inner.on(handler) }
            }

            /// Handles the typed callback `C`; the handler's answer becomes the response body.
            pub fn on_callback<
                C: ::lark_runtime::event::Callback,
                Fut: ::lark_runtime::event::HandlerFuture<C::Response>,
            >(
                self,
                handler: impl ::lark_runtime::event::CallbackFn<C, Fut>,
            ) -> Self {
                Self { inner: self.inner.on_callback(handler) }
            }

            /// Handles legacy interactive-card actions (the card request URL).
            pub fn on_card_action<Fut: ::lark_runtime::event::HandlerFuture<::serde_json::Value>>(
                self,
                handler: impl ::lark_runtime::event::CallbackFn<::lark_runtime::event::CardAction, Fut>,
            ) -> Self {
                Self { inner: self.inner.on_card_action(handler) }
            }

            /// Handles one event type by its string, for types this crate does not know yet.
            pub fn on_raw<Fut: ::lark_runtime::event::HandlerFuture>(
                self,
                event_type: impl ::std::convert::Into<::std::string::String>,
                handler: impl ::lark_runtime::event::RawFn<Fut>,
            ) -> Self {
                Self { inner: self.inner.on_raw(event_type, handler) }
            }

            /// Handles every event type that has no handler of its own.
            pub fn fallback<Fut: ::lark_runtime::event::HandlerFuture>(
                self,
                handler: impl ::lark_runtime::event::RawFn<Fut>,
            ) -> Self {
                Self { inner: self.inner.fallback(handler) }
            }

            /// The runtime dispatcher underneath.
            pub fn into_runtime(self) -> ::lark_runtime::event::Dispatcher {
                self.inner
            }
        }

        impl ::std::convert::From<EventDispatcher> for ::lark_runtime::event::Dispatcher {
            fn from(dispatcher: EventDispatcher) -> Self {
                dispatcher.inner
            }
        }

        /// Calls `visitor` once for every event and callback type of the enabled services.
        ///
        /// Nothing is compiled for a visitor that is never used, so this costs an app
        /// nothing until it walks the catalogue.
        pub fn visit_catalogue(visitor: &mut impl ::lark_runtime::event::CatalogueVisitor) {
            // Used only by the services' lines below, which features may all switch off.
            let _ = &visitor;
            #(#visits)*
        }
    }
}

/// The `EventDispatcher` methods and the catalogue walk of one version; part of its `events.rs`.
pub fn version_items(ctx: &Ctx<'_>) -> TokenStream {
    let v = ctx.version;
    let event_methods = v.events.iter().map(|e| {
        let name = ident(&e.handler);
        let payload = ctx.type_path(&e.payload);
        let mut text = format!(
            "Handles `{}`: {}\n\nPayload: [`{}`]({}). Scopes: {}.",
            e.event_type,
            sentence(&e.summary),
            e.payload,
            path_text(ctx, &e.payload),
            types::scopes_text(&e.scopes)
        );
        push_link(&mut text, e.doc_url.as_deref());
        if let Some(d) = &e.deprecated {
            text.push_str(&format!("\n\n{}", d.doc_line()));
        }
        let docs = doc(&text);
        let deprecated = e.deprecated.as_ref().map(|d| {
            let note = d.note();
            quote!(#[deprecated(note = #note)])
        });
        quote! {
            #docs
            #deprecated
            pub fn #name<Fut: ::lark_runtime::event::HandlerFuture>(
                self,
                handler: impl ::lark_runtime::event::EventFn<#payload, Fut>,
            ) -> Self {
                self.on(handler)
            }
        }
    });
    let callback_methods = v.callbacks.iter().map(|c| {
        let name = ident(&c.handler);
        let payload = ctx.type_path(&c.payload);
        let response = ctx.type_path(&c.response);
        let mut text = format!(
            "Handles the `{}` callback: {}\n\nPayload: [`{}`]({}); the handler answers with [`{}`]({}), \
             which becomes the HTTP response body.",
            c.callback_type,
            sentence(&c.summary),
            c.payload,
            path_text(ctx, &c.payload),
            c.response,
            path_text(ctx, &c.response)
        );
        push_link(&mut text, c.doc_url.as_deref());
        let docs = doc(&text);
        quote! {
            #docs
            pub fn #name<Fut: ::lark_runtime::event::HandlerFuture<#response>>(
                self,
                handler: impl ::lark_runtime::event::CallbackFn<#payload, Fut>,
            ) -> Self {
                self.on_callback(handler)
            }
        }
    });
    let visit_events = v.events.iter().map(|e| {
        let payload = ctx.type_path(&e.payload);
        quote!(visitor.event::<#payload>();)
    });
    let visit_callbacks = v.callbacks.iter().map(|c| {
        let payload = ctx.type_path(&c.payload);
        quote!(visitor.callback::<#payload>();)
    });
    quote! {
        impl crate::EventDispatcher {
            #(#event_methods)*
            #(#callback_methods)*
        }

        /// Calls `visitor` for each event and callback of this version.
        pub(crate) fn visit(visitor: &mut impl ::lark_runtime::event::CatalogueVisitor) {
            #(#visit_events)*
            #(#visit_callbacks)*
        }
    }
}

/// Whether a version has an `events.rs`.
pub fn has_events(version: &ir::Version) -> bool {
    !version.events.is_empty() || !version.callbacks.is_empty()
}

/// `on_` and the type string with dots as underscores: `on_im_message_receive_v1`.
///
/// Type strings are unique in the catalogue and the platform's use only lowercase words,
/// digits, dots and underscores, so the names are unique too.
fn path_text(ctx: &Ctx<'_>, name: &str) -> String {
    format!("crate::{}::{}::{}", ctx.service.module, ctx.version.module, name)
}

fn push_link(text: &mut String, url: Option<&str>) {
    if let Some(url) = url {
        text.push_str(&format!(" Official documentation: <{url}>"));
    }
}
