//! Reading pico's attributes: `#[expose]`, `#[default(...)]`,
//! `#[request_args(...)]`, `#[protected(...)]`, `#[require_method(...)]`,
//! `#[stream]`, `#[set_cookie(...)]`, `#[delete_cookie(...)]`, `#[responses(...)]`,
//! `#[status(...)]` (`#[garde(...)]` is read in `garde_attr.rs`, `#[route(...)]`
//! in `route_attr.rs`),
//! `#[prehandle]`, and doc comments. Arguments that cannot be read as the
//! attribute's are reported here, with its usage; what well-formed options
//! mean together (a `SameSite=None` cookie must be `Secure`) is for `check`.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Ident, Lit, LitStr, Meta, Token};

/// The attributes pico reads inside a `#[pico::api]` module.
pub(crate) const KNOWN: &[&str] = &[
    "expose",
    "default",
    "request_args",
    "protected",
    "require_method",
    "stream",
    "set_cookie",
    "delete_cookie",
    "prehandle",
    "state",
    "from_request",
    "blocking",
    "responses",
    "status",
    "route",
    "garde",
];

/// Other crates' attributes that are a letter or two from one of pico's
/// (`serde` from `garde`): never taken for a misspelling.
const FOREIGN: &[&str] = &["serde", "schemars", "derive", "error", "source", "from", "test"];

/// The attributes that go on a parameter rather than on the function.
pub(crate) const ON_PARAMS: &[&str] = &["default", "state", "from_request", "garde"];

/// The request attributes `#[request_args(x = name)]` knows by name.
pub(crate) const REQUEST_ATTRIBUTES: &[&str] = &[
    "remote_addr",
    "method",
    "path",
    "url",
    "headers",
    "cookies",
    "token",
    "authorization",
    "user_agent",
];

pub(crate) fn is(attr: &Attribute, name: &str) -> bool {
    attr.path().is_ident(name)
}

/// `#[pico::name]`.
pub(crate) fn is_pico(attr: &Attribute, name: &str) -> bool {
    let segments = &attr.path().segments;
    segments.len() == 2 && segments[0].ident == "pico" && segments[1].ident == name
}

/// The pico attribute `attr` was probably meant to be, for an attribute
/// pico does not know: `#[protect]` for `#[protected]`.
pub(crate) fn near_miss(attr: &Attribute) -> Option<&'static str> {
    let ident = attr.path().get_ident()?.to_string();
    if KNOWN.contains(&ident.as_str()) || FOREIGN.contains(&ident.as_str()) {
        return None;
    }
    KNOWN.iter().copied().find(|known| distance(&ident, known) <= 2)
}

/// Whether `attr` is one of pico's, or a near miss of one, where pico does
/// not read it (`allowed` names those it reads there): the reading takes
/// such an attribute off its item, for the checks to report.
pub(crate) fn is_stray(attr: &Attribute, allowed: &[&str]) -> bool {
    let Some(name) = attr.path().get_ident().map(ToString::to_string) else {
        return false;
    };
    if KNOWN.contains(&name.as_str()) {
        return !allowed.contains(&name.as_str());
    }
    near_miss(attr).is_some()
}

/// Levenshtein distance, for the few short names above.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// An attribute that takes no arguments: `#[expose]`, `#[stream]`,
/// `#[prehandle]`.
pub(crate) fn no_args(attr: &Attribute, name: &str) -> syn::Result<()> {
    match &attr.meta {
        Meta::Path(_) => Ok(()),
        other => Err(syn::Error::new_spanned(other, takes_no_arguments(name))),
    }
}

/// What `#[name]` says when it is given arguments.
pub(crate) fn takes_no_arguments(name: &str) -> String {
    format!("`#[{name}]` takes no arguments: write `#[{name}]` alone")
}

