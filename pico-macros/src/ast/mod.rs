//! The typed model of what pico's API macros are given, read from syn's
//! syntax tree: a `#[pico::api]` module (`api`), an exposed function
//! (`function`), and a file module's `#[pico::expose]` and `pico::module!`
//! (`file_module`).
//!
//! Reading records what is written, with the spans that errors need, and
//! removes pico's attributes so that the user's items compile as plain
//! Rust. It applies no rule: a misuse is `check`'s to report, on the whole
//! model. Reading reports only what cannot be parsed at all.

pub(crate) mod api;
pub(crate) mod file_module;
pub(crate) mod function;

use syn::{Attribute, Ident};

use crate::attr;

/// A pico attribute (or a near miss of one) where pico does not read it,
/// taken off its item so that rustc does not report it a second time.
pub(crate) struct Stray {
    pub(crate) attr: Attribute,
    pub(crate) place: Place,
}

/// Where a stray attribute stood.
pub(crate) enum Place {
    /// An item of the module other than a function.
    Item,
    /// A function of the module that is not exposed.
    Function,
    /// A method, named, of an `impl` block of the module.
    Method(Ident),
    /// An exposed function.
    Exposed,
    /// A parameter of an exposed function.
    Param,
}

/// A function that runs before each of the module's functions, named by
/// `#[prehandle]` or by `prehandle = function` in `pico::module!`.
pub(crate) struct Prehandle {
    pub(crate) ident: Ident,
    /// Named by the attribute on the function, rather than in a list.
    pub(crate) by_attribute: bool,
}

/// Takes the stray attributes off `attrs`, but those named `allowed`,
/// and records them as found at `place`.
fn take_strays(
    attrs: &mut Vec<Attribute>,
    allowed: &[&str],
    place: impl Fn() -> Place,
    strays: &mut Vec<Stray>,
) {
    attrs.retain(|a| {
        if !attr::is_stray(a, allowed) {
            return true;
        }
        strays.push(Stray {
            attr: a.clone(),
            place: place(),
        });
        false
    });
}
