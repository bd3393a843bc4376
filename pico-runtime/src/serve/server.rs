//! The production server: `pico::Server::new().run(app)`.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::application::app::App;
use crate::application::lifecycle::{DEFAULT_STOP_TIMEOUT, run_stop_hooks};
use crate::serve::accept_loop::{Serving, serve_app, shutdown_signal};
use crate::serve::connection::ConnectionLimits;
use crate::serve::logs::init_logs;

/// Where the server listens when neither [`Server::bind`] nor `PICO_BIND`
/// says: a proxy on the same machine reaches it, nobody else does.
const DEFAULT_BIND: &str = "127.0.0.1:8000";

/// How long requests in flight may run on once a stop is asked for.
const DEFAULT_DRAIN: Duration = Duration::from_secs(30);

/// How long an app with probes says "not ready" before it stops accepting:
/// a few of a balancer's or Kubernetes' probe periods.
const DEFAULT_READINESS_GRACE: Duration = Duration::from_secs(5);

/// The server for production, behind a proxy such as nginx.
///
/// Unlike the development server ([`serve`](crate::serve)) it listens where
/// it is told, on one address, and serves no files the app did not ask for.
/// It logs one JSON line per request to stderr (`PICO_LOG=text` for lines
/// for a person; none if the process installed its own `tracing`
/// subscriber, which then gets the events). On SIGTERM or Ctrl-C it stops
/// accepting connections, serves the ones already made, ends every open
/// stream with its `close` event (through the app's
/// [`Shutdown`](crate::Shutdown)), lets the other requests in flight finish
/// for up to the drain time, and returns. It speaks HTTP/1.1 and, with the
/// `http2` feature, HTTP/2 with prior knowledge (h2c, as proxies speak it
/// to their upstreams). Its connections have limits of their own
/// ([`Server::header_timeout`], [`Server::idle_timeout`],
/// [`Server::max_connections`]); a request's are the app's
/// ([`App::body_limit`], [`App::body_timeout`]).
///
/// ```no_run
/// # let app = pico::App::new();
/// // Listens on PICO_BIND, else 127.0.0.1:8000.
/// pico::Server::new().run(app).expect("the server failed");
/// ```
#[derive(Debug, Clone)]
pub struct Server {
    bind: Option<String>,
    drain: Duration,
    /// The stop hooks' deadline.
    stop: Duration,
    /// How long `/readyz` says "not ready" before the drain begins.
    grace: Duration,
    limits: ConnectionLimits,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    /// A server that listens on `PICO_BIND` (`0.0.0.0:8000`, `[::1]:8000`),
    /// else `127.0.0.1:8000`.
    pub fn new() -> Server {
        Server {
            bind: None,
            drain: DEFAULT_DRAIN,
            stop: DEFAULT_STOP_TIMEOUT,
            grace: DEFAULT_READINESS_GRACE,
            limits: ConnectionLimits::default(),
        }
    }

    /// Listens on `address` (`"0.0.0.0:8000"`), whatever `PICO_BIND` says.
    #[must_use]
    pub fn bind(mut self, address: impl Into<String>) -> Self {
        self.bind = Some(address.into());
        self
    }

