//! `Failure`: every way a request can fail, and what the client hears of
//! each (the standard body itself is written in `error_body.rs`).

use std::borrow::Cow;
use std::error::Error as StdError;

use axum::response::Response;
use http::StatusCode;
use serde_json::{Map, Value};

use crate::dispatch::request::Request;
use crate::errors::error_body::{DebugDetails, error_response};
use crate::errors::http_error::HttpError;
use crate::errors::panic::Caught;
use crate::errors::problem::Shape;
use crate::errors::trace::{self, Frame};

/// A failed request: an [`HttpError`] for the client, or an internal error
/// (a panic, or any other error) that the client only hears of as a 500.
///
/// `?` turns any error into a `Failure`: an `HttpError` (also one boxed as
/// `Box<dyn Error>`) keeps its status, anything else is internal.
#[derive(Debug)]
pub struct Failure(Kind);

#[derive(Debug)]
enum Kind {
    Http(HttpError),
    Internal(Box<Internal>),
}

#[derive(Debug)]
struct Internal {
    name: Cow<'static, str>,
    /// The error's own message.
    message: String,
    /// The messages of the error's sources, outermost first.
    causes: Vec<String>,
    /// Where it happened, `file:line`, when known.
    location: Option<String>,
    origin: Origin,
    /// 500, unless a domain error chose another 5xx.
    status: StatusCode,
    /// A domain error's own headers (`Retry-After`), as its type gave them.
    headers: &'static [(&'static str, &'static str)],
}

#[derive(Debug)]
enum Origin {
    Panic(Option<crate::errors::trace::Backtrace>),
    /// A returned error: the best place to point at is the function that
    /// returned it.
    Returned(Option<&'static str>),
}

/// Where a handler was defined; the macro fills it in.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    /// The source file.
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
    /// The function's name.
    pub function: &'static str,
}

impl<E> From<E> for Failure
where
    E: Into<Box<dyn StdError + Send + Sync>> + 'static,
{
    fn from(error: E) -> Self {
        Failure::from_error(error, None)
    }
}

impl Failure {
    /// A returned error, with the place of the function that returned it.
    pub fn from_error<E>(error: E, at: Option<Location>) -> Self
    where
        E: Into<Box<dyn StdError + Send + Sync>> + 'static,
    {
        // The common case, an `HttpError` returned as it is, without the
        // allocation of boxing it to find out.
        let mut slot = Some(error);
        if let Some(http) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<HttpError>>()
            && let Some(http) = http.take()
        {
            return Failure(Kind::Http(http));
        }
        let Some(error) = slot else {
            return Failure::internal("pico", "an error went missing".to_owned());
        };
        let name = std::any::type_name::<E>();
        let boxed: Box<dyn StdError + Send + Sync> = error.into();
        match boxed.downcast::<HttpError>() {
            Ok(http) => Failure(Kind::Http(*http)),
            Err(other) => {
                let message = other.to_string();
                let mut causes = Vec::new();
                let mut source = other.source();
                while let Some(cause) = source {
                    causes.push(cause.to_string());
                    source = cause.source();
                }
                Failure(Kind::Internal(Box::new(Internal {
                    name: Cow::Borrowed(name),
                    message,
                    causes,
                    location: at.map(|at| format!("{}:{}", at.file, at.line)),
                    origin: Origin::Returned(at.map(|at| at.function)),
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    headers: &[],
                })))
            }
        }
    }

    pub(crate) fn from_panic(caught: Caught) -> Self {
        Failure(Kind::Internal(Box::new(Internal {
            name: Cow::Borrowed("panic"),
            message: caught.message,
            causes: Vec::new(),
            location: caught.location,
            origin: Origin::Panic(caught.backtrace),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: &[],
        })))
    }

    /// An internal error with a message of the framework's own.
    pub(crate) fn internal(name: &'static str, message: String) -> Self {
        Failure(Kind::Internal(Box::new(Internal {
            name: Cow::Borrowed(name),
            message,
            causes: Vec::new(),
            location: None,
            origin: Origin::Returned(None),
            status: StatusCode::INTERNAL_SERVER_ERROR,
            headers: &[],
        })))
    }

    /// Makes an internal error answer with another 5xx status, and headers
    /// of its own.
    pub(crate) fn set_status(
        &mut self,
        status: StatusCode,
        headers: &'static [(&'static str, &'static str)],
    ) {
        if let Kind::Internal(internal) = &mut self.0 {
            internal.status = status;
            internal.headers = headers;
        }
    }

    /// Makes an `HttpError` of the client's.
    pub(crate) fn http(error: HttpError) -> Self {
        Failure(Kind::Http(error))
    }

    /// The error meant for the client, if it is one.
    pub fn http_error(&self) -> Option<&HttpError> {
        match &self.0 {
            Kind::Http(e) => Some(e),
            Kind::Internal(_) => None,
        }
    }

