//! `#[derive(pico::HttpError)]`: a domain error type that chooses its HTTP
//! status with `#[http(status = N)]`, on the type (a default) and on
//! variants.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Attribute, Data, DeriveInput, LitInt};

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    match expand(&input) {
        Ok(tokens) => tokens,
        Err(e) if matches!(input.data, Data::Union(_)) => e.to_compile_error(),
        Err(e) => {
            // The trait is still implemented, so that the error above is
            // the only one the user sees.
            let fallback = implementation(&input, &quote!(500), &[]);
            let e = e.to_compile_error();
            quote!(#e #fallback)
        }
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let default = status_of(&input.attrs)?;
    let mut statuses: Vec<LitInt> = Vec::new();
    let code = match &input.data {
        Data::Struct(_) => {
            let Some(status) = default else {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "`#[derive(pico::HttpError)]` needs the status: add `#[http(status = 404)]` to the type",
                ));
            };
            statuses.push(status.clone());
            quote!(#status)
        }
        Data::Enum(data) => {
            let mut errors: Option<syn::Error> = None;
            let mut arms = Vec::new();
            for variant in &data.variants {
                let status = match status_of(&variant.attrs) {
                    Ok(own) => own.or_else(|| default.clone()),
                    Err(e) => {
                        combine(&mut errors, e);
                        continue;
                    }
                };
                let Some(status) = status else {
                    combine(
                        &mut errors,
                        syn::Error::new_spanned(
                            &variant.ident,
                            format!(
                                "`{}` has no status: add `#[http(status = 404)]` to it, or a default \
                                 `#[http(status = 500)]` to the enum",
                                variant.ident
                            ),
                        ),
                    );
                    continue;
                };
                let ident = &variant.ident;
                arms.push(quote!(Self::#ident { .. } => #status,));
                if !statuses
                    .iter()
                    .any(|s| s.base10_digits() == status.base10_digits())
                {
                    statuses.push(status);
                }
            }
            if let Some(e) = errors {
                return Err(e);
            }
            quote!(match self { #(#arms)* })
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "`#[derive(pico::HttpError)]` goes on an enum or a struct",
            ));
        }
    };
    Ok(implementation(input, &code, &statuses))
}

fn implementation(input: &DeriveInput, code: &TokenStream, statuses: &[LitInt]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let trait_path = quote_spanned!(ident.span()=> ::pico::ErrorStatus);
    quote! {
        impl #impl_generics #trait_path for #ident #ty_generics #where_clause {
            fn status(&self) -> ::pico::__private::StatusCode {
                #[allow(unreachable_code)]
                ::pico::__private::status(#code)
            }

            fn statuses() -> &'static [u16] {
                &[#(#statuses),*]
            }
        }
    }
}

fn combine(errors: &mut Option<syn::Error>, e: syn::Error) {
    match errors {
        Some(first) => first.combine(e),
        None => *errors = Some(e),
    }
}

/// The status of `#[http(status = N)]` among `attrs`, when there is one.
fn status_of(attrs: &[Attribute]) -> syn::Result<Option<LitInt>> {
    let mut found: Option<LitInt> = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("http")) {
        let usage = "`#[http(...)]` takes the status of the answer: `#[http(status = 404)]`";
        let mut status = None;
        attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("status") {
                return Err(meta.error(usage));
            }
            let value: LitInt = meta.value()?.parse()?;
            let code: u16 = value
                .base10_parse()
                .map_err(|_| syn::Error::new(value.span(), usage))?;
            if !(400..=599).contains(&code) {
                return Err(syn::Error::new(
                    value.span(),
                    "an error's status is a 4xx (the client's mistake) or a 5xx (the server's): 400 to 599",
                ));
            }
            status = Some(value);
            Ok(())
        })
        .map_err(|e| {
            if e.to_string().starts_with("expected") || e.to_string().starts_with("unexpected") {
                syn::Error::new(e.span(), usage)
            } else {
                e
            }
        })?;
        let Some(status) = status else {
            return Err(syn::Error::new_spanned(attr, usage));
        };
        if found.is_some() {
            return Err(syn::Error::new_spanned(
                attr,
                "one `#[http(status = ...)]` is enough: remove this one",
            ));
        }
        found = Some(status);
    }
    Ok(found)
}
