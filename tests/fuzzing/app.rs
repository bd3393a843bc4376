//! What the fuzz target and its regression test share: the app under test,
//! how bytes become a request, and what a right answer is.

use std::sync::OnceLock;

use axum::body::Body;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[pico::api]
mod fuzzed {
    use pico::{HttpError, Request, Upload};

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Point {
        x: f64,
        y: f64,
    }

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x.wrapping_mul(y)
    }

    #[expose]
    fn hello(#[default("world")] who: String, times: Option<u8>) -> String {
        format!("hello {who}").repeat(usize::from(times.unwrap_or(1)).min(4))
    }

    #[expose]
    fn point(p: Point, tags: Vec<String>) -> (Point, usize) {
        (p, tags.len())
    }

    #[expose]
    fn upload(file: Upload, files: Option<Vec<Upload>>) -> (usize, usize) {
        (file.data.len(), files.map_or(0, |f| f.len()))
    }

    #[expose]
    #[require_method(POST)]
    fn post_only(value: serde_json::Value) -> serde_json::Value {
        value
    }

    #[expose]
    #[request_args(req, ip = remote_addr, auth = pico::basic_auth(), session = pico::cookie("session"))]
    fn inspect(
        req: Request,
        ip: Option<String>,
        auth: Option<(String, String)>,
        session: Option<String>,
    ) -> String {
        format!("{} {ip:?} {auth:?} {session:?} {:?}", req.url(), req.token())
    }

    #[expose]
    #[stream]
    fn count(n: u8) -> Vec<Result<u8, HttpError>> {
        (0..n.min(50))
            .map(|i| {
                if i == 13 {
                    Err(HttpError::conflict())
                } else {
                    Ok(i)
                }
            })
            .collect()
    }

    #[expose]
    #[set_cookie]
    fn remember(value: String) -> std::collections::HashMap<String, String> {
        std::collections::HashMap::from([("pref".to_owned(), value)])
    }

    #[expose]
    fn fail(really: bool) -> Result<u8, HttpError> {
        if really {
            panic!("asked to")
        } else {
            Err(HttpError::im_a_teapot())
        }
    }
}

/// The app under test: debug off, a small body limit.
pub(crate) fn app() -> pico::App {
    pico::App::new()
        .body_limit(64 * 1024)
        .jsonp(true)
        .register(fuzzed::module())
}

fn router() -> &'static axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER.get_or_init(|| app().into_router())
}

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    })
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "BREW"];
const PATHS: &[&str] = &[
    "/fuzzed/multiply",
    "/fuzzed/hello",
    "/fuzzed/point",
    "/fuzzed/upload",
    "/fuzzed/post_only",
    "/fuzzed/inspect",
    "/fuzzed/count",
    "/fuzzed/remember",
    "/fuzzed/fail",
    "/fuzzed",
    "/fuzzed.js",
    "/",
    "/picoapp.js",
    "/pico.js",
    "/fuzzed.d.ts",
    "/openapi.json",
    "/docs",
];

/// Bytes as a request: a method byte, then parts split by `0xFF`: a path
/// (or an index into the app's paths), the query, header lines
/// (`name: value`, split by `0xFE`), and the body. Whatever the bytes, they
/// make a request: bytes a URI may not hold are percent-encoded, a header
/// line that is not one is left out. `None` only for no bytes at all.
pub(crate) fn request(data: &[u8]) -> Option<http::Request<Body>> {
    let (&method, rest) = data.split_first()?;
    let mut parts = rest.splitn(4, |&b| b == 0xFF);
    let path = parts.next().unwrap_or_default();
    let query = parts.next().unwrap_or_default();
    let headers = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let mut uri = match path {
        [index] => PATHS[usize::from(*index) % PATHS.len()].to_owned(),
        other => format!("/{}", uri_safe(other.strip_prefix(b"/").unwrap_or(other))),
    };
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&uri_safe(query));
    }
    let mut request = http::Request::builder()
        .method(METHODS[usize::from(method) % METHODS.len()])
        .uri(uri)
        .body(Body::from(body.to_vec()))
        .expect("a percent-encoded URI is valid");
    for line in headers.split(|&b| b == 0xFE) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = http::HeaderName::from_bytes(line[..colon].trim_ascii());
        let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            request.headers_mut().append(name, value);
        }
    }
    Some(request)
}

