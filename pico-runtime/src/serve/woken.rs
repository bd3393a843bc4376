//! A future polled beside another only when it was woken itself. A
//! connection's task is woken once a request or more, by its socket; its
//! watchers (the expiry clock, the server's stop) only tick or change
//! rarely, and `select!` would poll them at every wake all the same.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// What ended the race: the main future, or the one beside it.
pub(crate) enum First<A, B> {
    Main(A),
    Beside(B),
}

/// Runs `main` until it or `beside` completes; `main` is polled at every
/// wake, `beside` only when its own waker fired.
pub(crate) async fn first<M, B>(mut main: Pin<&mut M>, beside: B) -> First<M::Output, B::Output>
where
    M: Future + ?Sized,
    B: Future,
{
    let mut beside = std::pin::pin!(beside);
    // Made at the first poll, and again should the task's waker change;
    // a new flag starts woken, so that `beside` registers the new waker.
    let mut flagged: Option<(Arc<Flag>, Waker)> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = main.as_mut().poll(cx) {
            return Poll::Ready(First::Main(output));
        }
        let (flag, waker) = match &flagged {
            Some((flag, waker)) if flag.task.will_wake(cx.waker()) => (flag, waker),
            _ => {
                let flag = Arc::new(Flag {
                    woken: AtomicBool::new(true),
                    task: cx.waker().clone(),
                });
                let waker = Waker::from(Arc::clone(&flag));
                let (flag, waker) = flagged.insert((flag, waker));
                (&*flag, &*waker)
            }
        };
        // A plain load first: most wakes are the main future's, and a
        // swap is a locked instruction.
        if flag.woken.load(Ordering::Relaxed)
            && flag.woken.swap(false, Ordering::AcqRel)
            && let Poll::Ready(output) = beside.as_mut().poll(&mut Context::from_waker(waker))
        {
            return Poll::Ready(First::Beside(output));
        }
        Poll::Pending
    })
    .await
}

/// The waker of the future beside: marks it woken, and wakes the task. It
/// holds the task's waker itself rather than one registered at each poll:
/// the task's waker does not change between polls, and registering costs
/// two locked instructions a poll.
struct Flag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_future_beside_wins_when_its_waker_fires() {
        let main = std::pin::pin!(std::future::pending::<()>());
        let beside = tokio::time::sleep(Duration::from_millis(10));
        assert!(matches!(first(main, beside).await, First::Beside(())));
    }

    /// A waker that counts its wakes.
    struct Counted(std::sync::atomic::AtomicUsize);

    impl Wake for Counted {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn counted() -> (Arc<Counted>, Waker) {
        let count = Arc::new(Counted(std::sync::atomic::AtomicUsize::new(0)));
        (Arc::clone(&count), Waker::from(count))
    }

    #[test]
    fn a_wake_beside_reaches_the_waker_of_the_latest_poll() {
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let main = std::pin::pin!(std::future::pending::<()>());
        let mut race = std::pin::pin!(first(main, rx));
        let (before, old) = counted();
        assert!(race.as_mut().poll(&mut Context::from_waker(&old)).is_pending());
        let (after, new) = counted();
        assert!(race.as_mut().poll(&mut Context::from_waker(&new)).is_pending());
        tx.send(7).unwrap();
        assert_eq!(before.0.load(Ordering::Relaxed), 0);
        assert_eq!(after.0.load(Ordering::Relaxed), 1);
        let polled = race.as_mut().poll(&mut Context::from_waker(&new));
        assert!(matches!(polled, Poll::Ready(First::Beside(Ok(7)))));
    }

    #[tokio::test]
    async fn the_main_future_wins_when_it_is_done_first() {
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let main = std::pin::pin!(rx);
        let sender = async move {
            tokio::task::yield_now().await;
            let _ = tx.send(7);
        };
        tokio::spawn(sender);
        let beside = tokio::time::sleep(Duration::from_secs(60));
        assert!(matches!(first(main, beside).await, First::Main(Ok(7))));
    }
}
