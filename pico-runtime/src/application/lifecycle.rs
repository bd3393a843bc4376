//! What runs when an app starts and stops, with the server's knowledge:
//! start hooks before it binds (a pool opened, a cache warmed, a migration
//! checked), whose failure is a clean refusal to start; stop hooks after
//! the drain (a queue flushed), within a deadline.

use std::any::TypeId;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::application::app::App;
use crate::application::state::AppState;
use crate::errors::panic::{self, Guarded};

type BoxError = Box<dyn Error + Send + Sync>;
type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;
/// What a start hook leaves in the app's state once it succeeded.
type Apply = Box<dyn FnOnce(&mut AppState) + Send>;

/// A start hook, as the app keeps it until it starts.
pub(crate) struct StartHook {
    run: Box<dyn FnOnce() -> Boxed<Result<Apply, BoxError>> + Send>,
    /// What it is, for the error that names it.
    what: String,
}

/// A stop hook.
pub(crate) type StopHook = Box<dyn FnOnce() -> Boxed<()> + Send>;

/// The stop hooks' deadline unless the server sets another.
pub(crate) const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A start hook that failed: the app did not start.
#[derive(Debug)]
pub struct StartError {
    what: String,
    source: BoxError,
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

impl App {
    /// Runs `hook` when the app starts: under `pico::Server` and
    /// `pico::serve`, before the address is bound; elsewhere when
    /// [`App::start`] is awaited. Its error stops the app from starting,
    /// and the server returns it (or, for `pico::serve`, prints it and
    /// exits with status 1). Hooks run one after the other, in the order
    /// they were added.
    #[must_use]
    pub fn on_start<F, Fut, E>(self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let what = format!("start hook {}", self.start_hooks.len() + 1);
        self.start_hook(what, move || async move {
            hook().await.map_err(Into::into)?;
            Ok(Box::new(|_: &mut AppState| {}) as Apply)
        })
    }

    /// Makes a `#[state]` value when the app starts, as [`App::on_start`]
    /// runs its hooks: a pool whose connection is awaited, a cache loaded
    /// from elsewhere. Functions that take it are checked against it as
    /// against [`App::state`]'s values.
    #[must_use]
    pub fn state_on_start<T, F, Fut, E>(mut self, make: F) -> Self
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.promised.push(TypeId::of::<T>());
        let what = format!("the start of the state `{}`", std::any::type_name::<T>());
        self.start_hook(what, move || async move {
            let value = make().await.map_err(Into::into)?;
            Ok(Box::new(move |state: &mut AppState| state.insert(value)) as Apply)
        })
    }

    /// Runs `hook` when the app stops: under Pico's servers, once the
    /// drain is over (no request is left), each hook in turn, all of them
    /// within the server's stop deadline
    /// ([`Server::stop_timeout`](crate::Server::stop_timeout), 10 s unless
    /// set). A hook past the deadline is abandoned, and the log says so.
    #[must_use]
    pub fn on_stop<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.stop_hooks.push(Box::new(move || Box::pin(hook())));
        self
    }

    fn start_hook<F, Fut>(mut self, what: String, run: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Apply, BoxError>> + Send + 'static,
    {
        self.start_hooks.push(StartHook {
            run: Box::new(move || Box::pin(run())),
            what,
        });
        self
    }

    /// Runs the start hooks, in order, and gives back the app with the
    /// state they made: for an app served some other way than by Pico's
    /// servers (`into_router` under `axum::serve`, the in-process client),
    /// which refuse an app whose hooks have not run.
    ///
    /// # Errors
    /// The first hook that fails or panics, named; the hooks after it do
    /// not run.
    pub async fn start(mut self) -> Result<App, StartError> {
        let backtraces = self.debug;
        for hook in std::mem::take(&mut self.start_hooks) {
            let StartHook { run, what } = hook;
            let outcome = match panic::catch(backtraces, run) {
                Ok(future) => Guarded::new(future, backtraces).await,
                Err(caught) => Err(caught),
            };
            let apply = match outcome {
                Ok(Ok(apply)) => apply,
                Ok(Err(source)) => return Err(StartError { what, source }),
                Err(caught) => {
                    let source = format!("it panicked: {}", caught.message).into();
                    return Err(StartError { what, source });
                }
            };
            apply(&mut self.state);
        }
        Ok(self)
    }

    /// The stop hooks, taken out for the server to run once it stopped.
    pub(crate) fn take_stop_hooks(&mut self) -> Vec<StopHook> {
        std::mem::take(&mut self.stop_hooks)
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
