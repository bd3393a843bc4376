//! The life of one connection under the app's own server: how long it may
//! take to send its first request (protocol detection included, so that a
//! silent client or half an HTTP/2 preface is not held for ever), how long
//! it may stay idle, over HTTP/1.1 and HTTP/2 alike, and how long it may
//! refuse to take what it is sent: a client that stops reading holds its
//! connection no longer than the idle time, and no more than a window of
//! unsent answer in memory.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::task::AtomicWaker;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// The default time a client has to send a request's headers.
pub(crate) const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the app's own server allows a connection (`Server::max_connections`,
/// `Server::header_timeout`, `Server::idle_timeout`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// Connections held at once.
    pub(crate) max_connections: usize,
    /// Time to the first request, protocol detection included.
    pub(crate) first_request: Duration,
    /// Time without a request running or starting.
    pub(crate) idle: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            first_request: DEFAULT_HEADER_TIMEOUT,
            idle: Duration::from_secs(60),
        }
    }
}

/// Marks a request that came over one of Pico's own servers, which speak
/// plain TCP: its scheme is `http` whatever the request line says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlainTcp;

/// What the connection's watcher needs to know of its requests.
#[derive(Debug)]
pub(crate) struct Activity {
    /// Requests started so far.
    started: AtomicU64,
    /// Requests whose answer is not yet fully handed over.
    in_flight: AtomicUsize,
    /// Told when the first request starts (to a server that is stopping).
    first: Notify,
    /// When the connection opened: the clock of `blocked_since`.
    opened: Instant,
    /// Since when (in ns after `opened`, plus one) a write has waited for
    /// the client to read; 0 while writes go through.
    blocked_since: AtomicU64,
    /// An answer's body has handed over data and waits for it to be sent:
    /// over HTTP/2 a client that does not read closes its window, and
    /// nothing is even tried on the socket.
    body_holds_data: AtomicBool,
    /// Bytes written to the client, heads and framing included.
    written: AtomicU64,
    /// Bytes of answers' bodies handed to the HTTP layer.
    handed: AtomicU64,
    /// The body waiting for the client to read what was handed.
    waiting_body: AtomicWaker,
    /// Whether a body waits there: a write wakes it only then.
    body_waits: AtomicBool,
    /// Requests come as HTTP/2 streams: no head is read between them.
    multiplexed: AtomicBool,
}

impl Default for Activity {
    fn default() -> Self {
        let opened = Instant::now();
        Activity {
            started: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            first: Notify::new(),
            opened,
            blocked_since: AtomicU64::new(0),
            body_holds_data: AtomicBool::new(false),
            written: AtomicU64::new(0),
            handed: AtomicU64::new(0),
            waiting_body: AtomicWaker::new(),
            body_waits: AtomicBool::new(false),
            multiplexed: AtomicBool::new(false),
        }
    }
}

/// How much of an answer's body may wait unsent in memory for a client
/// that does not read: hyper itself would queue up to its buffer's size
/// (1 MiB here, for long request heads) per connection.
const UNSENT_WINDOW: u64 = 32 * 1024;

impl Activity {
    /// A request starts; its answer is done when the guard is dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        // Not a locked add: the count only has to move for the idle
        // watcher to see it move, which two HTTP/2 streams starting at once
        // still do; and a permit given twice is the same permit.
        let started = self.started.load(Ordering::Relaxed);
        self.started.store(started.wrapping_add(1), Ordering::Relaxed);
        if started == 0 {
            // Once a connection: a permit kept until someone waits.
            self.first.notify_one();
        }
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    /// Notes that the connection speaks HTTP/2, whose streams no header
    /// timeout counts between.
    pub(crate) fn mark_multiplexed(&self) {
        self.multiplexed.store(true, Ordering::Relaxed);
    }

    /// Whether a request has started on the connection.
    pub(crate) fn has_begun(&self) -> bool {
        self.started.load(Ordering::Relaxed) > 0
    }

    /// Resolves when the first request has started.
    pub(crate) async fn first_request(&self) {
        if !self.has_begun() {
            self.first.notified().await;
        }
    }

    /// How long an answer has waited for the client to read, if it does:
    /// a write waiting on the socket, or a body's data waiting to be sent
    /// without a byte written since `progress` (when the watcher last saw
    /// the count of bytes written move).
    fn stalled_for(&self, progress: Instant) -> Option<Duration> {
        match self.blocked_since.load(Ordering::Relaxed) {
            0 if self.body_holds_data.load(Ordering::Relaxed)
                && self.in_flight.load(Ordering::Relaxed) > 0 =>
            {
                Some(progress.elapsed())
            }
            0 => None,
            since => Some(
                self.opened
                    .elapsed()
                    .saturating_sub(Duration::from_nanos(since - 1)),
            ),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }

    /// No clock is read here, on every write: the watcher notes when the
    /// count of bytes written last moved, to a tick. Nor is a locked
    /// instruction run: the connection's task is the only one to write,
    /// and a body waits for its writes only over HTTP/1, where the same
    /// task polls it.
    fn wrote(&self, bytes: usize) {
        self.blocked_since.store(0, Ordering::Relaxed);
        let written = self.written.load(Ordering::Relaxed);
        self.written
            .store(written.wrapping_add(bytes as u64), Ordering::Release);
        if self.body_waits.load(Ordering::Relaxed) {
            self.body_waits.store(false, Ordering::Relaxed);
            self.waiting_body.wake();
        }
    }

    fn write_waits(&self) {
        if self.blocked_since.load(Ordering::Relaxed) == 0 {
            self.blocked_since.store(self.now() + 1, Ordering::Relaxed);
        }
    }

    fn unsent(&self) -> u64 {
        let written = self.written.load(Ordering::Acquire);
        self.handed.load(Ordering::Relaxed).saturating_sub(written)
    }
}

/// The connection's byte stream, telling its [`Activity`] what it writes
/// and since when a write waits for the client.
pub(crate) struct Watched<IO> {
    io: IO,
    activity: Arc<Activity>,
}

impl<IO> Watched<IO> {
    pub(crate) fn new(io: IO, activity: Arc<Activity>) -> Self {
        Watched { io, activity }
    }

