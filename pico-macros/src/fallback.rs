//! What `#[pico::api]` writes after reporting errors: the user's code,
//! still compiling, with a stand-in `module()`, so that the errors reported
//! are pico's alone rather than a cascade of rustc's about what the macro
//! did not write.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Item, ItemMod};

use crate::ast::api::{Api, ApiInput, ApiItem};
use crate::diagnostic::with_errors;

/// The output for `input`, read as `read` (`None` when it was not an item),
/// beside `errors`.
pub(crate) fn api(read: Option<ApiInput>, input: TokenStream, errors: &syn::Error) -> TokenStream {
    let Some(ApiInput { arg, item }) = read else {
        return with_errors(input, errors);
    };
    match item {
        ApiItem::Module(mut module, api) => {
            stand_in(&mut module, &api, arg.wants_stubs());
            with_errors(quote!(#module), errors)
        }
        // The module itself is left out: rustc would only add that it
        // cannot find the file, or does not let the attribute see it.
        ApiItem::Bodiless(_) => errors.to_compile_error(),
        ApiItem::Other(_) => with_errors(input, errors),
    }
}

/// The module, pico's attributes taken off already, less what rustc would
/// report again (a repeated name, a free function taking `self`), and a
/// `module()` (and `client`) for the code that calls them.
fn stand_in(module: &mut ItemMod, api: &Api, client: bool) {
    let name = module.ident.to_string();
    let Some((_, items)) = &mut module.content else {
        return;
    };
    let repeated: Vec<usize> = api
        .functions
        .iter()
        .enumerate()
        .filter(|(i, function)| api.functions[..*i].iter().any(|f| f.ident == function.ident))
        .map(|(i, _)| api.positions[i])
        .collect();
    // From the last, so that the positions before stay right.
    for position in repeated.into_iter().rev() {
        items.remove(position);
    }
    items.retain(|item| {
        !matches!(item, Item::Fn(function)
            if function.sig.inputs.iter().any(|i| matches!(i, syn::FnArg::Receiver(_))))
    });
    let has_module = items
        .iter()
        .any(|item| matches!(item, Item::Fn(f) if f.sig.ident == "module"));
    if !has_module {
        items.push(syn::parse_quote! {
            #[doc(hidden)]
            pub fn module() -> ::pico::Module {
                ::pico::__private::Module::new(#name, ::core::option::Option::None, ::std::vec::Vec::new())
            }
        });
    }
    if client {
        items.push(syn::parse_quote!(
            #[doc(hidden)]
            pub mod client {}
        ));
    }
}
