//! What the code `#[pico::api]` generates calls: reading each parameter
//! (from the client, the request, the app's state), running `#[protected]`
//! checks and prehandles, and the traits whose `on_unimplemented` messages
//! say what to do when a user's function does not fit.

use std::sync::Arc;

use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dispatch::args::{Args, Argument, missing_parameters};
use crate::dispatch::arguments::Arguments;
use crate::dispatch::context::Context;
use crate::dispatch::extract::Extraction;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;
use crate::respond::response::{Outcome, Reply};

/// What generated code reads a client's values from: a function's
/// context, or a plain function's [`Arguments`].
pub trait ArgumentSource {
    /// Removes the argument `name` as `T`; `Ok(None)` when it was not
    /// sent, or, with `unless_null`, sent as `null`.
    ///
    /// # Errors
    /// A 400 naming the argument when its value does not fit `T`.
    fn remove_argument<T: Argument>(&mut self, name: &str, unless_null: bool)
    -> Result<Option<T>, HttpError>;
}

impl ArgumentSource for Context {
    fn remove_argument<T: Argument>(
        &mut self,
        name: &str,
        unless_null: bool,
    ) -> Result<Option<T>, HttpError> {
        match unless_null {
            true => self.args.remove_unless_null(name),
            false => self.args.remove(name),
        }
    }
}

impl ArgumentSource for Arguments<'_> {
    fn remove_argument<T: Argument>(
        &mut self,
        name: &str,
        unless_null: bool,
    ) -> Result<Option<T>, HttpError> {
        self.remove(name, unless_null)
    }
}

/// A required parameter. The argument check has already refused requests
/// without it, so absence here is only a defence.
pub fn arg<T: Argument>(cx: &mut impl ArgumentSource, name: &'static str) -> Result<T, Failure> {
    match cx.remove_argument(name, false)? {
        Some(value) => Ok(value),
        None => Err(HttpError::bad_request()
            .with_message(missing_parameters(&[name]))
            .into()),
    }
}

/// A parameter with a default.
pub fn arg_or<T: Argument>(
    cx: &mut impl ArgumentSource,
    name: &'static str,
    default: impl FnOnce() -> T,
) -> Result<T, Failure> {
    Ok(cx.remove_argument(name, true)?.unwrap_or_else(default))
}

/// A default as the definition shows it.
pub fn default_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The future of an async function, boxed for the thunk.
pub fn pending<F>(future: F) -> Outcome
where
    F: std::future::Future<Output = Result<Reply, Failure>> + Send + 'static,
{
    Outcome::Pending(Box::pin(future))
}

/// A `#[state]` parameter's value. The app checked at start-up that it has
/// every type its functions take, so absence here is only a defence.
pub fn state<T: Send + Sync + 'static>(cx: &Context) -> Result<Arc<T>, Failure> {
    cx.request.app_state().shared::<T>().ok_or_else(|| {
        Failure::internal(
            "state",
            format!("the app has no state of type `{}`", std::any::type_name::<T>()),
        )
    })
}

/// A `#[state]` parameter taken by value: a clone of the shared value.
#[diagnostic::on_unimplemented(
    message = "`#[state]` takes `{Self}` by value, as a clone of the shared value, but `{Self}` is not `Clone`",
    label = "each call would get its own clone of this",
    note = "take `&{Self}` to borrow the shared value, `std::sync::Arc<{Self}>` to keep it past the call \
            (in a stream, say), or derive `Clone` on `{Self}`"
)]
pub trait StateByValue: Sized {
    /// The clone.
    fn by_value(shared: &Self) -> Self;
}

impl<T: Clone> StateByValue for T {
    fn by_value(shared: &Self) -> Self {
        shared.clone()
    }
}

/// What `#[from_request]` extractors run on.
pub fn extraction(cx: &Context) -> Extraction {
    Extraction::new(cx.request.parts().clone(), Arc::clone(cx.request.shared_state()))
}

/// A status as `#[http(status = N)]` wrote it (checked by the derive).
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The last segment of `module_path!()`: a file module's name.
pub fn module_name(path: &'static str) -> &'static str {
    path.rsplit("::").next().unwrap_or(path)
}

/// `#[blocking]`: a place among the app's blocking calls, or a 503.
pub fn blocking_slot(cx: &Context) -> Result<crate::dispatch::blocking::BlockingSlot, Failure> {
    cx.blocking.take()
}

/// `#[request_args(req)]`: the request itself.
pub fn request(cx: &Context) -> Request {
    cx.request.clone()
}

/// `#[request_args(ip = remote_addr)]` and `#[request_args(user = "user")]`:
/// a request attribute or a stored value, as the parameter's type.
pub fn request_attribute<T: DeserializeOwned>(cx: &Context, name: &'static str) -> Result<T, Failure> {
    let value = cx.request.attribute(name);
    T::deserialize(value).map_err(|e| {
        Failure::internal(
            "request_args",
            format!("the request attribute `{name}` does not fit the parameter: {e}"),
        )
    })
}

/// A function of the request, for `#[request_args(user = current_user)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a parameter from the request",
    label = "expected a function `fn(&pico::Request) -> Result<T, E>`",
    note = "`#[request_args(name = f)]` calls `f(&request)`; its `Ok` value must be the parameter's type"
)]
pub trait RequestFn<T> {
    /// Calls it.
    fn call(&self, request: &Request) -> Result<T, Failure>;
}

