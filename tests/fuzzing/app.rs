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

fn router() -> &'static axum::Router {
    static ROUTER: OnceLock<axum::Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        pico::App::new()
            .body_limit(64 * 1024)
            .register(fuzzed::module())
            .into_router()
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
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
];

/// Bytes as a request: a method byte, then parts split by `0xFF`: a path
/// (or an index into the app's paths), the query, header lines
/// (`name: value`, split by `0xFE`), and the body.
pub(crate) fn request(data: &[u8]) -> Option<http::Request<Body>> {
    let (&method, rest) = data.split_first()?;
    let mut parts = rest.splitn(4, |&b| b == 0xFF);
    let path = parts.next().unwrap_or_default();
    let query = parts.next().unwrap_or_default();
    let headers = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let path = match path {
        [index] => PATHS[usize::from(*index) % PATHS.len()].to_owned(),
        other => String::from_utf8_lossy(other).into_owned(),
    };
    let mut uri = path;
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&String::from_utf8_lossy(query));
    }
    let mut builder = http::Request::builder()
        .method(METHODS[usize::from(method) % METHODS.len()])
        .uri(uri);
    for line in headers.split(|&b| b == 0xFE).filter(|l| !l.is_empty()) {
        let text = String::from_utf8_lossy(line);
        let (name, value) = text.split_once(':')?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(Body::from(body.to_vec())).ok()
}

/// Sends `data` as a request and checks the answer; panics on a wrong one.
pub(crate) fn run_one(data: &[u8]) {
    let Some(request) = request(data) else { return };
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
    if body.is_empty() {
        // HEAD answers and 304s.
        return;
    }
    match content_type.as_str() {
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            if status >= 400 {
                assert_eq!(value["code"], status, "{value}");
                assert!(
                    value["message"].is_string() && value["name"].is_string(),
                    "{value}"
                );
                assert!(value.get("__debug__").is_none(), "{value}");
            }
        }
        "text/event-stream" => {
            let text = std::str::from_utf8(&body).expect("UTF-8 events");
            for event in text.split("\n\n").filter(|e| !e.is_empty()) {
                if let Some(data) = event.strip_prefix("data: ") {
                    serde_json::from_str::<serde_json::Value>(data).expect("JSON items");
                } else {
                    assert!(
                        event.starts_with("event: close\n") || event.starts_with("event: error\n"),
                        "{event}"
                    );
                }
            }
        }
        "text/javascript" | "text/javascript; charset=utf-8" => {
            let text = std::str::from_utf8(&body).expect("UTF-8 script");
            assert!(text.ends_with(");") || text.contains("pico"), "{text}");
        }
        _ => panic!("an answer of type {content_type:?}: {body:?}"),
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
