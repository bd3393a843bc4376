//! `#[derive(pico::HttpError)]`: a domain error type that chooses its HTTP
//! status with `#[http(status = N)]`, on the type (a default) and on
//! variants, and headers of its answer with `header("Retry-After", "5")`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{Attribute, Data, DeriveInput, LitInt, LitStr};

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
            let fallback = implementation(&input, &quote!(500), &[], &quote!(&[]));
            let e = e.to_compile_error();
            quote!(#e #fallback)
        }
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Http {
        status: default,
        headers: shared,
    } = http_of(&input.attrs)?;
    let mut statuses: Vec<LitInt> = Vec::new();
    let (code, headers) = match &input.data {
        Data::Struct(_) => {
            let Some(status) = default else {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "`#[derive(pico::HttpError)]` needs the status: add `#[http(status = 404)]` to the type",
                ));
            };
            statuses.push(status.clone());
            (quote!(#status), pairs(&shared, &[]))
        }
        Data::Enum(data) => {
            let mut errors: Option<syn::Error> = None;
            let mut arms = Vec::new();
            let mut header_arms = Vec::new();
            for variant in &data.variants {
                let (status, own_headers) = match http_of(&variant.attrs) {
                    Ok(own) => (own.status.or_else(|| default.clone()), own.headers),
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
                let variant_headers = pairs(&shared, &own_headers);
                header_arms.push(quote!(Self::#ident { .. } => #variant_headers,));
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
            (
                quote!(match self { #(#arms)* }),
                quote!(match self { #(#header_arms)* }),
            )
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "`#[derive(pico::HttpError)]` goes on an enum or a struct",
            ));
        }
    };
    Ok(implementation(input, &code, &statuses, &headers))
}

/// The type's headers, then the variant's, as a static slice of pairs.
fn pairs(shared: &[(LitStr, LitStr)], own: &[(LitStr, LitStr)]) -> TokenStream {
    let (names, values): (Vec<_>, Vec<_>) = shared.iter().chain(own).cloned().unzip();
    quote!(&[#((#names, #values)),*])
}

fn implementation(
    input: &DeriveInput,
    code: &TokenStream,
    statuses: &[LitInt],
    headers: &TokenStream,
) -> TokenStream {
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

            fn headers(&self) -> &'static [(&'static str, &'static str)] {
                #[allow(unreachable_code)]
                #headers
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

/// What the `#[http(...)]` attributes among some `attrs` say.
struct Http {
    status: Option<LitInt>,
    headers: Vec<(LitStr, LitStr)>,
}

const USAGE: &str = "`#[http(...)]` takes the status of the answer, and headers if any: \
                     `#[http(status = 503, header(\"Retry-After\", \"5\"))]`";

fn http_of(attrs: &[Attribute]) -> syn::Result<Http> {
    let mut found = Http {
        status: None,
        headers: Vec::new(),
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("http")) {
        let mut status = None;
        let headers_before = found.headers.len();
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("header") {
                found.headers.push(header(&meta)?);
                return Ok(());
            }
            if !meta.path.is_ident("status") {
                return Err(meta.error(USAGE));
            }
            let value: LitInt = meta.value()?.parse()?;
            let code: u16 = value
                .base10_parse()
                .map_err(|_| syn::Error::new(value.span(), USAGE))?;
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
                syn::Error::new(e.span(), USAGE)
            } else {
                e
            }
        })?;
        let Some(status) = status else {
            if found.headers.len() == headers_before {
                return Err(syn::Error::new_spanned(attr, USAGE));
            }
            continue;
        };
        if found.status.is_some() {
            return Err(syn::Error::new_spanned(
                attr,
                "one `#[http(status = ...)]` is enough: remove this one",
            ));
        }
        found.status = Some(status);
    }
    Ok(found)
}

/// `header("Name", "value")`, both checked here so that the answer never
/// has to leave one out.
fn header(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<(LitStr, LitStr)> {
    let content;
    syn::parenthesized!(content in meta.input);
    let name: LitStr = content.parse()?;
    content.parse::<syn::Token![,]>()?;
    let value: LitStr = content.parse()?;
    let _ = content.parse::<Option<syn::Token![,]>>()?;
    if !content.is_empty() {
        return Err(content.error(USAGE));
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    let text = name.value();
    if text.is_empty() || !text.chars().all(token) {
        return Err(syn::Error::new(
            name.span(),
            "a header's name is letters, digits and `-`: `\"Retry-After\"`",
        ));
    }
    if !value
        .value()
        .chars()
        .all(|c| c == '\t' || (' '..='~').contains(&c))
    {
        return Err(syn::Error::new(
            value.span(),
            "a header's value here is printable ASCII: `\"5\"`",
        ));
    }
    Ok((name, value))
}
