//! The load's client: one keep-alive connection on which a request's bytes,
//! made once, are written as they are, and each answer is read with
//! httparse and handed back whole to be checked.
//!
//! hyper's client costs the load about as much CPU a request as the fastest
//! servers spend answering it (its connection and its caller are two tasks
//! joined by channels, and every answer's headers go into a map), so under
//! it the load, not the server, set the pace. This client does what wrk
//! does, and checks what wrk cannot: every answer's status and body.

use std::io;

use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::scenarios::Scenario;

/// The bytes of `scenario`'s request to `addr`, as hyper's client writes
/// them: the scenario's headers, and a `content-length` where a body is
/// sent or a method expects one.
pub(crate) fn request_bytes(addr: &str, scenario: &Scenario) -> Vec<u8> {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\n",
        scenario.method, scenario.path
    );
    for (name, value) in &scenario.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let expects_body = matches!(scenario.method, Method::POST | Method::PUT | Method::PATCH);
    if !scenario.body.is_empty() || expects_body {
        head.push_str(&format!("content-length: {}\r\n", scenario.body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&scenario.body);
    bytes
}

/// An answer, its body put together from its chunks when it came in them.
pub(crate) struct Answer<'a> {
    pub(crate) status: u16,
    pub(crate) body: &'a [u8],
    /// The server closes the connection after it.
    pub(crate) closing: bool,
}

/// How an answer's body is delimited.
enum Framing {
    Length(usize),
    Chunked,
    /// By the end of the connection.
    Close,
}

/// One connection, and what has been read of it.
pub(crate) struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    /// How much of `buffer` holds bytes read.
    filled: usize,
    /// Where the last answer ended in `buffer`.
    consumed: usize,
    /// A chunked body, put together.
    chunks: Vec<u8>,
}

/// An answer read, its body where it lies.
struct Read {
    status: u16,
    body: Body,
    closing: bool,
}

/// Where an answer's body lies.
enum Body {
    /// In the read buffer, from and to.
    Buffer(usize, usize),
    /// In the chunks put together.
    Chunks,
}

