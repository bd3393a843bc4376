//! The typed model of a `#[pico::api]` module, read from syn's syntax tree.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, FnArg, GenericArgument, Ident, ItemFn, ItemMod, LitStr, Pat, PathArguments, ReturnType,
    Type, TypeParamBound,
};

use crate::attr::{self, CookieOptions, Source};
use crate::check;

/// A module with the functions it exposes.
pub(crate) struct Api {
    pub(crate) name: Ident,
    pub(crate) doc: Option<String>,
    pub(crate) functions: Vec<Exposed>,
    /// The module's `#[prehandle]` function.
    pub(crate) prehandle: Option<Ident>,
}

/// One `#[expose]`d function.
pub(crate) struct Exposed {
    pub(crate) ident: Ident,
    pub(crate) is_async: bool,
    pub(crate) doc: Option<String>,
    pub(crate) params: Vec<Param>,
    pub(crate) output: Output,
    /// The line of the function's name, for debug traces.
    pub(crate) line: usize,
    pub(crate) protected: Option<Expr>,
    pub(crate) method: Option<String>,
    pub(crate) stream: Option<StreamKind>,
    pub(crate) set_cookie: Option<CookieOptions>,
    pub(crate) delete_cookies: Option<(Vec<LitStr>, CookieOptions)>,
    /// `#[blocking]`: run on a thread of its own, off the runtime's workers.
    pub(crate) blocking: Option<Attribute>,
}

/// One parameter.
pub(crate) struct Param {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) default: Option<Expr>,
    /// An `Option<T>`: absent means `None`.
    pub(crate) optional: bool,
    /// Filled from the request rather than by the client.
    pub(crate) source: Option<Source>,
}

/// How the function's result becomes a response.
pub(crate) struct Output {
    /// `Result<T, E>`: an `Err` is a failure.
    pub(crate) fallible: bool,
    /// The successful value's type, `()` when none is written.
    pub(crate) ty: Type,
    /// A response of the function's own rather than a value to serialise.
    pub(crate) is_response: bool,
    /// Where the error type is written (`E` of `Result<T, E>`, or the
    /// whole `io::Result<T>`), for errors about it.
    pub(crate) error_span: Span,
    /// `E` of `Result<T, E>` when it is spelled out.
    pub(crate) error: Option<Type>,
}

/// What a `#[stream]` function returns.
pub(crate) struct StreamKind {
    /// A `Stream` (polled) rather than an iterator.
    pub(crate) is_async: bool,
    /// Items are `Result`s, whose errors end the stream.
    pub(crate) fallible_items: bool,
    /// The items' type (their `Ok` type when fallible), when spelled out.
    pub(crate) item: Option<Type>,
}

impl Api {
    /// Reads the module and the `#[expose]`d functions in it, removing pico's
    /// attributes from the items so that the module compiles as plain Rust.
    /// Errors are pushed to `errors`; what could be read is returned.
    pub(crate) fn from_syn(module: &mut ItemMod, errors: &mut Vec<syn::Error>) -> Api {
        let mut functions = Vec::new();
        let mut prehandle: Option<Ident> = None;
        if let Some((_, items)) = &mut module.content {
            for item in items {
                if let syn::Item::Impl(block) = item {
                    methods(block, errors);
                }
                let syn::Item::Fn(function) = item else {
                    if let Some(attrs) = item_attrs(item) {
                        misplaced(attrs, "a function of the module", errors);
                    }
                    continue;
                };
                if let Some(attr) = take(&mut function.attrs, "prehandle") {
                    if let Err(e) = attr::no_args(&attr, "prehandle") {
                        errors.push(e);
                    }
                    prehandle = Some(function.sig.ident.clone());
                }
                match take(&mut function.attrs, "expose") {
                    Some(expose) => {
                        if let Err(e) = attr::no_args(&expose, "expose") {
                            errors.push(e);
                        }
                        functions.push(Exposed::from_syn(function, errors));
                    }
                    None => misplaced(&mut function.attrs, "an `#[expose]`d function", errors),
                }
            }
        }
        Api {
            name: module.ident.clone(),
            doc: attr::doc(&module.attrs),
            functions,
            prehandle,
        }
    }
}

/// Removes the attribute `name` (or `pico::name`) from `attrs`.
fn take(attrs: &mut Vec<Attribute>, name: &str) -> Option<Attribute> {
    let index = attrs
        .iter()
        .position(|a| attr::is(a, name) || attr::is_pico(a, name))?;
    Some(attrs.remove(index))
}

