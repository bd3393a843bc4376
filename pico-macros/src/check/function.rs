//! The rules of an exposed function: what its signature cannot have, what
//! it may return, and what its attributes mean together.

use syn::{Expr, Lit, Type};

use crate::ast::function::Exposed;
use crate::attr::Source;
use crate::ctxt::Ctxt;

/// Pico calls the function with values read from a request: it cannot be
/// unsafe, foreign, generic or variadic.
pub(crate) fn signature(function: &Exposed, cx: &Ctxt) {
    if let Some(unsafety) = &function.unsafety {
        cx.error_spanned_by(
            unsafety,
            "an exposed function cannot be `unsafe`: requests cannot uphold its contract; expose a safe wrapper",
        );
    }
    if let Some(abi) = &function.abi {
        cx.error_spanned_by(abi, "an exposed function is a Rust function: remove the `extern`");
    }
    let generics = &function.generics;
    if function.lifetimes_only() {
        // The borrowed parameters that use them are the same mistake.
        cx.error_spanned_by(
            generics,
            "an exposed function cannot take lifetimes: its parameters own their values (`String` rather \
             than `&'a str`), read from the request",
        );
    } else if !generics.params.is_empty() || generics.where_clause.is_some() {
        cx.error_spanned_by(
            generics,
            "an exposed function cannot be generic: Pico reads each argument into a concrete type; \
             expose a function with concrete types that calls this one",
        );
    }
    if let Some(variadic) = &function.variadic {
        cx.error_spanned_by(variadic, "an exposed function cannot be variadic");
    }
    return_type(function, cx);
}

/// A result is serialised through its concrete type: `impl Trait` hides
/// it, but for a stream's items and a response of the function's own.
fn return_type(function: &Exposed, cx: &Ctxt) {
    let ty = &function.output.ty;
    let Type::ImplTrait(it) = ty else { return };
    let bound = it.bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => t.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    });
    let streams = function.stream.is_some();
    let message = match bound.as_deref() {
        Some("IntoResponse") => return,
        Some("Iterator" | "Stream" | "IntoIterator") if streams => return,
        Some("Iterator" | "Stream" | "IntoIterator") => {
            "an exposed function returning items one by one needs `#[stream]`; without it, return a \
             concrete collection such as `Vec<T>`"
        }
        Some("Future") => {
            "an exposed function cannot return `impl Future`: write `async fn` returning the output"
        }
        _ => {
            "an exposed function cannot return `impl Trait`: Pico serialises the result through its type; \
             name the type (`Vec<Note>`, a struct deriving `serde::Serialize`), or return `impl IntoResponse`"
        }
    };
    cx.error_spanned_by(ty, message);
}

/// `#[request_args]` names parameters of the function, each once, and
/// none that `#[state]` or `#[from_request]` fills already.
pub(crate) fn request_args(function: &Exposed, cx: &Ctxt) {
    let args = &function.request_args;
    for (i, arg) in args.iter().enumerate() {
        let Some(param) = function.params.iter().find(|p| p.ident == arg.param) else {
            cx.error_spanned_by(
                &arg.param,
                format!(
                    "`#[request_args]` names `{}`, which is not a parameter of `{}`",
                    arg.param, function.ident
                ),
            );
            continue;
        };
        if matches!(param.source, Some(Source::State | Source::Extract)) {
            cx.error_spanned_by(
                &arg.param,
                format!(
                    "`{}` is marked `#[state]` or `#[from_request]` already: name it in `#[request_args]` \
                     or mark it, not both",
                    arg.param
                ),
            );
        } else if args[..i].iter().any(|earlier| earlier.param == arg.param) {
            cx.error_spanned_by(
                &arg.param,
                format!("`{}` is already filled from the request", arg.param),
            );
        }
    }
}

/// The rules between an exposed function's attributes, once each is read.
pub(crate) fn attributes(function: &Exposed, cx: &Ctxt) {
    if let Some(blocking) = &function.blocking {
        if function.is_async {
            cx.error_spanned_by(
                blocking,
                "`#[blocking]` is for sync functions that block: an `async fn` awaits instead; \
                     remove `#[blocking]`, or `async`",
            );
        } else if function.stream.is_some() {
            cx.error_spanned_by(
                blocking,
                "`#[blocking]` cannot go with `#[stream]`: return a `Stream` that does its blocking work \
                     with `tokio::task::spawn_blocking`",
            );
        }
    }
    if function.stream.is_some() && matches!(function.output.ty, Type::ImplTrait(_)) {
        for param in &function.params {
            if let (Some(Source::State), Type::Reference(borrowed)) = (&param.source, &param.ty) {
                let shared = &borrowed.elem;
                cx.error_spanned_by(
                    borrowed,
                    format!(
                        "a `#[stream]` that returns `impl Trait` sends its items after the call has returned, \
                         so it cannot borrow `#[state]`: take `{}: std::sync::Arc<{}>`, which shares the value \
                         with the stream",
                        param.ident,
                        quote::ToTokens::to_token_stream(shared)
                    ),
                );
            }
        }
    }
    if function.stream.is_some() && (function.set_cookie.is_some() || function.output.is_response) {
        cx.error_spanned_by(
            &function.ident,
            "a `#[stream]` function's items are the response: it cannot also set cookies or return a response",
        );
    }
}

