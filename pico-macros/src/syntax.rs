//! The shapes of types as the user wrote them, and where a span stands:
//! the reading and the checks both ask these questions, and must answer
//! them alike. A macro sees paths, not types, so `Result` is any path whose
//! last segment is `Result` (`anyhow::Result<T>` and `io::Result<T>` too).

use proc_macro2::Span;
use syn::{GenericArgument, PathArguments, Type};

/// The `T` of a type spelled `Result<T, ...>`.
pub(crate) fn result_ok_type(ty: &Type) -> Option<&Type> {
    result_arguments(ty)?.next()
}

/// The `E` of a type spelled `Result<T, E>`.
pub(crate) fn result_error_type(ty: &Type) -> Option<&Type> {
    result_arguments(ty)?.nth(1)
}

fn result_arguments(ty: &Type) -> Option<impl Iterator<Item = &Type>> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }))
}

/// Whether `ty` is a path (not `<T as Trait>::Name`) ending in `name`.
pub(crate) fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
}

/// The line of `span` in the user's file.
pub(crate) fn line_of(span: Span) -> usize {
    // Outside a real macro expansion (unit tests) there is no location.
    if proc_macro::is_available() {
        span.unwrap().line()
    } else {
        0
    }
}
