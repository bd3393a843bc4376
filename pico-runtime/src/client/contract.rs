//! The error contract, as the in-process client checks it on every answer:
//! what any client of a Pico app may rely on, so that a test that breaks it
//! fails where it happened.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use serde_json::Value;

/// Panics, saying how, when an error answer breaks the contract: a JSON
/// object with `name` (the status's reason), `code` (the status) and a
/// `message`, and `__debug__` only in debug mode.
pub(super) fn check(status: StatusCode, headers: &HeaderMap, body: &[u8], debug: bool) {
    if let Err(broken) = broken(status, headers, body, debug) {
        panic!(
            "pico's error contract is broken by a {status} answer: {broken}\nbody: {}",
            String::from_utf8_lossy(body)
        );
    }
}

fn broken(status: StatusCode, headers: &HeaderMap, body: &[u8], debug: bool) -> Result<(), String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence != "application/json" && essence != "application/problem+json" {
        return Err(format!("its content type is `{content_type}`, not JSON"));
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err("its body is not a JSON object".to_owned());
    };
    if fields.get("code").and_then(Value::as_u64) != Some(u64::from(status.as_u16())) {
        return Err(format!("`code` is {:?}, not the status", fields.get("code")));
    }
    let reason = status.canonical_reason().unwrap_or("");
    if fields.get("name").and_then(Value::as_str) != Some(reason) {
        return Err(format!("`name` is {:?}, not `{reason}`", fields.get("name")));
    }
    let Some(message) = fields.get("message").and_then(Value::as_str) else {
        return Err("it has no `message` text".to_owned());
    };
    // An error answered inside another one's message: a rejection encoded
    // twice.
    if let Ok(Value::Object(inner)) = serde_json::from_str::<Value>(message.trim())
        && inner.contains_key("code")
        && inner.contains_key("message")
    {
        return Err("its `message` is itself a JSON error body".to_owned());
    }
    // Problem details carry the status twice more.
    if let Some(problem_status) = fields.get("status")
        && essence == "application/problem+json"
        && problem_status.as_u64() != Some(u64::from(status.as_u16()))
    {
        return Err(format!("`status` is {problem_status}, not the status"));
    }
    if fields.contains_key("__debug__") && !debug {
        return Err("it carries `__debug__` with debug mode off".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "application/json".parse().unwrap());
        headers
    }

    #[test]
    fn the_standard_body_keeps_it_and_others_break_it() {
        let ok = br#"{"name":"Not Found","code":404,"message":"x"}"#;
        assert!(broken(StatusCode::NOT_FOUND, &json_headers(), ok, false).is_ok());
        assert!(broken(StatusCode::GONE, &json_headers(), ok, false).is_err());
        assert!(broken(StatusCode::NOT_FOUND, &HeaderMap::new(), ok, false).is_err());
        let debug = br#"{"name":"Internal Server Error","code":500,"message":"x","__debug__":{}}"#;
        assert!(broken(StatusCode::INTERNAL_SERVER_ERROR, &json_headers(), debug, true).is_ok());
        assert!(broken(StatusCode::INTERNAL_SERVER_ERROR, &json_headers(), debug, false).is_err());
        assert!(broken(StatusCode::NOT_FOUND, &json_headers(), b"", false).is_err());
    }

    #[test]
    fn an_error_inside_a_message_breaks_it() {
        let twice = br#"{"name":"Unauthorized","code":401,"message":"{\"name\":\"Unauthorized\",\"code\":401,\"message\":\"x\"}"}"#;
        let broken = broken(StatusCode::UNAUTHORIZED, &json_headers(), twice, false);
        assert_eq!(broken.unwrap_err(), "its `message` is itself a JSON error body");
        let quoted = br#"{"name":"Bad Request","code":400,"message":"expected {\"a\": 1}"}"#;
        assert!(super::broken(StatusCode::BAD_REQUEST, &json_headers(), quoted, false).is_ok());
    }

    #[test]
    fn a_problem_status_apart_from_the_code_breaks_it() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, "application/problem+json".parse().unwrap());
        let body = br#"{"status":400,"name":"Not Found","code":404,"message":"x"}"#;
        assert!(broken(StatusCode::NOT_FOUND, &headers, body, false).is_err());
        let body = br#"{"status":404,"name":"Not Found","code":404,"message":"x"}"#;
        assert!(broken(StatusCode::NOT_FOUND, &headers, body, false).is_ok());
    }
}
