//! Mixins: reusable hooks, such as error reporting to Sentry, that wrap an
//! app's own hooks the way a Python mixin wraps its class with `super()`.

use axum::response::Response;
use serde_json::{Map, Value};

use crate::args::Args;
use crate::failure::Failure;
use crate::hooks::Hooks;
use crate::request::Request;

/// A mixin: hooks that do their part and then hand over to `next`, the
/// rest of the stack (the mixins inside this one, then the app's own
/// hooks). Each method's default only hands over.
///
/// Compose mixins into an app with an attribute on its hooks,
/// `#[pico::mixin(expr)]` (or `#[pico::sentry_mixin]`), or with
/// [`App::mixin`](crate::App::mixin). The first one listed is the outermost:
/// its `prehandle` runs first and its `handle_exception` sees a failure
/// first.
///
/// ```
/// use pico::{Args, Failure, Hooks, Mixin, Request, Response};
/// use serde_json::{Map, Value};
///
/// /// Counts failures and tells the client which one this was.
/// #[derive(Default)]
/// struct Counter(std::sync::atomic::AtomicU64);
///
/// impl Mixin for Counter {
///     fn handle_exception(
///         &self,
///         failure: &Failure,
///         request: &Request,
///         mut extra: Map<String, Value>,
///         next: &dyn Hooks,
///     ) -> Response {
///         let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         extra.insert("failure_number".into(), n.into());
///         next.handle_exception(failure, request, extra)
///     }
/// }
///
/// struct App;
///
/// #[pico::mixin(Counter::default())]
/// impl Hooks for App {}
/// ```
pub trait Mixin: Send + Sync + 'static {
    /// Before every function; hand over to `next` to go on.
    ///
    /// # Errors
    /// A failure answers the request instead of the function.
    fn prehandle(&self, request: &mut Request, args: &mut Args, next: &dyn Hooks) -> Result<(), Failure> {
        next.prehandle(request, args)
    }

    /// After every function call and its error handling.
    fn posthandle(&self, request: &Request, response: &mut Response, next: &dyn Hooks) {
        next.posthandle(request, response);
    }

    /// Turns a failure into the response; `extra` keys join the JSON body.
    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        extra: Map<String, Value>,
        next: &dyn Hooks,
    ) -> Response {
        next.handle_exception(failure, request, extra)
    }

    /// Whether this mixin wants the stack trace of every panic (which costs
    /// a backtrace per panic), not only in debug mode.
    fn wants_backtraces(&self) -> bool {
        false
    }
}

/// An app's hooks with the mixins composed around them.
pub(crate) struct Stack {
    mixins: Vec<Box<dyn Mixin>>,
    inner: Box<dyn Hooks>,
}

impl Stack {
    pub(crate) fn new(inner: Box<dyn Hooks>, mut outer: Vec<Box<dyn Mixin>>) -> Stack {
        outer.extend(inner.mixins());
        Stack { mixins: outer, inner }
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

impl Hooks for Stack {
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
