//! Reading `#[pico::api]`: its argument, the item it is on, and the items
//! of the module: the exposed functions, the prehandle, the names taken,
//! and pico's attributes where they do nothing.

use proc_macro2::TokenStream;
use syn::{Attribute, Ident, Item, ItemMod};

use super::function::Exposed;
use super::{Place, Prehandle, Stray, take_strays};
use crate::attr;
use crate::ctxt::Ctxt;

/// What `#[pico::api(...)]` was given.
pub(crate) struct ApiInput {
    pub(crate) arg: ApiArg,
    pub(crate) item: ApiItem,
}

/// The attribute's argument.
pub(crate) enum ApiArg {
    None,
    /// One word: `client`, or a mistake.
    Word(Ident),
    /// Anything longer.
    Other(TokenStream),
}

/// The item the attribute is on.
pub(crate) enum ApiItem {
    /// An inline module, read, pico's attributes taken off its items.
    Module(ItemMod, Api),
    /// `mod name;`, whose file the attribute cannot see.
    Bodiless(ItemMod),
    Other(Item),
}

/// A module with the functions it exposes.
pub(crate) struct Api {
    pub(crate) name: Ident,
    pub(crate) doc: Option<String>,
    pub(crate) functions: Vec<Exposed>,
    /// Where each of `functions` stands among the module's items.
    pub(crate) positions: Vec<usize>,
    /// Every function marked `#[prehandle]`, in order.
    pub(crate) prehandles: Vec<Prehandle>,
    /// The names the module's items take, beside which the macro adds
    /// `module()`.
    pub(crate) names: Vec<Ident>,
    /// Pico's attributes on the module's items outside exposed functions.
    pub(crate) strays: Vec<Stray>,
}

impl ApiInput {
    /// `None` when the input is not an item at all: syn's error is in `cx`.
    pub(crate) fn from_tokens(args: TokenStream, input: TokenStream, cx: &Ctxt) -> Option<ApiInput> {
        let arg = if args.is_empty() {
            ApiArg::None
        } else {
            match syn::parse2::<Ident>(args.clone()) {
                Ok(word) => ApiArg::Word(word),
                Err(_) => ApiArg::Other(args),
            }
        };
        let item = match syn::parse2::<Item>(input) {
            Ok(Item::Mod(mut module)) if module.content.is_some() => {
                let api = Api::from_syn(&mut module, cx);
                ApiItem::Module(module, api)
            }
            Ok(Item::Mod(module)) => ApiItem::Bodiless(module),
            Ok(other) => ApiItem::Other(other),
            Err(e) => {
                cx.syn_error(e);
                return None;
            }
        };
        Some(ApiInput { arg, item })
    }
}

impl ApiArg {
    /// Whether typed client stubs are asked for, and can be made.
    pub(crate) fn wants_stubs(&self) -> bool {
        matches!(self, ApiArg::Word(word) if word == "client") && cfg!(feature = "client")
    }
}

impl Api {
    fn from_syn(module: &mut ItemMod, cx: &Ctxt) -> Api {
        let mut api = Api {
            name: module.ident.clone(),
            doc: attr::doc(&module.attrs),
            functions: Vec::new(),
            positions: Vec::new(),
            prehandles: Vec::new(),
            names: Vec::new(),
            strays: Vec::new(),
        };
        let Some((_, items)) = &mut module.content else {
            return api;
        };
        for (position, item) in items.iter_mut().enumerate() {
            if let Some(name) = item_name(item) {
                api.names.push(name.clone());
            }
            if let Item::Impl(block) = item {
                methods(block, &mut api.strays);
            }
            let Item::Fn(function) = item else {
                if let Some(attrs) = item_attrs(item) {
                    take_strays(attrs, &[], || Place::Item, &mut api.strays);
                }
                continue;
            };
            if let Some(prehandle) = take(&mut function.attrs, "prehandle") {
                if let Err(e) = attr::no_args(&prehandle, "prehandle") {
                    cx.syn_error(e);
                }
                api.prehandles.push(Prehandle {
                    ident: function.sig.ident.clone(),
                    by_attribute: true,
                });
            }
            match take(&mut function.attrs, "expose") {
                Some(expose) => {
                    if let Err(e) = attr::no_args(&expose, "expose") {
                        cx.syn_error(e);
                    }
                    api.functions.push(Exposed::from_syn(function, cx));
                    api.positions.push(position);
                }
                None => take_strays(&mut function.attrs, &[], || Place::Function, &mut api.strays),
            }
        }
        api
    }
}

/// Removes the attribute `name` (or `pico::name`) from `attrs`.
fn take(attrs: &mut Vec<Attribute>, name: &str) -> Option<Attribute> {
    let index = attrs
        .iter()
        .position(|a| attr::is(a, name) || attr::is_pico(a, name))?;
    Some(attrs.remove(index))
}

/// Pico's attributes on the methods of an `impl` block of the module,
/// which pico does not expose.
fn methods(block: &mut syn::ItemImpl, strays: &mut Vec<Stray>) {
    for item in &mut block.items {
        let syn::ImplItem::Fn(method) = item else { continue };
        let name = method.sig.ident.clone();
        // Spelled `#[pico::expose]` too, which `take_strays` would leave:
        // exposing a method is the mistake to name, however it is written.
        method.attrs.retain(|a| {
            if !(attr::is(a, "expose") || attr::is_pico(a, "expose")) {
                return true;
            }
            strays.push(Stray {
                attr: a.clone(),
                place: Place::Method(name.clone()),
            });
            false
        });
        take_strays(&mut method.attrs, &[], || Place::Method(name.clone()), strays);
    }
}

fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

/// The name an item takes in the module's namespace of values and types.
fn item_name(item: &Item) -> Option<&Ident> {
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
