//! The procedural macros of Pico. Use them through the `pico` crate, where
//! they are documented: `#[pico::api]`.

#![warn(missing_docs)]

use proc_macro::TokenStream;

mod ast;
mod attr;
mod check;
mod expand;

/// Makes an inline module of `#[expose]`d functions a Pico API module. See
/// the `pico` crate for the full documentation.
#[proc_macro_attribute]
pub fn api(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::api(args.into(), input.into()).into()
}
