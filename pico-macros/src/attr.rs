//! Reading pico's attributes: `#[expose]`, `#[default(...)]` and doc
//! comments.

use syn::{Attribute, Expr, Lit, Meta};

/// Whether `attr` is `#[expose]` (with or without arguments).
pub(crate) fn is_expose(attr: &Attribute) -> bool {
    attr.path().is_ident("expose")
}

/// Whether `attr` is `#[default(...)]`.
pub(crate) fn is_default(attr: &Attribute) -> bool {
    attr.path().is_ident("default")
}

/// `#[expose]` takes no arguments.
pub(crate) fn check_expose(attr: &Attribute) -> syn::Result<()> {
    match &attr.meta {
        Meta::Path(_) => Ok(()),
        other => Err(syn::Error::new_spanned(
            other,
            "`#[expose]` takes no arguments: write `#[expose]` alone",
        )),
    }
}

/// The expression of `#[default(expr)]`.
pub(crate) fn default_expr(attr: &Attribute) -> syn::Result<Expr> {
    match &attr.meta {
        Meta::List(list) => list.parse_args::<Expr>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "`#[default(...)]` takes one expression, the default value: `#[default(10)]`",
            )
        }),
        other => Err(syn::Error::new_spanned(
            other,
            "`#[default]` needs the default value: `#[default(10)]` or `#[default(\"world\")]`",
        )),
    }
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
