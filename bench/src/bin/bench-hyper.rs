//! Server H: the limit of the stack. hyper's own HTTP/1 server and a
//! hand-written service: the path matched by hand, the query parsed by
//! hand, the JSON written by hand; no router, no extractors, no serve loop
//! but hyper's. The query, JSON-body, 4 KiB object and upload scenarios:
//! the upload's body is read into one buffer sized from `Content-Length`,
//! and the file found in it between its part's headers and the closing
//! boundary, with no multipart parser: the least any server must do.

use std::convert::Infallible;

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

async fn upload(request: Request<Incoming>) -> Response<Full<Bytes>> {
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
            Err(_) => return bad_request(),
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

#[tokio::main]
async fn main() {
    let listener = pico_bench::listen().await;
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service_fn(answer))
                .await;
        });
    }
}
