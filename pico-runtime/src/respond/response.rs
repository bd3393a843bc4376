//! What a handler gives back, and how it becomes a response: compact JSON,
//! JSONP, or a response of the handler's own passed through.

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue, LOCATION};

use serde::Serialize;

use crate::dispatch::json::JsonCodec;
use crate::errors::failure::Failure;

/// A type a function can return as JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by an exposed function: it does not implement `serde::Serialize`",
    label = "this type must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or return a type that implements it"
)]
pub trait Returnable: Serialize {}

impl<T: Serialize + ?Sized> Returnable for T {}

/// A handler's successful result.
#[derive(Debug)]
pub enum Reply {
    /// A JSON document.
    Json(Vec<u8>),
    /// A success of another status than 200, perhaps with a `Location`.
    Status(Success),
    /// A full response, passed through untouched.
    Response(Response),
}

/// What a generated thunk returns: the result of a sync function, or the
/// future of an async one.
pub enum Outcome {
    /// A sync function's result.
    Ready(Result<Reply, Failure>),
    /// An async function's future.
    Pending(Pin<Box<dyn Future<Output = Result<Reply, Failure>> + Send>>),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Ready(_) => "Outcome::Ready",
            Outcome::Pending(_) => "Outcome::Pending",
        })
    }
}

/// Serialises a value as the JSON reply, through the app's codec when it
/// has one. A `Serialize` impl that fails is an internal error.
pub fn json<T: Returnable + ?Sized>(value: &T, codec: Option<&dyn JsonCodec>) -> Result<Reply, Failure> {
    let serialized = match codec {
        None => compact(value),
        Some(codec) => serde_json::to_value(value).map(|v| codec.dump(&v)),
    };
    serialized.map(Reply::Json).map_err(|e| {
        Failure::internal(
            "serialization",
            format!("the result could not be serialised as JSON: {e}"),
        )
    })
}

/// The largest document written through the thread's buffer: a larger
/// one keeps the buffer it grew, and the thread starts a new one.
const REUSED_UP_TO: usize = 16 * 1024;

thread_local! {
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `value` as compact JSON, in a vector exactly its size: written into
/// the thread's buffer and copied out, one allocation where growing a
/// fresh vector takes one or more, and the body made from it another for
/// the capacity left over.
fn compact<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    BUFFER.with(|buffer| {
        // A `Serialize` impl that itself writes a reply finds it taken.
        let Ok(mut buffer) = buffer.try_borrow_mut() else {
            return serde_json::to_vec(value);
        };
        buffer.clear();
        serde_json::to_writer(&mut *buffer, value)?;
        Ok(if buffer.len() > REUSED_UP_TO {
            std::mem::take(&mut *buffer)
        } else {
            buffer.as_slice().to_vec()
        })
    })
}

/// The reply of a function returning a response of its own.
pub fn response<R: IntoResponse>(value: R) -> Result<Reply, Failure> {
    Ok(Reply::Response(value.into_response()))
}

/// A `Content-Type: application/json` response.
pub(crate) fn json_response(bytes: Vec<u8>) -> Response {
    typed_response(bytes, const { HeaderValue::from_static("application/json") })
}

/// A response of `content_type`, a constant: `HeaderValue::from_static`
/// checks its text when it runs, which in a constant is when it compiles.
pub(crate) fn typed_response(bytes: impl Into<Body>, content_type: HeaderValue) -> Response {
    let mut response = Response::new(bytes.into());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    response
}

impl Reply {
    /// The response, wrapped as `callback(...);` for JSONP when asked.
    pub(crate) fn into_response(self, callback: Option<&str>) -> Response {
        match (self, callback) {
            (Reply::Json(bytes), None) => json_response(bytes),
            (Reply::Json(bytes), Some(callback)) => typed_response(
                crate::respond::jsonp::wrap(callback, &bytes),
                const { HeaderValue::from_static("text/javascript") },
            ),
            (Reply::Status(success), callback) => success.into_response(callback),
            (Reply::Response(response), _) => response,
        }
    }
}

/// A success's status and `Location`, before it is written.
#[derive(Debug)]
pub struct Success {
    pub(crate) status: StatusCode,
    /// `None` for a 204.
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) location: Option<HeaderValue>,
}

impl Success {
    /// The response: the body as JSON with its status and `Location`, or
    /// as JSONP, which a page reads as a script of status 200.
    pub(crate) fn into_response(self, callback: Option<&str>) -> Response {
        let body = self.body.unwrap_or_default();
        if let Some(callback) = callback {
            let body = if body.is_empty() { b"null".to_vec() } else { body };
            return Reply::Json(body).into_response(Some(callback));
        }
        let mut response = if body.is_empty() {
            Response::new(Body::empty())
        } else {
            Reply::Json(body).into_response(None)
        };
        *response.status_mut() = self.status;
        if let Some(location) = self.location {
            response.headers_mut().insert(LOCATION, location);
        }
        response
    }
}