/// The expression of `#[default(expr)]`.
pub(crate) fn default_expr(attr: &Attribute) -> syn::Result<Expr> {
    one_expr(
        attr,
        "`#[default(...)]` takes the default value: `#[default(10)]` or `#[default(\"world\")]`",
    )
}

/// The check of `#[protected(check)]`.
pub(crate) fn protected(attr: &Attribute) -> syn::Result<Expr> {
    one_expr(
        attr,
        "`#[protected(...)]` takes the check to run: `#[protected(is_admin)]`, \
         with `fn is_admin(request: &pico::Request, args: &pico::Args) -> bool`",
    )
}

/// The statuses of `#[responses(303)]` or `#[responses(404, 409)]`, each
/// from 100 to 599 and written once.
pub(crate) fn responses(attr: &Attribute) -> syn::Result<Vec<syn::LitInt>> {
    let usage = "`#[responses(...)]` lists the statuses the function answers, such as `#[responses(303)]` \
                 for a redirect or `#[responses(404)]` for the errors it returns";
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, usage));
    };
    let statuses = list
        .parse_args_with(Punctuated::<syn::LitInt, Token![,]>::parse_terminated)
        .map_err(|e| syn::Error::new(e.span(), usage))?;
    if statuses.is_empty() {
        return Err(syn::Error::new_spanned(list, usage));
    }
    let mut seen = Vec::new();
    for status in &statuses {
        let code: u16 = status
            .base10_parse()
            .map_err(|_| syn::Error::new(status.span(), usage))?;
        if !(100..=599).contains(&code) {
            return Err(syn::Error::new(
                status.span(),
                "an HTTP status is from 100 to 599",
            ));
        }
        if seen.contains(&code) {
            return Err(syn::Error::new(
                status.span(),
                format!("{code} is listed twice: list it once"),
            ));
        }
        seen.push(code);
    }
    Ok(statuses.into_iter().collect())
}

/// The status of `#[status(201)]`: a success, 200 to 299.
pub(crate) fn status(attr: &Attribute) -> syn::Result<syn::LitInt> {
    let usage =
        "`#[status(...)]` takes the status of a success, such as `#[status(201)]` or `#[status(204)]`";
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, usage));
    };
    let status: syn::LitInt = list.parse_args().map_err(|e| syn::Error::new(e.span(), usage))?;
    let code: u16 = status
        .base10_parse()
        .map_err(|_| syn::Error::new(status.span(), usage))?;
    if !(200..=299).contains(&code) {
        return Err(syn::Error::new(
            status.span(),
            "`#[status(...)]` is a success, 200 to 299: for a redirect, return `pico::Response` and \
             declare it with `#[responses(303)]`; for an error, return `Err`",
        ));
    }
    Ok(status)
}

fn one_expr(attr: &Attribute, usage: &str) -> syn::Result<Expr> {
    match &attr.meta {
        Meta::List(list) => list
            .parse_args::<Expr>()
            .map_err(|e| syn::Error::new(e.span(), usage)),
        other => Err(syn::Error::new_spanned(other, usage)),
    }
}

/// Where `#[request_args]` fills a parameter from.
#[derive(Clone)]
pub(crate) enum Source {
    /// The request itself: `#[request_args(req)]`.
    Request,
    /// A request attribute or a value stored on the request, by name:
    /// `ip = remote_addr` or `user = "user"`.
    Attribute(String),
    /// A function of the request: `user = current_user`,
    /// `session = pico::cookie("session_id")`.
    Function(Expr),
    /// `#[state]`: a value the app shares, by type.
    State,
    /// `#[from_request]`: an axum extractor.
    Extract,
}

impl Source {
    /// Whether the client's value of the same name is dropped (the
    /// original's `request_args`), rather than unexpected.
    pub(crate) fn drops_client_value(&self) -> bool {
        matches!(self, Source::Request | Source::Attribute(_) | Source::Function(_))
    }
}

/// One entry of `#[request_args(...)]`.
pub(crate) struct RequestArg {
    pub(crate) param: Ident,
    pub(crate) source: Source,
}

