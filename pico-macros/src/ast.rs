//! The typed model of a `#[pico::api]` module, read from syn's syntax tree.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{
    Expr, FnArg, GenericArgument, Ident, ItemFn, ItemMod, Pat, PathArguments, ReturnType, Type,
    TypeParamBound,
};

use crate::attr;

/// A module with the functions it exposes.
pub(crate) struct Api {
    pub(crate) name: Ident,
    pub(crate) doc: Option<String>,
    pub(crate) functions: Vec<Exposed>,
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
}

/// One parameter, filled from the request by its name.
pub(crate) struct Param {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) default: Option<Expr>,
    /// An `Option<T>`: absent means `None`.
    pub(crate) optional: bool,
}

/// How the function's result becomes a response.
pub(crate) struct Output {
    /// `Result<T, E>`: an `Err` is a failure.
    pub(crate) fallible: bool,
    /// The successful value's type, `()` when none is written.
    pub(crate) ty: Type,
    /// A response of the function's own rather than a value to serialise.
    pub(crate) is_response: bool,
}

impl Api {
    /// Reads the module and the `#[expose]`d functions in it, removing pico's
    /// attributes from the items so that the module compiles as plain Rust.
    /// Errors are pushed to `errors`; what could be read is returned.
    pub(crate) fn from_syn(module: &mut ItemMod, errors: &mut Vec<syn::Error>) -> Api {
        let mut functions = Vec::new();
        if let Some((_, items)) = &mut module.content {
            for item in items {
                match item {
                    syn::Item::Fn(function) => {
                        let Some(index) = function.attrs.iter().position(attr::is_expose) else {
                            continue;
                        };
                        let expose = function.attrs.remove(index);
                        if let Err(e) = attr::check_expose(&expose) {
                            errors.push(e);
                        }
                        functions.push(Exposed::from_syn(function, errors));
                    }
                    other => {
                        if let Some(attrs) = item_attrs(other)
                            && let Some(index) = attrs.iter().position(attr::is_expose)
                        {
                            let expose = attrs.remove(index);
                            errors.push(syn::Error::new_spanned(
                                expose,
                                "`#[expose]` goes on a function of the module",
                            ));
                        }
                    }
                }
            }
        }
        Api {
            name: module.ident.clone(),
            doc: attr::doc(&module.attrs),
            functions,
        }
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
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
    fn from_syn(function: &mut ItemFn, errors: &mut Vec<syn::Error>) -> Exposed {
        let sig = &mut function.sig;
        let mut params = Vec::new();
        for input in &mut sig.inputs {
            let FnArg::Typed(typed) = input else {
                // `self` is reported by the checks.
                continue;
            };
            let mut default = None;
            while let Some(index) = typed.attrs.iter().position(attr::is_default) {
                let attr = typed.attrs.remove(index);
                match attr::default_expr(&attr) {
                    Ok(expr) if default.is_none() => default = Some(expr),
                    Ok(_) => errors.push(syn::Error::new_spanned(
                        attr,
                        "a parameter takes one `#[default(...)]`",
                    )),
                    Err(e) => errors.push(e),
                }
            }
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
            params.push(Param {
                ident,
                optional: last_segment_is(&typed.ty, "Option"),
                ty: (*typed.ty).clone(),
                default,
            });
        }
        Exposed {
            ident: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            doc: attr::doc(&function.attrs),
            params,
            output: Output::from_syn(&sig.output),
            line: line_of(sig.ident.span()),
        }
    }
}

impl Output {
    fn from_syn(output: &ReturnType) -> Output {
        let ty = match output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        };
        match result_ok_type(&ty) {
            Some(ok) => Output {
                fallible: true,
                is_response: is_response(ok),
                ty: ok.clone(),
            },
            None => Output {
                fallible: false,
                is_response: is_response(&ty),
                ty,
            },
        }
    }
}

/// The `T` of a type spelled `Result<T, ...>` (any path ending in `Result`,
/// so `anyhow::Result<T>` and `io::Result<T>` too).
fn result_ok_type(ty: &Type) -> Option<&Type> {
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

fn line_of(span: Span) -> usize {
    // Outside a real macro expansion (unit tests) there is no location.
    if proc_macro::is_available() {
        span.unwrap().line()
    } else {
        0
    }
}
