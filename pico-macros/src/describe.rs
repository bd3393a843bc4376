//! What `#[pico::api]` records of each function for the OpenAPI document
//! and the TypeScript declarations: the schemas of its parameters and
//! result, and its error's statuses (feature `openapi`).

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ast::function::Exposed;
use crate::attr::Source;

/// The schema probes of the functions described in one place (a module's
/// `module()`), each type's once: a probe is the costly part of a
/// description to compile, and a module names the same types again and
/// again. A probe takes the generator, so parameters and results share it.
#[derive(Default)]
pub(crate) struct Probes {
    /// Each probe's type, and that type as written.
    types: Vec<(String, syn::Type)>,
}

impl Probes {
    /// The probe of `ty`, made on first use.
    fn of(&mut self, ty: &syn::Type) -> syn::Ident {
        let key = quote!(#ty).to_string();
        let index = match self.types.iter().position(|(k, _)| *k == key) {
            Some(index) => index,
            None => {
                self.types.push((key, ty.clone()));
                self.types.len() - 1
            }
        };
        probe_name(index)
    }

    /// The probes, as items of the function whose body describes.
    pub(crate) fn items(&self) -> TokenStream {
        let generator = syn::Ident::new("__pico_generator", Span::mixed_site());
        let items = self.types.iter().enumerate().map(|(index, (_, ty))| {
            let name = probe_name(index);
            quote! {
                fn #name(
                    #generator: &mut ::pico::__private::SchemaGenerator,
                ) -> ::core::option::Option<::pico::__private::Schema> {
                    #[allow(unused_imports)]
                    use ::pico::__private::{Documented as _, Undocumented as _};
                    (&::pico::__private::TypeProbe::<#ty>::new()).schema(#generator)
                }
            }
        });
        quote!(#(#items)*)
    }
}

fn probe_name(index: usize) -> syn::Ident {
    syn::Ident::new(&format!("__pico_probe_{index}"), Span::mixed_site())
}

/// `.describe(...)`: how the OpenAPI document learns the schemas of the
/// function's parameters and result, and its error's statuses. A type
/// without `JsonSchema` is documented as any value, not refused.
pub(crate) fn describe(function: &Exposed, probes: &mut Probes) -> TokenStream {
    let generators = syn::Ident::new("__pico_generators", Span::mixed_site());
    // Parameters as a client sends them, results as the server writes them.
    let mut schema_of = |ty: &syn::Type, side: &str| {
        let probe = probes.of(ty);
        let side = syn::Ident::new(side, Span::call_site());
        quote!(#probe(&mut #generators.#side))
    };
    let params: Vec<TokenStream> = function
        .params
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| schema_of(&p.ty, "input"))
        .collect();
    let ty = &function.output.ty;
    let result = if let Some(stream) = &function.stream {
        match stream.item.as_ref().filter(|item| !mentions_impl(item)) {
            Some(item) => {
                let schema = schema_of(item, "output");
                quote!(::pico::__private::SuccessSchema::Events(#schema))
            }
            None => quote!(::pico::__private::SuccessSchema::Events(
                ::core::option::Option::None
            )),
        }
    } else if function.output.is_response {
        quote!(::pico::__private::SuccessSchema::Any)
    } else if mentions_impl(ty) {
        quote!(::pico::__private::SuccessSchema::Json(
            ::core::option::Option::None
        ))
    } else {
        let schema = schema_of(ty, "output");
        quote!(::pico::__private::SuccessSchema::Json(#schema))
    };
    let errors = match (&function.output.error, function.output.fallible) {
        (_, false) => quote!(::pico::__private::Errors::None),
        (Some(error), true) if !mentions_impl(error) => quote! {{
            #[allow(unused_imports)]
            use ::pico::__private::{KnownStatuses as _, OtherStatuses as _};
            (&::pico::__private::TypeProbe::<#error>::new()).error_statuses()
        }},
        // `io::Result<T>` and the like: not an error type of Pico's.
        (_, true) => quote!(::pico::__private::Errors::Internal),
    };
    let extractors = function
        .params
        .iter()
        .filter(|p| matches!(p.source, Some(Source::Extract)))
        .map(|p| {
            let ty = &p.ty;
            quote! {{
                #[allow(unused_imports)]
                use ::pico::__private::{DescribedExtractor as _, UndescribedExtractor as _};
                (&::pico::__private::TypeProbe::<#ty>::new()).extractor()
            }}
        });
    let declared = function
        .responses
        .iter()
        .filter_map(|status| status.base10_parse::<u16>().ok());
    let status = match function
        .status
        .as_ref()
        .and_then(|s| s.base10_parse::<u16>().ok())
    {
        Some(status) => quote!(::core::option::Option::Some(#status)),
        None => quote!(::core::option::Option::None),
    };
    let located = function.output.is_located;
    let validated = if cfg!(feature = "validate") {
        let probes = function
            .params
            .iter()
            .filter(|p| p.source.is_none() && crate::constraints::may_validate(&p.ty))
            .map(|p| {
                let ty = &p.ty;
                quote!((&::pico::__private::TypeProbe::<#ty>::new()).validates())
            });
        quote! {{
            #[allow(unused_imports)]
            use ::pico::__private::{DoesNotValidate as _, ValidatesItself as _};
            false #(|| #probes)*
        }}
    } else {
        quote!(false)
    };
    quote! {
        .describe(|#generators: &mut ::pico::__private::Generators| ::pico::__private::Description {
            params: ::std::vec![#(#params),*],
            result: #result,
            errors: #errors,
            extractors: ::std::vec![#(#extractors),*],
            declared: &[#(#declared),*],
            status: #status,
            located: #located,
            validated: #validated,
        })
    }
}

/// Whether a type is or holds an `impl Trait`, which cannot be named
/// outside the signature.
fn mentions_impl(ty: &syn::Type) -> bool {
    struct Finder(bool);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'a syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}
