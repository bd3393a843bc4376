//! `Shutdown`: the server's stop, as the app's functions and streams learn
//! of it. Pico's servers trigger it when a stop is asked for, before they
//! wait for the requests in flight: every open stream then ends with its
//! `close` event, and a function that waits on something of its own (a
//! feed, a queue) can stop early.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

/// The server's stop. Every app has one in its state: a function takes it
/// as `#[state] shutdown: pico::Shutdown` (or `&pico::Shutdown`), a hook as
/// `request.state::<pico::Shutdown>()`.
///
/// ```
/// #[pico::api]
/// mod feed {
///     use futures_util::{Stream, StreamExt};
///
///     /// A tick a second until the server stops (Pico also ends the stream
///     /// itself then, with its `close` event).
///     #[expose]
///     #[stream]
///     pub fn ticks(#[state] shutdown: pico::Shutdown) -> impl Stream<Item = u64> {
///         let ticks = futures_util::stream::unfold(0, |n| async move {
///             tokio::time::sleep(std::time::Duration::from_secs(1)).await;
///             Some((n, n + 1))
///         });
///         ticks.take_until(shutdown.stopping())
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Clone, Debug)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown(Arc::new(watch::Sender::new(false)))
    }
}

impl Shutdown {
    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when the server starts to stop (at once if it has).
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut stop = self.0.subscribe();
        // The sender is kept with the wait: an app dropped (a router served
        // once, say) is not an app stopping.
        let sender = Arc::clone(&self.0);
        async move {
            let _sender = sender;
            let _ = stop.wait_for(|stopping| *stopping).await;
        }
    }

    /// Stops: open streams end with their `close` event, and whatever
    /// waits on [`stopping`](Self::stopping) goes on. Pico's servers call
    /// it; call it yourself, through [`App::shutdown`](crate::App::shutdown),
    /// when you serve [`App::into_router`](crate::App::into_router) with a
    /// server of your own, as its graceful shutdown begins.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}
