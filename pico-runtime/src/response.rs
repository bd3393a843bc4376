//! What a handler gives back, and how it becomes a response: compact JSON,
//! JSONP, or a response of the handler's own passed through.

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, HeaderValue, X_CONTENT_TYPE_OPTIONS};

use crate::failure::Failure;
use crate::json::JsonCodec;

/// A handler's successful result.
#[derive(Debug)]
pub enum Reply {
    /// A JSON document.
    Json(Vec<u8>),
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
pub fn json<T: crate::__private::Returnable + ?Sized>(
    value: &T,
    codec: Option<&dyn JsonCodec>,
) -> Result<Reply, Failure> {
    let serialized = match codec {
        None => {
            let mut buf = Vec::with_capacity(128);
            serde_json::to_writer(&mut buf, value).map(|()| buf)
        }
        Some(codec) => serde_json::to_value(value).map(|v| codec.dump(&v)),
    };
    serialized.map(Reply::Json).map_err(|e| {
        Failure::internal(
            "serialization",
            format!("the result could not be serialised as JSON: {e}"),
        )
    })
}

/// The reply of a function returning a response of its own.
pub fn response<R: IntoResponse>(value: R) -> Result<Reply, Failure> {
    Ok(Reply::Response(value.into_response()))
}

/// A `Content-Type: application/json` response.
pub(crate) fn json_response(bytes: Vec<u8>) -> Response {
    typed_response(bytes, "application/json")
}

pub(crate) fn typed_response(bytes: Vec<u8>, content_type: &'static str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if content_type == "text/javascript" {
        // Script is only ever run as what it says it is.
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    }
    response
}

impl Reply {
    /// The response, wrapped as `callback(...);` for JSONP when asked.
    pub(crate) fn into_response(self, callback: Option<&str>) -> Response {
        match (self, callback) {
            (Reply::Json(bytes), None) => json_response(bytes),
            (Reply::Json(bytes), Some(callback)) => {
                typed_response(jsonp(callback, &bytes), "text/javascript")
            }
            (Reply::Response(response), _) => response,
        }
    }
}

pub(crate) fn jsonp(callback: &str, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(callback.len() + json.len() + 3);
    out.extend_from_slice(callback.as_bytes());
    out.push(b'(');
    out.extend_from_slice(json);
    out.extend_from_slice(b");");
    out
}

/// Whether `name` is a JavaScript identifier path such as `app.handlers.cb`:
/// the only callbacks accepted, so that `_callback` cannot inject script.
pub(crate) fn is_callback_name(name: &str) -> bool {
    name.len() <= 256
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

#[cfg(test)]
mod tests {
    use super::is_callback_name;

    #[test]
    fn callbacks_are_identifier_paths() {
        for good in ["cb", "$", "_x1", "a.b.c", "jQuery123_456"] {
            assert!(is_callback_name(good), "{good}");
        }
        for bad in [
            "", "1a", "a..b", "a.", "alert(1)", "a-b", "a b", "<script>", "a;b",
        ] {
            assert!(!is_callback_name(bad), "{bad}");
        }
    }
}
