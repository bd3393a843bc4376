//! Which HTTP a connection speaks: HTTP/2 when it opens with HTTP/2's
//! preface (prior knowledge, as proxies speak it), HTTP/1.1 otherwise, told
//! from its first bytes. The connection is then hyper's own for that
//! protocol, the bytes read to tell handed back first by a reader that
//! passes everything else straight through: hyper-util's connection, which
//! could be either, kept its own layer around the one it chose, and every
//! request went through it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
#[cfg(feature = "http2")]
use std::task::ready;
use std::task::{Context, Poll};
#[cfg(feature = "http2")]
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::http1;
#[cfg(feature = "http2")]
use hyper::server::conn::http2;
use hyper::service::HttpService;
use hyper_util::rt::TokioIo;
#[cfg(feature = "http2")]
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What a client with prior knowledge sends first (RFC 9113, 3.4).
#[cfg(feature = "http2")]
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The largest request head (line and headers) read: enough for a query
/// string with thousands of arguments.
const MAX_HEAD: usize = 1024 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection's bytes, as both of hyper's servers take them.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Stream for T {}

/// The service a connection calls, as both of hyper's servers take it.
pub(crate) trait Service:
    HttpService<
        Incoming,
        Error: Into<BoxError>,
        Future: Send + 'static,
        ResBody: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static,
    > + Unpin
{
}

impl<S> Service for S where
    S: HttpService<
            Incoming,
            Error: Into<BoxError>,
            Future: Send + 'static,
            ResBody: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static,
        > + Unpin
{
}

/// How each protocol's connections are made, shared by a server's.
pub(crate) struct Protocols {
    http1: http1::Builder,
    #[cfg(feature = "http2")]
    http2: http2::Builder<TokioExecutor>,
}

impl Protocols {
    pub(crate) fn new() -> Arc<Protocols> {
        let mut http1 = http1::Builder::new();
        http1
            // The connection's watcher counts it: see `expiry`.
            .header_read_timeout(None)
            // Long query strings reach the app, which answers them in JSON,
            // rather than hyper, which would answer without a body.
            .max_buf_size(MAX_HEAD);
        #[cfg(feature = "http2")]
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        #[cfg(feature = "http2")]
        http2
            .timer(TokioTimer::new())
            // A peer that stops answering pings is gone.
            .keep_alive_interval(Some(Duration::from_secs(20)))
            .keep_alive_timeout(Duration::from_secs(20))
            // What waits unsent per stream for a peer that does not read.
            .max_send_buf_size(64 * 1024);
        Arc::new(Protocols {
            http1,
            #[cfg(feature = "http2")]
            http2,
        })
    }

    /// The connection over `io`, its protocol told once its first bytes
    /// come.
    pub(crate) fn serve<IO: Stream, S: Service>(
        self: &Arc<Self>,
        io: IO,
        service: S,
    ) -> HttpConnection<IO, S> {
        #[cfg(feature = "http2")]
        return HttpConnection::Telling {
            io,
            service,
            seen: Seen::default(),
            protocols: Arc::clone(self),
        };
        #[cfg(not(feature = "http2"))]
        HttpConnection::Http1(
            self.http1
                .serve_connection(TokioIo::new(Replayed::new(io, Seen::default())), service)
                .with_upgrades(),
        )
    }
}

/// hyper's HTTP/2 connection over a connection whose protocol was told.
#[cfg(feature = "http2")]
type Http2<IO, S> = http2::Connection<TokioIo<Replayed<IO>>, S, TokioExecutor>;

/// One connection: its first bytes being read, then hyper's connection
/// of the protocol they told. hyper's connections are `Unpin`, as is the
/// loop's service: no projection is needed.
// HTTP/1.1's connection is the one that lasts: it is not boxed, its
// polls go through no pointer, and the other states are brief.
#[allow(clippy::large_enum_variant)]
pub(crate) enum HttpConnection<IO, S>
where
    S: HttpService<Incoming>,
{
    #[cfg(feature = "http2")]
    Telling {
        io: IO,
        service: S,
        seen: Seen,
        protocols: Arc<Protocols>,
    },
    Http1(http1::UpgradeableConnection<TokioIo<Replayed<IO>>, S>),
    #[cfg(feature = "http2")]
    Http2(Pin<Box<Http2<IO, S>>>),
    /// Stopped before its protocol was told.
    #[cfg(feature = "http2")]
    Stopped,
}

