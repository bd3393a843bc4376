//! The life of one connection under the app's own server: how long it may
//! take to send its first request (protocol detection included, so that a
//! silent client or half an HTTP/2 preface is not held for ever), and how
//! long it may stay idle, over HTTP/1.1 and HTTP/2 alike.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::Notify;

use crate::app::ConnectionLimits;

/// What the connection's watcher needs to know of its requests.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    /// Requests started so far.
    started: AtomicU64,
    /// Requests whose answer is not yet fully handed over.
    in_flight: AtomicUsize,
    /// Told when the first request starts (to a server that is stopping).
    first: Notify,
}

impl Activity {
    /// A request starts; its answer is done when the guard is dropped.
    pub(crate) fn begin(self: &Arc<Self>) -> InFlight {
        if self.started.fetch_add(1, Ordering::Relaxed) == 0 {
            // Once a connection: a permit kept until someone waits.
            self.first.notify_one();
        }
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
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
/// sent at once, and the guard goes now.
pub(crate) fn hold_until_sent(response: Response, guard: InFlight) -> Response {
    if response.body().size_hint().exact().is_some() {
        return response;
    }
    response.map(|body| Body::new(Guarded { body, _guard: guard }))
}

struct Guarded {
    body: Body,
    _guard: InFlight,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
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
}

/// Resolves when the connection should be cut.
pub(crate) async fn expiry(activity: Arc<Activity>, limits: ConnectionLimits) -> Expiry {
    tokio::time::sleep(limits.first_request).await;
    let mut seen = activity.started.load(Ordering::Relaxed);
    if seen == 0 {
        return Expiry::Silent;
    }
    loop {
        tokio::time::sleep(limits.idle).await;
        let now = activity.started.load(Ordering::Relaxed);
        if now == seen && activity.in_flight.load(Ordering::Relaxed) == 0 {
            return Expiry::Idle;
        }
        seen = now;
    }
}
