//! The header timeout of Pico's own server, over real sockets. A request's
//! head must come whole within it, counted from the connection's last
//! answer. An answer the client reads slowly is not a head, nor is the
//! time between an HTTP/2 connection's streams: neither is cut.

mod common;

use std::time::Duration;

use common::{own_server, read_to_close};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[pico::api]
mod talk {
    #[expose]
    fn echo(text: String) -> String {
        text
    }

    /// A JSON string of `size` letters.
    #[expose]
    fn big(size: usize) -> String {
        "x".repeat(size)
    }
}

fn app() -> pico::App {
    pico::App::new().register(talk::module())
}

#[tokio::test]
async fn a_dribbled_head_is_cut_at_the_header_timeout_and_others_go_on() {
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(Duration::from_millis(500)),
        app(),
    )
    .await;
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /talk/echo?text=slow HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // A byte at a time, each well within any read timeout, never the end
    // of the head: only the timeout on the head as a whole stops it.
    let dribble = async {
        let mut interval = tokio::time::interval(Duration::from_millis(50));
        loop {
            interval.tick().await;
            if slow.write_all(b"X").await.is_err() {
                return;
            }
        }
    };
    let served = async {
        for i in 0..5 {
            let answer = reqwest::get(format!("http://{address}/talk/echo?text={i}"))
                .await
                .unwrap();
            assert_eq!(answer.text().await.unwrap(), format!("\"{i}\""));
        }
    };
    let (_, ()) = tokio::join!(tokio::time::timeout(Duration::from_secs(10), dribble), served);
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest).await;
    assert!(
        rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
}

/// Sends `request` on `stream` and reads its answer.
async fn ask(stream: &mut tokio::net::TcpStream, request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    common::read_answer(stream).await
}

#[tokio::test]
async fn a_dribbled_head_after_an_answered_request_is_cut_at_the_header_timeout() {
    // The first request's head is the first-request limit's; a later one
    // on the same connection is the header timeout's, counted from the
    // answer before it.
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(Duration::from_millis(400)),
        app(),
    )
    .await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let answer = ask(
        &mut stream,
        "GET /talk/echo?text=first HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert!(answer.ends_with("\"first\""), "{answer}");
    stream
        .write_all(b"GET /talk/echo?text=second HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // A byte at a time, never the end of the head, until the server closes.
    let dribble = async {
        let mut interval = tokio::time::interval(Duration::from_millis(50));
        loop {
            interval.tick().await;
            if writer.write_all(b"X").await.is_err() {
                return;
            }
        }
    };
    let mut rest = Vec::new();
    let closed = async {
        let _ = reader.read_to_end(&mut rest).await;
    };
    // The idle time (60 s) would cut it too, but much later: well before
    // that, only the header timeout can have.
    let cut = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::select! {
            () = closed => {}
            () = dribble => {}
        }
    })
    .await;
    assert!(cut.is_ok(), "a dribbled second head was not cut");
    assert!(
        rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&rest)
    );
    // Others are served.
    let answer = reqwest::get(format!("http://{address}/talk/echo?text=on"))
        .await
        .unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"on\"");
}

#[tokio::test]
async fn a_kept_alive_connection_waits_for_its_next_head_no_longer_than_the_header_timeout() {
    // As hyper's own header timeout did: the next head is awaited from the
    // end of the last answer, so a connection kept open with nothing sent
    // goes at the header timeout, long before the idle time.
    let (address, _stop) = own_server(
        pico::Server::new()
            .header_timeout(Duration::from_millis(300))
            .idle_timeout(Duration::from_secs(60)),
        app(),
    )
    .await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let answer = ask(&mut stream, "GET /talk/echo?text=one HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(answer.ends_with("\"one\""), "{answer}");
    let rest = read_to_close(&mut stream).await;
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}

#[tokio::test]
async fn an_answer_read_slowly_is_not_cut_at_the_header_timeout() {
    // More than the kernel's buffers hold, read by a client that takes
    // several header timeouts over it: while the answer goes out, no head
    // is awaited.
    const SIZE: usize = 12 * 1024 * 1024;
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(Duration::from_millis(100)),
        app(),
    )
    .await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    stream
        .write_all(format!("GET /talk/big?size={SIZE} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut received = Vec::with_capacity(SIZE + 1024);
    let mut buffer = vec![0_u8; 32 * 1024];
    let mut pace = tokio::time::interval(Duration::from_millis(2));
    let whole = loop {
        pace.tick().await;
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(n > 0, "cut after {} bytes", received.len());
        received.extend_from_slice(&buffer[..n]);
        if let Some(end) = received.windows(4).take(1024).position(|w| w == b"\r\n\r\n") {
            // The head, then the quotes and the letters.
            let whole = end + 4 + SIZE + 2;
            if received.len() >= whole {
                break whole;
            }
        }
    };
    assert_eq!(received.len(), whole);
    assert!(received.ends_with(b"xxx\""));
}

#[tokio::test]
async fn an_http2_connection_outlives_the_header_timeout_between_its_streams() {
    let (address, _stop) = own_server(
        pico::Server::new().header_timeout(Duration::from_millis(200)),
        app(),
    )
    .await;
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(tcp),
    )
    .await
    .unwrap();
    let mut closed = tokio::spawn(connection);
    for text in ["one", "two"] {
        let request = http::Request::get(format!("http://{address}/talk/echo?text={text}"))
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .unwrap();
        let answer = sender
            .send_request(request)
            .await
            .expect("the connection is open");
        assert_eq!(answer.status(), 200);
        // Five header timeouts with no stream open.
        let waited = tokio::time::timeout(Duration::from_secs(1), &mut closed).await;
        assert!(waited.is_err(), "the connection ended: {waited:?}");
    }
}
