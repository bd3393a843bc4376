//! Which HTTP a connection speaks, as Pico's own server tells it from the
//! first bytes, over real sockets: HTTP/2's preface however it is split,
//! HTTP/1.1 whose first bytes look like that preface, and a connection that
//! ends within the preface.

mod common;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::{own_server, read_to_close};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

#[pico::api]
mod talk {
    #[expose]
    fn echo(text: String) -> String {
        text
    }
}

fn app() -> pico::App {
    pico::App::new().register(talk::module())
}

/// A client connection whose first `left` bytes go out one at a time, each
/// in a segment of its own, with the runtime let to run the server's side
/// between two of them: on the test's one thread the server reads each
/// byte before the next is written.
struct ByteByByte {
    tcp: TcpStream,
    left: usize,
    pause: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl ByteByByte {
    async fn connect(address: std::net::SocketAddr, left: usize) -> ByteByByte {
        let tcp = TcpStream::connect(address).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        ByteByByte {
            tcp,
            left,
            pause: None,
        }
    }
}

impl AsyncRead for ByteByByte {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for ByteByByte {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Some(pause) = &mut this.pause {
            std::task::ready!(pause.as_mut().poll(cx));
            this.pause = None;
        }
        let len = match this.left {
            0 => buf.len(),
            _ => buf.len().min(1),
        };
        let written = std::task::ready!(Pin::new(&mut this.tcp).poll_write(cx, &buf[..len]))?;
        if this.left > 0 {
            this.left = this.left.saturating_sub(written);
            // `yield_now` lets the runtime poll its sockets before this
            // task goes on: the server's is then readable, and its task runs.
            this.pause = Some(Box::pin(async {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            }));
        }
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn a_preface_sent_a_byte_at_a_time_is_http2() {
    let (address, _stop) = own_server(pico::Server::new(), app()).await;
    let io = ByteByByte::connect(address, 24).await;
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(io),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    for text in ["one", "two"] {
        let request = http::Request::get(format!("http://{address}/talk/echo?text={text}"))
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        let answer = sender.send_request(request).await.unwrap();
        assert_eq!(
            (answer.status().as_u16(), answer.version()),
            (200, http::Version::HTTP_2)
        );
        assert!(answer.headers().contains_key("x-request-id"));
        let body = http_body_util::BodyExt::collect(answer.into_body())
            .await
            .unwrap();
        assert_eq!(body.to_bytes(), format!("\"{text}\""));
    }
}

#[tokio::test]
async fn http1_whose_first_bytes_are_the_prefaces_is_read_whole() {
    let (address, _stop) = own_server(pico::Server::new(), app()).await;
    // `P`, `O` and `S` come one at a time: `P` is the preface's first byte,
    // so the server reads again before it knows, and hyper must still see
    // every byte, the body's too.
    let mut io = ByteByByte::connect(address, 3).await;
    let body = r#"{"text": "posted"}"#;
    let request = format!(
        "POST /talk/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    io.write_all(request.as_bytes()).await.unwrap();
    let answer = String::from_utf8(read_to_close(&mut io.tcp).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n\"posted\""), "{answer}");
}

#[tokio::test]
async fn http1_that_starts_as_the_preface_does_is_http1() {
    let (address, _stop) = own_server(pico::Server::new(), app()).await;
    // Its first four bytes are the preface's: it is HTTP/1.1 all the same,
    // and its unknown method is answered in the standard body.
    let mut tcp = TcpStream::connect(address).await.unwrap();
    tcp.write_all(b"PRI /talk/echo?text=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = String::from_utf8(read_to_close(&mut tcp).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
    let body = answer.split_once("\r\n\r\n").unwrap().1;
    let error: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(error["code"], 405, "{error}");
}

#[tokio::test]
async fn a_connection_that_ends_within_the_preface_is_a_400_and_others_go_on() {
    // The header timeout is far off: the answer comes from the end of the
    // stream, not from a timer. What came is no HTTP/2 and no whole
    // HTTP/1.1 head.
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(std::time::Duration::from_secs(60)),
        app(),
    )
    .await;
    let mut half = TcpStream::connect(address).await.unwrap();
    half.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    half.shutdown().await.unwrap();
    let answer = String::from_utf8(read_to_close(&mut half).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let error: serde_json::Value = serde_json::from_str(answer.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(
        error["message"], "The request could not be read as HTTP.",
        "{error}"
    );
    let answer = reqwest::get(format!("http://{address}/talk/echo?text=on"))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"on\"");
}
