//! `/pico.js`: the JavaScript client, served with a validator so that
//! browsers keep it and ask only whether it changed.

use std::sync::LazyLock;

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH};

/// The client, as written in `pico.js` beside this file.
pub(crate) const SOURCE: &str = include_str!("pico.js");

/// A strong validator: a hash of the source, as a quoted ETag.
static ETAG_VALUE: LazyLock<HeaderValue> = LazyLock::new(|| {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = SOURCE.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    HeaderValue::from_str(&format!("\"{hash:016x}\"")).expect("a hex ETag is a valid header")
});

/// The client, or 304 when the browser's copy is current.
pub(crate) fn response(request_headers: &HeaderMap) -> Response {
    let fresh = request_headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            tag.trim() == "*" || tag.trim().trim_start_matches("W/") == ETAG_VALUE.to_str().unwrap_or("")
        });
    let mut response = if fresh {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(SOURCE))
    };
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Cached, but checked on each use: a new server version must not be
    // met by an old client.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(ETAG, ETAG_VALUE.clone());
    response
}
