//! The errors of one macro call, gathered while its input is read and
//! checked, and given back as one at the end (as serde_derive does): the
//! user sees every mistake of a module in one build, each at its tokens.

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

pub(crate) struct Ctxt {
    // Shared rather than `&mut`: the reading holds the context while it
    // takes the user's items apart. `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Ctxt {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// An error that points at `tokens`.
    pub(crate) fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.syn_error(syn::Error::new_spanned(tokens, message));
    }

    /// An error that points at `span`.
    pub(crate) fn error_at<M: Display>(&self, span: Span, message: M) {
        self.syn_error(syn::Error::new(span, message));
    }

    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("no error is added once the errors are checked")
            .push(error);
    }

    /// Every error, in the order found, as one: each is still reported on
    /// its own tokens.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self
            .errors
            .borrow_mut()
            .take()
            .expect("the errors are checked once");
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // A path that forgets to check would drop the user's errors
        // silently: a bug of ours, loud in every test.
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("the errors of a macro call were not checked");
        }
    }
}