/// Bytes as URI text: what a URI may hold as it is, the rest `%XX`.
fn uri_safe(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%?".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The JavaScript client, which `/pico.js` serves as it is.
const PICO_JS: &[u8] = include_bytes!("../../pico-runtime/src/describe/pico.js");

/// Sends `data` as a request and checks the answer; panics on a wrong one.
pub(crate) fn run_one(data: &[u8]) {
    let Some(request) = request(data) else { return };
    let method = request.method().clone();
    let response = runtime()
        .block_on(router().clone().oneshot(request))
        .expect("the router is infallible");
    let status = response.status().as_u16();
    assert!((200..=599).contains(&status), "status {status}");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = runtime()
        .block_on(response.into_body().collect())
        .expect("a body")
        .to_bytes();
    check(&method, status, &content_type, &body);
}

/// Whether an answer is well formed: each kind of body as it must be, and
/// no error with a debug detail (debug is off).
pub(crate) fn check(method: &http::Method, status: u16, content_type: &str, body: &[u8]) {
    if body.is_empty() {
        assert!(
            *method == http::Method::HEAD || status == 204 || status == 304,
            "an empty {status} to {method}"
        );
        return;
    }
    match content_type {
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
            if status >= 400 {
                assert!(
                    value.get("__debug__").is_none(),
                    "debug details with debug off: {value}"
                );
                assert_eq!(value["code"], status, "{value}");
                assert!(
                    value["message"].is_string() && value["name"].is_string(),
                    "{value}"
                );
                assert_eq!(
                    value["name"].as_str(),
                    http::StatusCode::from_u16(status).unwrap().canonical_reason(),
                    "{value}"
                );
            }
        }
        "text/event-stream" => {
            assert!(status < 400, "a stream with status {status}");
            let text = std::str::from_utf8(body).expect("UTF-8 events");
            let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
            let (last, items) = events.split_last().expect("at least the closing event");
            for item in items {
                let data = item
                    .strip_prefix("data: ")
                    .unwrap_or_else(|| panic!("an item {item:?}"));
                serde_json::from_str::<serde_json::Value>(data).expect("JSON items");
            }
            assert!(
                *last == "event: close\ndata: close" || last.starts_with("event: error\ndata: "),
                "a stream that ends with {last:?}"
            );
            assert!(
                !last.contains("__debug__"),
                "debug details with debug off: {last}"
            );
        }
        "text/javascript" | "text/javascript; charset=utf-8" => {
            let text = std::str::from_utf8(body).expect("UTF-8 script");
            if body.starts_with(b"/*") {
                assert!(body == PICO_JS, "a script that is not pico.js: {text}");
                return;
            }
            // JSONP, or a definition loaded: `callback(JSON);`.
            let (callback, rest) = text.split_once('(').unwrap_or_else(|| panic!("{text}"));
            assert!(
                !callback.is_empty()
                    && callback.split('.').all(|part| !part.is_empty()
                        && part.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')),
                "a callback {callback:?}"
            );
            let argument = rest.strip_suffix(");").unwrap_or_else(|| panic!("{text}"));
            serde_json::from_str::<serde_json::Value>(argument).expect("a JSON argument");
        }
        "application/problem+json" => {
            assert!(status >= 400, "problem details with status {status}");
            let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
            assert!(
                value.get("__debug__").is_none(),
                "debug details with debug off: {value}"
            );
            assert_eq!(value["status"], status, "{value}");
            assert_eq!(
                value["title"].as_str(),
                http::StatusCode::from_u16(status).unwrap().canonical_reason(),
                "{value}"
            );
            // Every member `PicoProblem` requires in the document, and the
            // standard body's within.
            assert_eq!(value["code"], status, "{value}");
            for member in ["type", "detail", "instance", "name", "message"] {
                assert!(value[member].is_string(), "no {member}: {value}");
            }
            assert_eq!(value["detail"], value["message"], "{value}");
        }
        // A module's TypeScript declarations, the `/docs` page.
        "application/typescript; charset=utf-8" => {
            assert_eq!(status, 200);
            let text = std::str::from_utf8(body).expect("UTF-8 declarations");
            assert!(text.starts_with("// TypeScript declarations"), "{text}");
        }
        "text/html; charset=utf-8" => {
            assert_eq!(status, 200);
            assert!(
                body.starts_with(b"<!doctype html>"),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        _ => panic!(
            "an answer of type {content_type:?}: {}",
            String::from_utf8_lossy(body)
        ),
    }
}

/// The status of the answer to `data` (0 when it is not a request).
pub(crate) fn status(data: &[u8]) -> u16 {
    let Some(request) = request(data) else { return 0 };
    let response = runtime()
        .block_on(router().clone().oneshot(request))
        .expect("the router is infallible");
    response.status().as_u16()
}
