//! `Failure`: every way a request can fail, and the one place that turns it
//! into the standard JSON error response.

use std::borrow::Cow;
use std::error::Error as StdError;

use axum::body::Body;
use axum::response::Response;
use http::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::HttpError;
use crate::panic::Caught;
use crate::trace;

/// A failed request: an error for the client, or an internal one.
#[derive(Debug)]
pub enum Failure {
    /// The client hears this error as it is.
    Http(HttpError),
    /// The client hears a generic 500; the details go to the log.
    Internal(Box<Internal>),
}

/// An internal error: a panic, or a returned error that is not an
/// [`HttpError`].
#[derive(Debug)]
pub struct Internal {
    name: Cow<'static, str>,
    message: String,
    /// Where it happened, `file:line`, when known.
    location: Option<String>,
    origin: Origin,
}

#[derive(Debug)]
enum Origin {
    Panic(Option<backtrace::Backtrace>),
    /// A returned error: the best place to point at is the function that
    /// returned it.
    Returned {
        function: &'static str,
    },
}

impl Failure {
    /// A returned error. An [`HttpError`] (also one boxed as a
    /// `Box<dyn Error>`) keeps its status; anything else is internal.
    pub fn from_error<E>(error: E, at: Location) -> Self
    where
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let name = std::any::type_name::<E>();
        let boxed: Box<dyn StdError + Send + Sync> = error.into();
        match boxed.downcast::<HttpError>() {
            Ok(http) => Failure::Http(*http),
            Err(other) => {
                let mut message = other.to_string();
                let mut source = other.source();
                while let Some(cause) = source {
                    message.push_str(": ");
                    message.push_str(&cause.to_string());
                    source = cause.source();
                }
                Failure::Internal(Box::new(Internal {
                    name: Cow::Borrowed(name),
                    message,
                    location: Some(format!("{}:{}", at.file, at.line)),
                    origin: Origin::Returned {
                        function: at.function,
                    },
                }))
            }
        }
    }

    pub(crate) fn from_panic(caught: Caught) -> Self {
        Failure::Internal(Box::new(Internal {
            name: Cow::Borrowed("panic"),
            message: caught.message,
            location: caught.location,
            origin: Origin::Panic(caught.backtrace),
        }))
    }

    /// An internal error with a message of the framework's own.
    pub(crate) fn internal(name: &'static str, message: String) -> Self {
        Failure::Internal(Box::new(Internal {
            name: Cow::Borrowed(name),
            message,
            location: None,
            origin: Origin::Panic(None),
        }))
    }

    /// The response the client gets. Internal errors are logged here, which
    /// is the one place every failure passes, so each is logged once.
    pub(crate) fn into_response(self, debug: bool, function: &str) -> Response {
        match self {
            Failure::Http(e) => error_response(&e, None),
            Failure::Internal(internal) => {
                tracing::error!(
                    target: "pico",
                    function,
                    error.name = %internal.name,
                    error.message = %internal.message,
                    location = internal.location.as_deref().unwrap_or("unknown"),
                    "internal error",
                );
                let details = debug.then(|| internal.debug_details());
                error_response(&HttpError::internal_server_error(), details)
            }
        }
    }
}

impl From<HttpError> for Failure {
    fn from(e: HttpError) -> Self {
        Failure::Http(e)
    }
}

impl Internal {
    fn debug_details(&self) -> DebugDetails<'_> {
        let stack_trace = match &self.origin {
            Origin::Panic(Some(bt)) => trace::user_frames(bt),
            Origin::Panic(None) => self.location.iter().map(|l| trace::line_at(l, None)).collect(),
            Origin::Returned { function } => self
                .location
                .iter()
                .map(|l| trace::line_at(l, Some(function)))
                .collect(),
        };
        DebugDetails {
            name: &self.name,
            message: &self.message,
            stack_trace,
        }
    }
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

#[derive(Serialize)]
struct DebugDetails<'a> {
    name: &'a str,
    message: &'a str,
    stack_trace: Vec<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    name: &'a str,
    code: u16,
    message: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<&'a Map<String, Value>>,
    #[serde(rename = "__debug__", skip_serializing_if = "Option::is_none")]
    debug: Option<DebugDetails<'a>>,
}

/// The standard JSON error response for `e`.
pub(crate) fn http_error_response(e: &HttpError) -> Response {
    error_response(e, None)
}

impl axum::response::IntoResponse for HttpError {
    fn into_response(self) -> Response {
        error_response(&self, None)
    }
}

fn error_response(e: &HttpError, debug: Option<DebugDetails<'_>>) -> Response {
    let body = ErrorBody {
        name: e.name(),
        code: e.status().as_u16(),
        message: e.message(),
        extra: e.extra(),
        debug,
    };
    // Serialising maps of JSON values and strings cannot fail.
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = e.status();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(extra) = e.headers() {
        for (name, value) in extra {
            headers.append(name, value.clone());
        }
    }
    response
}