impl Connection {
    pub(crate) async fn connect(addr: &str) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: vec![0; 16 * 1024],
            filled: 0,
            consumed: 0,
            chunks: Vec::new(),
        })
    }

    /// Sends `request` and reads its answer, unless `until` comes first: a
    /// server that stops halfway is an error, not a round that never ends.
    pub(crate) async fn exchange(&mut self, request: &[u8], until: Instant) -> io::Result<Answer<'_>> {
        let read = match tokio::time::timeout_at(until, self.send(request)).await {
            Ok(read) => read?,
            Err(_) => return Err(io::ErrorKind::TimedOut.into()),
        };
        Ok(Answer {
            status: read.status,
            body: match read.body {
                Body::Buffer(start, end) => &self.buffer[start..end],
                Body::Chunks => &self.chunks,
            },
            closing: read.closing,
        })
    }

    /// Sends `request` and reads its answer into the buffers.
    async fn send(&mut self, request: &[u8]) -> io::Result<Read> {
        // Nothing is sent before the last answer is read: what follows it
        // is what a server sent that it should not have, read as the next
        // answer's start (and found wrong there).
        self.buffer.copy_within(self.consumed..self.filled, 0);
        self.filled -= self.consumed;
        self.consumed = 0;
        self.stream.write_all(request).await?;
        let (status, head, framing, closing) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buffer[..self.filled]).map_err(invalid)? {
                httparse::Status::Complete(head) => {
                    let status = response.code.ok_or_else(|| invalid("no status code"))?;
                    // No request asks for one (no `Expect`, no upgrade).
                    if status < 200 {
                        return Err(invalid("an interim answer"));
                    }
                    let (framing, closing) = framing(status, response.headers)?;
                    break (status, head, framing, closing);
                }
                httparse::Status::Partial => self.read_more().await?,
            }
        };
        let (body, end) = match framing {
            Framing::Length(length) => {
                let end = head
                    .checked_add(length)
                    .ok_or_else(|| invalid("content-length"))?;
                while self.filled < end {
                    self.read_more().await?;
                }
                (Body::Buffer(head, end), end)
            }
            Framing::Chunked => (Body::Chunks, self.read_chunks(head).await?),
            Framing::Close => {
                while self.read().await? > 0 {}
                (Body::Buffer(head, self.filled), self.filled)
            }
        };
        self.consumed = end;
        Ok(Read {
            status,
            body,
            closing: closing || matches!(framing, Framing::Close),
        })
    }

    /// Puts together the chunks that start at `at`; returns where they end.
    async fn read_chunks(&mut self, mut at: usize) -> io::Result<usize> {
        self.chunks.clear();
        loop {
            let (size_end, size) = loop {
                match httparse::parse_chunk_size(&self.buffer[at..self.filled])
                    .map_err(|_| invalid("chunk size"))?
                {
                    httparse::Status::Complete((length, size)) => break (at + length, size),
                    httparse::Status::Partial => self.read_more().await?,
                }
            };
            let size = usize::try_from(size).map_err(invalid)?;
            if size == 0 {
                return self.read_trailers(size_end).await;
            }
            // The chunk's data and its CRLF.
            let end = size_end
                .checked_add(size)
                .and_then(|end| end.checked_add(2))
                .ok_or_else(|| invalid("chunk size"))?;
            while self.filled < end {
                self.read_more().await?;
            }
            if &self.buffer[end - 2..end] != b"\r\n" {
                return Err(invalid("a chunk not ended by CRLF"));
            }
            self.chunks.extend_from_slice(&self.buffer[size_end..end - 2]);
            at = end;
        }
    }

    /// Reads the trailers after the last chunk, up to the empty line that
    /// ends them; returns where they end.
    async fn read_trailers(&mut self, at: usize) -> io::Result<usize> {
        loop {
            let mut trailers = [httparse::EMPTY_HEADER; 32];
            match httparse::parse_headers(&self.buffer[at..self.filled], &mut trailers).map_err(invalid)? {
                httparse::Status::Complete((length, _)) => return Ok(at + length),
                httparse::Status::Partial => self.read_more().await?,
            }
        }
    }

    /// Reads more of the answer, which must come.
    async fn read_more(&mut self) -> io::Result<()> {
        match self.read().await? {
            0 => Err(io::ErrorKind::UnexpectedEof.into()),
            _ => Ok(()),
        }
    }

    async fn read(&mut self) -> io::Result<usize> {
        if self.filled == self.buffer.len() {
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        let read = self.stream.read(&mut self.buffer[self.filled..]).await?;
        self.filled += read;
        Ok(read)
    }
}

