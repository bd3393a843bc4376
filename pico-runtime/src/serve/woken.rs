//! A future polled beside another only when it was woken itself. A
//! connection's task is woken once a request or more, by its socket; its
//! watchers (the expiry clock, the server's stop) only tick or change
//! rarely, and `select!` would poll them at every wake all the same.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

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
    let flag = Arc::new(Flag {
        woken: AtomicBool::new(true),
        task: AtomicWaker::new(),
    });
    let waker = Waker::from(Arc::clone(&flag));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = main.as_mut().poll(cx) {
            return Poll::Ready(First::Main(output));
        }
        flag.task.register(cx.waker());
        if flag.woken.swap(false, Ordering::AcqRel)
            && let Poll::Ready(output) = beside.as_mut().poll(&mut Context::from_waker(&waker))
        {
            return Poll::Ready(First::Beside(output));
        }
        Poll::Pending
    })
    .await
}

/// The waker of the future beside: marks it woken, and wakes the task.
struct Flag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
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
