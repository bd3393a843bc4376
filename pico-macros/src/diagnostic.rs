//! Reporting: the user's tokens with our errors beside them, and where an
//! item's error belongs, for every macro of the crate.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Item;
use syn::spanned::Spanned;

/// `tokens`, then each of the (combined) errors as a `compile_error!`.
pub(crate) fn with_errors(tokens: TokenStream, errors: &syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    quote!(#tokens #errors)
}

/// Where an error about a whole item points: its name, not its body.
pub(crate) fn item_head(item: &Item) -> Span {
    match item {
        Item::Fn(f) => f.sig.ident.span(),
        Item::Struct(s) => s.ident.span(),
        Item::Enum(e) => e.ident.span(),
        Item::Mod(m) => m.ident.span(),
        Item::Trait(t) => t.ident.span(),
        Item::Impl(i) => i.self_ty.span(),
        other => other.span(),
    }
}
