//! `#[blocking]` calls: on a thread of tokio's blocking pool, so that the
//! runtime's workers go on serving; at most so many per app at once,
//! waiting or running (a client that floods a slow function gets 503s,
//! not a queue without end); and not started when their client is gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::HeaderValue;
use http::header::RETRY_AFTER;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;
use crate::respond::response::Reply;

/// The `#[blocking]` calls an app takes at once unless told
/// (`App::max_blocking`): tokio's own pool has 512 threads.
pub(crate) const DEFAULT_MAX_BLOCKING: usize = 512;

/// The app's share of `#[blocking]` calls.
#[derive(Debug, Clone)]
pub(crate) struct BlockingSlots(Arc<Semaphore>);

impl BlockingSlots {
    pub(crate) fn new(calls: usize) -> Self {
        BlockingSlots(Arc::new(Semaphore::new(calls.max(1))))
    }

    /// Takes a place for a `#[blocking]` call, or answers 503 when the app
    /// has as many as it takes waiting or running.
    pub(crate) fn take(&self) -> Result<BlockingSlot, Failure> {
        match Arc::clone(&self.0).try_acquire_owned() {
            Ok(permit) => Ok(BlockingSlot { _permit: permit }),
            Err(_) => Err(HttpError::service_unavailable()
                .with_message("Too many calls of blocking functions are waiting: try again shortly.")
                .with_header(RETRY_AFTER, HeaderValue::from_static("1"))
                .into()),
        }
    }
}

/// A place for one `#[blocking]` call, taken before the call is queued.
#[doc(hidden)]
#[derive(Debug)]
pub struct BlockingSlot {
    _permit: OwnedSemaphorePermit,
}

/// Runs `call` on the blocking pool in `slot`. A panic there is the
/// request's panic, as anywhere else. When the request is dropped before
/// the call starts (its client went away), the call never runs.
#[doc(hidden)]
pub async fn blocking<F>(slot: BlockingSlot, call: F) -> Result<Reply, Failure>
where
    F: FnOnce() -> Result<Reply, Failure> + Send + 'static,
{
    let wanted = Wanted(Arc::new(AtomicBool::new(true)));
    let still_wanted = Arc::clone(&wanted.0);
    let run = move || {
        let _slot = slot;
        if still_wanted.load(Ordering::Acquire) {
            Some(call())
        } else {
            None
        }
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(Some(result)) => result,
        // Not while it is awaited: `wanted` lives as long as this future.
        Ok(None) => Err(Failure::internal(
            "blocking",
            "the blocking call was not started".to_owned(),
        )),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Failure::internal(
            "blocking",
            "the blocking call was cancelled".to_owned(),
        )),
    }
}

/// Set while someone awaits the call; dropped with the request.
struct Wanted(Arc<AtomicBool>);

impl Drop for Wanted {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::atomic::AtomicUsize;

    use super::*;

    #[test]
    fn a_call_whose_request_is_gone_never_runs() {
        // One thread in the pool: the call waits behind the one holding it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .build()
            .unwrap();
        static RAN: AtomicUsize = AtomicUsize::new(0);
        runtime.block_on(async {
            let (release, held) = std::sync::mpsc::channel::<()>();
            let holder = tokio::task::spawn_blocking(move || held.recv());
            let slots = BlockingSlots::new(2);
            let slot = BlockingSlot {
                _permit: Arc::clone(&slots.0).try_acquire_owned().unwrap(),
            };
            let call = blocking(slot, || {
                RAN.fetch_add(1, Ordering::SeqCst);
                Ok(Reply::Json(b"1".to_vec()))
            });
            // Queued behind the holder, then dropped as a reset request is.
            let mut call = Box::pin(call);
            let polled = std::future::poll_fn(|cx| std::task::Poll::Ready(call.as_mut().poll(cx))).await;
            assert!(polled.is_pending());
            drop(call);
            release.send(()).unwrap();
            holder.await.unwrap().unwrap();
            // The queue is first come, first served: the dropped call has
            // had its turn once this one runs.
            tokio::task::spawn_blocking(|| ()).await.unwrap();
            assert_eq!(RAN.load(Ordering::SeqCst), 0);
            // And its place came back.
            assert_eq!(slots.0.available_permits(), 2);
        });
    }
}
