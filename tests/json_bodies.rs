//! A JSON body is answered at the first look when it is whole by then,
//! and by the general path in every other case: in pieces, still on its
//! way, over the limit, unreadable, with arguments the straight path
//! leaves to the general one, or from a body whose layer panics. Every
//! answer is the one the general path gives, under axum and under Pico's
//! own server, and the connection serves on.

mod common;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[pico::api]
pub mod greet {
    #[expose]
    pub fn hello(who: String) -> String {
        format!("hello {who}")
    }

    #[expose]
    pub fn total(items: Vec<u32>, unit: Option<String>) -> String {
        format!("{} {}", items.iter().sum::<u32>(), unit.unwrap_or_default())
    }
}

fn app() -> pico::App {
    pico::App::new().register(greet::module()).body_limit(64)
}

/// The app under `axum::serve`, and under Pico's own server: their base
/// URLs (the own server's stop signal kept alive with the test).
async fn both() -> Vec<(String, Option<std::sync::Arc<tokio::sync::Notify>>)> {
    let under_axum = common::serve(app()).await.base;
    let (own, stop, _task) = common::serve_until_stopped(pico::Server::new(), app()).await;
    vec![(under_axum, None), (own, Some(stop))]
}

/// An answer read off a kept-alive connection: its status and body.
async fn answer(stream: &mut TcpStream) -> (u16, String) {
    let raw = common::read_answer(stream).await;
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head");
    (head[9..12].parse().unwrap(), body.to_owned())
}

const JSON: &str = "application/json";
/// The same media type as the general path alone reads it.
const JSON_WITH_CHARSET: &str = "application/json; charset=utf-8";

fn post(path: &str, content_type: &str, framing: &str, body: &str) -> String {
    format!("POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n{framing}\r\n{body}")
}

fn sized(path: &str, content_type: &str, body: &str) -> String {
    post(
        path,
        content_type,
        &format!("Content-Length: {}\r\n", body.len()),
        body,
    )
}

/// `body` sent as chunks of `size` bytes, then the last chunk.
fn chunked(path: &str, body: &str, size: usize) -> String {
    let mut chunks = String::new();
    for piece in body.as_bytes().chunks(size) {
        chunks.push_str(&format!(
            "{:x}\r\n{}\r\n",
            piece.len(),
            std::str::from_utf8(piece).unwrap()
        ));
    }
    chunks.push_str("0\r\n\r\n");
    post(path, JSON, "Transfer-Encoding: chunked\r\n", &chunks)
}

/// An answer's status and body, its request id left out: each request
/// has its own.
fn without_id((status, body): (u16, String)) -> (u16, String) {
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Object(mut members)) => {
            assert!(members.remove("request_id").is_some(), "{body}");
            (status, serde_json::Value::Object(members).to_string())
        }
        _ => (status, body),
    }
}

