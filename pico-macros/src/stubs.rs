//! Typed client stubs, for `#[pico::api(client)]`: a `client` module with an
//! async function per exposed function, same parameters (less those filled
//! from the request), same result, called over HTTP through
//! `pico::client::Client`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{GenericArgument, PathArguments, Type};

use crate::ast::api::Api;
use crate::ast::function::Exposed;

pub(crate) fn module(api: &Api) -> TokenStream {
    let module = api.name.to_string();
    let stubs = api.functions.iter().map(|f| stub(&module, f));
    let doc = format!("Typed calls of `{module}`'s functions from Rust, over HTTP (`/{module}/...`).");
    quote! {
        #[doc = #doc]
        pub mod client {
            #[allow(unused_imports)]
            use super::*;

            #(#stubs)*
        }
    }
}

fn stub(module: &str, function: &Exposed) -> TokenStream {
    let ident = &function.ident;
    let path = format!("{module}/{ident}");
    let doc = function.doc.clone().unwrap_or_else(|| format!("Calls `{path}`."));
    let client = syn::Ident::new("client", Span::mixed_site());
    let args = syn::Ident::new("__pico_args", Span::mixed_site());
    let params: Vec<_> = function.params.iter().filter(|p| p.source.is_none()).collect();
    let names: Vec<_> = params.iter().map(|p| &p.ident).collect();
    let types: Vec<_> = params.iter().map(|p| owned(&p.ty)).collect();
    let keys: Vec<String> = names.iter().map(ToString::to_string).collect();
    let (result, call) = if let Some(stream) = &function.stream {
        let item = stream.item.as_ref().map_or_else(
            || quote!(::pico::__private::serde_json::Value),
            |t| {
                let t = owned(t);
                quote!(#t)
            },
        );
        (
            quote!(::pico::client::Items<#item>),
            quote!(#client.stream::<#item>(#path, &#args).await),
        )
    } else if function.output.is_response {
        (
            quote!(::pico::__private::Bytes),
            quote!(#client.call_raw(#path, &#args).await),
        )
    } else {
        // A client reads a `Located<T>` as its `T`: the location is a header.
        let ty = located_value(&function.output.ty).unwrap_or(&function.output.ty);
        let ty = owned(ty);
        (quote!(#ty), quote!(#client.call::<#ty>(#path, &#args).await))
    };
    let paths = function.routes.first().map(|route| route_path(function, route));
    quote! {
        #paths

        #[doc = #doc]
        #[allow(clippy::all, clippy::pedantic)]
        pub async fn #ident(
            #client: &::pico::client::Client,
            #(#names: #types),*
        ) -> ::core::result::Result<#result, ::pico::client::Error> {
            let mut #args = ::pico::__private::serde_json::Map::new();
            #(::pico::__private::client_arg(&mut #args, #keys, &#names)?;)*
            #call
        }
    }
}

/// `{function}_path`: the path of the function's first route for its
/// placeholders' values, to call with `Client::request` or to link to.
fn route_path(function: &Exposed, route: &crate::route_attr::Route) -> TokenStream {
    let ident = quote::format_ident!("{}_path", function.ident);
    let args = syn::Ident::new("__pico_args", Span::mixed_site());
    let template = &route.path;
    let doc = format!(
        "The path of `{}`'s route `{} {}` for these values, under the client's root.",
        function.ident,
        route.method,
        route.path.value()
    );
    let params: Vec<_> = route
        .placeholders
        .iter()
        .filter_map(|name| function.params.iter().find(|p| p.ident == name))
        .collect();
    let names: Vec<_> = params.iter().map(|p| &p.ident).collect();
    let types: Vec<_> = params.iter().map(|p| owned(&p.ty)).collect();
    let keys: Vec<String> = names.iter().map(ToString::to_string).collect();
    quote! {
        #[doc = #doc]
        ///
        /// # Errors
        /// When a value does not serialise.
        #[allow(clippy::all, clippy::pedantic)]
        pub fn #ident(
            #(#names: #types),*
        ) -> ::core::result::Result<::std::string::String, ::pico::client::Error> {
            let mut #args = ::pico::__private::serde_json::Map::new();
            #(::pico::__private::client_arg(&mut #args, #keys, &#names)?;)*
            ::core::result::Result::Ok(::pico::__private::route_path(#template, &#args))
        }
    }
}

/// `T` of `Located<T>`.
fn located_value(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == "Located")?;
    match &last.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// What a client receives for a type the server sends: `&str` arrives as a
/// `String`, `&[T]` as a `Vec<T>`.
fn owned(ty: &Type) -> Type {
    match ty {
        Type::Reference(r) => match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => syn::parse_quote!(::std::string::String),
            Type::Slice(s) => {
                let elem = owned(&s.elem);
                syn::parse_quote!(::std::vec::Vec<#elem>)
            }
            other => owned(other),
        },
        Type::Path(p) => {
            let mut p = p.clone();
            for segment in &mut p.path.segments {
                if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let GenericArgument::Type(t) = arg {
                            *t = owned(t);
                        }
                    }
                }
            }
            Type::Path(p)
        }
        other => other.clone(),
    }
}