    /// Whether this is a panic.
    pub fn is_panic(&self) -> bool {
        matches!(&self.0, Kind::Internal(i) if matches!(i.origin, Origin::Panic(_)))
    }

    /// The status the client gets: the `HttpError`'s, or 500.
    pub fn status(&self) -> StatusCode {
        match &self.0 {
            Kind::Http(e) => e.status(),
            Kind::Internal(i) => i.status,
        }
    }

    /// For internal errors, the error's type name (`panic` for a panic);
    /// for an `HttpError`, its status's name.
    pub fn name(&self) -> &str {
        match &self.0 {
            Kind::Http(e) => e.name(),
            Kind::Internal(i) => &i.name,
        }
    }

    /// The error's own message (without its causes'): for internal errors
    /// it is for the log and never reaches the client outside debug mode.
    pub fn message(&self) -> &str {
        match &self.0 {
            Kind::Http(e) => e.message(),
            Kind::Internal(i) => &i.message,
        }
    }

    /// Where an internal error happened, `file:line`, when known.
    pub fn location(&self) -> Option<&str> {
        match &self.0 {
            Kind::Http(_) => None,
            Kind::Internal(i) => i.location.as_deref(),
        }
    }

    /// The message followed by its causes', `: `-separated.
    pub fn full_message(&self) -> Cow<'_, str> {
        let causes = self.causes();
        if causes.is_empty() {
            return Cow::Borrowed(self.message());
        }
        let mut full = self.message().to_owned();
        for cause in causes {
            full.push_str(": ");
            full.push_str(cause);
        }
        Cow::Owned(full)
    }

    /// The messages of an internal error's sources, outermost first.
    pub fn causes(&self) -> &[String] {
        match &self.0 {
            Kind::Http(_) => &[],
            Kind::Internal(i) => &i.causes,
        }
    }

    /// The user's stack frames of an internal error, innermost first: a
    /// panic's own frames when a backtrace was taken (debug mode, or a mixin
    /// that wants them), otherwise the panic's place or the function that
    /// returned the error. Empty for an `HttpError`.
    pub fn frames(&self) -> Vec<Frame> {
        let Kind::Internal(i) = &self.0 else {
            return Vec::new();
        };
        match &i.origin {
            Origin::Panic(Some(bt)) => trace::user_frames(bt),
            Origin::Panic(None) => i
                .location
                .iter()
                .filter_map(|l| trace::frame_at(l, None))
                .collect(),
            Origin::Returned(function) => i
                .location
                .iter()
                .filter_map(|l| trace::frame_at(l, *function))
                .collect(),
        }
    }

    /// The frames as debug mode shows them: `file:line in function: source`.
    pub fn stack_trace(&self) -> Vec<String> {
        self.frames().iter().map(Frame::render).collect()
    }

    /// Logs an internal error, once per failed request, with its causes and
    /// the request's id; HTTP errors are the client's business and are not
    /// logged.
    pub(crate) fn log(&self, function: &str, request_id: &str) {
        if let Kind::Internal(internal) = &self.0 {
            tracing::error!(
                target: "pico",
                function,
                request_id,
                error.name = %internal.name,
                error.message = %self.full_message(),
                location = internal.location.as_deref().unwrap_or("unknown"),
                "internal error",
            );
        }
    }

    /// The standard JSON error response to `request`: `name`, `code` and
    /// `message`, the `HttpError`'s own keys and headers, then `extra`, then
    /// `__debug__` for internal errors in debug mode; as problem details when
    /// the request asked for them (or the app answers every error so). This
    /// is what [`Hooks::handle_exception`](crate::Hooks::handle_exception)
    /// answers unless overridden.
    pub fn to_response(&self, request: &Request, extra: &Map<String, Value>) -> Response {
        self.standard_response(extra, None, (request.error_shape(), request.debug()))
    }

    /// [`Failure::to_response`], with the request's id written by the body
    /// rather than handed in `extra`: in the same place, without the map
    /// a hook would be handed.
    pub(crate) fn standard_response(
        &self,
        extra: &Map<String, Value>,
        request_id: Option<&str>,
        (shape, debug): (Shape<'_>, bool),
    ) -> Response {
        match &self.0 {
            Kind::Http(e) => error_response(e, extra, None, request_id, shape),
            Kind::Internal(internal) => {
                let details = debug.then(|| DebugDetails {
                    name: &internal.name,
                    message: self.full_message(),
                    stack_trace: self.stack_trace(),
                });
                let answer = internal
                    .headers
                    .iter()
                    .fold(HttpError::new(internal.status), |e, (name, value)| {
                        e.with_header(*name, *value)
                    });
                error_response(&answer, extra, details, request_id, shape)
            }
        }
    }
}
