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

    /// Sends `request` and reads its answer.
    pub(crate) async fn exchange(&mut self, request: &[u8]) -> io::Result<Answer<'_>> {
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
                    let (framing, closing) = framing(response.headers)?;
                    break (status, head, framing, closing);
                }
                httparse::Status::Partial => self.read_more().await?,
            }
        };
        match framing {
            Framing::Length(length) => {
                let end = head
                    .checked_add(length)
                    .ok_or_else(|| invalid("content-length"))?;
                while self.filled < end {
                    self.read_more().await?;
                }
                self.consumed = end;
                Ok(Answer {
                    status,
                    body: &self.buffer[head..end],
                    closing,
                })
            }
            Framing::Chunked => {
                self.consumed = self.read_chunks(head).await?;
                Ok(Answer {
                    status,
                    body: &self.chunks,
                    closing,
                })
            }
            Framing::Close => {
                while self.read().await? > 0 {}
                self.consumed = self.filled;
                Ok(Answer {
                    status,
                    body: &self.buffer[head..self.filled],
                    closing: true,
                })
            }
        }
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
            // The chunk's data and its CRLF.
            let end = size_end
                .checked_add(size + 2)
                .ok_or_else(|| invalid("chunk size"))?;
            while self.filled < end {
                self.read_more().await?;
            }
            if size == 0 {
                // No trailers are sent to this client.
                return Ok(end);
            }
            self.chunks
                .extend_from_slice(&self.buffer[size_end..size_end + size]);
            at = end;
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

/// How the body is delimited, and whether the connection closes after it.
fn framing(headers: &[httparse::Header<'_>]) -> io::Result<(Framing, bool)> {
    let mut framing = Framing::Close;
    let mut closing = false;
    for header in headers {
        if header.name.eq_ignore_ascii_case("content-length") {
            let length = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| invalid("content-length"))?;
            if !matches!(framing, Framing::Chunked) {
                framing = Framing::Length(length);
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if header.value.eq_ignore_ascii_case(b"chunked") {
                framing = Framing::Chunked;
            } else {
                return Err(invalid("a transfer-encoding other than chunked"));
            }
        } else if header.name.eq_ignore_ascii_case("connection") {
            closing = header.value.eq_ignore_ascii_case(b"close");
        }
    }
    Ok((framing, closing))
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// A server that answers each request with the next of `answers`,
    /// written in `pieces` bytes at a time, after reading the request's
    /// `request_len` bytes.
    async fn serve(answers: Vec<Vec<u8>>, request_len: usize, pieces: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            for answer in answers {
                let mut request = vec![0; request_len];
                stream.read_exact(&mut request).await.unwrap();
                for piece in answer.chunks(pieces) {
                    stream.write_all(piece).await.unwrap();
                    stream.flush().await.unwrap();
                    tokio::task::yield_now().await;
                }
            }
        });
        addr
    }

    #[tokio::test]
    async fn reads_each_framing_in_any_pieces() {
        let answers = vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n42".to_vec(),
            b"HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\na;x=y\r\n0123456789\r\n0\r\n\r\n".to_vec(),
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
            b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nthe end".to_vec(),
        ];
        let request = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";
        for pieces in [1, 3, 1000] {
            let addr = serve(answers.clone(), request.len(), pieces).await;
            let mut connection = Connection::connect(&addr).await.unwrap();
            let answer = connection.exchange(request).await.unwrap();
            assert_eq!(
                (answer.status, answer.body, answer.closing),
                (200, &b"42"[..], false)
            );
            let answer = connection.exchange(request).await.unwrap();
            assert_eq!(
                (answer.status, answer.body, answer.closing),
                (404, &b"abc0123456789"[..], false)
            );
            let answer = connection.exchange(request).await.unwrap();
            assert_eq!((answer.status, answer.body), (200, &b""[..]));
            let answer = connection.exchange(request).await.unwrap();
            assert_eq!(
                (answer.status, answer.body, answer.closing),
                (500, &b"the end"[..], true)
            );
        }
    }

    #[tokio::test]
    async fn a_cut_answer_is_an_error() {
        let answers = vec![b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n42".to_vec()];
        let request = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";
        let addr = serve(answers, request.len(), 1000).await;
        let mut connection = Connection::connect(&addr).await.unwrap();
        assert!(connection.exchange(request).await.is_err());
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