/// `#[responses(...)]` documents what the function can answer: a success
/// status other than 200 only where the function makes its own response,
/// an error status only where it can fail.
pub(crate) fn responses(function: &Exposed, cx: &Ctxt) {
    for status in &function.responses {
        let Ok(code) = status.base10_parse::<u16>() else {
            continue;
        };
        if code < 400 && !function.output.is_response {
            let how = if (200..300).contains(&code) {
                format!("its success's status is set with `#[status({code})]`")
            } else {
                "return `pico::Response` with that status, and declare it here".to_owned()
            };
            cx.error_spanned_by(
                status,
                format!("this function answers its result as JSON, so it cannot declare {code}: {how}"),
            );
        } else if code >= 400 && !function.output.fallible && !function.output.is_response {
            cx.error_spanned_by(
                status,
                format!(
                    "this function returns no error, so it cannot answer {code}: \
                     return `Result<T, E>` with an error type that answers it"
                ),
            );
        }
    }
}

/// `#[status(...)]` is the status of a JSON success: a stream and a
/// response of the function's own have theirs, and a 204 has no body.
pub(crate) fn status(function: &Exposed, cx: &Ctxt) {
    let Some(status) = &function.status else { return };
    let code: u16 = status.base10_parse().unwrap_or(200);
    if function.stream.is_some() {
        cx.error_spanned_by(
            status,
            "a `#[stream]` answers 200 as its items begin: remove `#[status(...)]`",
        );
    } else if function.output.is_response {
        cx.error_spanned_by(
            status,
            "a `pico::Response` carries its own status: set it on the response, and declare it with \
             `#[responses(...)]`",
        );
    } else if code == 204 && !is_unit(&function.output.ty) {
        cx.error_spanned_by(
            status,
            "a 204 answers no body, so the function returns nothing: return `()` (or `Result<(), E>`)",
        );
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// Browsers drop a `SameSite=None` cookie that is not `Secure`, set or
/// deleted alike.
pub(crate) fn cookies(function: &Exposed, cx: &Ctxt) {
    let set = function.set_cookie.iter();
    let deleted = function.delete_cookies.iter().map(|(_, options)| options);
    for options in set.chain(deleted) {
        let Some(same_site) = &options.same_site else {
            continue;
        };
        let secure = matches!(
            &options.secure,
            Some(Expr::Lit(syn::ExprLit { lit: Lit::Bool(b), .. })) if b.value
        );
        if same_site.value() == "None" && !secure {
            cx.error_spanned_by(
                same_site,
                "browsers drop a `SameSite=None` cookie that is not `Secure`: add `secure` to the options",
            );
        }
    }
}

/// Each placeholder of a `#[route(...)]` fills a parameter the client
/// sends; one path and method is one route.
pub(crate) fn routes(function: &Exposed, cx: &Ctxt) {
    for (i, route) in function.routes.iter().enumerate() {
        for name in &route.placeholders {
            match function.params.iter().find(|p| p.ident == name) {
                Some(param) if param.source.is_some() => cx.error_spanned_by(
                    &route.path,
                    format!(
                        "`{{{name}}}` names `{name}`, which is not the client's to send (it is filled from the \
                         request or the app): a placeholder names a parameter the client sends"
                    ),
                ),
                Some(_) => {}
                None => {
                    let sent: Vec<String> = function
                        .params
                        .iter()
                        .filter(|p| p.source.is_none())
                        .map(|p| format!("`{}`", p.ident))
                        .collect();
                    let which = if sent.is_empty() {
                        format!("`{}` takes no parameter a client sends", function.ident)
                    } else {
                        format!("the parameters of `{}` are {}", function.ident, sent.join(", "))
                    };
                    cx.error_spanned_by(
                        &route.path,
                        format!(
                            "`{{{name}}}` names no parameter: {which}; rename the placeholder or add the \
                             parameter"
                        ),
                    );
                }
            }
        }
        let same = |other: &crate::route_attr::Route| {
            other.method == route.method && other.path.value() == route.path.value()
        };
        if function.routes[..i].iter().any(same) {
            cx.error_spanned_by(&route.path, "this route is written twice: remove one");
        }
    }
}