    fn record(&self, polled: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match &polled {
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.wrote(*n),
            Poll::Pending => self.activity.write_waits(),
            _ => {}
        }
        polled
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        self.record(polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.record(polled)
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

/// A request whose answer is still being sent.
#[derive(Debug)]
pub(crate) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The response, with the guard kept until its body has been sent when
/// the body comes in pieces (a stream, a file); a body that is whole is
/// sent at once, and the guard goes now. Over HTTP/1, such a body is
/// polled only while less than [`UNSENT_WINDOW`] of it waits unsent
/// (HTTP/2 has flow control of its own).
pub(crate) fn hold_until_sent(response: Response, guard: InFlight, windowed: bool) -> Response {
    if response.body().size_hint().exact().is_some() {
        return response;
    }
    response.map(|body| {
        Body::new(Guarded {
            body,
            guard,
            windowed,
        })
    })
}

pin_project_lite::pin_project! {
    /// The app's answer to a request, then [`hold_until_sent`]. Written out
    /// rather than an `async` block, which would keep the answer's future
    /// twice, as it was handed over and as it is awaited, and move it from
    /// one to the other at the first poll.
    pub(crate) struct Answering<F> {
        #[pin]
        answer: F,
        guard: Option<InFlight>,
        windowed: bool,
    }
}

impl<F> Answering<F> {
    pub(crate) fn new(answer: F, guard: InFlight, windowed: bool) -> Self {
        Answering {
            answer,
            guard: Some(guard),
            windowed,
        }
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Answering<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.answer.poll(cx))?;
        let guard = this.guard.take().expect("`Answering` polled after completion");
        Poll::Ready(Ok(hold_until_sent(response, guard, *this.windowed)))
    }
}

struct Guarded {
    body: Body,
    guard: InFlight,
    windowed: bool,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let activity = Arc::clone(&self.guard.0);
        if self.windowed && activity.unsent() >= UNSENT_WINDOW {
            activity.waiting_body.register(cx.waker());
            activity.body_waits.store(true, Ordering::Relaxed);
            // A write between the check and the registration woke nobody.
            if activity.unsent() >= UNSENT_WINDOW {
                return Poll::Pending;
            }
        }
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        let holds_data = match &polled {
            Poll::Ready(Some(Ok(frame))) => match frame.data_ref() {
                Some(data) => {
                    activity.handed.fetch_add(data.len() as u64, Ordering::Relaxed);
                    true
                }
                None => false,
            },
            // The body has nothing to send yet (a silent stream): nothing
            // waits on the client.
            _ => false,
        };
        activity.body_holds_data.store(holds_data, Ordering::Relaxed);
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Why a connection is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// No request within the first-request time.
    Silent,
    /// No request running or started for the idle time.
    Idle,
    /// The client has not taken a byte of its answer for the idle time.
    Stalled,
    /// No request head completed within the header time of the last
    /// answer's end, over HTTP/1.
    LateHead,
}

/// Resolves when the connection should be cut.
///
/// The header timeout is counted here rather than by hyper, whose timer,
/// once armed, costs every keep-alive request a second turn of its loop
/// (a parse of the empty buffer, a read, a write and a flush). It runs
/// as hyper's did: from the end of the last answer, while no request
/// runs and no write waits for the client, until the next request starts.
pub(crate) async fn expiry(activity: Arc<Activity>, limits: ConnectionLimits) -> Expiry {
    tokio::select! {
        () = tokio::time::sleep(limits.first_request) => {
            if !activity.has_begun() {
                return Expiry::Silent;
            }
        }
        () = activity.first_request() => {}
    }
    let mut seen = activity.started.load(Ordering::Relaxed);
    // Looked at four times per idle time (or header time, when shorter): a
    // stalled write is cut within a quarter of it past the idle time, a
    // stalled body within a half (its last write is known to a tick), a
    // late head within a quarter of the header time.
    let tick = (limits.idle.min(limits.first_request) / 4).max(Duration::from_millis(1));
    let mut quiet = Duration::ZERO;
    let mut awaiting_head = Duration::ZERO;
    let mut written = activity.written.load(Ordering::Relaxed);
    let mut progress = Instant::now();
    loop {
        tokio::time::sleep(tick).await;
        let now_written = activity.written.load(Ordering::Relaxed);
        let wrote = now_written != written;
        if wrote {
            written = now_written;
            progress = Instant::now();
        }
        let stalled = activity.stalled_for(progress);
        if stalled.is_some_and(|blocked| blocked >= limits.idle) {
            return Expiry::Stalled;
        }
        let now = activity.started.load(Ordering::Relaxed);
        let idle = now == seen && activity.in_flight.load(Ordering::Relaxed) == 0;
        seen = now;
        if idle {
            quiet += tick;
            if quiet >= limits.idle {
                return Expiry::Idle;
            }
        } else {
            quiet = Duration::ZERO;
        }
        if idle && !wrote && stalled.is_none() && !activity.multiplexed.load(Ordering::Relaxed) {
            awaiting_head += tick;
            if awaiting_head >= limits.first_request {
                return Expiry::LateHead;
            }
        } else {
            awaiting_head = Duration::ZERO;
        }
    }
}
