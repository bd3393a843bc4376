//! The rules an API module must follow, each reported on the user's tokens
//! with the way to fix it.

use std::collections::HashMap;

use syn::visit::Visit;
use syn::{FnArg, Item, ItemFn, ItemMod, Type};

use crate::ast::Exposed;
use crate::attr;
use crate::attr::{RequestArg, Source};

/// Checks the module and its `#[expose]`d functions, before the macro
/// changes anything. Returns the positions of functions that repeat an
/// earlier name, to leave out of the output so that rustc does not report
/// them a second time.
pub(crate) fn module(module: &ItemMod, errors: &mut Vec<syn::Error>) -> Vec<usize> {
    let mut duplicates = Vec::new();
    let Some((_, items)) = &module.content else {
        return duplicates;
    };
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    let mut prehandle: Option<&syn::Ident> = None;
    for (position, item) in items.iter().enumerate() {
        if let Item::Fn(function) = item
            && function.attrs.iter().any(|a| attr::is(a, "prehandle"))
        {
            match prehandle {
                Some(first) => errors.push(syn::Error::new_spanned(
                    &function.sig.ident,
                    format!(
                        "a module has one `#[prehandle]`, and `{first}` (line {}) is it: do both things in one \
                         function",
                        crate::ast::line_of(first.span())
                    ),
                )),
                None => prehandle = Some(&function.sig.ident),
            }
        }
        if let Some(ident) = item_ident(item)
            && ident == "module"
        {
            errors.push(syn::Error::new_spanned(
                ident,
                "`#[pico::api]` generates the function `module()` here: rename this item",
            ));
        }
        let Item::Fn(function) = item else { continue };
        if !function.attrs.iter().any(|a| attr::is(a, "expose")) {
            continue;
        }
        let name = function.sig.ident.to_string();
        if let Some(first) = seen.get(&name) {
            errors.push(syn::Error::new_spanned(
                &function.sig.ident,
                format!(
                    "two exposed functions are named `{name}` (the first at line {}): each needs its own \
                     name, which is its URL",
                    crate::ast::line_of(first.span())
                ),
            ));
            duplicates.push(position);
        } else {
            seen.insert(name, &function.sig.ident);
        }
        exposed(function, errors);
    }
    duplicates
}

pub(crate) fn exposed(function: &ItemFn, errors: &mut Vec<syn::Error>) {
    let sig = &function.sig;
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "an exposed function cannot be `unsafe`: requests cannot uphold its contract; expose a safe wrapper",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "an exposed function is a Rust function: remove the `extern`",
        ));
    }
    let lifetimes_only = !sig.generics.params.is_empty()
        && sig
            .generics
            .params
            .iter()
            .all(|p| matches!(p, syn::GenericParam::Lifetime(_)));
    if lifetimes_only {
        // The borrowed parameters that use them are the same mistake.
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "an exposed function cannot take lifetimes: its parameters own their values (`String` rather \
             than `&'a str`), read from the request",
        ));
    } else if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "an exposed function cannot be generic: Pico reads each argument into a concrete type; \
             expose a function with concrete types that calls this one",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "an exposed function cannot be variadic",
        ));
    }
    let filled: Vec<String> = function
        .attrs
        .iter()
        .filter(|a| attr::is(a, "request_args"))
        .filter_map(|a| attr::request_args(a).ok())
        .flatten()
        .map(|arg| arg.param.to_string())
        .collect();
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        let streams = function.attrs.iter().any(|a| attr::is(a, "stream"));
        return_type(ty, streams, errors);
    }
    for input in &sig.inputs {
        if let FnArg::Typed(typed) = input
            && let syn::Pat::Ident(name) = &*typed.pat
            && crate::ast::last_segment_is(&typed.ty, "Request")
            && !filled.contains(&name.ident.to_string())
            && !typed
                .attrs
                .iter()
                .any(|a| attr::is(a, "state") || attr::is(a, "from_request"))
        {
            errors.push(syn::Error::new_spanned(
                &typed.ty,
                format!(
                    "a `pico::Request` comes from the request, not from the client: add \
                     `#[request_args({})]` to the function",
                    name.ident
                ),
            ));
            continue;
        }
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "an exposed function cannot take `self`: Pico calls it with the request's arguments only; \
                 expose a free function that calls the method",
            )),
            FnArg::Typed(typed) if typed.attrs.iter().any(|a| attr::is(a, "state")) => {
                state_type(&typed.ty, errors);
            }
            FnArg::Typed(_) if lifetimes_only => {}
            FnArg::Typed(typed) => param_type(&typed.ty, errors),
        }
    }
}

/// A result is serialised through its concrete type: `impl Trait` hides
/// it, but for a stream's items and a response of the function's own.
fn return_type(ty: &Type, streams: bool, errors: &mut Vec<syn::Error>) {
    let ty = crate::ast::result_ok_type(ty).unwrap_or(ty);
    let Type::ImplTrait(it) = ty else { return };
    let bound = it.bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => t.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    });
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
    errors.push(syn::Error::new_spanned(ty, message));
}

