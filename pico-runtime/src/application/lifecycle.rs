//! What runs when an app starts and stops, with the server's knowledge:
//! start hooks before it binds (a pool opened, a cache warmed, a migration
//! checked), whose failure is a clean refusal to start; stop hooks after
//! the drain (a queue flushed), within a deadline.

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::application::state::AppState;
use crate::errors::panic::{self, Guarded};

pub(crate) type BoxError = Box<dyn Error + Send + Sync>;
pub(crate) type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// What a start hook leaves in the app's state once it succeeded.
pub(crate) type Apply = Box<dyn FnOnce(&mut AppState) + Send>;

/// A start hook, as the app keeps it until it starts.
pub(crate) struct StartHook {
    pub(crate) run: Box<dyn FnOnce() -> Boxed<Result<Apply, BoxError>> + Send>,
    /// What it is, for the error that names it.
    pub(crate) what: String,
}

/// A stop hook.
pub(crate) type StopHook = Box<dyn FnOnce() -> Boxed<()> + Send>;

/// The stop hooks' deadline unless the server sets another.
pub(crate) const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A start hook that failed: the app did not start.
#[derive(Debug)]
pub struct StartError {
    pub(crate) what: String,
    pub(crate) source: BoxError,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pico: the app did not start: {} failed: {}",
            self.what, self.source
        )
    }
}

impl Error for StartError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.source)
    }
}

impl From<StartError> for std::io::Error {
    fn from(error: StartError) -> Self {
        std::io::Error::other(error)
    }
}

/// Runs `hooks` in turn, all within `deadline`; a panic or an overrun is
/// logged, never the server's failure.
pub(crate) async fn run_stop_hooks(hooks: Vec<StopHook>, deadline: Duration) {
    if hooks.is_empty() {
        return;
    }
    let all = async {
        for (i, hook) in hooks.into_iter().enumerate() {
            let ran = match panic::catch(false, hook) {
                Ok(future) => Guarded::new(future, false).await,
                Err(caught) => Err(caught),
            };
            if let Err(caught) = ran {
                tracing::error!(target: "pico", "stop hook {} panicked: {}", i + 1, caught.message);
            }
        }
    };
    if tokio::time::timeout(deadline, all).await.is_err() {
        tracing::warn!(
            target: "pico",
            "the stop hooks did not end within {} s: abandoned",
            deadline.as_secs_f32()
        );
    }
}
