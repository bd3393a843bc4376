//! The procedural macros of Pico. Use them through the `pico` crate, where
//! they are documented: `#[pico::api]`.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod ast;
mod attr;
mod check;
mod expand;
mod mixin;
mod stubs;

/// Makes an inline module of `#[expose]`d functions a Pico API module. See
/// the `pico` crate for the full documentation.
#[proc_macro_attribute]
pub fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::api(args.into(), input.into()).into()
}

/// Composes a mixin into an app's hooks. See the `pico` crate.
#[proc_macro_attribute]
pub fn mixin(args: TokenStream, input: TokenStream) -> TokenStream {
    mixin::mixin(args.into(), input.into()).into()
}

/// Composes the Sentry mixin into an app's hooks. See the `pico` crate.
#[proc_macro_attribute]
pub fn sentry_mixin(args: TokenStream, input: TokenStream) -> TokenStream {
    mixin::sentry_mixin(args.into(), input.into()).into()
}
