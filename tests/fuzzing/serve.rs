//! What the serve loop's fuzz target and its regression test share: raw
//! bytes into the app's own server (hyper's parser, Pico's limits, the app)
//! over an in-memory stream, and what a right answer is.

use std::sync::OnceLock;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::app;

fn server() -> &'static pico::ConnectionServer {
    static SERVER: OnceLock<pico::ConnectionServer> = OnceLock::new();
    SERVER.get_or_init(|| pico::ConnectionServer::new(app::app()))
}

/// Sends `data` as the bytes of one connection, then ends its sending
/// side, and checks what comes back; panics on a wrong answer.
pub(crate) fn run_raw(data: &[u8]) {
    let answer = app::runtime().block_on(async {
        let (client, served) = tokio::io::duplex(64 * 1024);
        let serving = server().serve(served, std::net::SocketAddr::from(([192, 0, 2, 1], 4711)));
        let talking = async move {
            let (mut reading, mut writing) = tokio::io::split(client);
            let send = async {
                // The server may close before it has read everything.
                let _ = writing.write_all(data).await;
                let _ = writing.shutdown().await;
            };
            let mut answer = Vec::new();
            let receive = reading.read_to_end(&mut answer);
            let ((), received) = tokio::join!(send, receive);
            received.expect("an in-memory stream does not fail");
            answer
        };
        let ((), answer) = tokio::join!(serving, talking);
        answer
    });
    check_raw(data, &answer);
}

/// HTTP/2's connection preface: what follows is frames, not text.
const PREFACE: &[u8] = b"PRI * HTTP/2.0";

/// Whether the bytes that came back are right: HTTP/1.x responses one
/// after another. Pico's (they carry `x-request-id`, the HTTP layer's
/// refusals too) hold the bodies `check` accepts; a refusal that came while
/// an answer was still queued goes out as hyper wrote it, a 4xx or 5xx
/// without a body.
pub(crate) fn check_raw(sent: &[u8], mut answer: &[u8]) {
    if sent.starts_with(PREFACE) || answer.is_empty() {
        return;
    }
    // A HEAD is answered with the head alone, its length declared but no
    // body sent: a response with no body where one is declared (the bytes
    // end, or the next response begins) is one, if a HEAD was sent.
    let head_sent = sent.windows(5).any(|w| w == b"HEAD ");
    while !answer.is_empty() {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let head = match response.parse(answer) {
            Ok(httparse::Status::Complete(head)) => head,
            other => panic!(
                "not an HTTP response ({other:?}): {:?}",
                String::from_utf8_lossy(answer)
            ),
        };
        let status = response.code.expect("a status");
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).into_owned())
        };
        let ours = header("x-request-id").is_some();
        let content_type = header("content-type").unwrap_or_default();
        let rest = &answer[head..];
        // The next response may be HTTP/1.0, answering a 1.0 request.
        let headless = head_sent && (rest.is_empty() || rest.starts_with(b"HTTP/1."));
        let (method, body, used) = if headless {
            (http::Method::HEAD, Vec::new(), 0)
        } else if status == 204 || status == 304 {
            (http::Method::GET, Vec::new(), 0)
        } else if header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            let (body, used) = dechunk(rest);
            (http::Method::GET, body, used)
        } else {
            let length: usize = header("content-length").map_or(rest.len(), |l| l.parse().expect("a length"));
            assert!(rest.len() >= length, "a body cut short");
            (http::Method::GET, rest[..length].to_vec(), length)
        };
        if ours {
            app::check(&method, status, &content_type, &body);
        } else {
            assert!(
                status >= 400 && body.is_empty(),
                "the HTTP layer answered {status} with {body:?}"
            );
        }
        answer = &rest[used..];
    }
}

/// A chunked body, and the bytes it took.
fn dechunk(mut bytes: &[u8]) -> (Vec<u8>, usize) {
    let start = bytes.len();
    let mut body = Vec::new();
    loop {
        let line_end = bytes
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&bytes[..line_end]).expect("a hex size"), 16)
            .expect("a hex size");
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            let end = bytes
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("the last CRLF");
            bytes = &bytes[end + 2..];
            return (body, start - bytes.len());
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}