/// A `#[state]` value is shared: borrowed (`&T`), shared (`Arc<T>`) or a
/// clone (`T`), never `&mut`.
fn state_type(ty: &Type, errors: &mut Vec<syn::Error>) {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => errors.push(syn::Error::new_spanned(
            r,
            "a `#[state]` value is shared by every request, so it cannot be `&mut`: take `&T`, and put \
             what changes behind a `Mutex` or an atomic",
        )),
        Type::Reference(r) => param_type(&r.elem, errors),
        other => param_type(other, errors),
    }
}

/// A parameter's type must be owned and concrete.
fn param_type(ty: &Type, errors: &mut Vec<syn::Error>) {
    struct Finder<'a>(&'a mut Vec<syn::Error>);

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            self.0.push(syn::Error::new_spanned(
                r,
                "an exposed function's parameters must own their values (`String` rather than `&str`, \
                 `Vec<T>` rather than `&[T]`): arguments are read from the request; a value the app shares \
                 is a `#[state]` parameter (`#[state] store: &Store`)",
            ));
        }

        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            self.0.push(syn::Error::new_spanned(
                t,
                "an exposed function cannot take `impl Trait`: Pico reads each argument into a concrete type; \
                 name the type",
            ));
        }
    }

    Finder(errors).visit_type(ty);
}

fn item_ident(item: &Item) -> Option<&syn::Ident> {
    match item {
        Item::Fn(i) => Some(&i.sig.ident),
        Item::Const(i) => Some(&i.ident),
        Item::Static(i) => Some(&i.ident),
        Item::Struct(i) => Some(&i.ident),
        Item::Enum(i) => Some(&i.ident),
        Item::Mod(i) => Some(&i.ident),
        Item::Type(i) => Some(&i.ident),
        Item::Trait(i) => Some(&i.ident),
        _ => None,
    }
}

/// The rules between an exposed function's attributes, once each is read.
pub(crate) fn attributes(exposed: &Exposed, ident: &syn::Ident, errors: &mut Vec<syn::Error>) {
    if let Some(blocking) = &exposed.blocking {
        if exposed.is_async {
            errors.push(syn::Error::new_spanned(
                blocking,
                "`#[blocking]` is for sync functions that block: an `async fn` awaits instead; \
                     remove `#[blocking]`, or `async`",
            ));
        } else if exposed.stream.is_some() {
            errors.push(syn::Error::new_spanned(
                blocking,
                "`#[blocking]` cannot go with `#[stream]`: return a `Stream` that does its blocking work \
                     with `tokio::task::spawn_blocking`",
            ));
        }
    }
    if exposed.stream.is_some() && matches!(exposed.output.ty, Type::ImplTrait(_)) {
        for param in &exposed.params {
            if let (Some(Source::State), Type::Reference(borrowed)) = (&param.source, &param.ty) {
                let shared = &borrowed.elem;
                errors.push(syn::Error::new_spanned(
                    borrowed,
                    format!(
                        "a `#[stream]` that returns `impl Trait` sends its items after the call has returned, \
                         so it cannot borrow `#[state]`: take `{}: std::sync::Arc<{}>`, which shares the value \
                         with the stream",
                        param.ident,
                        quote::ToTokens::to_token_stream(shared)
                    ),
                ));
            }
        }
    }
    if exposed.stream.is_some() && (exposed.set_cookie.is_some() || exposed.output.is_response) {
        errors.push(syn::Error::new_spanned(
                ident,
                "a `#[stream]` function's items are the response: it cannot also set cookies or return a response",
            ));
    }
}

/// `#[request_args]` names parameters of the function, each once, and
/// none that `#[state]` or `#[from_request]` fills already.
pub(crate) fn request_args(exposed: &Exposed, args: &[RequestArg], errors: &mut Vec<syn::Error>) {
    for (i, arg) in args.iter().enumerate() {
        let Some(param) = exposed.params.iter().find(|p| p.ident == arg.param) else {
            errors.push(syn::Error::new_spanned(
                &arg.param,
                format!(
                    "`#[request_args]` names `{}`, which is not a parameter of `{}`",
                    arg.param, exposed.ident
                ),
            ));
            continue;
        };
        if matches!(param.source, Some(Source::State | Source::Extract)) {
            errors.push(syn::Error::new_spanned(
                &arg.param,
                format!(
                    "`{}` is marked `#[state]` or `#[from_request]` already: name it in `#[request_args]` \
                     or mark it, not both",
                    arg.param
                ),
            ));
        } else if args[..i].iter().any(|earlier| earlier.param == arg.param) {
            errors.push(syn::Error::new_spanned(
                &arg.param,
                format!("`{}` is already filled from the request", arg.param),
            ));
        }
    }
}
