//! What `#[pico::api]` records of each function for the OpenAPI document
//! and the TypeScript declarations: the schemas of its parameters and
//! result, and its error's statuses (feature `openapi`).

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ast::Exposed;

/// `.describe(...)`: how the OpenAPI document learns the schemas of the
/// function's parameters and result, and its error's statuses. A type
/// without `JsonSchema` is documented as any value, not refused.
pub(crate) fn describe(function: &Exposed) -> TokenStream {
    let generators = syn::Ident::new("__pico_generators", Span::mixed_site());
    // Parameters as a client sends them, results as the server writes them.
    let schema_of = |ty: &syn::Type, side: &str| {
        let side = syn::Ident::new(side, Span::call_site());
        quote! {{
            #[allow(unused_imports)]
            use ::pico::__private::{Documented as _, Undocumented as _};
            (&::pico::__private::TypeProbe::<#ty>::new()).schema(&mut #generators.#side)
        }}
    };
    let params = function
        .params
        .iter()
        .filter(|p| p.source.is_none())
        .map(|p| schema_of(&p.ty, "input"));
    let ty = &function.output.ty;
    let result = if let Some(stream) = &function.stream {
        match stream.item.as_ref().filter(|item| !mentions_impl(item)) {
            Some(item) => {
                let schema = schema_of(item, "output");
                quote!(::pico::__private::Answer::Events(#schema))
            }
            None => quote!(::pico::__private::Answer::Events(::core::option::Option::None)),
        }
    } else if function.output.is_response {
        quote!(::pico::__private::Answer::Any)
    } else if mentions_impl(ty) {
        quote!(::pico::__private::Answer::Json(::core::option::Option::None))
    } else {
        let schema = schema_of(ty, "output");
        quote!(::pico::__private::Answer::Json(#schema))
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
    quote! {
        .describe(|#generators: &mut ::pico::__private::Generators| ::pico::__private::Description {
            params: ::std::vec![#(#params),*],
            result: #result,
            errors: #errors,
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
