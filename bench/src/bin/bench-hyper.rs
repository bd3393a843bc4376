//! Server H: the limit of the stack. hyper's own HTTP/1 server and a
//! hand-written service: the path matched by hand, the query parsed by
//! hand, the JSON written by hand; no router, no extractors, no serve loop
//! but hyper's. The query, JSON-body, 4 KiB object and upload scenarios:
//! the upload's body is read into one buffer sized from `Content-Length`,
//! and the file found in it between its part's headers and the closing
//! boundary, with no multipart parser: the least any server must do.
//!
//! With `guarded` as its second argument, server HG: the same service with
//! the guarantees Pico gives every answer on these paths, each written the
//! cheapest way a careful user would: a request id kept from the client or
//! made (32 hexadecimal digits, a random start and a count of the thread's
//! own) and answered in `X-Request-Id` and in error bodies;
//! `X-Content-Type-Options: nosniff`; a panic answered as a 500 in the
//! standard body; a body limit; a body's media type checked. No time
//! limits and no connection limit: the serve loop is H's.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::convert::Infallible;
use std::hash::BuildHasher;
use std::panic::AssertUnwindSafe;
use std::sync::LazyLock;

use futures_util::FutureExt;
use http_body_util::Limited;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn bad_request() -> Response<Full<Bytes>> {
    json(
        StatusCode::BAD_REQUEST,
        r#"{"name":"Bad Request","code":400,"message":"bad arguments"}"#,
    )
}

fn multiply(query: &str) -> Response<Full<Bytes>> {
    let (mut x, mut y) = (None, None);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("x", v)) => x = v.parse::<i64>().ok(),
            Some(("y", v)) => y = v.parse::<i64>().ok(),
            _ => {}
        }
    }
    match (x, y) {
        (Some(x), Some(y)) => json(StatusCode::OK, x.wrapping_mul(y).to_string()),
        _ => bad_request(),
    }
}

#[derive(serde::Deserialize)]
struct Hello<'a> {
    #[serde(borrow)]
    who: std::borrow::Cow<'a, str>,
}

/// The length of the file in a multipart body of one part, or `None`.
fn file_length(body: &[u8], content_type: &str) -> Option<usize> {
    let boundary = content_type.split_once("boundary=")?.1;
    let start = memchr::memmem::find(body, b"\r\n\r\n")? + 4;
    let end = memchr::memmem::rfind(body, format!("\r\n--{boundary}--").as_bytes())?;
    end.checked_sub(start)
}

async fn upload<B>(request: Request<B>) -> Response<Full<Bytes>>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let header = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
    let capacity = header(header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(16 << 20);
    let mut body = request.into_body();
    let mut data = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        match frame.map(|f| f.into_data()) {
            Ok(Ok(chunk)) => data.extend_from_slice(&chunk),
            Ok(Err(_)) => {}
            Err(e) => {
                return match e.into().is::<http_body_util::LengthLimitError>() {
                    true => json(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        r#"{"name":"Payload Too Large","code":413,"message":"the body is too large"}"#,
                    ),
                    false => bad_request(),
                };
            }
        }
    }
    match file_length(&data, &content_type) {
        Some(n) => json(StatusCode::OK, n.to_string()),
        None => bad_request(),
    }
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match (request.method(), request.uri().path()) {
        (_, "/bench/multiply") => multiply(request.uri().query().unwrap_or("")),
        (_, "/bench/object") => json(StatusCode::OK, serde_json::to_vec(&pico_bench::object()).unwrap()),
        (&Method::POST, "/bench/upload") => upload(request).await,
        (&Method::POST, "/bench/hello") => match request.into_body().collect().await {
            Ok(body) => match serde_json::from_slice::<Hello>(&body.to_bytes()) {
                Ok(hello) => json(
                    StatusCode::OK,
                    serde_json::to_vec(&format!("hello {}!", hello.who)).unwrap(),
                ),
                Err(_) => bad_request(),
            },
            Err(_) => bad_request(),
        },
        _ => json(
            StatusCode::NOT_FOUND,
            r#"{"name":"Not Found","code":404,"message":"not found"}"#,
        ),
    })
}

const BODY_LIMIT: usize = 16 * 1024 * 1024;

