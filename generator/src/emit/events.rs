//! `events.rs` of a version: binds payload models to their event and callback types, and
//! adds their typed registration methods ([`super::dispatch::version_items`]).

use proc_macro2::TokenStream;
use quote::quote;

use super::{Ctx, dispatch, doc, module_doc, sentence, types};

pub fn file(ctx: &Ctx<'_>) -> TokenStream {
    let header = module_doc(&format!(
        "Events and callbacks of {} {}: which payload type each pushed type decodes to, and the\n\
         `EventDispatcher` methods that register typed handlers for them.",
        ctx.service.wire, ctx.version.wire
    ));
    let events = ctx.version.events.iter().map(|e| {
        let payload = ctx.type_path(&e.payload);
        let event_type = &e.event_type;
        let envelope = types::envelope(e.envelope);
        let scopes = types::scopes(&e.scopes);
        let mut text =
            format!("`{event_type}`: {}\n\nScopes: {}.", sentence(&e.summary), types::scopes_text(&e.scopes));
        if let Some(url) = &e.doc_url {
            text.push_str(&format!(" Official documentation: <{url}>"));
        }
        let docs = doc(&text);
        quote! {
            #docs
            impl ::lark_runtime::event::Event for #payload {
                const EVENT_TYPE: &'static str = #event_type;
                const ENVELOPE: ::lark_runtime::event::Envelope = #envelope;
                const SCOPES: ::lark_runtime::Scopes = #scopes;
            }
        }
    });
    let callbacks = ctx.version.callbacks.iter().map(|c| {
        let payload = ctx.type_path(&c.payload);
        let response = ctx.type_path(&c.response);
        let callback_type = &c.callback_type;
        let envelope = types::envelope(c.envelope);
        let mut text = format!("`{callback_type}`: {}", sentence(&c.summary));
        if let Some(url) = &c.doc_url {
            text.push_str(&format!(" Official documentation: <{url}>"));
        }
        let docs = doc(&text);
        quote! {
            #docs
            impl ::lark_runtime::event::Callback for #payload {
                const CALLBACK_TYPE: &'static str = #callback_type;
                const ENVELOPE: ::lark_runtime::event::Envelope = #envelope;
                type Response = #response;
            }
        }
    });
    let registration = dispatch::version_items(ctx);
    quote! {
        #header
        #(#events)*
        #(#callbacks)*
        #registration
    }
}