struct RequestArgs(Punctuated<RequestArgEntry, Token![,]>);

struct RequestArgEntry(RequestArg);

impl Parse for RequestArgEntry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let param: Ident = input.parse()?;
        if !input.peek(Token![=]) {
            return Ok(RequestArgEntry(RequestArg {
                param,
                source: Source::Request,
            }));
        }
        input.parse::<Token![=]>()?;
        let expr: Expr = input.parse()?;
        let source = match &expr {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Source::Attribute(s.value()),
            Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) if REQUEST_ATTRIBUTES.contains(&ident.to_string().as_str()) => {
                    Source::Attribute(ident.to_string())
                }
                _ => Source::Function(expr),
            },
            _ => Source::Function(expr),
        };
        Ok(RequestArgEntry(RequestArg { param, source }))
    }
}

impl Parse for RequestArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Ok(RequestArgs(Punctuated::parse_terminated(input)?))
    }
}

/// The entries of `#[request_args(req, ip = remote_addr, user = current_user)]`.
pub(crate) fn request_args(attr: &Attribute) -> syn::Result<Vec<RequestArg>> {
    let usage = "`#[request_args(...)]` names parameters to fill from the request: \
                 `#[request_args(req, ip = remote_addr, user = current_user)]`";
    match &attr.meta {
        Meta::List(list) => list
            .parse_args::<RequestArgs>()
            .map(|args| args.0.into_iter().map(|e| e.0).collect())
            .map_err(|e| syn::Error::new(e.span(), usage)),
        other => Err(syn::Error::new_spanned(other, usage)),
    }
}

/// The method of `#[require_method(POST)]`.
pub(crate) fn require_method(attr: &Attribute) -> syn::Result<String> {
    let usage =
        "`#[require_method(...)]` takes one HTTP method in capitals, such as `#[require_method(POST)]`";
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, usage));
    };
    let expr: Expr = list.parse_args().map_err(|e| syn::Error::new(e.span(), usage))?;
    let (method, span) = match &expr {
        Expr::Path(p) if p.path.get_ident().is_some() => match p.path.get_ident() {
            Some(ident) => (ident.to_string(), ident.span()),
            None => return Err(syn::Error::new_spanned(p, usage)),
        },
        Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => (s.value(), s.span()),
        other => return Err(syn::Error::new_spanned(other, usage)),
    };
    let is_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-');
    if is_method {
        Ok(method)
    } else {
        Err(syn::Error::new(span, usage))
    }
}

/// The options of `#[set_cookie(...)]`.
#[derive(Default)]
pub(crate) struct CookieOptions {
    pub(crate) path: Option<LitStr>,
    pub(crate) domain: Option<LitStr>,
    pub(crate) max_age: Option<Expr>,
    pub(crate) secure: Option<Expr>,
    pub(crate) http_only: Option<Expr>,
    pub(crate) same_site: Option<LitStr>,
}