fn message(body: &str) -> String {
    let body: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{body}"));
    body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

#[tokio::test]
async fn a_json_body_is_answered_as_the_general_path_answers_it_however_it_comes() {
    let cases = [
        ("/greet/hello", r#"{"who": "ann"}"#),
        ("/greet/total", r#"{"items": [1, 2, 3], "unit": "kg"}"#),
        // Left to the general path by the straight one: an escaped name
        // (read as `who`), a name it does not take, a missing argument,
        // JSON that is not an object, broken JSON, nothing.
        ("/greet/hello", r#"{"\u0077ho": "ann"}"#),
        ("/greet/hello", r#"{"who": "ann", "extra": 1}"#),
        ("/greet/hello", "{}"),
        ("/greet/hello", "[1]"),
        ("/greet/hello", r#"{"who": "#),
        ("/greet/hello", ""),
    ];
    for (base, _stop) in both().await {
        let address = base.trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let mut statuses = Vec::new();
        for (path, body) in cases {
            stream
                .write_all(sized(path, JSON_WITH_CHARSET, body).as_bytes())
                .await
                .unwrap();
            let general = without_id(answer(&mut stream).await);
            statuses.push(general.0);
            for request in [
                sized(path, JSON, body),
                chunked(path, body, 3),
                chunked(path, body, 64),
            ] {
                stream.write_all(request.as_bytes()).await.unwrap();
                let got = without_id(answer(&mut stream).await);
                assert_eq!(got, general, "{base} {request:?}");
            }
            // The head and part of the body, the rest once the server may
            // have looked: answered when the body is whole.
            let request = sized(path, JSON, body);
            let (first, rest) = request.split_at(request.len() - body.len() / 2);
            stream.write_all(first.as_bytes()).await.unwrap();
            stream.flush().await.unwrap();
            tokio::task::yield_now().await;
            stream.write_all(rest.as_bytes()).await.unwrap();
            assert_eq!(
                without_id(answer(&mut stream).await),
                general,
                "{base} {path} {body}"
            );
        }
        // The cases are what they say: three calls, then refusals.
        assert_eq!(statuses, [200, 200, 200, 400, 400, 400, 400, 400], "{base}");
    }
}

#[tokio::test]
async fn a_compressed_json_body_or_one_naming_a_callback_is_answered_as_the_general_path_answers_it() {
    use std::io::Write;
    let gzip = |body: &str| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(body.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let cases = [
        r#"{"who": "ann"}"#,
        r#"{"who": "ann", "extra": 1}"#,
        // Decoded past the limit.
        &format!(r#"{{"who": "{}"}}"#, "a".repeat(80)),
    ];
    for (base, _stop) in both().await {
        let address = base.trim_start_matches("http://").to_owned();
        let mut statuses = Vec::new();
        for body in cases {
            let compressed = gzip(body);
            let mut answers = Vec::new();
            for content_type in [JSON_WITH_CHARSET, JSON] {
                let mut request = format!(
                    "POST /greet/hello HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n\
                     Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                    compressed.len()
                )
                .into_bytes();
                request.extend_from_slice(&compressed);
                let mut stream = TcpStream::connect(&address).await.unwrap();
                stream.write_all(&request).await.unwrap();
                answers.push(without_id(answer(&mut stream).await));
            }
            assert_eq!(answers[1], answers[0], "{base} {body}");
            statuses.push(answers[0].0);
        }
        assert_eq!(statuses, [200, 400, 413], "{base}");
        // JSONP names its callback among the arguments, a reserved name the
        // straight path leaves to the general one, which refuses it here.
        let mut stream = TcpStream::connect(&address).await.unwrap();
        let mut answers = Vec::new();
        for content_type in [JSON_WITH_CHARSET, JSON] {
            let request = sized(
                "/greet/hello",
                content_type,
                r#"{"who": "ann", "_callback": "f"}"#,
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            answers.push(without_id(answer(&mut stream).await));
        }
        assert_eq!(answers[1], answers[0], "{base}");
        assert_eq!(answers[0].0, 400, "{base}: {answers:?}");
    }
}

#[tokio::test]
async fn a_json_body_over_the_limit_is_refused_however_it_comes() {
    let big = format!(r#"{{"who": "{}"}}"#, "a".repeat(80));
    for (base, _stop) in both().await {
        let address = base.trim_start_matches("http://").to_owned();
        // Declared, or read whole in one piece, or found in pieces.
        for request in [
            sized("/greet/hello", JSON, &big),
            chunked("/greet/hello", &big, 200),
            chunked("/greet/hello", &big, 10),
        ] {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            stream.write_all(request.as_bytes()).await.unwrap();
            let (status, body) = answer(&mut stream).await;
            assert_eq!(status, 413, "{base} {request:?}: {body}");
            assert_eq!(
                message(&body),
                "The request body is larger than the limit of 64 bytes."
            );
        }
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(sized("/greet/hello", JSON, r#"{"who":"bo"}"#).as_bytes())
            .await
            .unwrap();
        assert_eq!(answer(&mut stream).await, (200, r#""hello bo""#.to_owned()));
    }
}

/// A body a layer of the user's gives the app: it panics when read,
/// fails, is whole in one frame over the limit without having said how
/// long it is, or panics when let go.
enum Given {
    Panics,
    Fails,
    Big(Option<Bytes>),
    PanicsWhenDropped(Option<Bytes>),
}

impl Drop for Given {
    fn drop(&mut self) {
        if matches!(self, Given::PanicsWhenDropped(_)) && !std::thread::panicking() {
            panic!("the body exploded when let go");
        }
    }
}

impl http_body::Body for Given {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(match &mut *self {
            Given::Panics => panic!("the body exploded"),
            Given::Fails => Some(Err(std::io::Error::other("the body broke"))),
            Given::Big(data) | Given::PanicsWhenDropped(data) => {
                data.take().map(|data| Ok(http_body::Frame::data(data)))
            }
        })
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Given::Big(None) | Given::PanicsWhenDropped(None))
    }
}

#[tokio::test]
async fn a_body_that_panics_fails_or_outgrows_the_limit_is_answered_as_the_general_path_answers_it_and_the_connection_serves_on()
 {
    // The body read before the layer gives the app its own: the
    // connection is then ready for the next request.
    let router = app().into_router().layer(axum::middleware::map_request(
        |request: axum::extract::Request| async move {
            let given = match request.headers().get("x-given").map(|v| v.as_bytes()) {
                Some(b"panics") => Given::Panics,
                Some(b"big") => Given::Big(Some(Bytes::from(format!(r#"{{"who": "{}"}}"#, "a".repeat(80))))),
                Some(b"panics when dropped") => {
                    Given::PanicsWhenDropped(Some(Bytes::from(r#"{"who": "ann"}"#)))
                }
                _ => Given::Fails,
            };
            let (parts, body) = request.into_parts();
            http_body_util::BodyExt::collect(body).await.unwrap();
            axum::extract::Request::from_parts(parts, axum::body::Body::new(given))
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let mut stream = TcpStream::connect(address).await.unwrap();
    let body = r#"{"who": "ann"}"#;
    // Each at the first look, and by the general path alone.
    for content_type in [JSON, JSON_WITH_CHARSET] {
        for (given, status, expected) in [
            ("panics", 500, None),
            ("fails", 400, Some("The request body could not be read.")),
            (
                "big",
                413,
                Some("The request body is larger than the limit of 64 bytes."),
            ),
            ("panics when dropped", 500, None),
        ] {
            let request = post(
                "/greet/hello",
                content_type,
                &format!("X-Given: {given}\r\nContent-Length: {}\r\n", body.len()),
                body,
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let (got, answered) = answer(&mut stream).await;
            assert_eq!(got, status, "{given}, {content_type}: {answered}");
            let answered: serde_json::Value = serde_json::from_str(&answered).unwrap();
            match expected {
                Some(expected) => assert_eq!(answered["message"], json!(expected), "{answered}"),
                None => assert_eq!(answered["name"], json!("Internal Server Error"), "{answered}"),
            }
        }
    }
}
