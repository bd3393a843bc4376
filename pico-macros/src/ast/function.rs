//! Reading an exposed function: its parameters and result, pico's
//! attributes on it and on its parameters, and the parts of its signature
//! that an exposed function cannot have, kept for the checks to report.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{
    Abi, Attribute, Expr, FnArg, GenericArgument, Generics, Ident, ItemFn, LitStr, Pat, PathArguments,
    Receiver, ReturnType, Token, Type, TypeParamBound, Variadic,
};

use super::{Place, Stray, take_strays};
use crate::attr::{self, CookieOptions, RequestArg, Source};
use crate::ctxt::Ctxt;
use crate::syntax::{last_segment_is, line_of, result_error_type, result_ok_type};

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
    /// The statuses `#[responses(...)]` declares.
    pub(crate) responses: Vec<syn::LitInt>,
    /// `#[status(...)]`: the status of a success.
    pub(crate) status: Option<syn::LitInt>,
    /// Its `#[route(...)]`s, each a second path to it.
    pub(crate) routes: Vec<crate::route_attr::Route>,
    /// The entries of `#[request_args(...)]`, as written: those that name
    /// a parameter not filled otherwise fill it.
    pub(crate) request_args: Vec<RequestArg>,
    // What an exposed function cannot have, for errors about it.
    pub(crate) unsafety: Option<Token![unsafe]>,
    pub(crate) abi: Option<Abi>,
    pub(crate) generics: Generics,
    pub(crate) variadic: Option<Variadic>,
    pub(crate) receiver: Option<Receiver>,
    /// Pico's attributes on the function and its parameters where they do
    /// nothing.
    pub(crate) strays: Vec<Stray>,
}

/// One parameter.
pub(crate) struct Param {
    /// The name, which is the argument's name in requests.
    pub(crate) ident: Ident,
    /// The pattern as written, which must be a plain name.
    pub(crate) pat: Pat,
    pub(crate) ty: Type,
    /// The first `#[default(...)]`.
    pub(crate) default: Option<Expr>,
    /// The `#[default(...)]`s after the first.
    pub(crate) more_defaults: Vec<Attribute>,
    /// `#[state]` and `#[from_request]`, in order: the first decides.
    pub(crate) marks: Vec<Attribute>,
    /// An `Option<T>`: absent means `None`.
    pub(crate) optional: bool,
    /// Filled from the request rather than by the client.
    pub(crate) source: Option<Source>,
    /// The constraints of its `#[garde(...)]`.
    pub(crate) constraints: Vec<crate::garde_attr::Constraint>,
}

/// How the function's result becomes a response.
pub(crate) struct Output {
    /// `Result<T, E>`: an `Err` is a failure.
    pub(crate) fallible: bool,
    /// The successful value's type, `()` when none is written.
    pub(crate) ty: Type,
    /// A response of the function's own rather than a value to serialise.
    pub(crate) is_response: bool,
    /// A `Located<T>`: answered 201 with its `Location`.
    pub(crate) is_located: bool,
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

impl Exposed {
    /// Whether the function is plain: every parameter a value a client
    /// sends (no file), called at once, its answer JSON. Its handler reads
    /// its parameters from `Arguments`, which the runtime may fill straight
    /// from a query string or a JSON body (see the runtime's
    /// `dispatch/arguments.rs`).
    pub(crate) fn is_plain(&self) -> bool {
        !self.is_async
            && self.stream.is_none()
            && self.blocking.is_none()
            && self.protected.is_none()
            && self.set_cookie.is_none()
            && self.delete_cookies.is_none()
            && !self.output.is_response
            && self.params.iter().all(|p| p.source.is_none() && !p.takes_file())
    }

    /// Reads the function, removing pico's attributes from it and from its
    /// parameters so that it compiles as plain Rust.
    pub(crate) fn from_syn(function: &mut ItemFn, cx: &Ctxt) -> Exposed {
        let sig = &function.sig;
        let mut exposed = Exposed {
            ident: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            doc: attr::doc(&function.attrs),
            params: Vec::new(),
            output: Output::from_syn(&sig.output),
            line: line_of(sig.ident.span()),
            protected: None,
            method: None,
            stream: None,
            set_cookie: None,
            delete_cookies: None,
            blocking: None,
            responses: Vec::new(),
            status: None,
            routes: Vec::new(),
            request_args: Vec::new(),
            unsafety: match sig.safety {
                syn::Safety::Unsafe(unsafety) => Some(unsafety),
                _ => None,
            },
            abi: sig.abi.clone(),
            generics: sig.generics.clone(),
            variadic: sig.variadic.clone(),
            receiver: sig.receiver().cloned(),
            strays: Vec::new(),
        };
        function.attrs.retain(|a| !exposed.read_attribute(a, cx));
        for input in &mut function.sig.inputs {
            if let FnArg::Typed(typed) = input {
                exposed
                    .params
                    .push(Param::from_syn(typed, &mut exposed.strays, cx));
            }
        }
        for arg in &exposed.request_args {
            if let Some(param) = exposed.params.iter_mut().find(|p| p.ident == arg.param)
                && param.source.is_none()
            {
                param.source = Some(arg.source.clone());
            }
        }
        exposed
    }

