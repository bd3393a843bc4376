//! The rules of pico's API macros: each misuse the user must fix, reported
//! on the user's tokens with the way to fix it. They run once, on the model
//! that `ast` read whole, and add their errors to the macro call's `Ctxt`,
//! so that every mistake is reported in one build.
//!
//! By subject: `module` (the attribute's argument and item, and the module
//! as a whole, inline or in a file), `function` (an exposed function's
//! signature, result and attributes), `param` (its parameters), `stray`
//! (pico's attributes where they do nothing).

mod function;
mod module;
mod param;
mod stray;

use crate::ast::api::{ApiInput, ApiItem};
use crate::ast::file_module::ModuleList;
use crate::ast::function::Exposed;
use crate::ctxt::Ctxt;

/// `#[pico::api]`.
pub(crate) fn api(input: &ApiInput, cx: &Ctxt) {
    module::arg(&input.arg, cx);
    match &input.item {
        ApiItem::Module(_, api) => {
            module::one_prehandle(&api.prehandles, cx);
            module::names(api, cx);
            stray::report(&api.strays, cx);
            for function in &api.functions {
                exposed(function, cx);
            }
        }
        ApiItem::Bodiless(module) => module::bodiless(module, cx),
        ApiItem::Other(item) => module::not_a_module(item, cx),
    }
}

/// `#[pico::expose]`, on a function of a file module or (`None`) on
/// anything else.
pub(crate) fn expose(function: Option<&Exposed>, cx: &Ctxt) {
    match function {
        Some(function) => exposed(function, cx),
        None => module::not_a_function(cx),
    }
}

/// `pico::module!`.
pub(crate) fn module_list(list: &ModuleList, cx: &Ctxt) {
    module::unknown_entries(&list.unknown, cx);
    module::one_prehandle(&list.prehandles, cx);
}

fn exposed(function: &Exposed, cx: &Ctxt) {
    function::signature(function, cx);
    param::types(function, cx);
    stray::report(&function.strays, cx);
    param::attributes(function, cx);
    function::request_args(function, cx);
    function::attributes(function, cx);
    function::cookies(function, cx);
    function::routes(function, cx);
    function::responses(function, cx);
    function::status(function, cx);
}