impl<F, T, E> RequestFn<T> for F
where
    F: Fn(&Request) -> Result<T, E>,
    E: Into<Failure>,
{
    fn call(&self, request: &Request) -> Result<T, Failure> {
        self(request).map_err(Into::into)
    }
}

/// `#[request_args(user = current_user)]`.
pub fn request_fn<T, F: RequestFn<T>>(cx: &Context, f: &F) -> Result<T, Failure> {
    f.call(&cx.request)
}

/// What a `#[protected]` check may answer: `true`/`false` (403), or a
/// `Result` whose error is the response.
#[diagnostic::on_unimplemented(
    message = "a `#[protected]` check cannot return `{Self}`",
    label = "expected `bool`, `Result<(), E>` or `Result<bool, E>`",
    note = "a check is `fn(&pico::Request, &pico::Args) -> bool` (or a `Result`): `false` refuses with 403"
)]
pub trait Verdict {
    /// `Ok` to go on.
    fn verdict(self) -> Result<(), Failure>;
}

impl Verdict for bool {
    fn verdict(self) -> Result<(), Failure> {
        if self {
            Ok(())
        } else {
            Err(HttpError::forbidden().into())
        }
    }
}

impl<E: Into<Failure>> Verdict for Result<(), E> {
    fn verdict(self) -> Result<(), Failure> {
        self.map_err(Into::into)
    }
}

impl<E: Into<Failure>> Verdict for Result<bool, E> {
    fn verdict(self) -> Result<(), Failure> {
        self.map_err(Into::into)?.verdict()
    }
}

/// A `#[protected]` check.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[protected]` check",
    label = "expected a function `fn(&pico::Request, &pico::Args) -> bool`",
    note = "a check is `fn(&pico::Request, &pico::Args)` returning `bool`, `Result<(), E>` or `Result<bool, E>`"
)]
pub trait Check {
    /// Runs it.
    fn check(&self, request: &Request, args: &Args) -> Result<(), Failure>;
}

impl<F, V> Check for F
where
    F: Fn(&Request, &Args) -> V,
    V: Verdict,
{
    fn check(&self, request: &Request, args: &Args) -> Result<(), Failure> {
        self(request, args).verdict()
    }
}

/// Runs a `#[protected]` check.
pub fn protect<C: Check>(cx: &Context, check: &C) -> Result<(), Failure> {
    check.check(&cx.request, &cx.args)
}

/// What a module's `#[prehandle]` may answer: nothing, or a `Result`.
#[diagnostic::on_unimplemented(
    message = "a `#[prehandle]` cannot return `{Self}`",
    label = "expected `()` or `Result<(), E>`",
    note = "a prehandle is `fn(&mut pico::Request, &mut pico::Args)` returning `()` or `Result<(), E>`"
)]
pub trait HookOutcome {
    /// `Ok` to go on.
    fn outcome(self) -> Result<(), Failure>;
}

impl HookOutcome for () {
    fn outcome(self) -> Result<(), Failure> {
        Ok(())
    }
}

impl<E: Into<Failure>> HookOutcome for Result<(), E> {
    fn outcome(self) -> Result<(), Failure> {
        self.map_err(Into::into)
    }
}

/// A module's `#[prehandle]` function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[prehandle]`",
    label = "expected `fn(&mut pico::Request, &mut pico::Args)`",
    note = "a prehandle is `fn(&mut pico::Request, &mut pico::Args)` returning `()` or `Result<(), E>`"
)]
pub trait PrehandleFn {
    /// Runs it.
    fn run(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure>;
}

impl<F, R> PrehandleFn for F
where
    F: Fn(&mut Request, &mut Args) -> R,
    R: HookOutcome,
{
    fn run(&self, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
        self(request, args).outcome()
    }
}

/// Runs a module's `#[prehandle]`.
pub fn prehandle<P: PrehandleFn>(f: &P, request: &mut Request, args: &mut Args) -> Result<(), Failure> {
    f.run(request, args)
}

/// One argument of a typed client stub.
///
/// # Errors
/// When the value does not serialise.
#[cfg(feature = "client")]
pub fn client_arg<T: Serialize + ?Sized>(
    args: &mut serde_json::Map<String, serde_json::Value>,
    name: &'static str,
    value: &T,
) -> Result<(), crate::client::Error> {
    let value = serde_json::to_value(value).map_err(|e| crate::client::Error::Decode(e.to_string()))?;
    args.insert(name.to_owned(), value);
    Ok(())
}

/// The path of a route, under a client's root (`links/abc` of
/// `/links/{slug}`): each placeholder its argument, a string as it is and
/// anything else as JSON, percent-encoded into one segment.
#[cfg(feature = "client")]
pub fn route_path(template: &str, args: &serde_json::Map<String, serde_json::Value>) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 3986's unreserved characters stay as they are.
    const SEGMENT: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let segments = template.trim_start_matches('/').split('/').map(|segment| {
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            return segment.to_owned();
        };
        let text = match args.get(name) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(value) => value.to_string(),
            None => String::new(),
        };
        utf8_percent_encode(&text, SEGMENT).to_string()
    });
    segments.collect::<Vec<_>>().join("/")
}
