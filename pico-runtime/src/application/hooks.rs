//! `Hooks`: what an app does before and after every handler, and how it
//! turns failures into responses; and `Mixin`, hooks that wrap others. The
//! two traits name each other, so they share this file; how mixins stack
//! is `mixin_stack.rs`'s.

use axum::response::Response;
use serde_json::{Map, Value};

use crate::dispatch::args::Args;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;

/// App-wide hooks, each with a default; implement only those you need and
/// set them with [`App::hooks`](crate::App::hooks).
///
/// Per request, in this order: `prehandle`, the module's `#[prehandle]`,
/// the argument check, the function's `#[protected]` check, the function;
/// then `handle_exception` if anything failed; then `posthandle`, whatever
/// happened. A request refused before it reaches a function (an unknown
/// path, a method, host or origin not allowed) gets `handle_exception` and
/// `posthandle` only. A panic in a hook is handled like a panic in a
/// function.
///
/// ```
/// use pico::{Args, Failure, HttpError, Request, Response};
///
/// struct Auth;
///
/// impl pico::Hooks for Auth {
///     fn prehandle(&self, request: &mut Request, _args: &mut Args) -> Result<(), Failure> {
///         match request.token() {
///             Some("let-me-in") => Ok(request.set("user", "admin")),
///             _ => Err(HttpError::unauthorized().into()),
///         }
///     }
///
///     fn posthandle(&self, _request: &Request, response: &mut Response) {
///         response.headers_mut().insert("x-served-by", "pico".parse().unwrap());
///     }
/// }
///
/// let app = pico::App::new().hooks(Auth);
/// ```
pub trait Hooks: Send + Sync {
    /// Runs before every function of the app: may read and change the
    /// request (store a user) and the arguments (remove a token), or fail.
    ///
    /// # Errors
    /// A failure answers the request instead of the function.
    fn prehandle(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
        let _ = (request, args);
        Ok(())
    }

    /// Runs after every function call and after error handling, also when
    /// the function failed or panicked, and on every error answer given
    /// before a function was reached (no route, a method or an origin
    /// refused); may change the response.
    fn posthandle(&self, request: &Request, response: &mut Response) {
        let _ = (request, response);
    }

    /// Turns a failure into the response. `extra` keys join the JSON body.
    /// Internal errors have already been logged when this runs. Refusals
    /// before routing come here too, with an empty
    /// [`Request::function`](crate::Request::function).
    fn handle_exception(&self, failure: &Failure, request: &Request, extra: Map<String, Value>) -> Response {
        failure.to_response(request, &extra)
    }

    /// The mixins composed around these hooks, outermost first. Written by
    /// `#[pico::mixin(...)]` and `#[pico::sentry_mixin]` on the `impl`;
    /// rarely by hand.
    fn mixins(&self) -> Vec<Box<dyn Mixin>> {
        Vec::new()
    }
}

/// The hooks of an app that sets none.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoHooks;

impl Hooks for NoHooks {}

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