/// How the body of an answer of `status` is delimited (RFC 9112, 6.3),
/// and whether the connection closes after it.
fn framing(status: u16, headers: &[httparse::Header<'_>]) -> io::Result<(Framing, bool)> {
    let mut length = None;
    let mut chunked = false;
    let mut closing = false;
    for header in headers {
        if header.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| invalid("content-length"))?;
            if length.is_some_and(|length| length != value) {
                return Err(invalid("two content-lengths"));
            }
            length = Some(value);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if !header.value.eq_ignore_ascii_case(b"chunked") {
                return Err(invalid("a transfer-encoding other than chunked"));
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("connection") {
            closing |= header
                .value
                .split(|&b| b == b',')
                .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"close"));
        }
    }
    let framing = match (status, chunked, length) {
        (204 | 304, _, _) => Framing::Length(0),
        (_, true, _) => Framing::Chunked,
        (_, false, Some(length)) => Framing::Length(length),
        (_, false, None) => Framing::Close,
    };
    Ok((framing, closing))
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::Duration;

    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";

    /// A server that answers each request with the next of `answers`,
    /// written `piece` bytes at a time, then closes the connection, or
    /// keeps it open until the client lets it go when `stays`.
    async fn serve(answers: Vec<Vec<u8>>, piece: usize, stays: bool) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            for answer in answers {
                let mut request = vec![0; REQUEST.len()];
                stream.read_exact(&mut request).await.unwrap();
                for piece in answer.chunks(piece) {
                    stream.write_all(piece).await.unwrap();
                    stream.flush().await.unwrap();
                    tokio::task::yield_now().await;
                }
            }
            if stays {
                let _ = stream.read(&mut [0; 64]).await;
            }
        });
        addr
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    /// The one answer `answer` is read as, or its error.
    async fn read_one(answer: &[u8]) -> io::Result<(u16, Vec<u8>, bool)> {
        let addr = serve(vec![answer.to_vec()], 1000, true).await;
        let mut connection = Connection::connect(&addr).await.unwrap();
        let answer = connection.exchange(REQUEST, soon()).await?;
        Ok((answer.status, answer.body.to_vec(), answer.closing))
    }

    #[tokio::test]
    async fn reads_each_framing_in_any_pieces() {
        let answers = vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n42".to_vec(),
            b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\na;x=y\r\n0123456789\r\n0\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nx-sum: 1\r\n\r\n".to_vec(),
            b"HTTP/1.1 204 No Content\r\n\r\n".to_vec(),
            b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nthe end".to_vec(),
        ];
        for piece in [1, 3, 1000] {
            let addr = serve(answers.clone(), piece, false).await;
            let mut connection = Connection::connect(&addr).await.unwrap();
            let mut read = Vec::new();
            for _ in &answers {
                let answer = connection.exchange(REQUEST, soon()).await.unwrap();
                read.push((answer.status, answer.body.to_vec(), answer.closing));
            }
            assert_eq!(
                read,
                [
                    (200, b"42".to_vec(), false),
                    (404, b"abc0123456789".to_vec(), false),
                    (200, b"".to_vec(), false),
                    (200, b"ok".to_vec(), false),
                    (204, b"".to_vec(), false),
                    (500, b"the end".to_vec(), true),
                ],
                "{piece} bytes at a time"
            );
        }
    }

    #[tokio::test]
    async fn a_close_among_the_connection_tokens_is_seen() {
        let answer =
            read_one(b"HTTP/1.1 200 OK\r\nconnection: keep-alive, Close\r\ncontent-length: 0\r\n\r\n").await;
        assert_eq!(answer.unwrap(), (200, Vec::new(), true));
    }

    #[tokio::test]
    async fn a_wrong_answer_is_an_error() {
        for (wrong, why) in [
            (
                &b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n42"[..],
                "cut short",
            ),
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 2\r\n\r\n42",
                "two lengths",
            ),
            (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
                "an unknown coding",
            ),
            (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n",
                "a chunk not ended by CRLF",
            ),
            (b"HTTP/1.1 100 Continue\r\n\r\n", "an interim answer"),
            (b"HTTP/1.1 2OO OK\r\n\r\n", "a garbled head"),
            (b"HTTP/1.1 200 O", "no head before the end"),
        ] {
            // Whether the server then closes the connection or keeps it
            // open, the answer is wrong: what it left unfinished ends
            // when the client gives up.
            for stays in [false, true] {
                let addr = serve(vec![wrong.to_vec()], 1000, stays).await;
                let mut connection = Connection::connect(&addr).await.unwrap();
                let until = Instant::now() + Duration::from_millis(300);
                assert!(connection.exchange(REQUEST, until).await.is_err(), "{why}");
            }
        }
    }

    #[tokio::test]
    async fn a_server_that_stops_halfway_times_out() {
        let addr = serve(
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n4".to_vec()],
            1000,
            true,
        )
        .await;
        let mut connection = Connection::connect(&addr).await.unwrap();
        let until = Instant::now() + Duration::from_millis(200);
        let error = connection.exchange(REQUEST, until).await.err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_request_is_written_as_hyper_writes_it() {
        let scenarios = crate::scenarios::scenarios();
        let hello = scenarios.iter().find(|s| s.path == "/bench/hello").unwrap();
        assert_eq!(
            request_bytes("127.0.0.1:1", hello),
            b"POST /bench/hello HTTP/1.1\r\nhost: 127.0.0.1:1\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{\"who\": \"bench\"}"
        );
        let multiply = scenarios
            .iter()
            .find(|s| s.path.starts_with("/bench/multiply"))
            .unwrap();
        assert_eq!(
            request_bytes("127.0.0.1:1", multiply),
            b"GET /bench/multiply?x=6&y=7 HTTP/1.1\r\nhost: 127.0.0.1:1\r\n\r\n"
        );
    }
}