impl<IO: Stream, S: Service> HttpConnection<IO, S> {
    /// Asks the connection to close once its requests in flight are
    /// answered; one whose protocol is not told yet closes now.
    pub(crate) fn graceful_shutdown(self: Pin<&mut Self>) {
        let this = self.get_mut();
        match this {
            #[cfg(feature = "http2")]
            HttpConnection::Telling { .. } => *this = HttpConnection::Stopped,
            HttpConnection::Http1(connection) => Pin::new(connection).graceful_shutdown(),
            #[cfg(feature = "http2")]
            HttpConnection::Http2(connection) => connection.as_mut().graceful_shutdown(),
            #[cfg(feature = "http2")]
            HttpConnection::Stopped => {}
        }
    }
}

impl<IO: Stream, S: Service> Future for HttpConnection<IO, S> {
    type Output = Result<(), BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        #[cfg(feature = "http2")]
        if let HttpConnection::Telling { .. } = this {
            ready!(this.poll_tell(cx))?;
        }
        match this {
            HttpConnection::Http1(connection) => Pin::new(connection).poll(cx).map_err(Into::into),
            #[cfg(feature = "http2")]
            HttpConnection::Http2(connection) => connection.as_mut().poll(cx).map_err(Into::into),
            #[cfg(feature = "http2")]
            HttpConnection::Stopped => Poll::Ready(Ok(())),
            #[cfg(feature = "http2")]
            HttpConnection::Telling { .. } => unreachable!("told above"),
        }
    }
}

#[cfg(feature = "http2")]
impl<IO: Stream, S: Service> HttpConnection<IO, S> {
    /// Reads the first bytes, then becomes the connection they tell.
    fn poll_tell(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let HttpConnection::Telling { io, seen, .. } = self else {
            return Poll::Ready(Ok(()));
        };
        let http2 = ready!(seen.tell(io, cx))?;
        let HttpConnection::Telling {
            io,
            service,
            seen,
            protocols,
        } = std::mem::replace(self, HttpConnection::Stopped)
        else {
            unreachable!("matched above")
        };
        let io = TokioIo::new(Replayed::new(io, seen));
        *self = if http2 {
            // Boxed: HTTP/2's state would double every HTTP/1.1
            // connection's.
            HttpConnection::Http2(Box::pin(protocols.http2.serve_connection(io, service)))
        } else {
            HttpConnection::Http1(protocols.http1.serve_connection(io, service).with_upgrades())
        };
        Poll::Ready(Ok(()))
    }
}

/// The first bytes of a connection, read to tell its protocol.
#[derive(Clone, Copy, Default)]
pub(crate) struct Seen {
    bytes: [u8; 24],
    len: u8,
}

impl Seen {
    /// Reads until the bytes are HTTP/2's preface (`true`), or cannot be
    /// (`false`): another byte, or the end of the stream. A client whose
    /// preface comes a byte at a time waits here, within the connection's
    /// time for its first request.
    #[cfg(feature = "http2")]
    fn tell<IO: AsyncRead + Unpin>(&mut self, io: &mut IO, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        loop {
            let from = usize::from(self.len);
            if from == PREFACE.len() {
                return Poll::Ready(Ok(true));
            }
            let mut buffer = ReadBuf::new(&mut self.bytes[from..]);
            ready!(Pin::new(&mut *io).poll_read(cx, &mut buffer))?;
            let read = buffer.filled().len();
            let to = from + read;
            self.len = u8::try_from(to).expect("at most 24 bytes");
            if read == 0 || self.bytes[from..to] != PREFACE[from..to] {
                return Poll::Ready(Ok(false));
            }
        }
    }
}

/// A connection whose first bytes, read to tell its protocol, are read
/// again first.
pub(crate) struct Replayed<IO> {
    io: IO,
    seen: Seen,
    /// How many of the bytes seen were read again.
    replayed: u8,
}

impl<IO> Replayed<IO> {
    fn new(io: IO, seen: Seen) -> Self {
        Replayed {
            io,
            seen,
            replayed: 0,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Replayed<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.replayed < self.seen.len {
            let left = &self.seen.bytes[usize::from(self.replayed)..usize::from(self.seen.len)];
            let n = left.len().min(buf.remaining());
            buf.put_slice(&left[..n]);
            self.replayed += u8::try_from(n).expect("at most 24 bytes");
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Replayed<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
