//! The procedural macros of Pico. Use them through the `pico` crate, where
//! they are documented: `#[pico::api]`.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod ast;
mod attr;
mod check;
mod constraints;
mod ctxt;
mod describe;
mod diagnostic;
mod expand;
mod fallback;
mod file_module;
mod garde_attr;
mod http_error;
mod mixin;
mod route_attr;
mod stubs;
mod syntax;

/// Makes an inline module of `#[expose]`d functions a Pico API module. See
/// the `pico` crate for the full documentation.
#[proc_macro_attribute]
pub fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::api(args.into(), input.into()).into()
}

/// Exposes a function of a module kept in a file of its own. See the
/// `pico` crate.
#[proc_macro_attribute]
pub fn expose(args: TokenStream, input: TokenStream) -> TokenStream {
    file_module::expose(args.into(), input.into()).into()
}

/// Lists the exposed functions of a file module and makes its `module()`.
/// See the `pico` crate.
#[proc_macro]
pub fn module(input: TokenStream) -> TokenStream {
    file_module::module(input.into()).into()
}

/// Derives `pico::ErrorStatus`: an error type that chooses its HTTP status.
/// See the `pico` crate.
#[proc_macro_derive(HttpError, attributes(http))]
pub fn derive_http_error(input: TokenStream) -> TokenStream {
    http_error::derive(input.into()).into()
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
