//! The timer under hyper's HTTP/1 header timeout. hyper arms it at the
//! start of every request's head and drops it once the head is read: on
//! a keep-alive connection, once a request. A runtime timer would be
//! registered and unregistered in the runtime's timer wheel each time,
//! under its lock; this one only notes its deadline on the connection,
//! and the connection's watcher, which ticks anyway, wakes hyper when the
//! deadline has passed. The head is cut within a tick of the timeout.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;

/// The deadline of the head being read on one connection, if any.
#[derive(Debug)]
pub(crate) struct HeadDeadline {
    /// The clock the deadline is counted on.
    opened: Instant,
    /// The deadline, in ns after `opened`, plus one; 0 while no head is
    /// awaited; [`EXPIRED`] once the watcher found it passed.
    at: AtomicU64,
    /// hyper's connection task, waiting for the head.
    waker: AtomicWaker,
}

impl HeadDeadline {
    pub(crate) fn new(opened: Instant) -> Self {
        HeadDeadline {
            opened,
            at: AtomicU64::new(0),
            waker: AtomicWaker::new(),
        }
    }

    /// The watcher's look: wakes hyper if the head it awaits is late.
    pub(crate) fn check(&self) {
        let at = self.at.load(Ordering::Acquire);
        if at == 0 || at == EXPIRED || nanos(self.opened.elapsed()) < at - 1 {
            return;
        }
        // Only if it is still that head's deadline: one read meanwhile
        // is not cut for its predecessor.
        if self
            .at
            .compare_exchange(at, EXPIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.waker.wake();
        }
    }
}

/// What `HeadDeadline::at` holds once the head is late.
const EXPIRED: u64 = u64::MAX;

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(EXPIRED - 2)
}

/// hyper's timer for one connection's heads.
#[derive(Clone)]
pub(crate) struct HeadTimer(pub(crate) Arc<HeadDeadline>);

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeadSleep {
            head: Arc::clone(&self.0),
            at: nanos(deadline.saturating_duration_since(self.0.opened)) + 1,
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HeadSleep>() {
            Some(mut sleep) => {
                sleep.at = nanos(new_deadline.saturating_duration_since(self.0.opened)) + 1;
                // Noted again when next polled.
                self.0.at.store(0, Ordering::Release);
            }
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

struct HeadSleep {
    head: Arc<HeadDeadline>,
    at: u64,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let head = &self.head;
        let noted = head.at.load(Ordering::Acquire);
        if noted == EXPIRED {
            return Poll::Ready(());
        }
        head.waker.register(cx.waker());
        // Noted unless the watcher expired it meanwhile.
        match head
            .at
            .compare_exchange(noted, self.at, Ordering::AcqRel, Ordering::Acquire)
        {
            Err(EXPIRED) => Poll::Ready(()),
            _ => Poll::Pending,
        }
    }
}

impl hyper::rt::Sleep for HeadSleep {}

impl Drop for HeadSleep {
    fn drop(&mut self) {
        self.head.at.store(0, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use hyper::rt::Timer;

    use super::*;

    fn poll(sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>) -> Poll<()> {
        sleep
            .as_mut()
            .poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn a_head_past_its_deadline_is_woken_and_ends() {
        let head = Arc::new(HeadDeadline::new(Instant::now()));
        let timer = HeadTimer(Arc::clone(&head));
        let mut sleep = timer.sleep_until(Instant::now());
        assert!(poll(&mut sleep).is_pending(), "only the watcher decides");
        head.check();
        assert!(poll(&mut sleep).is_ready());
    }

    #[test]
    fn a_head_within_its_deadline_waits() {
        let head = Arc::new(HeadDeadline::new(Instant::now()));
        let timer = HeadTimer(Arc::clone(&head));
        let mut sleep = timer.sleep(Duration::from_secs(60));
        assert!(poll(&mut sleep).is_pending());
        head.check();
        assert!(poll(&mut sleep).is_pending());
    }

    #[test]
    fn a_head_read_in_time_leaves_nothing_for_the_next() {
        let head = Arc::new(HeadDeadline::new(Instant::now()));
        let timer = HeadTimer(Arc::clone(&head));
        let mut first = timer.sleep_until(Instant::now());
        assert!(poll(&mut first).is_pending());
        // The head came: hyper drops its timer before the watcher looks.
        drop(first);
        head.check();
        let mut next = timer.sleep(Duration::from_secs(60));
        assert!(poll(&mut next).is_pending());
        // A reset moves the deadline of the same timer.
        timer.reset(&mut next, Instant::now());
        assert!(poll(&mut next).is_pending());
        head.check();
        assert!(poll(&mut next).is_ready());
    }
}