/// Reports (and removes) pico attributes where they do nothing, and
/// misspelled ones.
fn misplaced(attrs: &mut Vec<Attribute>, place: &str, errors: &mut Vec<syn::Error>) {
    attrs.retain(|a| match attr::stray(a, &[], place) {
        Some(e) => {
            errors.push(e);
            false
        }
        None => true,
    });
}

/// Pico's attributes on the methods of an `impl` block of the module,
/// which Pico does not expose: reported, and removed, so that rustc does
/// not report them a second time as unknown.
fn methods(block: &mut syn::ItemImpl, errors: &mut Vec<syn::Error>) {
    for item in &mut block.items {
        let syn::ImplItem::Fn(method) = item else { continue };
        let name = method.sig.ident.to_string();
        method.attrs.retain(|a| {
            if !(attr::is(a, "expose") || attr::is_pico(a, "expose")) {
                return true;
            }
            errors.push(syn::Error::new_spanned(
                a,
                format!(
                    "`#[expose]` exposes the free functions of the module, not methods: move `{name}` out of \
                     the `impl` block, or expose a free function that calls it"
                ),
            ));
            false
        });
        misplaced(&mut method.attrs, "a free function of the module", errors);
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

impl Exposed {
    pub(crate) fn from_syn(function: &mut ItemFn, errors: &mut Vec<syn::Error>) -> Exposed {
        let mut exposed = Exposed {
            ident: function.sig.ident.clone(),
            is_async: function.sig.asyncness.is_some(),
            doc: attr::doc(&function.attrs),
            params: Vec::new(),
            output: Output::from_syn(&function.sig.output),
            line: line_of(function.sig.ident.span()),
            protected: None,
            method: None,
            stream: None,
            set_cookie: None,
            delete_cookies: None,
            blocking: None,
        };
        let mut request_args = Vec::new();
        function.attrs.retain(|a| {
            let Some(name) = a.path().get_ident().map(ToString::to_string) else {
                return true;
            };
            let result = match name.as_str() {
                "request_args" => attr::request_args(a).map(|args| request_args.extend(args)),
                "protected" => attr::protected(a).map(|check| exposed.protected = Some(check)),
                "require_method" => attr::require_method(a).map(|m| exposed.method = Some(m)),
                "stream" => attr::no_args(a, "stream").map(|()| {
                    exposed.stream = Some(StreamKind::of(&exposed.output));
                }),
                "set_cookie" => attr::set_cookie(a).map(|o| exposed.set_cookie = Some(o)),
                "delete_cookie" => attr::delete_cookie(a).map(|d| exposed.delete_cookies = Some(d)),
                "blocking" => attr::no_args(a, "blocking").map(|()| exposed.blocking = Some(a.clone())),
                "default" | "state" | "from_request" => Err(syn::Error::new_spanned(
                    a,
                    format!("`#[{name}]` goes on a parameter: `fn f(#[{name}] value: T)`"),
                )),
                _ => match attr::stray(a, &[], "the function") {
                    Some(e) => Err(e),
                    None => return true,
                },
            };
            if let Err(e) = result {
                errors.push(e);
            }
            false
        });
        for input in &mut function.sig.inputs {
            // `self` is reported by the checks.
            if let FnArg::Typed(typed) = input {
                exposed.params.push(Param::from_syn(typed, errors));
            }
        }
        // Each entry fills its parameter; what does not fit is for the
        // checks to report.
        for arg in &request_args {
            if let Some(param) = exposed.params.iter_mut().find(|p| p.ident == arg.param)
                && param.source.is_none()
            {
                param.source = Some(arg.source.clone());
            }
        }
        check::request_args(&exposed, &request_args, errors);
        check::attributes(&exposed, &function.sig.ident, errors);
        exposed
    }
}

impl Param {
    fn from_syn(typed: &mut syn::PatType, errors: &mut Vec<syn::Error>) -> Param {
        let mut default = None;
        let mut source: Option<(Source, &'static str)> = None;
        typed.attrs.retain(|a| {
            for (name, kind) in [("state", Source::State), ("from_request", Source::Extract)] {
                if !attr::is(a, name) {
                    continue;
                }
                if let Err(e) = attr::no_args(a, name) {
                    errors.push(e);
                } else if let Some((_, first)) = &source {
                    errors.push(syn::Error::new_spanned(
                        a,
                        format!("a parameter is filled one way: it is `#[{first}]` already"),
                    ));
                } else {
                    source = Some((kind, name));
                }
                return false;
            }
            if attr::is(a, "default") {
                match attr::default_expr(a) {
                    Ok(expr) if default.is_none() => default = Some(expr),
                    Ok(_) => errors.push(syn::Error::new_spanned(
                        a,
                        "a parameter takes one `#[default(...)]`",
                    )),
                    Err(e) => errors.push(e),
                }
                return false;
            }
            match attr::stray(a, attr::ON_PARAMS, "the function, not on a parameter") {
                Some(e) => {
                    errors.push(e);
                    false
                }
                None => true,
            }
        });
        let ident = match &*typed.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "an exposed function's parameters need plain names: the name is the argument's name in requests",
                ));
                Ident::new("__pico_unnamed", other.span())
            }
        };
        let source = source.map(|(kind, _)| kind);
        if let (Some(_), Some(expr)) = (&source, &default) {
            errors.push(syn::Error::new_spanned(
                expr,
                "a `#[state]` or `#[from_request]` parameter is not sent by clients, so it takes no default",
            ));
        }
        Param {
            ident,
            optional: last_segment_is(&typed.ty, "Option"),
            ty: (*typed.ty).clone(),
            default,
            source,
        }
    }
}

