//! `Hooks`: what an app does before and after every handler, and how it
//! turns failures into responses.

use axum::response::Response;
use serde_json::{Map, Value};

use crate::args::Args;
use crate::failure::Failure;
use crate::mixin::Mixin;
use crate::request::Request;

/// App-wide hooks, each with a default; implement only those you need and
/// set them with [`App::hooks`](crate::App::hooks).
///
/// Per request, in this order: `prehandle`, the module's `#[prehandle]`,
/// the argument check, the function's `#[protected]` check, the function;
/// then `handle_exception` if anything failed; then `posthandle`, whatever
/// happened. A panic in a hook is handled like a panic in a function.
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
///             _ => Err(HttpError::unauthorized_without_challenge().into()),
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
    /// the function failed or panicked; may change the response.
    fn posthandle(&self, request: &Request, response: &mut Response) {
        let _ = (request, response);
    }

    /// Turns a failure into the response. `extra` keys join the JSON body.
    /// Internal errors have already been logged when this runs.
    fn handle_exception(&self, failure: &Failure, request: &Request, extra: Map<String, Value>) -> Response {
        failure.to_response(request.debug(), &extra)
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
