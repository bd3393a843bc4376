//! The development server: `pico::serve(app)`.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::net::TcpListener;

use crate::app::App;

/// The first port tried when `PICO_PORT` is not set.
const FIRST_PORT: u16 = 4242;
/// How many ports above it are tried.
const PORTS_TRIED: u16 = 100;

/// Serves `app` for development, until Ctrl-C or SIGTERM.
///
/// It binds `127.0.0.1` (or `PICO_HOST`) on port 4242 or the first free port
/// above it (or exactly `PICO_PORT`), prints `Running on http://HOST:PORT/`,
/// logs each request, serves the files of `./static` at `/` when that folder
/// exists, and on a signal stops accepting and lets in-flight requests
/// finish. It builds its own tokio runtime; from async code use
/// [`serve_async`]. For production, serve [`App::into_router`] with your own
/// stack.
///
/// # Panics
/// When no port can be bound or the runtime cannot start: a development
/// server has nothing better to do than say so and stop.
pub fn serve(app: App) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("pico: cannot start the tokio runtime");
    runtime.block_on(serve_async(app));
}

/// [`serve`], on the caller's tokio runtime.
///
/// # Panics
/// When no port can be bound.
pub async fn serve_async(mut app: App) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    if std::path::Path::new("static").is_dir() {
        app = app.static_files("static");
    }
    let listener = bind().await;
    let addr = listener.local_addr().expect("pico: the listener has no address");
    println!("Running on http://{addr}/");
    let _ = std::io::stdout().flush();
    let router = app.into_router().layer(middleware::from_fn(log_request));
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    // Small writes (stream events) go out at once rather than wait for
    // an acknowledgement.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .expect("pico: the server failed");
}

/// One line per request: `GET /example/hello?who=you 200 0.4ms`.
async fn log_request(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    tracing::info!(
        target: "pico::request",
        "{method} {uri} {} {:.1?}",
        response.status().as_u16(),
        start.elapsed()
    );
    response
}

async fn bind() -> TcpListener {
    let host = std::env::var("PICO_HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    if let Ok(port) = std::env::var("PICO_PORT") {
        let port: u16 = port.parse().expect("pico: PICO_PORT must be a port number");
        return TcpListener::bind((host.as_str(), port))
            .await
            .unwrap_or_else(|e| panic!("pico: cannot listen on {host}:{port}: {e}"));
    }
    for port in FIRST_PORT..FIRST_PORT + PORTS_TRIED {
        if let Ok(listener) = TcpListener::bind((host.as_str(), port)).await {
            return listener;
        }
    }
    panic!(
        "pico: no free port on {host} from {FIRST_PORT} to {}",
        FIRST_PORT + PORTS_TRIED - 1
    );
}

async fn shutdown_signal() {
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
    tracing::info!(target: "pico", "shutting down: finishing in-flight requests");
}
