//! `ErrorStatus`: a domain error that chooses its own HTTP status, which is
//! what `#[derive(pico::HttpError)]` implements, and how a function's
//! returned error finds its way to a [`Failure`].

use std::cell::Cell;
use std::error::Error as StdError;

use http::StatusCode;

use crate::errors::failure::{Failure, Location};
use crate::errors::http_error::HttpError;

/// An error type of a domain (`NoteError::NotFound`) that knows its HTTP
/// status, so that a function can return `Result<T, NoteError>` as it is.
///
/// A 4xx error is the client's: its `Display` text is the message the
/// client reads. A 5xx error is the server's: the client reads its status's
/// generic message, while the `Display` text and the `source()` chain go to
/// the log, to `__debug__` in debug mode, and to Sentry.
///
/// Derive it with `#[derive(pico::HttpError)]` and `#[http(status = N)]`
/// on the type (a default) or on each variant; `thiserror` writes the
/// `Display` and `Error` it needs.
pub trait ErrorStatus: StdError + Send + Sync + 'static {
    /// The status of the answer; one outside 400..=599 is taken as 500.
    fn status(&self) -> StatusCode;

    /// Every status [`status`](Self::status) may give, for the OpenAPI
    /// document; empty when unknown (then any 4xx or 5xx is documented).
    /// `#[derive(pico::HttpError)]` lists them.
    fn statuses() -> &'static [u16]
    where
        Self: Sized,
    {
        &[]
    }

    /// Headers of the answer, as `(name, value)`: `Retry-After` on a 503.
    /// `#[derive(pico::HttpError)]` takes them from
    /// `#[http(header("Retry-After", "5"))]`.
    fn headers(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// An error type an exposed function can return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error of an exposed function",
    label = "this error type is neither `pico::HttpError`, nor derives it, nor implements `std::error::Error`",
    note = "return `pico::HttpError`, add `#[derive(pico::HttpError)]` with `#[http(status = ...)]`, \
            or implement `std::error::Error` (a 500)"
)]
pub trait ReturnableError: Into<Box<dyn StdError + Send + Sync>> + 'static {}

impl<E: Into<Box<dyn StdError + Send + Sync>> + 'static> ReturnableError for E {}

impl Failure {
    /// A returned error with a status of its own: a 4xx is the client's, an
    /// [`HttpError`] with the error's `Display` text as its message; a 5xx
    /// is internal, with that status.
    pub fn from_status_error<E: ErrorStatus>(error: E, at: Option<Location>) -> Self {
        let status = HttpError::new(error.status()).status();
        let headers = error.headers();
        if status.is_client_error() {
            let answer = HttpError::new(status).with_message(error.to_string());
            return Failure::http(
                headers
                    .iter()
                    .fold(answer, |e, (name, value)| e.with_header(*name, *value)),
            );
        }
        let mut failure = Failure::from_error(error, at);
        failure.set_status(status, headers);
        failure
    }
}

/// A returned error on its way to a [`Failure`]: the method call
/// `(&Returned::new(e)).take_failure(at)` finds [`ByStatus`] when the error
/// has a status of its own and falls back to [`ByError`] otherwise (the
/// method lookup tries `&Returned` before `&&Returned`).
pub struct Returned<E>(Cell<Option<E>>);

impl<E> std::fmt::Debug for Returned<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Returned")
    }
}

impl<E> Returned<E> {
    /// Wraps the error.
    pub fn new(error: E) -> Self {
        Returned(Cell::new(Some(error)))
    }

    fn take(&self) -> Option<E> {
        self.0.take()
    }
}

fn gone() -> Failure {
    Failure::internal("pico", "a returned error was taken twice".to_owned())
}

/// A returned error with a status of its own.
pub trait ByStatus {
    /// The failure it is.
    fn take_failure(&self, at: Option<Location>) -> Failure;
}

impl<E: ErrorStatus> ByStatus for Returned<E> {
    fn take_failure(&self, at: Option<Location>) -> Failure {
        self.take()
            .map_or_else(gone, |e| Failure::from_status_error(e, at))
    }
}

/// Any other returned error: an `HttpError` as it is, anything else a 500.
pub trait ByError<E> {
    /// The failure it is.
    fn take_failure(&self, at: Option<Location>) -> Failure
    where
        E: ReturnableError;
}

impl<E> ByError<E> for &Returned<E> {
    fn take_failure(&self, at: Option<Location>) -> Failure
    where
        E: ReturnableError,
    {
        self.take().map_or_else(gone, |e| Failure::from_error(e, at))
    }
}
