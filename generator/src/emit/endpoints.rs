//! One file per resource: a request type per method and the resource's accessor.
//!
//! Each method is data (a static `Endpoint`) plus a one-line call into the runtime; the
//! runtime does the work non-generically, so 1,600 endpoints cost little to compile.
//!
//! Generated functions are `#[inline]`: that defers their machine code to the crates that
//! call them, so an app pays code generation only for the endpoints it uses (an `im`-only
//! app's debug build of the SDK: 4.6 s without, 2.9 s with, measured by `.ci/compile-cost`).

use proc_macro2::TokenStream;
use quote::quote;

use super::models::field_doc;
use super::{Ctx, doc, ident, module_doc, required_arg, sentence, types};
use crate::ir::{self, Type};

pub fn file(ctx: &Ctx<'_>, resource: &ir::Resource) -> TokenStream {
    let header = module_doc(&format!(
        "The `{}` resource of {} {}{}",
        resource.wire,
        ctx.service.wire,
        ctx.version.wire,
        resource.summary.as_deref().map_or(".".to_owned(), |s| format!(": {}", sentence(s)))
    ));
    let requests = resource.methods.iter().map(|m| request_type(ctx, resource, m));
    let accessor = accessor(ctx, resource);
    let pages = resource.methods.iter().filter_map(|m| page_impl(ctx, m));
    quote! {
        #header
        #accessor
        #(#requests)*
        #(#pages)*
    }
}

fn accessor(ctx: &Ctx<'_>, resource: &ir::Resource) -> TokenStream {
    let name = ident(&resource.accessor);
    let docs = doc(&format!(
        "Calls on the `{}` resource; get one with `client.{}().{}().{}()`.",
        resource.wire, ctx.service.module, ctx.version.module, resource.function
    ));
    let methods = resource.methods.iter().map(|m| method(ctx, resource, m));
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy)]
        pub struct #name<'c> {
            client: &'c ::lark_runtime::Client,
        }

        impl<'c> #name<'c> {
            pub(crate) fn new(client: &'c ::lark_runtime::Client) -> Self {
                Self { client }
            }

            #(#methods)*
        }
    }
}

/// The rustdoc facts of an endpoint: verb, path, tokens, scopes, official page.
fn facts(m: &ir::Method) -> String {
    let mut text = format!(
        "`{} {}`\n\n- Tokens: {}\n- Scopes: {}",
        m.http.as_str(),
        m.path,
        types::tokens_text(&m.tokens),
        types::scopes_text(&m.scopes)
    );
    if let Some(url) = &m.doc_url {
        text.push_str(&format!("\n- Official documentation: <{url}>"));
    }
    if let Some(id) = &m.official_id {
        text.push_str(&format!("\n- Official id: `{id}`"));
    }
    if let Some(d) = &m.deprecated {
        text.push_str(&format!("\n- {}", d.doc_line()));
    }
    if !m.requires.is_empty() {
        let rules: Vec<String> = m
            .requires
            .iter()
            .map(|rule| rule.iter().map(|path| format!("`{path}`")).collect::<Vec<_>>().join(" or "))
            .collect();
        text.push_str(&format!(
            "\n- Also required in the body, checked before sending ([`Error::Invalid`](crate::Error::Invalid)): {}",
            rules.join(", ")
        ));
    }
    text
}

