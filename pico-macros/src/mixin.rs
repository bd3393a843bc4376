//! `#[pico::mixin(expr)]` and `#[pico::sentry_mixin(...)]`: mixins composed
//! into an app's hooks by attribute.
//!
//! On `impl pico::Hooks for App { ... }` the attribute writes (or extends)
//! the impl's `fn mixins`, so that the app's own hook overrides still run
//! inside the mixins. On a struct without hooks of its own it writes that
//! impl. Several attributes stack, the first one outermost: attributes
//! expand from the top, and each appends its mixin after those above it.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ImplItem, Item, Meta, Token};

use crate::diagnostic::{item_head, with_errors};

const PLACE: &str =
    "goes on your app's `impl pico::Hooks for App { ... }`, or on a struct without hooks of its own";

/// `#[pico::mixin(expr)]`.
pub(crate) fn mixin(args: TokenStream, input: TokenStream) -> TokenStream {
    let expr = match syn::parse2::<Expr>(args.clone()) {
        Ok(expr) => expr,
        Err(_) => {
            let e = syn::Error::new(
                if args.is_empty() {
                    Span::call_site()
                } else {
                    args.span()
                },
                "`#[pico::mixin(...)]` takes the mixin to compose: `#[pico::mixin(MyMixin::default())]`",
            );
            return with_errors(input, &e);
        }
    };
    compose(expr.to_token_stream(), "mixin", input)
}

/// `#[pico::sentry_mixin(ignore_status = 400..500, ignore_types = [MyError], send_pii = true, client = c)]`.
pub(crate) fn sentry_mixin(args: TokenStream, input: TokenStream) -> TokenStream {
    match sentry_expr(args) {
        Ok(expr) => compose(expr, "sentry_mixin", input),
        Err(e) => with_errors(input, &e),
    }
}

fn sentry_expr(args: TokenStream) -> syn::Result<TokenStream> {
    let options = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let client = options.iter().find_map(|o| match o {
        Meta::NameValue(nv) if nv.path.is_ident("client") => Some(&nv.value),
        _ => None,
    });
    let mut expr = match client {
        Some(client) => quote!(::pico::SentryMixin::with_client(::core::option::Option::Some(#client))),
        None => quote!(::pico::SentryMixin::from_env()),
    };
    for option in &options {
        let Meta::NameValue(nv) = &option else {
            return Err(unknown_option(option));
        };
        let value = &nv.value;
        let name = nv.path.get_ident().map(ToString::to_string).unwrap_or_default();
        match name.as_str() {
            "client" => {}
            "ignore_status" => expr.extend(quote!(.ignore_status(#value))),
            "send_pii" => expr.extend(quote!(.send_default_pii(#value))),
            "ignore_types" => {
                let Expr::Array(types) = value else {
                    return Err(syn::Error::new_spanned(
                        value,
                        "`ignore_types` takes a list of error types: `ignore_types = [std::io::Error]`",
                    ));
                };
                for ty in &types.elems {
                    expr.extend(quote!(.ignore_type::<#ty>()));
                }
            }
            _ => return Err(unknown_option(option)),
        }
    }
    Ok(expr)
}

fn unknown_option(option: &Meta) -> syn::Error {
    syn::Error::new_spanned(
        option,
        "`#[pico::sentry_mixin]` options are `ignore_status = 400..600`, `ignore_types = [Type, ...]`, \
         `send_pii = true` and `client = expr` (an `Arc<sentry::Client>`; the DSN in `SENTRY_DSN` otherwise)",
    )
}

fn compose(expr: TokenStream, name: &str, input: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => item,
        Err(e) => return with_errors(input, &e),
    };
    let mixin = quote!(::std::boxed::Box::new(#expr) as ::std::boxed::Box<dyn ::pico::Mixin>);
    match item {
        Item::Impl(mut hooks) if is_hooks_impl(&hooks) => {
            let existing = hooks.items.iter_mut().find_map(|item| match item {
                ImplItem::Fn(f) if f.sig.ident == "mixins" => Some(f),
                _ => None,
            });
            match existing {
                Some(f) => match append(f, &mixin) {
                    Ok(()) => hooks.into_token_stream(),
                    Err(e) => with_errors(hooks.into_token_stream(), &e),
                },
                None => {
                    hooks.items.push(syn::parse_quote! {
                        fn mixins(&self) -> ::std::vec::Vec<::std::boxed::Box<dyn ::pico::Mixin>> {
                            ::std::vec![#mixin]
                        }
                    });
                    hooks.into_token_stream()
                }
            }
        }
        Item::Struct(mut app) => {
            // Mixin attributes below this one move onto the impl written
            // here, where they extend its list after this one.
            let (below, kept): (Vec<_>, Vec<_>) = app.attrs.drain(..).partition(|a| {
                a.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "mixin" || s.ident == "sentry_mixin")
            });
            app.attrs = kept;
            let ident = &app.ident;
            let (impl_generics, ty_generics, where_clause) = app.generics.split_for_impl();
            quote! {
                #app

                #(#below)*
                impl #impl_generics ::pico::Hooks for #ident #ty_generics #where_clause {
                    fn mixins(&self) -> ::std::vec::Vec<::std::boxed::Box<dyn ::pico::Mixin>> {
                        ::std::vec![#mixin]
                    }
                }
            }
        }
        other => {
            let e = syn::Error::new(item_head(&other), format!("`#[pico::{name}]` {PLACE}"));
            with_errors(other.into_token_stream(), &e)
        }
    }
}

fn is_hooks_impl(item: &syn::ItemImpl) -> bool {
    item.trait_
        .as_ref()
        .and_then(|(path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "Hooks")
}

/// Adds `mixin` to the `::std::vec![...]` that a mixin attribute above wrote.
fn append(f: &mut syn::ImplItemFn, mixin: &TokenStream) -> syn::Result<()> {
    let written_by_us = match f.block.stmts.as_mut_slice() {
        [syn::Stmt::Macro(m)] if m.mac.path.segments.last().is_some_and(|s| s.ident == "vec") => {
            Some(&mut m.mac)
        }
        [syn::Stmt::Expr(Expr::Macro(m), None)]
            if m.mac.path.segments.last().is_some_and(|s| s.ident == "vec") =>
        {
            Some(&mut m.mac)
        }
        _ => None,
    };
    let Some(mac) = written_by_us else {
        return Err(syn::Error::new_spanned(
            &f.sig,
            "`fn mixins` is written by the mixin attributes: list the mixins in attributes, not here",
        ));
    };
    let tokens = std::mem::take(&mut mac.tokens);
    mac.tokens = quote!(#tokens, #mixin);
    Ok(())
}
