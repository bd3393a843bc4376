//! The accept loop both servers run: connections accepted up to the limit,
//! each served over HTTP/1.1 or HTTP/2 with its time limits, the HTTP
//! layer's own refusals in the standard body, and on a stop, no new
//! connection and a drain of the requests in flight.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::HeaderName;
use hyper::body::Incoming;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::application::app::App;
use crate::application::into_router::AppService;
use crate::errors::refusal::Refusals;
use crate::observe::layer::{Observable, Observe, Observed};
use crate::serve::connection::{Activity, Answering, ConnectionLimits, PlainTcp, Watched, expiry};
use crate::serve::protocol::{HttpConnection, Protocols, Service};
use crate::serve::shutdown::Shutdown;
use crate::serve::woken::{First, first};

/// How a server serves: its connections' limits, and the longest wait for
/// requests in flight once it stops (none: as long as they run).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Serving {
    pub(crate) limits: ConnectionLimits,
    pub(crate) drain: Option<Duration>,
}

/// Serves `app` on `listener` until `shutdown` completes, then drains. A
/// request log the app did not turn off is on: a server's log is its own.
pub(crate) async fn serve_app<F>(listener: TcpListener, mut app: App, shutdown: F, serving: Serving)
where
    F: Future<Output = ()>,
{
    app.log_requests.get_or_insert(true);
    let Serving { limits, drain } = serving;
    let loop_ = Loop {
        limits,
        drain,
        id_header: app.request_id_header.clone(),
        stopping: app.shutdown(),
    };
    // The app's service itself, without a `Router` around it: the server
    // routes nothing else.
    match app.into_service() {
        AppService::Plain(service) => run(listener, service, loop_, shutdown).await,
        AppService::Cors(service) => run(listener, *service, loop_, shutdown).await,
    }
}

/// How the accept loop treats its connections.
struct Loop {
    limits: ConnectionLimits,
    /// The longest wait for requests in flight once shutting down.
    drain: Option<Duration>,
    /// Where answers carry their request id.
    id_header: HeaderName,
    /// The app's own stop, which its streams watch.
    stopping: Shutdown,
}

/// The accept loop, for each of the app's services.
async fn run<S, F>(listener: TcpListener, service: S, loop_: Loop, shutdown: F)
where
    S: PeerService + Clone,
    F: Future<Output = ()>,
{
    let Loop {
        limits,
        drain,
        id_header,
        stopping: app_stopping,
    } = loop_;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let protocols = Protocols::new();
    // Every connection holds a receiver: the sender learns that all are
    // done when the last one is dropped.
    let (stop, stopping) = watch::channel(Phase::Serving);
    let serve = |tcp, addr, slot| {
        let connection = Accepted {
            tcp: Refusals::new(tcp, id_header.clone()),
            addr,
            slot,
            limits,
        };
        connection.serve(&service, &protocols, stopping.clone());
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                tracing::warn!(
                    target: "pico",
                    "{} connections are open, the limit (Server::max_connections): new ones wait",
                    limits.max_connections
                );
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (tcp, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(target: "pico", "accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        serve(tcp, addr, slot);
    }
    // Connections the kernel completed but nobody accepted yet would be
    // reset when the listener closes, with their requests already sent
    // (a proxy sends as soon as it connects): serve them too, then close.
    // Unconstrained: tokio's budget would say `Pending` after a hundred or
    // so accepts in a row, which would read as an empty queue.
    while let Some(Ok((tcp, addr))) =
        tokio::task::unconstrained(std::future::poll_fn(|cx| match listener.poll_accept(cx) {
            Poll::Ready(accepted) => Poll::Ready(Some(accepted)),
            Poll::Pending => Poll::Ready(None),
        }))
        .await
    {
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            break;
        };
        serve(tcp, addr, slot);
    }
    drop(listener);
    drop(stopping);
    tracing::info!(target: "pico", "shutting down: finishing in-flight requests");
    // Open streams end now, with their `close` event; other requests finish.
    app_stopping.trigger();
    let _ = stop.send(Phase::Draining);
    match drain {
        None => stop.closed().await,
        Some(deadline) => {
            if tokio::time::timeout(deadline, stop.closed()).await.is_err() {
                tracing::warn!(
                    target: "pico",
                    "requests still running after {deadline:?} of draining are cut off"
                );
                // Each connection drops its requests at their next await.
                let _ = stop.send(Phase::Cut);
            }
        }
    }
}

/// Where the server is in its life, as each connection is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Serving,
    /// Requests in flight finish; connections close after them.
    Draining,
    /// The drain's deadline has passed: connections close now.
    Cut,
}

