//! A time limit on reading a request's body that costs nothing when the
//! body is already there: the timer is armed only when the read is still
//! waiting after a second look.
//!
//! `tokio::time::timeout` registers a timer with the runtime on the first
//! poll that waits, and most bodies make the first poll wait: hyper hands
//! the body over only after the service is called, within the same poll of
//! the connection. Registering and cancelling a timer for every JSON
//! request measured about 3 % of the request's cost.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Sleep;

pin_project_lite::pin_project! {
    /// `inner`, or `Err(TimedOut)` once it has waited `limit` (counted from
    /// its second wait, a moment after its first).
    pub(crate) struct Deadline<F> {
        #[pin]
        inner: F,
        limit: Duration,
        waited: bool,
        #[pin]
        timer: Option<Sleep>,
    }
}

/// The limit passed.
#[derive(Debug)]
pub(crate) struct TimedOut;

impl<F> Deadline<F> {
    pub(crate) fn new(inner: F, limit: Duration) -> Self {
        Deadline {
            inner,
            limit,
            waited: false,
            timer: None,
        }
    }
}

impl<F: Future> Future for Deadline<F> {
    type Output = Result<F::Output, TimedOut>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(output) = this.inner.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if this.timer.is_none() {
            if !*this.waited {
                // Looked at again at once: by then hyper has usually handed
                // the body over. A client that sends nothing more still
                // meets the timer, armed on that second look.
                *this.waited = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            this.timer.set(Some(tokio::time::sleep(*this.limit)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(TimedOut)),
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_read_that_never_ends_times_out() {
        let limit = Duration::from_secs(5);
        let started = tokio::time::Instant::now();
        let result = Deadline::new(std::future::pending::<()>(), limit).await;
        assert!(result.is_err());
        assert!(started.elapsed() >= limit);
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_that_ends_in_time_is_answered() {
        let read = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            7
        };
        assert_eq!(Deadline::new(read, Duration::from_secs(5)).await.unwrap(), 7);
    }

    #[test]
    fn a_ready_read_arms_no_timer() {
        // Outside a runtime a `Sleep` would panic: none is made.
        let mut deadline = std::pin::pin!(Deadline::new(std::future::ready(3), Duration::from_secs(5)));
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(matches!(deadline.as_mut().poll(&mut cx), Poll::Ready(Ok(3))));
    }
}
