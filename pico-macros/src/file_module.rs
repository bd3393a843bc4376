//! An API module in a file of its own (`mod notes;`), where an attribute on
//! the module cannot reach its items: `#[pico::expose]` on each function,
//! then `pico::module!(get, list, ...)` to list them. Each macro from end to
//! end: read by `ast::file_module`, checked, then written here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::ast::file_module::{ModuleList, exposed_function};
use crate::check;
use crate::ctxt::Ctxt;
use crate::diagnostic::with_errors;
use crate::expand::{function_entry, prehandle_wrapper, thunk};

/// `#[pico::expose]` on a function of a file module: the function, its
/// thunk, and a hidden function that describes it for `pico::module!`.
pub(crate) fn expose(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let read = exposed_function(args, input.clone(), &cx);
    check::expose(read.as_ref().map(|(_, exposed)| exposed), &cx);
    let (function, exposed) = match (read, cx.check()) {
        (Some(read), Ok(())) => read,
        // Pico's attributes are off the function, which compiles as it is.
        (Some((function, _)), Err(errors)) => return with_errors(quote!(#function), &errors),
        (None, Err(errors)) => return with_errors(input, &errors),
        (None, Ok(())) => unreachable!("the checks report what is not a function"),
    };
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

/// `pico::module!`: `module()` for a file module, named after the file's
/// module (`mod notes;` is `notes`).
pub(crate) fn module(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let list = ModuleList::from_tokens(input, &cx);
    if let Some(list) = &list {
        check::module_list(list, &cx);
    }
    // Errors come first, and `module()` is written all the same, so that
    // the code calling it sees no error of its own.
    let errors = cx.check().err().map(|e| e.to_compile_error());
    let Some(list) = list else {
        return errors.unwrap_or_default();
    };
    let doc = match &list.doc {
        Some(doc) => quote!(::core::option::Option::Some(#doc)),
        None => quote!(::core::option::Option::None),
    };
    let functions = list
        .functions
        .iter()
        .map(|ident| quote!(#ident::__pico_describe()));
    let prehandle = list.prehandles.first().map(|p| &p.ident);
    let (wrapper, with_prehandle) = match &prehandle {
        Some(user) => prehandle_wrapper(user),
        None => (quote!(), quote!()),
    };
    let module_doc = "The Pico definition of this module, to register on a `pico::App`.";
    quote! {
        #errors

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
