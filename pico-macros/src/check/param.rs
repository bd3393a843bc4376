//! The rules of an exposed function's parameters: values owned and of
//! concrete types, read from the request, each plainly named and filled
//! one way, with a default only where a client sends it.

use syn::visit::Visit;
use syn::{Pat, Type};

use crate::ast::function::Exposed;
use crate::attr;
use crate::ctxt::Ctxt;
use crate::syntax::last_segment_is;

/// What each parameter (and `self`) can be, from its type.
pub(crate) fn types(function: &Exposed, cx: &Ctxt) {
    if let Some(receiver) = &function.receiver {
        cx.error_spanned_by(
            receiver,
            "an exposed function cannot take `self`: Pico calls it with the request's arguments only; \
             expose a free function that calls the method",
        );
    }
    let lifetimes_only = function.lifetimes_only();
    for param in &function.params {
        if let Pat::Ident(name) = &param.pat
            && last_segment_is(&param.ty, "Request")
            && param.source.is_none()
        {
            cx.error_spanned_by(
                &param.ty,
                format!(
                    "a `pico::Request` comes from the request, not from the client: add \
                     `#[request_args({})]` to the function",
                    name.ident
                ),
            );
        } else if param.marks.iter().any(|mark| attr::is(mark, "state")) {
            state_type(&param.ty, cx);
        } else if !lifetimes_only {
            // With lifetimes, borrowing is the function's one mistake,
            // reported once on them.
            param_type(&param.ty, cx);
        }
    }
}

/// How each parameter is marked, defaulted and named.
pub(crate) fn attributes(function: &Exposed, cx: &Ctxt) {
    for param in &function.params {
        if let Some((first, others)) = param.marks.split_first() {
            let first = first
                .path()
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            for other in others {
                cx.error_spanned_by(
                    other,
                    format!("a parameter is filled one way: it is `#[{first}]` already"),
                );
            }
        }
        for other in &param.more_defaults {
            cx.error_spanned_by(other, "a parameter takes one `#[default(...)]`");
        }
        match &param.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {}
            other => cx.error_spanned_by(
                other,
                "an exposed function's parameters need plain names: the name is the argument's name in requests",
            ),
        }
        if !param.marks.is_empty()
            && let Some(default) = &param.default
        {
            cx.error_spanned_by(
                default,
                "a `#[state]` or `#[from_request]` parameter is not sent by clients, so it takes no default",
            );
        }
        if param.source.is_some()
            && let Some(first) = param.constraints.first()
        {
            cx.error_spanned_by(
                first.tokens(),
                "constraints check what a client sends: a `#[state]`, `#[from_request]` or request parameter is \
                 not sent, so it takes no `#[garde(...)]`",
            );
        }
    }
}

/// A `#[state]` value is shared: borrowed (`&T`), shared (`Arc<T>`) or a
/// clone (`T`), never `&mut`.
fn state_type(ty: &Type, cx: &Ctxt) {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => cx.error_spanned_by(
            r,
            "a `#[state]` value is shared by every request, so it cannot be `&mut`: take `&T`, and put \
             what changes behind a `Mutex` or an atomic",
        ),
        Type::Reference(r) => param_type(&r.elem, cx),
        other => param_type(other, cx),
    }
}

/// A parameter's type must be owned and concrete.
fn param_type(ty: &Type, cx: &Ctxt) {
    struct Finder<'a>(&'a Ctxt);

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            self.0.error_spanned_by(
                r,
                "an exposed function's parameters must own their values (`String` rather than `&str`, \
                 `Vec<T>` rather than `&[T]`): arguments are read from the request; a value the app shares \
                 is a `#[state]` parameter (`#[state] store: &Store`)",
            );
        }

        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            self.0.error_spanned_by(
                t,
                "an exposed function cannot take `impl Trait`: Pico reads each argument into a concrete type; \
                 name the type",
            );
        }
    }

    Finder(cx).visit_type(ty);
}
