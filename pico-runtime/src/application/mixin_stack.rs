//! How mixins stack: reusable hooks, such as error reporting to Sentry,
//! wrapped around an app's own hooks the way a Python mixin wraps its class
//! with `super()`. The `Mixin` trait is in `hooks.rs`: it and `Hooks` name
//! each other, and one file keeps them out of an import circle.

use axum::response::Response;
use serde_json::{Map, Value};

use crate::application::hooks::{Hooks, Mixin};
use crate::dispatch::args::Args;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;

/// An app's hooks with the mixins composed around them.
pub(crate) struct MixinStack {
    mixins: Vec<Box<dyn Mixin>>,
    inner: Box<dyn Hooks>,
}

impl MixinStack {
    pub(crate) fn new(inner: Box<dyn Hooks>, mut outer: Vec<Box<dyn Mixin>>) -> MixinStack {
        outer.extend(inner.mixins());
        MixinStack { mixins: outer, inner }
    }

    /// Whether a mixin is composed: without one, and without hooks of the
    /// app's own, an error's answer is the standard one.
    pub(crate) fn has_mixins(&self) -> bool {
        !self.mixins.is_empty()
    }

    pub(crate) fn wants_backtraces(&self) -> bool {
        self.mixins.iter().any(|m| m.wants_backtraces())
    }

    fn top(&self) -> Layer<'_> {
        Layer {
            mixins: &self.mixins,
            inner: &*self.inner,
        }
    }
}

/// The stack from one mixin inwards: what that mixin calls `next`.
struct Layer<'a> {
    mixins: &'a [Box<dyn Mixin>],
    inner: &'a dyn Hooks,
}

impl Hooks for Layer<'_> {
    fn prehandle(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
        match self.mixins.split_first() {
            Some((mixin, rest)) => mixin.prehandle(
                request,
                args,
                &Layer {
                    mixins: rest,
                    inner: self.inner,
                },
            ),
            None => self.inner.prehandle(request, args),
        }
    }

    fn posthandle(&self, request: &Request, response: &mut Response) {
        match self.mixins.split_first() {
            Some((mixin, rest)) => mixin.posthandle(
                request,
                response,
                &Layer {
                    mixins: rest,
                    inner: self.inner,
                },
            ),
            None => self.inner.posthandle(request, response),
        }
    }

    fn handle_exception(&self, failure: &Failure, request: &Request, extra: Map<String, Value>) -> Response {
        match self.mixins.split_first() {
            Some((mixin, rest)) => mixin.handle_exception(
                failure,
                request,
                extra,
                &Layer {
                    mixins: rest,
                    inner: self.inner,
                },
            ),
            None => self.inner.handle_exception(failure, request, extra),
        }
    }
}

impl Hooks for MixinStack {
    fn prehandle(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
        self.top().prehandle(request, args)
    }

    fn posthandle(&self, request: &Request, response: &mut Response) {
        self.top().posthandle(request, response);
    }

    fn handle_exception(&self, failure: &Failure, request: &Request, extra: Map<String, Value>) -> Response {
        self.top().handle_exception(failure, request, extra)
    }
}
