//! The rules of a module as a whole: what `#[pico::api]` and
//! `#[pico::expose]` are put on and given, what `pico::module!` lists, one
//! prehandle, and the names that `module()` and the exposed functions need.

use proc_macro2::Span;
use syn::{Ident, Item, ItemMod};

use crate::ast::Prehandle;
use crate::ast::api::{Api, ApiArg};
use crate::ctxt::Ctxt;
use crate::diagnostic::item_head;
use crate::syntax::line_of;

/// `#[pico::api]` takes `client`, when pico's `client` feature is on.
pub(crate) fn arg(arg: &ApiArg, cx: &Ctxt) {
    let usage = "`#[pico::api]` takes no argument but `client` (typed client stubs): serve the module under \
                 another name with `App::register_as`";
    match arg {
        ApiArg::None => {}
        ApiArg::Word(word) if word == "client" && cfg!(feature = "client") => {}
        ApiArg::Word(word) if word == "client" => cx.error_spanned_by(
            word,
            "`#[pico::api(client)]` needs pico's `client` feature: `pico = { features = [\"client\"] }`",
        ),
        ApiArg::Word(word) => cx.error_spanned_by(word, usage),
        ApiArg::Other(tokens) => cx.error_spanned_by(tokens, usage),
    }
}

pub(crate) fn not_a_module(item: &Item, cx: &Ctxt) {
    cx.error_at(
        item_head(item),
        "`#[pico::api]` goes on an inline module of functions: `mod name { ... }`",
    );
}

pub(crate) fn bodiless(module: &ItemMod, cx: &Ctxt) {
    cx.error_spanned_by(
        module,
        "`#[pico::api]` cannot see into a module in a file of its own: write `mod name { ... }` here, or \
         keep `mod name;` without the attribute and mark its functions `#[pico::expose]`, listed with \
         `pico::module!`",
    );
}

pub(crate) fn not_a_function(cx: &Ctxt) {
    cx.error_at(
        Span::call_site(),
        "`#[pico::expose]` goes on a function: `#[pico::expose] pub fn hello(who: String) -> String`",
    );
}

/// `pico::module!` knows one `name = function` entry: `prehandle`.
pub(crate) fn unknown_entries(unknown: &[Ident], cx: &Ctxt) {
    for name in unknown {
        cx.error_spanned_by(
            name,
            "`pico::module!` lists the exposed functions, and may end with `prehandle = function`",
        );
    }
}

/// A module has one prehandle, however it is named: each after the first
/// is reported in the words of the way it was named.
pub(crate) fn one_prehandle(prehandles: &[Prehandle], cx: &Ctxt) {
    let Some((first, others)) = prehandles.split_first() else {
        return;
    };
    for other in others {
        let message = if other.by_attribute {
            format!(
                "a module has one `#[prehandle]`, and `{}` (line {}) is it: do both things in one function",
                first.ident,
                line_of(first.ident.span())
            )
        } else {
            "a module has one prehandle: do both things in one function".to_owned()
        };
        cx.error_spanned_by(&other.ident, message);
    }
}

/// `module()` is the macro's, and each exposed function's name is its URL.
pub(crate) fn names(api: &Api, cx: &Ctxt) {
    for name in api.names.iter().filter(|name| *name == "module") {
        cx.error_spanned_by(
            name,
            "`#[pico::api]` generates the function `module()` here: rename this item",
        );
    }
    for (i, function) in api.functions.iter().enumerate() {
        let name = &function.ident;
        if let Some(first) = api.functions[..i].iter().find(|earlier| earlier.ident == *name) {
            cx.error_spanned_by(
                name,
                format!(
                    "two exposed functions are named `{name}` (the first at line {}): each needs its own \
                     name, which is its URL",
                    first.line
                ),
            );
        }
    }
}