static X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// HG's answer: H's, with Pico's guarantees around it.
async fn guarded(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let id = request_id(request.headers().get(&X_REQUEST_ID));
    let answer = AssertUnwindSafe(guarded_answer(request, &id)).catch_unwind();
    let mut response = answer.await.unwrap_or_else(|_| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server encountered an internal error.",
            &id,
        )
    });
    let headers = response.headers_mut();
    headers.insert(&X_REQUEST_ID, id);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// H's routes, with a body's media type checked and its size limited, and
/// the request id in error bodies.
async fn guarded_answer(request: Request<Incoming>, id: &header::HeaderValue) -> Response<Full<Bytes>> {
    match (request.method(), request.uri().path()) {
        (&Method::POST, "/bench/hello") => {
            let is_json = request
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"application/json"));
            if !is_json {
                return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send application/json", id);
            }
            match Limited::new(request.into_body(), BODY_LIMIT).collect().await {
                Ok(body) => match serde_json::from_slice::<Hello>(&body.to_bytes()) {
                    Ok(hello) => json(
                        StatusCode::OK,
                        serde_json::to_vec(&format!("hello {}!", hello.who)).unwrap(),
                    ),
                    Err(_) => error(StatusCode::BAD_REQUEST, "bad arguments", id),
                },
                Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                    error(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large", id)
                }
                Err(_) => error(StatusCode::BAD_REQUEST, "the body could not be read", id),
            }
        }
        (&Method::POST, "/bench/upload") => with_id(
            upload(request.map(|body| Limited::new(body, BODY_LIMIT))).await,
            id,
        ),
        _ => match answer(request).await {
            Ok(response) => with_id(response, id),
            Err(never) => match never {},
        },
    }
}

/// H's own error bodies, which carry no request id, written again with it.
fn with_id(response: Response<Full<Bytes>>, id: &header::HeaderValue) -> Response<Full<Bytes>> {
    match response.status() {
        StatusCode::BAD_REQUEST => error(StatusCode::BAD_REQUEST, "bad arguments", id),
        StatusCode::NOT_FOUND => error(StatusCode::NOT_FOUND, "not found", id),
        StatusCode::PAYLOAD_TOO_LARGE => error(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large", id),
        _ => response,
    }
}

fn error(status: StatusCode, message: &str, id: &header::HeaderValue) -> Response<Full<Bytes>> {
    let body = serde_json::json!({
        "name": status.canonical_reason(),
        "code": status.as_u16(),
        "message": message,
        "request_id": id.to_str().unwrap_or_default(),
    });
    json(status, serde_json::to_vec(&body).unwrap())
}

/// The client's id when it is a short token of visible ASCII, else one
/// made: the process's random start, written once, then the thread's own
/// count, two digits a byte.
fn request_id(incoming: Option<&header::HeaderValue>) -> header::HeaderValue {
    if let Some(id) = incoming.filter(|v| v.len() <= 128 && v.as_bytes().iter().all(u8::is_ascii_graphic)) {
        return id.clone();
    }
    static START: LazyLock<[u8; 16]> = LazyLock::new(|| {
        let mut digits = [0; 16];
        write_hex(&mut digits, RandomState::new().hash_one(std::process::id()));
        digits
    });
    thread_local! {
        static COUNT: Cell<u64> = Cell::new(RandomState::new().hash_one(0u8) << 32);
    }
    let n = COUNT.with(|count| {
        let n = count.get();
        count.set(n.wrapping_add(1));
        n
    });
    let mut digits = [0; 32];
    digits[..16].copy_from_slice(&*START);
    write_hex(&mut digits[16..], n);
    header::HeaderValue::from_bytes(&digits).expect("hexadecimal digits")
}

/// `n` in 16 hexadecimal digits, two a byte.
fn write_hex(out: &mut [u8], n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in out.chunks_exact_mut(2).zip(n.to_be_bytes()) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
}

#[tokio::main]
async fn main() {
    let guarantees = pico_bench::mode() == "guarded";
    let listener = pico_bench::listen().await;
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(async move {
            let connection = http1::Builder::new();
            let _ = match guarantees {
                true => {
                    connection
                        .serve_connection(TokioIo::new(tcp), service_fn(guarded))
                        .await
                }
                false => {
                    connection
                        .serve_connection(TokioIo::new(tcp), service_fn(answer))
                        .await
                }
            };
        });
    }
}