impl Output {
    fn from_syn(output: &ReturnType) -> Output {
        let ty = match output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        };
        let error = result_error_type(&ty).cloned();
        let error_span = error.as_ref().map_or_else(|| ty.span(), Spanned::span);
        match result_ok_type(&ty) {
            Some(ok) => Output {
                fallible: true,
                is_response: is_response(ok),
                ty: ok.clone(),
                error_span,
                error,
            },
            None => Output {
                fallible: false,
                is_response: is_response(&ty),
                ty,
                error_span,
                error: None,
            },
        }
    }
}

impl StreamKind {
    /// An `impl Stream<...>` or a type whose name ends in `Stream` is
    /// polled; anything else is iterated. Items are fallible when spelled
    /// `Result<...>`: `impl Iterator<Item = Result<T, E>>`, `Vec<Result<T, E>>`.
    fn of(output: &Output) -> StreamKind {
        let ty = &output.ty;
        let (is_async, item) = match ty {
            Type::ImplTrait(it) => {
                let bound = it.bounds.iter().find_map(|b| match b {
                    TypeParamBound::Trait(t) => t.path.segments.last(),
                    _ => None,
                });
                let is_async = bound.is_some_and(|s| s.ident.to_string().ends_with("Stream"));
                let item = bound.and_then(|s| match &s.arguments {
                    PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                        GenericArgument::AssocType(assoc) if assoc.ident == "Item" => Some(&assoc.ty),
                        _ => None,
                    }),
                    _ => None,
                });
                (is_async, item)
            }
            Type::Path(p) => {
                let last = p.path.segments.last();
                let is_async = last.is_some_and(|s| s.ident.to_string().ends_with("Stream"));
                let item = last.and_then(|s| match &s.arguments {
                    PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                        GenericArgument::Type(t) => Some(t),
                        _ => None,
                    }),
                    _ => None,
                });
                (is_async, item)
            }
            _ => (false, None),
        };
        let ok = item.and_then(result_ok_type);
        StreamKind {
            is_async,
            fallible_items: ok.is_some(),
            item: ok.or(item).cloned(),
        }
    }
}

/// The `T` of a type spelled `Result<T, ...>` (any path ending in `Result`,
/// so `anyhow::Result<T>` and `io::Result<T>` too).
pub(crate) fn result_ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// The `E` of a type spelled `Result<T, E>`.
fn result_error_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    if last.ident != "Result" {
        return None;
    }
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .nth(1)
}

/// A `Response` (any path ending so) or an `impl IntoResponse`.
fn is_response(ty: &Type) -> bool {
    match ty {
        Type::ImplTrait(it) => it.bounds.iter().any(|b| match b {
            TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "IntoResponse"),
            _ => false,
        }),
        _ => last_segment_is(ty, "Response"),
    }
}

pub(crate) fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
}

pub(crate) fn line_of(span: Span) -> usize {
    // Outside a real macro expansion (unit tests) there is no location.
    if proc_macro::is_available() {
        span.unwrap().line()
    } else {
        0
    }
}
