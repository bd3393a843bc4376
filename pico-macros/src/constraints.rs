//! The code of `#[garde(...)]` on parameters, and of arguments that
//! validate themselves (`garde::Validate`): the checks made once every
//! argument is read, and what the documents learn of each constraint
//! (feature `validate`). The attribute is read in `garde_attr.rs`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Expr;

use crate::ast::function::{Exposed, Param};
use crate::garde_attr::Constraint;

/// The parameter's constraints as the documents show them.
pub(crate) fn described(param: &Param) -> TokenStream {
    let constraints = param.constraints.iter().map(|c| match c {
        Constraint::Range { min, max, .. } => {
            let (min, max) = (bound_text(min.as_deref()), bound_text(max.as_deref()));
            quote!(::pico::__private::Constraint::Range { min: #min, max: #max })
        }
        Constraint::Length { min, max, .. } => {
            let count =
                |n: &Option<syn::LitInt>| match n.as_ref().and_then(|n| n.base10_parse::<usize>().ok()) {
                    Some(n) => quote!(::core::option::Option::Some(#n)),
                    None => quote!(::core::option::Option::None),
                };
            let (min, max) = (count(min), count(max));
            quote!(::pico::__private::Constraint::Length { min: #min, max: #max })
        }
        Constraint::Pattern(pattern) => quote!(::pico::__private::Constraint::Pattern(#pattern)),
        Constraint::Email(_) => quote!(::pico::__private::Constraint::Email),
        Constraint::Url(_) => quote!(::pico::__private::Constraint::Url),
    });
    quote!(&[#(#constraints),*])
}

/// A bound as JSON's number text, where it is a literal (`-5`, `2.5`);
/// a constant's value is checked but not documented.
fn bound_text(bound: Option<&Expr>) -> TokenStream {
    let literal = |e: &Expr| match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => Some(i.base10_digits().to_owned()),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }) => Some(f.base10_digits().to_owned()),
        _ => None,
    };
    let text = bound.and_then(|e| match e {
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => literal(expr).map(|t| format!("-{t}")),
        other => literal(other),
    });
    match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}

/// The checks of the arguments read into `locals`: each parameter's
/// rules, then what its type says of itself; every violation gathered,
/// answered as one 422.
pub(crate) fn checks(function: &Exposed, locals: &[syn::Ident]) -> TokenStream {
    if !cfg!(feature = "validate") {
        return TokenStream::new();
    }
    let violations = syn::Ident::new("__pico_violations", Span::mixed_site());
    let value = syn::Ident::new("__pico_checked", Span::mixed_site());
    let mut checks = TokenStream::new();
    for (param, local) in function.params.iter().zip(locals) {
        if param.source.is_some() {
            continue;
        }
        let name = param.ident.to_string();
        let rules = param.constraints.iter().map(|c| {
            let rule = rule(c, &value);
            quote!(#violations.rule(#name, #rule);)
        });
        let rules: Vec<TokenStream> = rules.collect();
        if !rules.is_empty() {
            checks.extend(if param.optional {
                quote!(if let ::core::option::Option::Some(#value) = &#local { #(#rules)* })
            } else {
                quote!({ let #value = &#local; #(#rules)* })
            });
        }
        if may_validate(&param.ty) {
            checks.extend(quote! {{
                #[allow(unused_imports)]
                use ::pico::__private::{NotSelfValidated as _, SelfValidated as _};
                (&::pico::__private::ValidateProbe(&#local)).validate_into(#name, &mut #violations);
            }});
        }
    }
    if checks.is_empty() {
        return checks;
    }
    quote! {
        let mut #violations = ::pico::__private::Violations::new();
        #checks
        #violations.finish()?;
    }
}

/// Whether a parameter's type may validate itself: not a number, a text,
/// a flag, a file or a list or option of those, which garde has nothing to
/// say of on their own. Those are most parameters, and asking each would
/// cost every module compile time for nothing.
pub(crate) fn may_validate(ty: &syn::Type) -> bool {
    const PLAIN: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64",
        "bool", "char", "String", "str", "Upload", "Value", "Bytes",
    ];
    const WRAPPERS: &[&str] = &["Option", "Vec", "Box"];
    let syn::Type::Path(path) = ty else { return true };
    let Some(last) = path.path.segments.last() else {
        return true;
    };
    let name = last.ident.to_string();
    if PLAIN.contains(&name.as_str()) && last.arguments.is_none() {
        return false;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if WRAPPERS.contains(&name.as_str()) => {
            args.args.iter().any(|arg| match arg {
                syn::GenericArgument::Type(inner) => may_validate(inner),
                _ => true,
            })
        }
        _ => true,
    }
}

/// One rule's call, spanned at the rule so that a type it cannot apply to
/// is reported there: the value is named at the rule's place (the same
/// binding: hygiene goes by context, not place), which is where the
/// compiler points.
fn rule(constraint: &Constraint, value: &syn::Ident) -> TokenStream {
    let at = |span: Span| syn::Ident::new(&value.to_string(), value.span().located_at(span));
    let option = |e: &Option<Box<Expr>>| match e {
        Some(e) => quote!(::core::option::Option::Some(#e)),
        None => quote!(::core::option::Option::None),
    };
    match constraint {
        Constraint::Range { min, max, span } => {
            let (min, max) = (option(min), option(max));
            {
                let value = at(*span);
                quote_spanned!(*span=> ::pico::__private::range(#value, #min, #max))
            }
        }
        Constraint::Length { min, max, span } => {
            let count = |n: &Option<syn::LitInt>| match n {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            let (min, max) = (count(min), count(max));
            {
                let value = at(*span);
                quote_spanned!(*span=> ::pico::__private::length(#value, #min, #max))
            }
        }
        Constraint::Pattern(pattern) => {
            let value = at(pattern.span());
            quote_spanned! {pattern.span()=> {
                static PATTERN: ::std::sync::LazyLock<::pico::__private::Regex> =
                    ::std::sync::LazyLock::new(|| ::pico::__private::compiled(#pattern));
                ::pico::__private::pattern(#value, &PATTERN)
            }}
        }
        Constraint::Email(span) => {
            let value = at(*span);
            quote_spanned!(*span=> ::pico::__private::email(#value))
        }
        Constraint::Url(span) => {
            let value = at(*span);
            quote_spanned!(*span=> ::pico::__private::url(#value))
        }
    }
}
