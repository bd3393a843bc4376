//! RFC 9457 problem details, opt in: the standard error body rewritten as
//! `application/problem+json`, its own members kept as extension members
//! so that pico's clients, which read `name`, `code` and `message`, keep
//! working.

use axum::body::Body;
use axum::response::Response;
use futures_util::FutureExt;
use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http_body::Body as _;
use http_body_util::BodyExt;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::errors::http_error::HttpError;

const PROBLEM_JSON: &str = "application/problem+json";

/// Whether the client asked for problem details: `application/problem+json`
/// among its `Accept` media ranges, with a quality above zero.
pub(crate) fn accepted(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|media| media.eq_ignore_ascii_case(PROBLEM_JSON))
                && parts.all(|param| !is_zero_quality(param))
        })
}

fn is_zero_quality(param: &str) -> bool {
    match param.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("q") => {
            value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        }
        _ => false,
    }
}

/// The error `response` as problem details, `instance` being the request's
/// path. Anything that is not a standard error body (a success, another
/// media type, a body not held whole, JSON without `name`, `code` and
/// `message`) is handed back as it was.
pub(crate) fn convert(response: Response, instance: &str) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes() == b"application/json");
    if !(status.is_client_error() || status.is_server_error())
        || !is_json
        || response.body().size_hint().exact().is_none()
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // A body of known size is held whole: it is ready at once. One that is
    // not cannot be handed back, and gets the standard body of its status.
    let bytes = match body.collect().now_or_never() {
        Some(Ok(collected)) => collected.to_bytes(),
        _ => crate::errors::error_body::standard_body(&HttpError::new(status)),
    };
    let standard = serde_json::from_slice::<Map<String, Value>>(&bytes)
        .ok()
        .filter(|m| m.contains_key("name") && m.contains_key("code") && m.contains_key("message"));
    let Some(members) = standard else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let detail = members.get("message").cloned().unwrap_or(Value::Null);
    let mut out = Vec::with_capacity(bytes.len() + 128);
    let mut serializer = serde_json::Serializer::new(&mut out);
    let written = (|| {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", "about:blank")?;
        map.serialize_entry("title", status.canonical_reason().unwrap_or("Error"))?;
        map.serialize_entry("status", &status.as_u16())?;
        map.serialize_entry("detail", &detail)?;
        map.serialize_entry("instance", instance)?;
        for (key, value) in &members {
            if !matches!(key.as_str(), "type" | "title" | "status" | "detail" | "instance") {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    })();
    if written.is_err() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(accept: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(accept).unwrap());
        accepted(&headers)
    }

    #[test]
    fn problem_json_is_asked_for_in_accept() {
        assert!(accepts("application/problem+json"));
        assert!(accepts("application/json, Application/Problem+JSON;q=0.5"));
        assert!(!accepts("application/json"));
        assert!(!accepts("application/problem+json;q=0"));
        assert!(!accepts("*/*"));
    }

    #[tokio::test]
    async fn a_standard_body_becomes_problem_details_and_keeps_its_members() {
        let body = r#"{"name":"Not Found","code":404,"message":"No such thing.","request_id":"abc"}"#;
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = http::StatusCode::NOT_FOUND;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let converted = convert(response, "/m/f");
        assert_eq!(converted.headers()[CONTENT_TYPE], PROBLEM_JSON);
        let bytes = converted.into_body().collect().await.unwrap().to_bytes();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "about:blank", "title": "Not Found", "status": 404,
                "detail": "No such thing.", "instance": "/m/f",
                "name": "Not Found", "code": 404, "message": "No such thing.", "request_id": "abc",
            })
        );
    }

    /// A body that says how long it is but never comes.
    struct Never;

    impl http_body::Body for Never {
        type Data = bytes::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
            std::task::Poll::Pending
        }

        fn size_hint(&self) -> http_body::SizeHint {
            http_body::SizeHint::with_exact(10)
        }
    }

    #[tokio::test]
    async fn a_body_not_held_whole_becomes_the_standard_one_of_its_status() {
        let mut response = Response::new(Body::new(Never));
        *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let converted = convert(response, "/x");
        assert_eq!(converted.headers()[CONTENT_TYPE], PROBLEM_JSON);
        let bytes = converted.into_body().collect().await.unwrap().to_bytes();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            (&json["status"], &json["name"]),
            (&503.into(), &"Service Unavailable".into())
        );
        assert_eq!(json["detail"], json["message"]);
    }

    #[tokio::test]
    async fn other_bodies_are_left_alone() {
        let mut response = Response::new(Body::from(r#"{"error":"mine"}"#));
        *response.status_mut() = http::StatusCode::BAD_REQUEST;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let same = convert(response, "/x");
        assert_eq!(same.headers()[CONTENT_TYPE], "application/json");
        let bytes = same.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], br#"{"error":"mine"}"#);
    }
}
