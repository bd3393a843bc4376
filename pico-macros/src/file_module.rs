//! An API module in a file of its own (`mod notes;`), where an attribute on
//! the module cannot reach its items: `#[pico::expose]` on each function,
//! then `pico::module!(get, list, ...)` to list them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, ItemFn, Token};

use crate::ast::Exposed;
use crate::attr;
use crate::check;
use crate::diagnostic::with_errors;
use crate::expand::{function_entry, prehandle_wrapper, thunk};

/// `#[pico::expose]` on a function of a file module: the function, its
/// thunk, and a hidden function that describes it for `pico::module!`.
pub(crate) fn expose(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    if !args.is_empty() {
        errors.push(syn::Error::new_spanned(
            &args,
            "`#[expose]` takes no arguments: write `#[expose]` alone",
        ));
    }
    let mut function = match syn::parse2::<ItemFn>(input.clone()) {
        Ok(function) => function,
        Err(_) => {
            let e = syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[pico::expose]` goes on a function: `#[pico::expose] pub fn hello(who: String) -> String`",
            );
            return with_errors(input, &[e]);
        }
    };
    check::exposed(&function, &mut errors);
    let exposed = Exposed::from_syn(&mut function, &mut errors);
    if !errors.is_empty() {
        return with_errors(quote!(#function), &errors);
    }
    let thunk = thunk(&exposed);
    let mut probes = crate::describe::Probes::default();
    let entry = function_entry(&exposed, &mut probes);
    let probes = probes.items();
    let describe = describer(&exposed.ident);
    let name = &exposed.ident;
    quote! {
        #function

        #thunk

        #[doc(hidden)]
        #[allow(dead_code)]
        fn #describe() -> ::pico::Function {
            #probes
            #entry
        }

        // A module named as the function (modules and functions do not
        // share a namespace), through which `pico::module!` finds the
        // description: a name it lists that is not here is then reported
        // as the user's own name, with the user's names to choose from.
        #[doc(hidden)]
        #[allow(dead_code, non_snake_case)]
        mod #name {
            pub(super) use super::#describe as __pico_describe;
        }
    }
}

fn describer(function: &Ident) -> Ident {
    format_ident!("__pico_function_{}", function, span = function.span())
}

/// `pico::module!(/// doc \n get, list, prehandle = check)`.
struct ModuleList {
    attrs: Vec<Attribute>,
    entries: Punctuated<Entry, Token![,]>,
}

enum Entry {
    Function(Ident),
    Prehandle(Ident),
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        if input.peek(Token![=]) {
            if ident != "prehandle" {
                return Err(syn::Error::new_spanned(
                    &ident,
                    "`pico::module!` lists the exposed functions, and may end with `prehandle = function`",
                ));
            }
            input.parse::<Token![=]>()?;
            return Ok(Entry::Prehandle(input.parse()?));
        }
        Ok(Entry::Function(ident))
    }
}

impl Parse for ModuleList {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(ModuleList {
            attrs: input.call(Attribute::parse_outer)?,
            entries: Punctuated::parse_terminated(input)?,
        })
    }
}

/// `pico::module!`: `module()` for a file module, named after the file's
/// module (`mod notes;` is `notes`).
pub(crate) fn module(input: TokenStream) -> TokenStream {
    let list = match syn::parse2::<ModuleList>(input) {
        Ok(list) => list,
        Err(e) => return e.to_compile_error(),
    };
    let doc = match attr::doc(&list.attrs) {
        Some(doc) => quote!(::core::option::Option::Some(#doc)),
        None => quote!(::core::option::Option::None),
    };
    let mut functions = Vec::new();
    let mut prehandle = None;
    let mut errors = Vec::new();
    for entry in &list.entries {
        match entry {
            Entry::Function(ident) => functions.push(quote!(#ident::__pico_describe())),
            Entry::Prehandle(ident) if prehandle.is_some() => errors.push(syn::Error::new_spanned(
                ident,
                "a module has one prehandle: do both things in one function",
            )),
            Entry::Prehandle(ident) => prehandle = Some(ident.clone()),
        }
    }
    let (wrapper, with_prehandle) = match &prehandle {
        Some(user) => prehandle_wrapper(user),
        None => (quote!(), quote!()),
    };
    let errors = errors.iter().map(syn::Error::to_compile_error);
    let module_doc = "The Pico definition of this module, to register on a `pico::App`.";
    quote! {
        #(#errors)*

        #wrapper

        #[doc = #module_doc]
        pub fn module() -> ::pico::Module {
            ::pico::__private::Module::new(
                ::pico::__private::module_name(::core::module_path!()),
                #doc,
                ::std::vec![#(#functions),*],
            ) #with_prehandle
        }
    }
}
