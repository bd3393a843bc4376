//! `#[pico::api]` from end to end (read by `ast`, checked by `check`, then
//! written here, or by `fallback` after errors), and the code generation
//! that file modules share: the module as written, minus pico's
//! attributes, plus a thunk per exposed function and `module()`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ItemMod;
use syn::spanned::Spanned;

use crate::ast::api::{Api, ApiInput, ApiItem};
use crate::ast::function::{Exposed, Param};
use crate::attr::{CookieOptions, Source, shared_type, state_type};
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;

/// `#[pico::api]`: read, checked, then written out, or the errors beside
/// the fallback's stand-in.
pub(crate) fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let read = ApiInput::from_tokens(args, input.clone(), &cx);
    if let Some(read) = &read {
        check::api(read, &cx);
    }
    if let Err(errors) = cx.check() {
        return fallback::api(read, input, &errors);
    }
    let Some(ApiInput {
        arg,
        item: ApiItem::Module(mut module, api),
    }) = read
    else {
        unreachable!("the checks report what is not an inline module");
    };
    generate(&mut module, &api);
    if arg.wants_stubs()
        && let Some((_, items)) = &mut module.content
    {
        items.push(syn::parse2(crate::stubs::module(&api)).expect("the stubs are an item"));
    }
    quote!(#module)
}

