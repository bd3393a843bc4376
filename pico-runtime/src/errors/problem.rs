//! RFC 9457 problem details, opt in: whether a request wants them, and the
//! members they add to the standard error body, which keeps its own
//! members beside them so that pico's clients, which read `name`, `code`
//! and `message`, keep working. The body itself is `error_body.rs`'s.

use http::StatusCode;
use http::header::ACCEPT;
use http::{HeaderMap, HeaderValue};
use serde::ser::SerializeMap;

use crate::observe::exchange::Exchange;

const PROBLEM_JSON: &str = "application/problem+json";

/// How an error body is written: the standard JSON, or problem details
/// whose `instance` is the request's path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape<'a> {
    Standard,
    Problem { instance: &'a str },
}

impl<'a> Shape<'a> {
    /// How the error bodies of a request to `path` are written: as problem
    /// details when its record says so (the client asked for them, or the
    /// app answers every error so).
    pub(crate) fn of(exchange: Option<&Exchange>, path: &'a str) -> Shape<'a> {
        match exchange {
            Some(exchange) if exchange.problem => Shape::Problem { instance: path },
            _ => Shape::Standard,
        }
    }

    /// Constants: `HeaderValue::from_static` checks its text where it
    /// runs, here once, as the crate compiles.
    pub(crate) fn media_type(self) -> HeaderValue {
        match self {
            Shape::Standard => const { HeaderValue::from_static("application/json") },
            Shape::Problem { .. } => const { HeaderValue::from_static(PROBLEM_JSON) },
        }
    }
}

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

/// The problem's own members, first in the body: `type`, `title`,
/// `status`, `detail` (the message) and `instance`.
pub(crate) fn serialize_members<M: SerializeMap>(
    map: &mut M,
    code: u16,
    message: &str,
    instance: &str,
) -> Result<(), M::Error> {
    let title = StatusCode::from_u16(code)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Error");
    map.serialize_entry("type", "about:blank")?;
    map.serialize_entry("title", title)?;
    map.serialize_entry("status", &code)?;
    map.serialize_entry("detail", message)?;
    map.serialize_entry("instance", instance)
}

/// Whether `key` is one of the problem's own members, which no other key
/// of the body may replace.
pub(crate) fn is_member(key: &str) -> bool {
    matches!(key, "type" | "title" | "status" | "detail" | "instance")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderValue;

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
}
