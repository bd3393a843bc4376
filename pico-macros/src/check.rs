//! The rules an API module must follow, each reported on the user's tokens
//! with the way to fix it.

use std::collections::HashMap;

use syn::visit::Visit;
use syn::{FnArg, Item, ItemFn, ItemMod, Type};

use crate::attr;

/// Checks the module and its `#[expose]`d functions, before the macro
/// changes anything. Returns the positions of functions that repeat an
/// earlier name, to leave out of the output so that rustc does not report
/// them a second time.
pub(crate) fn module(module: &ItemMod, errors: &mut Vec<syn::Error>) -> Vec<usize> {
    let mut duplicates = Vec::new();
    let Some((_, items)) = &module.content else {
        return duplicates;
    };
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    for (position, item) in items.iter().enumerate() {
        if let Some(ident) = item_ident(item)
            && ident == "module"
        {
            errors.push(syn::Error::new_spanned(
                ident,
                "`#[pico::api]` generates the function `module()` here: rename this item",
            ));
        }
        let Item::Fn(function) = item else { continue };
        if !function.attrs.iter().any(|a| attr::is(a, "expose")) {
            continue;
        }
        let name = function.sig.ident.to_string();
        if let Some(first) = seen.get(&name) {
            let mut e = syn::Error::new_spanned(
                &function.sig.ident,
                format!(
                    "two exposed functions are named `{name}`: each needs its own name, which is its URL"
                ),
            );
            e.combine(syn::Error::new_spanned(
                first,
                format!("the first `{name}` is here"),
            ));
            errors.push(e);
            duplicates.push(position);
        } else {
            seen.insert(name, &function.sig.ident);
        }
        exposed(function, errors);
    }
    duplicates
}

pub(crate) fn exposed(function: &ItemFn, errors: &mut Vec<syn::Error>) {
    let sig = &function.sig;
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            unsafety,
            "an exposed function cannot be `unsafe`: requests cannot uphold its contract; expose a safe wrapper",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "an exposed function is a Rust function: remove the `extern`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "an exposed function cannot be generic: Pico reads each argument into a concrete type; \
             expose a function with concrete types that calls this one",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "an exposed function cannot be variadic",
        ));
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "an exposed function cannot take `self`: Pico calls it with the request's arguments only; \
                 expose a free function that calls the method",
            )),
            FnArg::Typed(typed) if typed.attrs.iter().any(|a| attr::is(a, "state")) => {
                state_type(&typed.ty, errors);
            }
            FnArg::Typed(typed) => param_type(&typed.ty, errors),
        }
    }
}

/// A `#[state]` value is shared: borrowed (`&T`) or a clone (`T`), never
/// `&mut`.
fn state_type(ty: &Type, errors: &mut Vec<syn::Error>) {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => errors.push(syn::Error::new_spanned(
            r,
            "a `#[state]` value is shared by every request, so it cannot be `&mut`: take `&T`, and put \
             what changes behind a `Mutex` or an atomic",
        )),
        Type::Reference(r) => param_type(&r.elem, errors),
        other => param_type(other, errors),
    }
}

/// A parameter's type must be owned and concrete.
fn param_type(ty: &Type, errors: &mut Vec<syn::Error>) {
    struct Finder<'a>(&'a mut Vec<syn::Error>);

    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            self.0.push(syn::Error::new_spanned(
                r,
                "an exposed function's parameters must own their values (`String` rather than `&str`, \
                 `Vec<T>` rather than `&[T]`): arguments are read from the request; a value the app shares \
                 is a `#[state]` parameter (`#[state] store: &Store`)",
            ));
        }

        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            self.0.push(syn::Error::new_spanned(
                t,
                "an exposed function cannot take `impl Trait`: Pico reads each argument into a concrete type; \
                 name the type",
            ));
        }
    }

    Finder(errors).visit_type(ty);
}

fn item_ident(item: &Item) -> Option<&syn::Ident> {
    match item {
        Item::Fn(i) => Some(&i.sig.ident),
        Item::Const(i) => Some(&i.ident),
        Item::Static(i) => Some(&i.ident),
        Item::Struct(i) => Some(&i.ident),
        Item::Enum(i) => Some(&i.ident),
        Item::Mod(i) => Some(&i.ident),
        Item::Type(i) => Some(&i.ident),
        Item::Trait(i) => Some(&i.ident),
        _ => None,
    }
}