    /// How long requests in flight may run on after a stop is asked for; 30
    /// seconds unless set. Requests still running then are cut off. Keep it
    /// below the time your service manager waits before it kills the process
    /// (systemd's `TimeoutStopSec`, 90 seconds by default).
    #[must_use]
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain = timeout;
        self
    }

    /// For an app with probes ([`App::health`]): how long, once a stop is
    /// asked for, `/readyz` answers 503 while everything else is served as
    /// before, so that a balancer or Kubernetes takes the instance out
    /// before it stops accepting; 5 seconds unless set. Without probes the
    /// drain begins at once.
    #[must_use]
    pub fn readiness_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// How long the app's stop hooks ([`App::on_stop`]) may run, all of
    /// them, once the drain is over; 10 seconds unless set. Add it to the
    /// drain's when you set your service manager's stop timeout.
    #[must_use]
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop = timeout;
        self
    }

    /// How long a client may take to send a request's line and headers,
    /// and a new connection its first request (10 s unless set), so that
    /// slow clients cannot hold connections open. Over HTTP/1.1 it counts
    /// from the end of the connection's last answer, as hyper's own
    /// header timeout does: a kept-open connection that sends nothing is
    /// closed at this time, before the idle time. An answer being read,
    /// however slowly, is not counted; nor, over HTTP/2, the time between
    /// streams, which only the idle time limits.
    #[must_use]
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.limits.first_request = timeout;
        self
    }

    /// How long a connection is kept on which no request is running and
    /// none has started, and one whose answer nobody reads (60 s unless
    /// set), over HTTP/1.1 and HTTP/2 alike.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle = timeout;
        self
    }

    /// How many connections are held at once (4096 unless set); past it,
    /// new connections wait to be accepted, and the log says so.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// The address the server listens on: the one set, else `PICO_BIND`,
    /// else `127.0.0.1:8000`.
    pub fn address(&self) -> String {
        self.bind
            .clone()
            .or_else(|| std::env::var("PICO_BIND").ok())
            .unwrap_or_else(|| DEFAULT_BIND.to_owned())
    }

    /// Starts `app` (its [`App::on_start`] hooks), serves it until SIGTERM
    /// or Ctrl-C, drains, then runs its [`App::on_stop`] hooks; on a
    /// runtime of its own.
    ///
    /// # Errors
    /// When the app has a mistake ([`App::check`]), before anything is
    /// bound or printed; when a start hook fails, before the address is
    /// bound; when the address cannot be listened on, or the runtime
    /// cannot start.
    pub fn run(self, app: App) -> io::Result<()> {
        checked(&app)?;
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let served = runtime.block_on(self.run_async(app));
        // Not a wait for what the drain cut off: a `#[blocking]` call still
        // running on its thread would hold a dropped runtime, and the
        // process, past the deadline.
        runtime.shutdown_background();
        served
    }

    /// [`Server::run`], on the caller's tokio runtime.
    ///
    /// # Errors
    /// When the app has a mistake ([`App::check`]), before anything is
    /// bound or printed; when a start hook fails, before the address is
    /// bound; when the address cannot be listened on.
    pub async fn run_async(self, app: App) -> io::Result<()> {
        checked(&app)?;
        let app = app.start().await?;
        let address = self.address();
        let listener = TcpListener::bind(address.as_str())
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {address}: {e}")))?;
        self.serve_on(listener, app, shutdown_signal()).await
    }

    /// Starts `app`, serves it on `listener` until `shutdown` completes,
    /// then drains and runs its stop hooks:
    /// for a listener of your own (a port picked by the system, a socket
    /// handed over by systemd) and a stop of your own (a test's, an admin
    /// endpoint's).
    ///
    /// # Errors
    /// When the app has a mistake ([`App::check`]), before anything is
    /// printed; when a start hook fails; when the listener has no address.
    pub async fn serve_on<F>(self, listener: TcpListener, app: App, shutdown: F) -> io::Result<()>
    where
        F: Future<Output = ()>,
    {
        checked(&app)?;
        // The guard writes out what is left when serving ends.
        let _flush = init_logs(true);
        let address: SocketAddr = listener.local_addr()?;
        let mut app = app.start().await?;
        app.refuse_env_debug(address, true);
        let stop_hooks = app.take_stop_hooks();
        let health = app.health.clone();
        let grace = self.grace;
        let shutdown = async move {
            shutdown.await;
            if let Some(health) = health {
                health.stop();
                tracing::info!(
                    target: "pico",
                    "stopping: not ready for {} s, then finishing in-flight requests",
                    grace.as_secs_f32()
                );
                tokio::time::sleep(grace).await;
            }
        };
        tracing::info!(target: "pico", "listening on http://{address}/");
        let serving = Serving {
            limits: self.limits,
            drain: Some(self.drain),
        };
        serve_app(listener, app, shutdown, serving).await;
        run_stop_hooks(stop_hooks, self.stop).await;
        tracing::info!(target: "pico", "stopped");
        Ok(())
    }
}

/// The app's mistake, as the error a server returns.
fn checked(app: &App) -> io::Result<()> {
    app.check()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}
