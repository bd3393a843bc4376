//! Pico's attributes where pico does not read them: each says where it
//! goes, and a near miss of a name which attribute was meant.

use crate::ast::{Place, Stray};
use crate::attr;
use crate::ctxt::Ctxt;

pub(crate) fn report(strays: &[Stray], cx: &Ctxt) {
    for Stray { attr, place } in strays {
        let name = attr
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let place = match place {
            Place::Method(method) if attr::is(attr, "expose") || attr::is_pico(attr, "expose") => {
                cx.error_spanned_by(
                    attr,
                    format!(
                        "`#[expose]` exposes the free functions of the module, not methods: move `{method}` out \
                         of the `impl` block, or expose a free function that calls it"
                    ),
                );
                continue;
            }
            Place::Exposed if attr::ON_PARAMS.contains(&name.as_str()) => {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{name}]` goes on a parameter: `fn f(#[{name}] value: T)`"),
                );
                continue;
            }
            Place::Item => "a function of the module",
            Place::Function => "an `#[expose]`d function",
            Place::Method(_) => "a free function of the module",
            Place::Exposed => "the function",
            Place::Param => "the function, not on a parameter",
        };
        let message = match attr::near_miss(attr) {
            Some(known) => format!("unknown attribute `#[{name}]`: did you mean `#[{known}]`?"),
            None => format!("`#[{name}]` goes on {place}"),
        };
        cx.error_spanned_by(attr, message);
    }
}
