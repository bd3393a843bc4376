//! The standard JSON error body, `{"name", "code", "message"}` with the
//! error's own keys, the request's id, what hooks add and, in debug mode,
//! `__debug__`; or the same members as RFC 9457 problem details, when the
//! request asked for them. Written once per failure, straight from the
//! error, in the shape the request wants: never written one way and then
//! read back to be written another.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::body::Body;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::errors::http_error::HttpError;
use crate::errors::json_string;
use crate::errors::problem::{self, Shape};

/// `__debug__`: an internal error as debug mode shows it.
#[derive(Serialize)]
pub(crate) struct DebugDetails<'a> {
    pub(crate) name: &'a str,
    pub(crate) message: Cow<'a, str>,
    pub(crate) stack_trace: Vec<String>,
}

/// The standard JSON error body: `name`, `code` and `message`, the
/// error's own keys, then `extra`, then `__debug__` when given; preceded by
/// the problem's own members when its shape is problem details.
struct ErrorBody<'a> {
    shape: Shape<'a>,
    name: &'a str,
    code: u16,
    message: &'a str,
    own: Option<&'a Map<String, Value>>,
    request_id: Option<&'a str>,
    extra: &'a Map<String, Value>,
    debug: Option<DebugDetails<'a>>,
}

impl Serialize for ErrorBody<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if let Shape::Problem { instance } = self.shape {
            problem::serialize_members(&mut map, self.code, self.message, instance)?;
        }
        let reserved = |key: &str| match self.shape {
            Shape::Standard => false,
            Shape::Problem { .. } => problem::is_member(key),
        };
        map.serialize_entry("name", self.name)?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("message", self.message)?;
        // The three standard keys are the body's contract: added keys can
        // follow them, never replace them.
        for (key, value) in self.own.into_iter().flatten() {
            if !matches!(
                key.as_str(),
                "name" | "code" | "message" | "__debug__" | "request_id"
            ) && !reserved(key)
            {
                map.serialize_entry(key, value)?;
            }
        }
        if let Some(id) = self.request_id {
            map.serialize_entry("request_id", id)?;
        }
        for (key, value) in self.extra {
            let taken = key == "request_id" && self.request_id.is_some();
            if !taken && !matches!(key.as_str(), "name" | "code" | "message" | "__debug__") && !reserved(key)
            {
                map.serialize_entry(key, value)?;
            }
        }
        if let Some(debug) = &self.debug {
            map.serialize_entry("__debug__", debug)?;
        }
        map.end()
    }
}

impl ErrorBody<'_> {
    fn to_bytes(&self) -> Vec<u8> {
        if !self.is_plain() {
            // Serialising maps of JSON values and strings cannot fail.
            // Most bodies fit the first allocation.
            let mut bytes = Vec::with_capacity(256);
            let _ = serde_json::to_writer(&mut bytes, self);
            return bytes;
        }
        // Nearly every error body is the three members and the id: their
        // keys are written as they are, where the map's serialiser would
        // scan each for characters to escape, and their text is looked
        // over a word at a time. `Serialize` writes the same bytes (a test
        // holds them so).
        const NAME: &[u8] = b"{\"name\":";
        const CODE: &[u8] = b",\"code\":";
        const MESSAGE: &[u8] = b",\"message\":";
        const ID: &[u8] = b",\"request_id\":";
        let id = self.request_id.map_or(0, |id| ID.len() + id.len() + 2);
        // Sized for the body as it is when nothing in it is escaped, as
        // nearly always (a status is three digits): a vector as long as
        // its capacity becomes the response's body without another
        // allocation.
        let mut bytes = Vec::with_capacity(
            NAME.len() + self.name.len() + CODE.len() + MESSAGE.len() + self.message.len() + id + 8,
        );
        bytes.extend_from_slice(NAME);
        json_string::write(&mut bytes, self.name);
        bytes.extend_from_slice(CODE);
        let _ = serde_json::to_writer(&mut bytes, &self.code);
        bytes.extend_from_slice(MESSAGE);
        json_string::write(&mut bytes, self.message);
        if let Some(id) = self.request_id {
            bytes.extend_from_slice(ID);
            json_string::write(&mut bytes, id);
        }
        bytes.push(b'}');
        bytes
    }

    /// The standard shape, with no member but the standard ones and the id.
    fn is_plain(&self) -> bool {
        matches!(self.shape, Shape::Standard)
            && self.own.is_none_or(Map::is_empty)
            && self.extra.is_empty()
            && self.debug.is_none()
    }
}