    /// Reads `a` when it is pico's, and says so: it then comes off the
    /// function.
    fn read_attribute(&mut self, a: &Attribute, cx: &Ctxt) -> bool {
        let Some(name) = a.path().get_ident().map(ToString::to_string) else {
            return false;
        };
        let read = match name.as_str() {
            "request_args" => attr::request_args(a).map(|args| self.request_args.extend(args)),
            "protected" => attr::protected(a).map(|check| self.protected = Some(check)),
            "require_method" => attr::require_method(a).map(|m| self.method = Some(m)),
            "responses" => attr::responses(a).map(|r| self.responses.extend(r)),
            "status" => attr::status(a).map(|s| self.status = Some(s)),
            "route" => crate::route_attr::read(a).map(|r| self.routes.push(r)),
            // A marker given arguments is still the marker: the checks
            // judge the function as the user meant it.
            "stream" => {
                self.stream = Some(StreamKind::of(&self.output));
                attr::no_args(a, "stream")
            }
            "blocking" => {
                self.blocking = Some(a.clone());
                attr::no_args(a, "blocking")
            }
            "set_cookie" => attr::set_cookie(a).map(|o| self.set_cookie = Some(o)),
            "delete_cookie" => attr::delete_cookie(a).map(|d| self.delete_cookies = Some(d)),
            name if attr::ON_PARAMS.contains(&name) || attr::is_stray(a, &[]) => {
                self.strays.push(Stray {
                    attr: a.clone(),
                    place: Place::Exposed,
                });
                Ok(())
            }
            _ => return false,
        };
        if let Err(e) = read {
            cx.syn_error(e);
        }
        true
    }

    /// Generic over lifetimes alone, which borrowed parameters use.
    pub(crate) fn lifetimes_only(&self) -> bool {
        let params = &self.generics.params;
        !params.is_empty() && params.iter().all(|p| matches!(p, syn::GenericParam::Lifetime(_)))
    }
}

impl Param {
    /// A parameter a client must send as a file: an `Upload`, not optional.
    pub(crate) fn takes_file(&self) -> bool {
        self.source.is_none()
            && matches!(&self.ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Upload"))
    }

    fn from_syn(typed: &mut syn::PatType, strays: &mut Vec<Stray>, cx: &Ctxt) -> Param {
        let mut default = None;
        let mut more_defaults = Vec::new();
        let mut marks = Vec::new();
        let mut constraints = Vec::new();
        typed.attrs.retain(|a| {
            if attr::is(a, "garde") {
                match crate::garde_attr::read(a) {
                    Ok(read) => constraints.extend(read),
                    Err(e) => cx.syn_error(e),
                }
                return false;
            }
            for name in ["state", "from_request"] {
                if attr::is(a, name) {
                    if let Err(e) = attr::no_args(a, name) {
                        cx.syn_error(e);
                    }
                    marks.push(a.clone());
                    return false;
                }
            }
            if attr::is(a, "default") {
                match attr::default_expr(a) {
                    Ok(expr) if default.is_none() => default = Some(expr),
                    Ok(_) => more_defaults.push(a.clone()),
                    Err(e) => cx.syn_error(e),
                }
                return false;
            }
            true
        });
        take_strays(&mut typed.attrs, attr::ON_PARAMS, || Place::Param, strays);
        let ident = match &*typed.pat {
            Pat::Ident(p) => p.ident.clone(),
            other => Ident::new("__pico_unnamed", other.span()),
        };
        let source = marks.first().map(|mark| {
            if attr::is(mark, "state") {
                Source::State
            } else {
                Source::Extract
            }
        });
        Param {
            ident,
            pat: (*typed.pat).clone(),
            optional: last_segment_is(&typed.ty, "Option"),
            ty: (*typed.ty).clone(),
            default,
            more_defaults,
            marks,
            source,
            constraints,
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
                is_located: last_segment_is(ok, "Located"),
                ty: ok.clone(),
                error_span,
                error,
            },
            None => Output {
                fallible: false,
                is_response: is_response(&ty),
                is_located: last_segment_is(&ty, "Located"),
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