fn method(ctx: &Ctx<'_>, resource: &ir::Resource, m: &ir::Method) -> TokenStream {
    let function = ident(&m.function);
    let request = ctx.type_path(&m.request_type);
    let example = example(ctx, resource, m);
    let docs = doc(&format!("{}\n\n{}\n\n# Example\n\n{example}", sentence(&m.summary), facts(m)));
    let deprecated = m.deprecated.as_ref().map(|d| {
        let note = d.note();
        quote!(#[deprecated(note = #note)])
    });
    let (output, body) = match &m.response {
        ir::Response::Binary => {
            (quote!(::lark_runtime::DownloadCall<'c>), quote!(self.client.download(request.into_request())))
        }
        other => {
            let data = match other {
                ir::Response::Data(model) | ir::Response::Flat(model) => ctx.type_path(model),
                _ => quote!(::lark_runtime::Empty),
            };
            (quote!(::lark_runtime::Call<'c, #data>), quote!(self.client.call(request.into_request())))
        }
    };
    let walk = m.pagination.as_ref().map(|p| {
        let all = ident(&p.function);
        let docs = doc(&format!(
            "Every page of [`{0}`](Self::{0}), as a stream of items (`.items()`) or of pages (`.pages()`).\n\n\
             Ends when the server says there is no more, or sends an empty cursor; a page\n\
             cap stops a server that loops.",
            m.function
        ));
        quote! {
            #docs
            #deprecated
            #[inline] pub fn #all(&self, request: #request) -> ::lark_runtime::Paginator<#request> {
                self.client.paginate(request)
            }
        }
    });
    quote! {
        #docs
        #deprecated
        #[inline] pub fn #function(&self, request: #request) -> #output {
            #body
        }

        #walk
    }
}

/// `Page` for a paginated response model, once per model: the first paginated method
/// of the version that returns it emits it.
fn page_impl(ctx: &Ctx<'_>, m: &ir::Method) -> Option<TokenStream> {
    let p = m.pagination.as_ref()?;
    let ir::Response::Data(model) = &m.response else { return None };
    // Aliased models are one type: compare what they stand for.
    let canonical = |name: &str| {
        ctx.version.models.iter().find(|x| x.rust == name).and_then(|x| x.alias_of.clone()).unwrap_or(name.to_owned())
    };
    let target = canonical(model);
    let first = ctx.version.resources.iter().flat_map(|r| &r.methods).find(|other| {
        other.pagination.is_some() && matches!(&other.response, ir::Response::Data(x) if canonical(x) == target)
    })?;
    if first.id != m.id {
        return None;
    }
    let page = ctx.type_path(model);
    let item = match &p.items.ty {
        Type::List(inner) => types::rust(ctx, inner),
        _ => return None,
    };
    let (items, has_more, cursor) = (ident(&p.items.rust), ident(&p.has_more.rust), ident(&p.cursor.rust));
    let into_items = if p.items.required { quote!(self.#items) } else { quote!(self.#items.unwrap_or_default()) };
    let has_more =
        if p.has_more.required { quote!(::std::option::Option::Some(self.#has_more)) } else { quote!(self.#has_more) };
    let cursor = if p.cursor.required {
        quote!(::std::option::Option::Some(self.#cursor.as_str()))
    } else {
        quote!(self.#cursor.as_deref())
    };
    Some(quote! {
        impl ::lark_runtime::Page for #page {
            type Item = #item;

            fn has_more(&self) -> ::std::option::Option<bool> {
                #has_more
            }

            fn next_page_token(&self) -> ::std::option::Option<&str> {
                #cursor
            }

            fn into_items(self) -> ::std::vec::Vec<Self::Item> {
                #into_items
            }
        }
    })
}

/// A call of an endpoint with placeholder arguments: what its doctest shows, and what
/// the offline test runs where no argument needs writing by hand.
pub(crate) struct ExampleCall {
    /// The imports below the version module: `Request` or `{Enum, Request}`.
    pub uses: String,
    /// `Request::new(args)`.
    pub request: String,
    /// `client.service().version().resource().method(request)`.
    pub call: String,
    /// Every argument is a placeholder that compiles (no `todo!`).
    pub ready: bool,
}

pub(crate) fn example_call(ctx: &Ctx<'_>, resource: &ir::Resource, m: &ir::Method) -> ExampleCall {
    let mut uses = vec![m.request_type.clone()];
    let mut args = Vec::new();
    for p in m.path_params.iter().chain(&m.query_params).filter(|p| p.required) {
        args.push(placeholder(ctx, &p.ty, &p.wire, &mut uses));
    }
    if let Some(body) = &m.body {
        let before = uses.len();
        let built = placeholder(ctx, &Type::Model(body.model.clone()), "body", &mut uses);
        if built.contains("todo!") {
            // Nothing of it is shown, so nothing of it is imported.
            uses.truncate(before);
            args.push("todo!(\"build the body\")".to_owned());
        } else {
            args.push(built);
        }
    }
    uses.sort();
    uses.dedup();
    let uses = if uses.len() == 1 { uses.remove(0) } else { format!("{{{}}}", uses.join(", ")) };
    let ready = !args.iter().any(|a| a.contains("todo!"));
    ExampleCall {
        uses,
        request: format!("{}::new({})", m.request_type, args.join(", ")),
        call: format!(
            "client.{}().{}().{}().{}(request)",
            ctx.service.module, ctx.version.module, resource.function, m.function
        ),
        ready,
    }
}

/// A `no_run` doctest showing the call with placeholder arguments.
fn example(ctx: &Ctx<'_>, resource: &ir::Resource, m: &ir::Method) -> String {
    let module = ctx.public_path();
    let crate_ident = ctx.crate_name.replace('-', "_");
    let ExampleCall { uses, request, call, .. } = example_call(ctx, resource, m);
    let result = if m.response == ir::Response::Binary { "file" } else { "response" };
    format!(
        "```no_run\n\
         # async fn example(client: {crate_ident}::Client) -> {crate_ident}::Result<()> {{\n\
         use {module}::{uses};\n\n\
         let request = {request};\n\
         let {result} = {call}.await?;\n\
         # let _ = {result};\n\
         # Ok(())\n\
         # }}\n\
         ```"
    )
}

/// A value of `ty` that compiles in an example, or a `todo!` where none would say
/// anything useful. A model is built with `default()`, or with `new` over placeholders of
/// its required fields, a few levels deep.
fn placeholder(ctx: &Ctx<'_>, ty: &Type, wire: &str, uses: &mut Vec<String>) -> String {
    placeholder_at(ctx, ty, wire, uses, 0)
}

fn placeholder_at(ctx: &Ctx<'_>, ty: &Type, wire: &str, uses: &mut Vec<String>, depth: usize) -> String {
    match ty {
        Type::String => format!("\"<{wire}>\""),
        Type::Bool => "true".to_owned(),
        Type::I32 | Type::I64 => "20".to_owned(),
        Type::F64 => "1.0".to_owned(),
        Type::Int64String => format!("{}::runtime::Int64(0)", ctx.crate_name.replace('-', "_")),
        Type::Json => "serde_json::json!({})".to_owned(),
        Type::Enum(name) => {
            let first = ctx.version.enums.iter().find(|e| &e.rust == name).and_then(|e| e.variants.first());
            uses.push(name.clone());
            match first {
                Some(v) => format!("{name}::{}", v.rust),
                None => format!("todo!(\"{wire}\")"),
            }
        }
        // One placeholder item: an empty list would leave a required parameter unsent.
        Type::List(inner) => match inner.as_ref() {
            Type::String => format!("vec![\"<{wire}>\".to_owned()]"),
            inner => format!("vec![{}]", placeholder_at(ctx, inner, wire, uses, depth)),
        },
        Type::Model(name) if depth < 3 => {
            let models = &ctx.version.models;
            let found = models.iter().find(|m| &m.rust == name);
            let model = found
                .and_then(|m| m.alias_of.as_ref())
                .and_then(|original| models.iter().find(|m| &m.rust == original))
                .or(found);
            match model {
                Some(m) if m.runtime.is_none() && m.default => {
                    uses.push(name.clone());
                    format!("{name}::default()")
                }
                // The models that have `new` (see `models::constructor`).
                Some(m)
                    if m.runtime.is_none() && m.usage.sent && !m.multipart && m.fields.iter().any(|f| f.required) =>
                {
                    uses.push(name.clone());
                    let args: Vec<String> = m
                        .fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| placeholder_at(ctx, &f.ty, &f.wire, uses, depth + 1))
                        .collect();
                    format!("{name}::new({})", args.join(", "))
                }
                _ => format!("todo!(\"{wire}\")"),
            }
        }
        _ => format!("todo!(\"{wire}\")"),
    }
}

fn request_type(ctx: &Ctx<'_>, resource: &ir::Resource, m: &ir::Method) -> TokenStream {
    let name = ident(&m.request_type);
    // A link's path names the method without `r#`, which rustdoc would read as a fragment.
    let docs = doc(&format!(
        "Parameters of [`{0}::{1}`](crate::{2}::{3}::{0}::{4}): {5}",
        resource.accessor,
        m.function,
        ctx.service.module,
        ctx.version.module,
        m.function.trim_start_matches("r#"),
        sentence(&m.summary)
    ));
    let params = m.path_params.iter().map(|p| (p, "path")).chain(m.query_params.iter().map(|p| (p, "query")));
    let fields = params.clone().map(|(p, place)| {
        let fname = ident(&p.rust);
        let ty = types::field(ctx, &p.ty, p.required);
        let docs = doc(&format!(
            "{}\n\nSent in the {place} as `{}`.",
            field_doc(p).split("\n\n").next().unwrap_or(""),
            p.wire
        ));
        quote!(#docs pub #fname: #ty,)
    });
    let body_field = m.body.as_ref().map(|b| {
        let fname = ident(&b.field);
        let ty = ctx.type_path(&b.model);
        let kind = if b.multipart { "multipart form" } else { "JSON body" };
        let docs = doc(&format!("The {kind}."));
        quote!(#docs pub #fname: #ty,)
    });
    let endpoint = endpoint(m);
    let constructor = constructor(ctx, m);
    let setters = m.query_params.iter().filter_map(|p| setter(ctx, p));
    let into_request = into_request(ctx, m);
    let page_request = match (&m.pagination, &m.response) {
        (Some(p), ir::Response::Data(model)) => {
            let page = ctx.type_path(model);
            let token = ident(&p.page_token);
            Some(quote! {
                impl ::lark_runtime::PageRequest for #name {
                    type Page = #page;

                    fn set_page_token(&mut self, token: ::std::option::Option<::std::string::String>) {
                        self.#token = token;
                    }

                    fn to_request(&self) -> ::lark_runtime::Request {
                        ::std::clone::Clone::clone(self).into_request()
                    }
                }
            })
        }
        _ => None,
    };

    // Nothing required: `new()` and `Default` are the same request.
    let nothing_required = m.body.is_none() && m.path_params.iter().chain(&m.query_params).all(|p| !p.required);
    let derive_default = nothing_required.then(|| quote!(, ::std::default::Default));
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone #derive_default)]
        pub struct #name {
            #(#fields)*
            #body_field
        }

        impl #name {
            #endpoint
            #constructor
            #(#setters)*
            #into_request
        }

        #page_request
    }
}

fn endpoint(m: &ir::Method) -> TokenStream {
    let id = &m.id;
    let verb = ident(match m.http {
        ir::HttpMethod::Get => "Get",
        ir::HttpMethod::Post => "Post",
        ir::HttpMethod::Put => "Put",
        ir::HttpMethod::Patch => "Patch",
        ir::HttpMethod::Delete => "Delete",
    });
    let path = &m.path;
    let tokens = types::tokens(&m.tokens);
    let scopes = types::scopes(&m.scopes);
    let response = ident(match m.response {
        ir::Response::Data(_) => "Data",
        ir::Response::Flat(_) => "Flat",
        ir::Response::Binary => "Binary",
        ir::Response::Empty => "Empty",
    });
    let doc_url = m.doc_url.as_deref().unwrap_or("");
    // The facts are in the method's docs already; repeating them here would double the
    // documentation the compiler holds for 1,700 endpoints.
    let docs = doc(&format!("`{} {}`: what the runtime needs to call this endpoint.", m.http.as_str(), m.path));
    quote! {
        #docs
        pub const ENDPOINT: &'static ::lark_runtime::Endpoint = &::lark_runtime::Endpoint {
            id: #id,
            method: ::lark_runtime::HttpMethod::#verb,
            path: #path,
            tokens: #tokens,
            scopes: #scopes,
            response: ::lark_runtime::ResponseKind::#response,
            doc_url: #doc_url,
        };
    }
}

/// `new` takes what the call cannot do without; optional parameters start unset.
fn constructor(ctx: &Ctx<'_>, m: &ir::Method) -> TokenStream {
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in m.path_params.iter().chain(&m.query_params) {
        if p.required {
            let (arg, init) = required_arg(ctx, &p.rust, &p.ty);
            args.push(arg);
            inits.push(init);
        } else {
            let name = ident(&p.rust);
            inits.push(quote!(#name: ::std::option::Option::None));
        }
    }
    if let Some(b) = &m.body {
        let name = ident(&b.field);
        let ty = ctx.type_path(&b.model);
        args.push(quote!(#name: #ty));
        inits.push(quote!(#name));
    }
    quote! {
        /// A request with every required parameter; optional ones start unset.
        #[inline] pub fn new(#(#args),*) -> Self {
            Self { #(#inits),* }
        }
    }
}

fn setter(ctx: &Ctx<'_>, p: &ir::Field) -> Option<TokenStream> {
    let setter = ident(p.setter.as_deref()?);
    let field = ident(&p.rust);
    let docs = doc(&format!("Sets `{}`: {}", p.wire, field_doc(p).split("\n\n").next().unwrap_or("")));
    Some(if p.ty == Type::String {
        quote! {
            #docs
            #[inline] pub fn #setter(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                self.#field = ::std::option::Option::Some(value.into());
                self
            }
        }
    } else {
        let ty = types::rust(ctx, &p.ty);
        quote! {
            #docs
            #[inline] pub fn #setter(mut self, value: #ty) -> Self {
                self.#field = ::std::option::Option::Some(value);
                self
            }
        }
    })
}

/// Text form of a scalar parameter, as the wire wants it.
fn text(value: TokenStream, ty: &Type) -> TokenStream {
    match ty {
        Type::String => value,
        Type::Enum(_) => quote!(#value.as_str().to_owned()),
        _ => quote!(#value.to_string()),
    }
}

/// Emits `sink(name, text)` for a parameter, looping over lists and skipping `None`.
fn put(sink: TokenStream, wire: &str, value: TokenStream, ty: &Type, required: bool) -> TokenStream {
    let (ty, each) = match ty {
        Type::List(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let item = quote!(item);
    let call = {
        let t = text(item.clone(), ty);
        quote!(#sink(#wire, #t);)
    };
    match (required, each) {
        (true, false) => {
            let t = text(value, ty);
            quote!(#sink(#wire, #t);)
        }
        (true, true) => quote!(for #item in #value { #call }),
        (false, false) => quote!(if let ::std::option::Option::Some(#item) = #value { #call }),
        (false, true) => quote!(for #item in #value.into_iter().flatten() { #call }),
    }
}

fn into_request(ctx: &Ctx<'_>, m: &ir::Method) -> TokenStream {
    let mut steps = Vec::new();
    for p in &m.path_params {
        let name = ident(&p.rust);
        steps.push(put(quote!(request.path_param), &p.wire, quote!(self.#name), &p.ty, true));
    }
    for p in &m.query_params {
        let name = ident(&p.rust);
        steps.push(put(quote!(request.query), &p.wire, quote!(self.#name), &p.ty, p.required));
    }
    if let Some(b) = &m.body {
        let body = ident(&b.field);
        if b.multipart {
            steps.push(quote!(let mut form = ::lark_runtime::Form::new();));
            // Multipart models are plain structs: their fields are moved into parts.
            steps.push(quote!(let body = self.#body;));
            let fields = ctx.version.models.iter().find(|x| x.rust == b.model).map_or(&[][..], |x| &x.fields[..]);
            for f in fields {
                let name = ident(&f.rust);
                let wire = &f.wire;
                steps.push(match (&f.ty, f.required) {
                    (Type::File, true) => quote!(form.file(#wire, body.#name);),
                    (Type::File, false) => {
                        quote!(if let ::std::option::Option::Some(file) = body.#name { form.file(#wire, file); })
                    }
                    (ty, required) => put(quote!(form.text), wire, quote!(body.#name), ty, required),
                });
            }
            steps.push(quote!(request.multipart_body(form);));
        } else {
            // The platform ignores a repeat that carries the same `uuid`, so such a call
            // may be retried after a server error without sending twice.
            let model = ctx.version.models.iter().find(|x| x.rust == b.model);
            if let Some(uuid) = model.and_then(|x| x.fields.iter().find(|f| f.wire == "uuid" && f.ty == Type::String)) {
                let field = ident(&uuid.rust);
                steps.push(if uuid.required {
                    quote!(request.set_retry_safe();)
                } else {
                    quote!(if self.#body.#field.is_some() { request.set_retry_safe(); })
                });
            }
            steps.push(quote!(request.json_body(&self.#body);));
            if !m.requires.is_empty() {
                let rules = m.requires.iter().map(|rule| quote!(&[#(#rule),*]));
                steps.push(quote!(request.require(&[#(#rules),*]);));
            }
        }
    }
    if steps.is_empty() {
        return quote! {
            #[inline] fn into_request(self) -> ::lark_runtime::Request {
                ::lark_runtime::Request::new(Self::ENDPOINT)
            }
        };
    }
    quote! {
        #[inline] fn into_request(self) -> ::lark_runtime::Request {
            let mut request = ::lark_runtime::Request::new(Self::ENDPOINT);
            #(#steps)*
            request
        }
    }
}