/// No keys to add: one map shared by every answer that adds none, where a
/// map made and dropped for each would run a map's code on every error.
pub(crate) static NO_EXTRA: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// The standard body of `e` with a request id, for an answer written
/// outside any request.
pub(crate) fn standard_body_with_id(e: &HttpError, request_id: &str) -> Vec<u8> {
    ErrorBody {
        shape: Shape::Standard,
        name: e.name(),
        code: e.status().as_u16(),
        message: e.message(),
        own: e.extra(),
        request_id: Some(request_id),
        extra: &NO_EXTRA,
        debug: None,
    }
    .to_bytes()
}

/// The standard JSON error response for `e`, outside any request.
pub(crate) fn http_error_response(e: &HttpError) -> Response {
    error_response(e, &NO_EXTRA, None, None, Shape::Standard)
}

impl axum::response::IntoResponse for HttpError {
    /// The standard body, with the error itself kept in the response's
    /// extensions: an extractor's rejection is then taken back whole rather
    /// than read from its body, which would put a JSON body in a message.
    fn into_response(self) -> Response {
        let mut response = http_error_response(&self);
        response.extensions_mut().insert(Rejected(self));
        response
    }
}

/// An `HttpError` answered through `IntoResponse`, for whoever turns the
/// response back into an error.
#[derive(Clone)]
pub(crate) struct Rejected(pub(crate) HttpError);

/// The standard JSON error response: `name`, `code`, `message`, the error's
/// own keys, the request's id, `extra`, then `__debug__`; as problem
/// details when `shape` says so.
pub(crate) fn error_response(
    e: &HttpError,
    extra: &Map<String, Value>,
    debug: Option<DebugDetails<'_>>,
    request_id: Option<&str>,
    shape: Shape<'_>,
) -> Response {
    let body = ErrorBody {
        shape,
        name: e.name(),
        code: e.status().as_u16(),
        message: e.message(),
        own: e.extra(),
        request_id,
        extra,
        debug,
    };
    let mut response = Response::new(Body::from(body.to_bytes()));
    *response.status_mut() = e.status();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, shape.media_type());
    if let Some(own) = e.headers() {
        for (name, value) in own {
            headers.append(name, value.clone());
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn json_of(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn a_plain_body_is_written_as_its_serialiser_writes_it() {
        let quoted = HttpError::not_found().with_message("a \"quoted\" \\ line\nand é\u{1}");
        // Whether anything in it is escaped.
        for (e, id, escaped) in [
            (HttpError::not_found(), Some("4f2a9c"), false),
            (quoted, Some("id\"with\\marks"), true),
            (HttpError::bad_request(), None, false),
            (
                HttpError::new(http::StatusCode::from_u16(599).unwrap()),
                Some("x"),
                false,
            ),
        ] {
            let body = ErrorBody {
                shape: Shape::Standard,
                name: e.name(),
                code: e.status().as_u16(),
                message: e.message(),
                own: e.extra(),
                request_id: id,
                extra: &Map::new(),
                debug: None,
            };
            assert!(body.is_plain());
            let direct = body.to_bytes();
            assert_eq!(direct, serde_json::to_vec(&body).unwrap());
            // Exactly sized, it becomes a body without another allocation.
            assert!(escaped || direct.len() == direct.capacity(), "{e:?}");
            let read: Value = serde_json::from_slice(&direct).unwrap();
            assert_eq!(read["message"], e.message());
        }
    }

    #[tokio::test]
    async fn problem_details_keep_the_standard_members_and_their_own_cannot_be_replaced() {
        let e = HttpError::not_found()
            .with_message("No such thing.")
            .with_key("status", 200)
            .with_key("item", "fish");
        let mut extra = Map::new();
        extra.insert("type".into(), "mine".into());
        let shape = Shape::Problem { instance: "/m/f" };
        let response = error_response(&e, &extra, None, Some("abc"), shape);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
        assert_eq!(
            json_of(response).await,
            serde_json::json!({
                "type": "about:blank", "title": "Not Found", "status": 404,
                "detail": "No such thing.", "instance": "/m/f",
                "name": "Not Found", "code": 404, "message": "No such thing.",
                "item": "fish", "request_id": "abc",
            })
        );
    }

    #[tokio::test]
    async fn the_standard_shape_has_no_problem_members() {
        let e = HttpError::not_found().with_key("status", 200);
        let response = error_response(&e, &Map::new(), None, None, Shape::Standard);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let json = json_of(response).await;
        assert_eq!(json["status"], 200, "a key of the error's own, as before");
        assert!(json.get("type").is_none() && json.get("instance").is_none());
    }
}