/// A connection just accepted, and its share of the connection limit.
struct Accepted {
    tcp: Refusals<TcpStream>,
    addr: SocketAddr,
    slot: OwnedSemaphorePermit,
    limits: ConnectionLimits,
}

impl Accepted {
    /// Serves the connection on a task of its own until it closes, expires,
    /// or the server stops: then its requests in flight finish, and it
    /// closes, or is cut off when the drain's time is up.
    fn serve<S>(self, service: &S, protocols: &Arc<Protocols>, mut stopping: watch::Receiver<Phase>)
    where
        S: PeerService + Clone,
    {
        let Accepted {
            tcp,
            addr,
            slot,
            limits,
        } = self;
        let _ = tcp.get_ref().set_nodelay(true);
        let activity = Arc::new(Activity::default());
        let watched = Arc::clone(&activity);
        let connection = http_connection(tcp, addr, service.clone(), protocols, activity);
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            // The watchers are polled when they wake, not at each of the
            // connection's wakes.
            let watchers = async {
                tokio::select! {
                    why = expiry(Arc::clone(&watched), limits) => Some(why),
                    _ = stopping.wait_for(|phase| *phase != Phase::Serving) => None,
                }
            };
            match first(connection.as_mut(), watchers).await {
                First::Main(_) => return,
                First::Beside(Some(why)) => {
                    tracing::debug!(target: "pico", "closing the connection of {addr}: {why:?}");
                    return;
                }
                First::Beside(None) => {}
            }
            // A connection whose first request is not read yet may have it
            // on the way: told to stop now, it would be dropped unread.
            if !watched.has_begun() {
                tokio::select! {
                    _ = connection.as_mut() => return,
                    () = watched.first_request() => {}
                    () = tokio::time::sleep(limits.first_request) => {}
                    _ = stopping.wait_for(|phase| *phase == Phase::Cut) => return,
                }
            }
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopping.wait_for(|phase| *phase == Phase::Cut) => {}
            }
            drop((slot, stopping));
        });
    }
}

/// One connection's HTTP layer over `io`: hyper, with the app's service,
/// each request given the peer's address and counted in `activity`.
pub(crate) fn http_connection<S, IO>(
    io: IO,
    addr: SocketAddr,
    service: S,
    protocols: &Arc<Protocols>,
    activity: Arc<Activity>,
) -> HttpConnection<Watched<IO>, impl Service + Send + use<S, IO>>
where
    S: PeerService + Clone,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = Watched::new(io, Arc::clone(&activity));
    let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
        let windowed = request.version() < http::Version::HTTP_2;
        // Only HTTP/2 has a `:scheme` to be wary of: see `prefix::scheme`.
        if !windowed {
            request.extensions_mut().insert(PlainTcp);
            activity.mark_multiplexed();
        }
        let guard = activity.begin();
        Answering::new(service.call_from(request.map(body), addr), guard, windowed)
    });
    protocols.serve(io, service)
}

/// The app's service as the loop calls it: through a shared reference,
/// with no clone of it a request, with each request's peer beside the
/// request (in its extensions, it would cost every request a map), and
/// with no `poll_ready` first: Pico's services are always ready.
pub(crate) trait PeerService: Send + Sync + Unpin + 'static {
    type Future: Future<Output = Result<Response, Infallible>> + Send + 'static;

    fn call_from(&self, request: Request, peer: SocketAddr) -> Self::Future;
}

impl<S> PeerService for Observe<S>
where
    S: Observable + Send + Sync + Unpin + 'static,
    <S as Observable>::Future: Send + 'static,
{
    type Future = Observed<<S as Observable>::Future>;

    fn call_from(&self, request: Request, peer: SocketAddr) -> Self::Future {
        Observe::call_from(self, request, peer)
    }
}

/// The request's body for the app: none at all when the head says so (a
/// GET, a POST of zero bytes), which spares every such request a box.
fn body(incoming: Incoming) -> Body {
    if http_body::Body::is_end_stream(&incoming) {
        Body::empty()
    } else {
        Body::new(incoming)
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
