//! Server A: the benchmark's endpoints written with Pico. Its second
//! argument picks what it serves and how:
//!
//! - (none): the `bench` module, `into_router` under `axum::serve`;
//! - `own`: the same under Pico's own serve loop (`pico::Server`), without
//!   the log line the axum baseline does not write;
//! - `app`: the realistic app (a prehandle reading basic auth) with Pico's
//!   log line per request, under `axum::serve`;
//! - `app-quiet`: the same app without the log line;
//! - `metrics`: the app with its log line and `App::metrics` (compression
//!   is on in every mode, as it is by default);
//! - `dev`: the same app under the development server, `pico::serve`,
//!   which logs each request (`PICO_PORT=0` picks the port).

#[pico::api]
mod bench {
    use pico::{HttpError, Upload};

    #[expose]
    fn multiply(x: i64, y: i64) -> i64 {
        x.wrapping_mul(y)
    }

    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}!")
    }

    #[expose]
    fn object() -> pico_bench::Object {
        pico_bench::object()
    }

    #[expose]
    fn missing() -> Result<(), HttpError> {
        Err(HttpError::not_found())
    }

    #[expose]
    fn panics() -> u32 {
        panic!("boom")
    }

    #[expose]
    #[stream]
    fn items() -> std::ops::Range<u32> {
        0..100
    }

    #[expose]
    fn upload(file: Upload) -> usize {
        file.data.len()
    }

    /// The same as `upload`: B reads this one with `field.bytes()`.
    #[expose]
    fn upload_bytes(file: Upload) -> usize {
        file.data.len()
    }
}

/// The realistic app: every call signed in with basic auth.
#[pico::api]
mod app {
    use pico::{Args, HttpError, Request};

    #[prehandle]
    fn sign_in(request: &mut Request, _args: &mut Args) -> Result<(), HttpError> {
        match request.basic_auth() {
            Some((user, password)) if password == pico_bench::PASSWORD => {
                request.set("user", user);
                Ok(())
            }
            _ => Err(HttpError::unauthorized().with_challenge("Basic realm=\"Login required\"")),
        }
    }

    #[expose]
    #[request_args(user = "user")]
    fn greet(user: String, greeting: String) -> String {
        format!("{greeting} {user}")
    }

    /// The 4 KiB object, which a client that accepts gzip gets compressed.
    #[expose]
    fn report() -> pico_bench::Object {
        pico_bench::object()
    }
}

async fn axum_serve(router: axum::Router) {
    let listener = pico_bench::listen().await;
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.unwrap();
}

fn main() {
    let app = || pico::App::new().debug(false).register(app::module());
    let mode = pico_bench::mode();
    if mode == "dev" {
        pico_bench::allocations::answer_the_driver();
        // The development server makes its own runtime.
        pico::serve(app());
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(serve(&mode, app));
}

async fn serve(mode: &str, app: impl Fn() -> pico::App) {
    let bench = || pico::App::new().debug(false).register(bench::module());
    match mode {
        "" => axum_serve(bench().into_router()).await,
        "own" => {
            let listener = pico_bench::listen().await;
            let app = bench().log_requests(false);
            let served = pico::Server::new().serve_on(listener, app, std::future::pending());
            served.await.expect("the server failed");
        }
        "app" => {
            let _guard = pico_bench::log_to_stderr();
            axum_serve(app().log_requests(true).into_router()).await;
        }
        "app-quiet" => axum_serve(app().into_router()).await,
        "metrics" => {
            let _guard = pico_bench::log_to_stderr();
            let app = app().log_requests(true).metrics(pico::Metrics::new());
            axum_serve(app.into_router()).await;
        }
        other => panic!("no mode {other:?}"),
    }
}