/// `#[set_cookie]` or `#[set_cookie(path = "/", max_age = 3600, secure, ...)]`;
/// `#[delete_cookie]` takes the same options after its names.
pub(crate) fn cookie_options(metas: &Punctuated<Meta, Token![,]>) -> syn::Result<CookieOptions> {
    let mut options = CookieOptions::default();
    for meta in metas {
        let name = meta
            .path()
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let value = match meta {
            Meta::NameValue(nv) => Some(nv.value.clone()),
            Meta::Path(_) => None,
            Meta::List(_) => None,
        };
        let text = |value: Option<Expr>| match value {
            Some(Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. })) => Ok(s),
            _ => Err(syn::Error::new_spanned(
                meta,
                format!("`{name}` takes a string: `{name} = \"...\"`"),
            )),
        };
        let flag =
            |value: Option<Expr>| Ok::<_, syn::Error>(value.unwrap_or_else(|| syn::parse_quote!(true)));
        match name.as_str() {
            "path" => options.path = Some(text(value)?),
            "domain" => options.domain = Some(text(value)?),
            "same_site" => {
                let s = text(value)?;
                if !matches!(s.value().as_str(), "Strict" | "Lax" | "None") {
                    return Err(syn::Error::new_spanned(
                        s,
                        "`same_site` is \"Strict\", \"Lax\" or \"None\"",
                    ));
                }
                options.same_site = Some(s);
            }
            "max_age" => {
                options.max_age = Some(value.ok_or_else(|| {
                    syn::Error::new_spanned(meta, "`max_age` takes seconds: `max_age = 3600`")
                })?);
            }
            "secure" => options.secure = Some(flag(value)?),
            "http_only" => options.http_only = Some(flag(value)?),
            _ => {
                return Err(syn::Error::new_spanned(
                    meta,
                    "cookie options are `path`, `domain`, `max_age`, `secure`, `http_only` and `same_site`",
                ));
            }
        }
    }
    Ok(options)
}

/// `#[set_cookie]`'s options.
pub(crate) fn set_cookie(attr: &Attribute) -> syn::Result<CookieOptions> {
    match &attr.meta {
        Meta::Path(_) => Ok(CookieOptions::default()),
        Meta::List(list) => cookie_options(&list.parse_args_with(Punctuated::parse_terminated)?),
        Meta::NameValue(nv) => Err(syn::Error::new_spanned(
            nv,
            "`#[set_cookie]` takes cookie options in parentheses: `#[set_cookie(max_age = 3600)]`",
        )),
    }
}

/// `#[delete_cookie("name", ...)]`: the names, then cookie options (the
/// path and domain must match those the cookie was set with).
pub(crate) fn delete_cookie(attr: &Attribute) -> syn::Result<(Vec<LitStr>, CookieOptions)> {
    let usage = "`#[delete_cookie(...)]` takes the names of the cookies to delete: `#[delete_cookie(\"session_id\")]`";
    let Meta::List(list) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, usage));
    };
    let items: Punctuated<Expr, Token![,]> = list
        .parse_args_with(Punctuated::parse_terminated)
        .map_err(|e| syn::Error::new(e.span(), usage))?;
    let mut names = Vec::new();
    let mut metas: Punctuated<Meta, Token![,]> = Punctuated::new();
    for item in items {
        match item {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => {
                if !is_cookie_name(&s.value()) {
                    return Err(syn::Error::new_spanned(
                        &s,
                        "a cookie's name is a token: ASCII letters, digits and `!#$%&'*+-.^_|~`, without \
                         spaces or `()<>@,;:\\\"/[]?={}`; a browser sends any other back in another spelling",
                    ));
                }
                names.push(s);
            }
            Expr::Assign(assign) => {
                let (left, right) = (&assign.left, &assign.right);
                metas.push(syn::parse_quote!(#left = #right));
            }
            Expr::Path(path) => metas.push(Meta::Path(path.path)),
            other => return Err(syn::Error::new_spanned(other, usage)),
        }
    }
    if names.is_empty() {
        return Err(syn::Error::new_spanned(attr, usage));
    }
    Ok((names, cookie_options(&metas)?))
}

/// Whether `name` is a cookie name as RFC 6265 has it (a token).
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// The doc comment of `attrs`, with the common indentation removed and
/// trimmed; `None` when there is none.
pub(crate) fn doc(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            lines.extend(s.value().split('\n').map(str::to_owned));
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The type a `#[state]` parameter looks up: `T` for `&T`, `Arc<T>` and `T`.
pub(crate) fn state_type(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => &r.elem,
        other => shared_type(other).unwrap_or(other),
    }
}

/// `T` of `Arc<T>` (however the path to `Arc` is written): the shared
/// value itself, which a `#[state]` parameter can keep past the call.
pub(crate) fn shared_type(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Arc" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}
