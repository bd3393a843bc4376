//! How large an answer's body is before it is sent, when that is known:
//! what compression decides by, and what the metrics count.

use axum::response::Response;

/// The size of an answer's body when it is known before it is sent: the
/// body's own (a JSON answer's), or the one its headers declare (a
/// file's). A stream has neither.
pub(crate) fn body_size(response: &Response) -> Option<u64> {
    http_body::Body::size_hint(response.body()).exact().or_else(|| {
        response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    })
}
