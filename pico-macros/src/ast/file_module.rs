//! Reading a module kept in a file of its own: `#[pico::expose]` on each
//! of its functions, and the `pico::module!` list that makes its
//! `module()`.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, ItemFn, Token};

use super::Prehandle;
use super::function::Exposed;
use crate::attr;
use crate::ctxt::Ctxt;

/// `#[pico::expose]`'s function, read, pico's attributes taken off it;
/// `None` when the attribute is on anything else.
pub(crate) fn exposed_function(
    args: TokenStream,
    input: TokenStream,
    cx: &Ctxt,
) -> Option<(ItemFn, Exposed)> {
    if !args.is_empty() {
        cx.error_spanned_by(&args, attr::takes_no_arguments("expose"));
    }
    // Whatever else the input is, what to say is that it is not a
    // function: syn's own error would only say what token it stopped at.
    let mut function = syn::parse2::<ItemFn>(input).ok()?;
    let exposed = Exposed::from_syn(&mut function, cx);
    Some((function, exposed))
}

/// `pico::module!(/// doc \n get, list, prehandle = check)`.
pub(crate) struct ModuleList {
    pub(crate) doc: Option<String>,
    /// The exposed functions, by name.
    pub(crate) functions: Vec<Ident>,
    /// Every `prehandle = function`, in order.
    pub(crate) prehandles: Vec<Prehandle>,
    /// The names of `name = function` entries that are not `prehandle`.
    pub(crate) unknown: Vec<Ident>,
}

impl ModuleList {
    /// `None` when the list cannot be parsed: syn's error is in `cx`.
    pub(crate) fn from_tokens(input: TokenStream, cx: &Ctxt) -> Option<ModuleList> {
        let written = match syn::parse2::<Written>(input) {
            Ok(written) => written,
            Err(e) => {
                cx.syn_error(e);
                return None;
            }
        };
        let mut list = ModuleList {
            doc: attr::doc(&written.attrs),
            functions: Vec::new(),
            prehandles: Vec::new(),
            unknown: Vec::new(),
        };
        for entry in written.entries {
            match entry {
                Entry::Function(ident) => list.functions.push(ident),
                Entry::Named(name, ident) if name == "prehandle" => list.prehandles.push(Prehandle {
                    ident,
                    by_attribute: false,
                }),
                Entry::Named(name, _) => list.unknown.push(name),
            }
        }
        Some(list)
    }
}

/// The list as written.
struct Written {
    attrs: Vec<Attribute>,
    entries: Punctuated<Entry, Token![,]>,
}

enum Entry {
    Function(Ident),
    /// `name = function`.
    Named(Ident, Ident),
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Ok(Entry::Function(ident));
        }
        input.parse::<Token![=]>()?;
        Ok(Entry::Named(ident, input.parse()?))
    }
}

impl Parse for Written {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(Written {
            attrs: input.call(Attribute::parse_outer)?,
            entries: Punctuated::parse_terminated(input)?,
        })
    }
}
