//! The app's say in its operation, as `App` methods: what runs when it
//! starts and stops (`lifecycle.rs`), its probes (`health.rs`), its
//! metrics (`observe::metrics`) and its compression
//! (`respond::compression`).

use std::any::TypeId;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::application::app::App;
use crate::application::health::{Check, Health};
use crate::application::lifecycle::{Apply, BoxError, StartError, StartHook, StopHook};
use crate::application::state::AppState;
use crate::errors::panic::{self, Guarded};

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

impl App {
    /// Answers `/healthz` (200 while the process serves) and `/readyz`
    /// (200 when every readiness check passes, else a 503 in the standard
    /// body naming the checks that failed, and a 503 from the moment
    /// `pico::Server` is asked to stop). Neither gets a log line. A module
    /// called `healthz` or `readyz` keeps its path.
    #[must_use]
    pub fn health(mut self) -> Self {
        self.health.get_or_insert_with(Health::default);
        self
    }

    /// Adds a readiness check to `/readyz` (and turns the probes on): a
    /// database answering, a queue reachable. Checks run at once on each
    /// probe, each within [`App::readiness_timeout`] (2 s unless set); one
    /// that fails or runs past it makes the app not ready.
    #[must_use]
    pub fn readiness_check<F, Fut, E>(mut self, name: &'static str, check: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let check: Check = Arc::new(move || {
            let run = check();
            Box::pin(async move { run.await.map_err(Into::into) })
        });
        self.health
            .get_or_insert_with(Health::default)
            .checks
            .push((name, check));
        self
    }

    /// Counts every request in `metrics` (see [`Metrics`](crate::Metrics)),
    /// and answers the scrape at its path: to Prometheus and anything else
    /// on the network, but not to another site's page in a browser.
    #[cfg(feature = "metrics")]
    #[must_use]
    pub fn metrics(mut self, metrics: crate::observe::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// How answers are compressed and which encodings a request body may
    /// come in: zstd, brotli and gzip, for JSON and text answers of 1 KiB
    /// and more, unless set ([`Compression::off`](crate::Compression::off)
    /// for none). A compressed body counts against the body limit by what
    /// it decodes to.
    #[cfg(feature = "compression")]
    #[must_use]
    pub fn compression(mut self, compression: crate::respond::compression::Compression) -> Self {
        self.compression = compression;
        self
    }

    /// How long each readiness check may take (2 s unless set).
    #[must_use]
    pub fn readiness_timeout(mut self, timeout: Duration) -> Self {
        self.health.get_or_insert_with(Health::default).timeout = timeout;
        self
    }
}
