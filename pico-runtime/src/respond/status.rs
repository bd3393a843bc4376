//! Successes other than 200: `#[status(201)]`, `#[status(204)]` (no
//! body), and [`Located`], a result with the `Location` of what the
//! function made.

use axum::body::Body;
use http::StatusCode;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::{Serialize, Serializer};

use crate::dispatch::json::JsonCodec;
use crate::errors::failure::Failure;
use crate::respond::response::{Reply, Returnable, Success, json};

/// A function's result with the URL of what it made, answered as
/// `201 Created` with a `Location` header (or with the status of the
/// function's `#[status(...)]`). The body is the value as JSON, and its
/// schema is the value's: clients see the value alone.
///
/// ```
/// #[pico::api]
/// mod links {
///     use pico::Located;
///
///     #[expose]
///     fn create(slug: String) -> Located<String> {
///         Located::new(format!("get?slug={slug}"), slug)
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    location: String,
    value: T,
}

impl<T> Located<T> {
    /// `value`, made at `location` (absolute, or relative to the request's
    /// URL). What a URL cannot hold as it is (a space, a control, anything
    /// not ASCII) is percent-encoded in the header.
    pub fn new(location: impl Into<String>, value: T) -> Self {
        Located {
            location: location.into(),
            value,
        }
    }

    /// Where it was made.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, owned.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

#[cfg(feature = "openapi")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// What a URL cannot hold as it is: controls, spaces and the characters
/// RFC 3986 excludes; anything not ASCII is encoded too.
const NOT_IN_URL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A `Located` result: its value as JSON, with a 201 and its location,
/// percent-encoded where it holds what a URL cannot (a slug a client
/// chose may hold anything).
pub fn located<T: Returnable>(value: &Located<T>, codec: Option<&dyn JsonCodec>) -> Result<Reply, Failure> {
    let encoded = utf8_percent_encode(value.location(), NOT_IN_URL).to_string();
    let location = HeaderValue::try_from(encoded).expect("a percent-encoded URL is visible ASCII");
    let Reply::Json(body) = json(value.value(), codec)? else {
        unreachable!("`json` answers JSON");
    };
    Ok(Reply::Status(Success {
        status: StatusCode::CREATED,
        body: Some(body),
        location: Some(location),
    }))
}

/// `#[status(N)]`: the reply with that status; a 204 has no body.
pub fn with_status(reply: Result<Reply, Failure>, status: u16) -> Result<Reply, Failure> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let empty = status == StatusCode::NO_CONTENT;
    reply.map(|reply| match reply {
        Reply::Json(body) => Reply::Status(Success {
            status,
            body: (!empty).then_some(body),
            location: None,
        }),
        Reply::Status(success) => Reply::Status(Success {
            status,
            body: success.body.filter(|_| !empty),
            location: success.location,
        }),
        // A function that sets cookies answers a response of its own.
        Reply::Response(mut response) => {
            *response.status_mut() = status;
            if empty {
                *response.body_mut() = Body::empty();
                response.headers_mut().remove(CONTENT_TYPE);
                response.headers_mut().remove(CONTENT_LENGTH);
            }
            Reply::Response(response)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_encoded_where_a_url_cannot_hold_it() {
        let made = Located::new("read?slug=a b\u{3}é&x=1/2#top", ());
        let Ok(Reply::Status(success)) = located(&made, None) else {
            panic!("a 201");
        };
        assert_eq!(success.location.unwrap(), "read?slug=a%20b%03%C3%A9&x=1/2#top");
    }
}
