//! Reading `#[garde(...)]` on a parameter: the constraints a client's
//! value must keep, in garde's words. Below both the model of a function
//! (`ast`), which holds them, and their code (`constraints.rs`).

use syn::spanned::Spanned;
use syn::{Attribute, Expr, Lit, LitStr, Meta};

/// A constraint of `#[garde(...)]` on a parameter, in garde's words.
pub(crate) enum Constraint {
    /// `range(min = ..., max = ...)`: the bounds as written.
    Range {
        min: Option<Box<Expr>>,
        max: Option<Box<Expr>>,
        span: proc_macro2::Span,
    },
    /// `length(min = ..., max = ...)`.
    Length {
        min: Option<syn::LitInt>,
        max: Option<syn::LitInt>,
        span: proc_macro2::Span,
    },
    /// `pattern("...")`.
    Pattern(LitStr),
    /// `email`.
    Email(proc_macro2::Span),
    /// `url`.
    Url(proc_macro2::Span),
}

impl Constraint {
    /// Where it is written, for errors about it.
    pub(crate) fn tokens(&self) -> proc_macro2::TokenStream {
        let span = match self {
            Constraint::Range { span, .. } | Constraint::Length { span, .. } => *span,
            Constraint::Pattern(pattern) => pattern.span(),
            Constraint::Email(span) | Constraint::Url(span) => *span,
        };
        quote::quote_spanned!(span=> garde)
    }
}

/// The constraints of `#[garde(range(min = 1), length(max = 32), pattern("^[a-z]+$"), email, url)]`.
pub(crate) fn read(attr: &Attribute) -> syn::Result<Vec<Constraint>> {
    let usage = "`#[garde(...)]` lists constraints: `range(min = 1, max = 100)`, `length(min = 3, max = 32)`, \
                 `pattern(\"^[a-z0-9-]+$\")`, `email` or `url`";
    let Meta::List(_) = &attr.meta else {
        return Err(syn::Error::new_spanned(&attr.meta, usage));
    };
    let mut constraints = Vec::new();
    attr.parse_nested_meta(|meta| {
        let Some(name) = meta.path.get_ident().map(ToString::to_string) else {
            return Err(meta.error(usage));
        };
        let span = meta.path.span();
        match name.as_str() {
            "range" | "length" => {
                let (mut min, mut max) = (None, None);
                meta.parse_nested_meta(|bound| {
                    let slot = if bound.path.is_ident("min") {
                        &mut min
                    } else if bound.path.is_ident("max") {
                        &mut max
                    } else {
                        return Err(bound.error(format!("`{name}` takes `min = ...` and `max = ...`")));
                    };
                    *slot = Some(bound.value()?.parse::<Expr>()?);
                    Ok(())
                })?;
                if min.is_none() && max.is_none() {
                    return Err(syn::Error::new(span, format!("`{name}` takes `min = ...`, `max = ...` or both")));
                }
                constraints.push(if name == "range" {
                    Constraint::Range {
                        min: min.map(Box::new),
                        max: max.map(Box::new),
                        span,
                    }
                } else {
                    let count = |e: Option<Expr>| -> syn::Result<Option<syn::LitInt>> {
                        match e {
                            None => Ok(None),
                            Some(Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. })) => Ok(Some(i)),
                            Some(other) => Err(syn::Error::new_spanned(other, "a length is a whole number, such as `32`")),
                        }
                    };
                    Constraint::Length { min: count(min)?, max: count(max)?, span }
                });
            }
            "pattern" => {
                let content;
                syn::parenthesized!(content in meta.input);
                constraints.push(Constraint::Pattern(content.parse()?));
            }
            "email" => constraints.push(Constraint::Email(span)),
            "url" => constraints.push(Constraint::Url(span)),
            other => {
                return Err(meta.error(format!(
                    "`{other}` is not a constraint Pico checks: it knows `range`, `length`, `pattern`, `email` and `url`"
                )));
            }
        }
        Ok(())
    })?;
    Ok(constraints)
}