fn generate(module: &mut ItemMod, api: &Api) {
    let thunks = api.functions.iter().map(thunk);
    let name = api.name.to_string();
    let doc = option_str(api.doc.as_deref());
    let mut probes = crate::describe::Probes::default();
    let functions: Vec<TokenStream> = api
        .functions
        .iter()
        .map(|function| function_entry(function, &mut probes))
        .collect();
    let probes = probes.items();
    let module_doc = "The Pico definition of this module, to register on a `pico::App`.";
    let (prehandle_fn, with_prehandle) = match api.prehandles.first() {
        Some(user) => prehandle_wrapper(&user.ident),
        None => (quote!(), quote!()),
    };
    let generated: syn::File = syn::parse_quote! {
        #(#thunks)*

        #prehandle_fn

        #[doc = #module_doc]
        pub fn module() -> ::pico::Module {
            #probes
            ::pico::__private::Module::new(#name, #doc, ::std::vec![#(#functions),*]) #with_prehandle
        }
    };
    if let Some((_, items)) = &mut module.content {
        items.extend(generated.items);
    }
}

/// The wrapper of a module's prehandle, and what registers it.
pub(crate) fn prehandle_wrapper(user: &syn::Ident) -> (TokenStream, TokenStream) {
    // Spanned at the user's function, so that a wrong signature is
    // reported there.
    let call = quote_spanned!(user.span()=> ::pico::__private::prehandle(&#user, request, args));
    (
        quote! {
            #[doc(hidden)]
            fn __pico_prehandle(
                request: &mut ::pico::Request,
                args: &mut ::pico::Args,
            ) -> ::core::result::Result<(), ::pico::__private::Failure> {
                #call
            }
        },
        quote!(.prehandle(__pico_prehandle)),
    )
}

/// The function that makes a parameter's `#[default(...)]`, for the call
/// and for the definition alike.
fn default_ident(function: &Exposed, param: &Param) -> syn::Ident {
    format_ident!("__pico_default_{}_{}", function.ident, param.ident)
}

/// The default functions of a function's parameters.
fn default_fns(function: &Exposed) -> TokenStream {
    let fns = function.params.iter().filter_map(|param| {
        let expr = param.default.as_ref()?;
        let ty = &param.ty;
        let make = default_ident(function, param);
        // `"world"` fills a `String`; anything else has the parameter's
        // type already (`Into` would make `10` an `i32`).
        let value = match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(_),
                ..
            }) => {
                quote_spanned!(expr.span()=> ::core::convert::Into::into(#expr))
            }
            _ => quote!(#expr),
        };
        Some(quote! {
            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all, clippy::pedantic)]
            fn #make() -> #ty {
                #value
            }
        })
    });
    quote!(#(#fns)*)
}

fn thunk_ident(function: &Exposed) -> syn::Ident {
    format_ident!("__pico_call_{}", function.ident)
}

/// The function's `Function`, its schema probes added to `probes`, which
/// the code around it must hold.
pub(crate) fn function_entry(function: &Exposed, probes: &mut crate::describe::Probes) -> TokenStream {
    let name = function.ident.to_string();
    let doc = option_str(function.doc.as_deref());
    let thunk = thunk_ident(function);
    let params = function.params.iter().filter(|p| p.source.is_none()).map(|p| {
        let name = p.ident.to_string();
        let default = match (&p.default, p.optional) {
            // The default's own function, so that a default of the wrong
            // type is reported once, where it is written.
            (Some(_), _) => {
                let make = default_ident(function, p);
                quote!(::core::option::Option::Some(|| ::pico::__private::default_json(&#make())))
            }
            (None, true) => quote!(::core::option::Option::Some(|| {
                ::pico::__private::serde_json::Value::Null
            })),
            (None, false) => quote!(::core::option::Option::None),
        };
        let constraints = crate::constraints::described(p);
        quote!(::pico::__private::Param { name: #name, default: #default, constraints: #constraints })
    });
    let mut extras = TokenStream::new();
    if let Some(method) = &function.method {
        extras.extend(quote!(.require_method(#method)));
    } else if function.params.iter().any(Param::takes_file) {
        // A GET cannot carry a file: refused with a 405 that says so.
        extras.extend(quote!(.require_method("POST")));
    }
    if function.stream.is_some() {
        extras.extend(quote!(.stream()));
    }
    if !function.routes.is_empty() {
        let routes = function.routes.iter().map(|route| {
            let method = route.method.to_string();
            let path = &route.path;
            quote!(::pico::__private::PathRoute { method: #method, path: #path })
        });
        extras.extend(quote!(.routes(&[#(#routes),*])));
    }
    let from_request: Vec<String> = function
        .params
        .iter()
        .filter(|p| p.source.as_ref().is_some_and(Source::drops_client_value))
        .map(|p| p.ident.to_string())
        .collect();
    if !from_request.is_empty() {
        extras.extend(quote!(.from_request(&[#(#from_request),*])));
    }
    if function
        .params
        .iter()
        .any(|p| matches!(p.source, Some(Source::Extract)))
    {
        extras.extend(quote!(.extracts()));
    }
    let states: Vec<TokenStream> = function
        .params
        .iter()
        .filter(|p| matches!(p.source, Some(Source::State)))
        .map(|p| {
            let ty = state_type(&p.ty);
            quote_spanned! {ty.span()=>
                ::pico::__private::StateNeed {
                    id: ::core::any::TypeId::of::<#ty>,
                    name: ::core::any::type_name::<#ty>,
                }
            }
        })
        .collect();
    if !states.is_empty() {
        extras.extend(quote! {
            .states({
                const STATES: &[::pico::__private::StateNeed] = &[#(#states),*];
                STATES
            })
        });
    }
    if function.protected.is_some() {
        extras.extend(quote!(.protected()));
    }
    if function.set_cookie.is_some() || function.delete_cookies.is_some() || function.output.is_response {
        extras.extend(quote!(.shapes_response()));
    }
    if cfg!(feature = "openapi") {
        extras.extend(crate::describe::describe(function, probes));
    }
    let constructor = if function.is_plain() {
        quote!(plain)
    } else {
        quote!(new)
    };
    quote! {
        ::pico::__private::Function::#constructor(#name, #doc, {
            const PARAMS: &[::pico::__private::Param] = &[#(#params),*];
            PARAMS
        }, #thunk) #extras
    }
}

pub(crate) fn thunk(function: &Exposed) -> TokenStream {
    let cx = syn::Ident::new("__pico_cx", Span::mixed_site());
    let codec = syn::Ident::new("__pico_codec", Span::mixed_site());
    let ident = &function.ident;
    let thunk = thunk_ident(function);
    // Locals get names of their own: a parameter may share its function's
    // name (`fn upload(upload: Upload)`).
    let locals: Vec<syn::Ident> = (0..function.params.len())
        .map(|i| syn::Ident::new(&format!("__pico_arg{i}"), Span::mixed_site()))
        .collect();
    let parts = syn::Ident::new("__pico_parts", Span::mixed_site());
    let read_locals: Vec<&syn::Ident> = function
        .params
        .iter()
        .zip(&locals)
        .filter(|(p, _)| !matches!(p.source, Some(Source::Extract)))
        .map(|(_, local)| local)
        .collect();
    let reads: Vec<TokenStream> = function
        .params
        .iter()
        .zip(&locals)
        .filter(|(p, _)| !matches!(p.source, Some(Source::Extract)))
        .map(|(p, local)| read_param(function, p, local, &cx))
        .collect();
    let extracts: Vec<TokenStream> = function
        .params
        .iter()
        .zip(&locals)
        .filter(|(p, _)| matches!(p.source, Some(Source::Extract)))
        .map(|(p, local)| {
            let ty = &p.ty;
            quote_spanned!(ty.span()=> let #local: #ty = #parts.extract::<#ty>().await?;)
        })
        .collect();
    let extraction =
        (!extracts.is_empty()).then(|| quote!(let mut #parts = ::pico::__private::extraction(#cx);));
    let args = function
        .params
        .iter()
        .zip(&locals)
        .map(|(p, local)| match (&p.source, &p.ty) {
            (Some(Source::State), syn::Type::Reference(_)) => quote!(&*#local),
            (Some(Source::State), ty) if shared_type(ty).is_some() => quote!(#local),
            (Some(Source::State), ty) => {
                quote_spanned!(ty.span()=> <#ty as ::pico::__private::StateByValue>::by_value(&*#local))
            }
            _ => quote!(#local),
        });
    let call = if function.is_async {
        quote!(#ident(#(#args),*).await)
    } else {
        quote!(#ident(#(#args),*))
    };
    let name = ident.to_string();
    let line = u32::try_from(function.line).unwrap_or(0);
    let location = quote! {
        ::pico::__private::Location { file: ::core::file!(), line: #line, function: #name }
    };
    let protect = function
        .protected
        .as_ref()
        .map(|check| quote_spanned!(check.span()=> ::pico::__private::protect(#cx, &(#check))?;));
    let value = syn::Ident::new("__pico_value", Span::mixed_site());
    let reply = success_reply(function, &value, &codec);
    let returned = syn::Ident::new("__pico_error", Span::mixed_site());
    let failure = quote_spanned! {function.output.error_span=>
        (&::pico::__private::Returned::new(#returned))
            .take_failure(::core::option::Option::Some(#location))
    };
    let mut reply = if function.output.fallible {
        quote! {
            match #call {
                ::core::result::Result::Ok(#value) => #reply,
                ::core::result::Result::Err(#returned) => {
                    #[allow(unused_imports)]
                    use ::pico::__private::{ByError as _, ByStatus as _};
                    ::core::result::Result::Err(#failure)
                }
            }
        }
    } else {
        quote!({ let #value = #call; #reply })
    };
    if let Some(status) = &function.status {
        reply = quote!(::pico::__private::with_status(#reply, #status));
    }
    if let Some((names, options)) = &function.delete_cookies {
        let options = cookie_options(options);
        reply = quote!(::pico::__private::delete_cookies(#reply, &[#(#names),*], &#options));
    }
    let slot = syn::Ident::new("__pico_slot", Span::mixed_site());
    let take_slot = function
        .blocking
        .as_ref()
        .map(|_| quote!(let #slot = ::pico::__private::blocking_slot(#cx)?;));
    if function.blocking.is_some() {
        reply = quote!(::pico::__private::blocking(#slot, move || #reply).await);
    }
    // With extractors, what the request's credentials say comes first:
    // the check, the arguments and `#[protected]` are read at once, but
    // their errors are answered after the extractors'.
    let validation = crate::constraints::checks(function, &locals);
    let (checks, after_extracts) = if extracts.is_empty() {
        (quote!(#protect #(#reads)* #validation), TokenStream::new())
    } else {
        let read = syn::Ident::new("__pico_read", Span::mixed_site());
        let checks = quote! {
            let #read = (|| {
                #cx.deferred()?;
                #protect
                #(#reads)*
                #validation
                ::core::result::Result::Ok::<_, ::pico::__private::Failure>((#(#read_locals,)*))
            })();
        };
        (checks, quote!(let (#(#read_locals,)*) = #read?;))
    };
    let outcome = if function.is_async || !extracts.is_empty() || function.blocking.is_some() {
        quote_spanned!(ident.span()=> ::pico::__private::pending(async move {
            #(#extracts)* #after_extracts #reply
        }))
    } else {
        quote!(::pico::__private::Outcome::Ready(#reply))
    };
    let stream_context = function.stream.as_ref().map(|_| {
        let stream = syn::Ident::new("__pico_stream", Span::mixed_site());
        quote!(let #stream = #cx.stream_context(#name);)
    });
    let defaults = default_fns(function);
    if function.is_plain() {
        return quote! {
            #defaults

            #[doc(hidden)]
            #[allow(non_snake_case, clippy::all, clippy::pedantic)]
            fn #thunk(
                #cx: &mut ::pico::__private::Arguments<'_>,
            ) -> ::core::result::Result<::pico::__private::Reply, ::pico::__private::Failure> {
                #checks
                let #codec = #cx.codec();
                #reply
            }
        };
    }
    quote! {
        #defaults

        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        fn #thunk(
            #cx: &mut ::pico::__private::Context,
        ) -> ::core::result::Result<::pico::__private::Outcome, ::pico::__private::Failure> {
            #checks
            #extraction
            let #codec = #cx.codec();
            #stream_context
            #take_slot
            ::core::result::Result::Ok(#outcome)
        }
    }
}

/// The reply for the function's successful value `value`, spanned at the
/// user's type so that a type that cannot be returned is reported there.
fn success_reply(function: &Exposed, value: &syn::Ident, codec: &syn::Ident) -> TokenStream {
    let ty = &function.output.ty;
    if let Some(stream) = &function.stream {
        let context = syn::Ident::new("__pico_stream", Span::mixed_site());
        let make = match (stream.is_async, stream.fallible_items) {
            (false, false) => quote!(iter),
            (false, true) => quote!(iter_fallible),
            (true, false) => quote!(stream),
            (true, true) => quote!(stream_fallible),
        };
        if !stream.is_async && !stream.fallible_items {
            // Probed first, so that a result that does not iterate gets our
            // word, once, at the user's type.
            return quote_spanned! {ty.span()=> {
                #[allow(unused_imports)]
                use ::pico::__private::{ItemsOf as _, NotItems as _};
                ::pico::__private::iter((&::pico::__private::Probe::new(#value)).items(), #context)
            }};
        }
        return quote_spanned!(ty.span()=> ::pico::__private::#make(#value, #context));
    }
    if let Some(options) = &function.set_cookie {
        let options = cookie_options(options);
        return quote_spanned!(ty.span()=> ::pico::__private::set_cookies::<#ty>(&#value, &#options, #codec.as_deref()));
    }
    if function.output.is_response {
        return quote_spanned!(ty.span()=> ::pico::__private::response::<#ty>(#value));
    }
    if function.output.is_located {
        return quote_spanned!(ty.span()=> ::pico::__private::located(&#value, #codec.as_deref()));
    }
    quote_spanned!(ty.span()=> ::pico::__private::json::<#ty>(&#value, #codec.as_deref()))
}

fn cookie_options(options: &CookieOptions) -> TokenStream {
    let mut fields = TokenStream::new();
    if let Some(path) = &options.path {
        fields.extend(quote!(path: #path,));
    }
    if let Some(domain) = &options.domain {
        fields.extend(quote!(domain: ::core::option::Option::Some(#domain),));
    }
    if let Some(max_age) = &options.max_age {
        fields.extend(quote!(max_age: ::core::option::Option::Some(#max_age),));
    }
    if let Some(secure) = &options.secure {
        fields.extend(quote!(secure: #secure,));
    }
    if let Some(http_only) = &options.http_only {
        fields.extend(quote!(http_only: #http_only,));
    }
    if let Some(same_site) = &options.same_site {
        fields.extend(quote!(same_site: #same_site,));
    }
    quote!(::pico::__private::CookieOptions { #fields ..::pico::__private::CookieOptions::DEFAULT })
}

/// `let local = ...;`, spanned at the user's type (or source) so that a
/// type that cannot be read is reported there.
fn read_param(function: &Exposed, param: &Param, local: &syn::Ident, cx: &syn::Ident) -> TokenStream {
    let ty = &param.ty;
    let name = param.ident.to_string();
    let read = match (&param.source, &param.default, param.optional) {
        (Some(Source::Request), ..) => quote_spanned!(ty.span()=> ::pico::__private::request(#cx)),
        (Some(Source::Attribute(attribute)), ..) => quote_spanned! {ty.span()=>
            ::pico::__private::request_attribute::<#ty>(#cx, #attribute)?
        },
        (Some(Source::Function(f)), ..) => quote_spanned! {f.span()=>
            ::pico::__private::request_fn::<#ty, _>(#cx, &(#f))?
        },
        (Some(Source::State), ..) => {
            let inner = state_type(ty);
            let read = quote_spanned!(inner.span()=> ::pico::__private::state::<#inner>(#cx)?);
            return quote!(let #local = #read;);
        }
        (Some(Source::Extract), ..) => unreachable!("extractors are read in the call's future"),
        (None, Some(_), _) => {
            let make = default_ident(function, param);
            quote_spanned! {ty.span()=>
                ::pico::__private::arg_or::<#ty>(#cx, #name, #make)?
            }
        }
        (None, None, true) => quote_spanned! {ty.span()=>
            ::pico::__private::arg_or::<#ty>(#cx, #name, ::core::default::Default::default)?
        },
        (None, None, false) => quote_spanned!(ty.span()=> ::pico::__private::arg::<#ty>(#cx, #name)?),
    };
    quote!(let #local: #ty = #read;)
}

fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}
