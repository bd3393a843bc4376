//! Code generation: the module as written, minus pico's attributes, plus a
//! thunk per exposed function and `module()`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Item, ItemMod};

use crate::ast::{Api, Exposed, Param};
use crate::check;

pub(crate) fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    if !args.is_empty() {
        errors.push(syn::Error::new_spanned(
            &args,
            "`#[pico::api]` takes no arguments: serve the module under another name with `App::register_as`",
        ));
    }
    let mut module = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Mod(module)) => module,
        Ok(other) => {
            let e = syn::Error::new(
                item_head(&other),
                "`#[pico::api]` goes on an inline module of functions: `mod name { ... }`",
            );
            return with_errors(input, vec![e]);
        }
        Err(e) => return with_errors(input, vec![e]),
    };
    if module.content.is_none() {
        let e = syn::Error::new_spanned(
            &module,
            "`#[pico::api]` needs the module's body here: write `mod name { ... }` rather than `mod name;`",
        );
        return with_errors(quote!(#module), vec![e]);
    }
    let duplicates = check::module(&module, &mut errors);
    let api = Api::from_syn(&mut module, &mut errors);
    if !errors.is_empty() {
        if let Some((_, items)) = &mut module.content {
            for position in duplicates.into_iter().rev() {
                items.remove(position);
            }
        }
        // The module, with pico's attributes removed, still compiles, so the
        // user sees our errors rather than a cascade of unknown attributes.
        return with_errors(quote!(#module), errors);
    }
    generate(&mut module, &api);
    quote!(#module)
}

fn item_head(item: &Item) -> Span {
    match item {
        Item::Fn(f) => f.sig.span(),
        Item::Struct(s) => s.ident.span(),
        Item::Enum(e) => e.ident.span(),
        Item::Impl(i) => i.self_ty.span(),
        other => other.span(),
    }
}

fn with_errors(tokens: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.iter().map(syn::Error::to_compile_error);
    quote!(#tokens #(#errors)*)
}

fn generate(module: &mut ItemMod, api: &Api) {
    let thunks = api.functions.iter().map(thunk);
    let name = api.name.to_string();
    let doc = option_str(api.doc.as_deref());
    let functions = api.functions.iter().map(function_entry);
    let module_doc = "The Pico definition of this module, to register on a `pico::App`.";
    let generated: syn::File = syn::parse_quote! {
        #(#thunks)*

        #[doc = #module_doc]
        pub fn module() -> ::pico::Module {
            ::pico::__private::Module::new(#name, #doc, ::std::vec![#(#functions),*])
        }
    };
    if let Some((_, items)) = &mut module.content {
        items.extend(generated.items);
    }
}

fn thunk_ident(function: &Exposed) -> syn::Ident {
    format_ident!("__pico_call_{}", function.ident)
}

fn function_entry(function: &Exposed) -> TokenStream {
    let name = function.ident.to_string();
    let doc = option_str(function.doc.as_deref());
    let thunk = thunk_ident(function);
    let params = function.params.iter().map(|p| {
        let name = p.ident.to_string();
        let default = match (&p.default, p.optional) {
            (Some(expr), _) => {
                quote!(::core::option::Option::Some(|| ::pico::__private::default_json(&(#expr))))
            }
            (None, true) => quote!(::core::option::Option::Some(|| {
                ::pico::__private::serde_json::Value::Null
            })),
            (None, false) => quote!(::core::option::Option::None),
        };
        quote!(::pico::__private::Param { name: #name, default: #default })
    });
    quote! {
        ::pico::__private::Function::new(#name, #doc, {
            const PARAMS: &[::pico::__private::Param] = &[#(#params),*];
            PARAMS
        }, #thunk)
    }
}

fn thunk(function: &Exposed) -> TokenStream {
    let cx = syn::Ident::new("__pico_cx", Span::mixed_site());
    let ident = &function.ident;
    let thunk = thunk_ident(function);
    // Locals get names of their own: a parameter may share its function's
    // name (`fn upload(upload: Upload)`).
    let locals: Vec<syn::Ident> = (0..function.params.len())
        .map(|i| syn::Ident::new(&format!("__pico_arg{i}"), Span::mixed_site()))
        .collect();
    let reads = function
        .params
        .iter()
        .zip(&locals)
        .map(|(p, local)| read_param(p, local, &cx));
    let names = &locals;
    let call = if function.is_async {
        quote!(#ident(#(#names),*).await)
    } else {
        quote!(#ident(#(#names),*))
    };
    let output = &function.output;
    let ty = &output.ty;
    let name = ident.to_string();
    let line = u32::try_from(function.line).unwrap_or(0);
    let location = quote! {
        ::pico::__private::Location { file: ::core::file!(), line: #line, function: #name }
    };
    // Spanned at the user's type, so that a type that cannot be returned is
    // reported there.
    let reply = match (output.fallible, output.is_response) {
        (false, false) => quote_spanned!(ty.span()=> ::pico::__private::json::<#ty>(&#call)),
        (false, true) => quote_spanned!(ty.span()=> ::pico::__private::response::<#ty>(#call)),
        (true, false) => {
            quote_spanned!(ty.span()=> ::pico::__private::json_result::<#ty, _>(#call, #location))
        }
        (true, true) => {
            quote_spanned!(ty.span()=> ::pico::__private::response_result::<#ty, _>(#call, #location))
        }
    };
    let outcome = if function.is_async {
        quote_spanned!(ident.span()=> ::pico::__private::pending(async move { #reply }))
    } else {
        quote!(::pico::__private::Outcome::Ready(#reply))
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        fn #thunk(
            #cx: &mut ::pico::__private::Context,
        ) -> ::core::result::Result<::pico::__private::Outcome, ::pico::__private::Failure> {
            #(#reads)*
            ::core::result::Result::Ok(#outcome)
        }
    }
}

/// `let name = ...;`, spanned at the user's type so that a type that cannot
/// be deserialised is reported there.
fn read_param(param: &Param, local: &syn::Ident, cx: &syn::Ident) -> TokenStream {
    let ty = &param.ty;
    let name = param.ident.to_string();
    let read = match (&param.default, param.optional) {
        (Some(expr), _) => {
            // `"world"` fills a `String`; anything else has the parameter's
            // type already (`Into` would make `10` an `i32`).
            let value = match expr {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(_),
                    ..
                }) => {
                    quote!(::core::convert::Into::into(#expr))
                }
                _ => quote!(#expr),
            };
            quote_spanned! {ty.span()=>
                ::pico::__private::arg_or::<#ty>(#cx, #name, || #value)
            }
        }
        (None, true) => quote_spanned! {ty.span()=>
            ::pico::__private::arg_or::<#ty>(#cx, #name, ::core::default::Default::default)
        },
        (None, false) => quote_spanned!(ty.span()=> ::pico::__private::arg::<#ty>(#cx, #name)),
    };
    quote!(let #local = #read?;)
}

fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}
