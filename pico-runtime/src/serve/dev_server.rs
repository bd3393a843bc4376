//! The development server: `pico::serve(app)`, on loopback and the first
//! free port from 4242, logging for a person, with `./static` and a clean
//! stop on Ctrl-C.

use std::io::Write;

use tokio::net::TcpListener;

use crate::application::app::App;
use crate::application::lifecycle::{DEFAULT_STOP_TIMEOUT, run_stop_hooks};
use crate::serve::accept_loop::{Serving, serve_app, shutdown_signal};
use crate::serve::connection::ConnectionLimits;
use crate::serve::logs::init_logs;

/// The first port tried when `PICO_PORT` is not set.
const FIRST_PORT: u16 = 4242;
/// How many ports above it are tried.
const PORTS_TRIED: u16 = 100;

/// Serves `app` for development, until Ctrl-C or SIGTERM.
///
/// It binds `127.0.0.1` (or `PICO_HOST`) on port 4242 or the first free port
/// above it (or exactly `PICO_PORT`), prints `Running on http://HOST:PORT/`,
/// logs each request, serves the files of `./static` at `/` when that folder
/// exists and the app names no folder of its own, answers only loopback
/// names in `Host` while it listens on loopback (against DNS rebinding;
/// [`App::allowed_hosts`] adds others), and on a signal stops accepting and
/// lets in-flight requests finish. It builds its own tokio runtime. For
/// production, and from async code, use [`Server`](crate::Server), or
/// serve [`App::into_router`] with your own stack.
///
/// A mistake in the app ([`App::check`]) or no port to bind is said on
/// stderr, and the process exits with status 1: a development server has
/// nothing better to do than say so and stop.
///
/// # Panics
/// When the runtime cannot start.
pub fn serve(app: App) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("pico: cannot start the tokio runtime");
    runtime.block_on(serve_development(app));
}

/// [`serve`], on its runtime.
async fn serve_development(app: App) {
    if let Err(e) = app.check() {
        stop(&e);
    }
    // The guard writes out what is left when serving ends.
    let _flush = init_logs(false);
    // `./static` only for an app without a folder of its own.
    #[cfg(feature = "static-files")]
    let app = if app.static_dir.is_none() && std::path::Path::new("static").is_dir() {
        app.static_files("static")
    } else {
        app
    };
    let mut app = app.start().await.unwrap_or_else(|e| stop(&e));
    let stop_hooks = app.take_stop_hooks();
    let listener = bind().await.unwrap_or_else(|e| stop(&e));
    let addr = listener.local_addr().expect("pico: the listener has no address");
    app.loopback_hosts_on(addr);
    app.refuse_env_debug(addr, false);
    println!("Running on http://{addr}/");
    let _ = std::io::stdout().flush();
    let serving = Serving {
        limits: ConnectionLimits::default(),
        drain: None,
    };
    serve_app(listener, app, shutdown_signal(), serving).await;
    run_stop_hooks(stop_hooks, DEFAULT_STOP_TIMEOUT).await;
}

/// Says why the development server cannot start, and exits.
fn stop(why: &dyn std::fmt::Display) -> ! {
    eprintln!("{why}");
    std::process::exit(1)
}

async fn bind() -> Result<TcpListener, String> {
    let host = std::env::var("PICO_HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    if let Ok(port) = std::env::var("PICO_PORT") {
        let port: u16 = port
            .parse()
            .map_err(|_| format!("pico: PICO_PORT must be a port number, not `{port}`"))?;
        return TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|e| format!("pico: cannot listen on {host}:{port}: {e}"));
    }
    for port in FIRST_PORT..FIRST_PORT + PORTS_TRIED {
        if let Ok(listener) = TcpListener::bind((host.as_str(), port)).await {
            return Ok(listener);
        }
    }
    Err(format!(
        "pico: no free port on {host} from {FIRST_PORT} to {}",
        FIRST_PORT + PORTS_TRIED - 1
    ))
}
