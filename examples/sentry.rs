//! The everything example's API with the Sentry mixin composed into its
//! app: `SENTRY_DSN=https://key@sentry.example/1 cargo run --example sentry`,
//! then <http://127.0.0.1:4242/api/fail> answers a 500 whose `sentry_id` is
//! the event in Sentry. `tests/sentry_bugsink.rs` runs it against Bugsink.

// The everything example's module, reused; its own `main` is not called,
// and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "everything/main.rs"]
mod everything;

/// A service that is down for maintenance: a 5xx `HttpError`, which this
/// app reports (it ignores the 4xx range only).
#[pico::api]
mod ops {
    #[expose]
    fn maintenance() -> Result<String, pico::HttpError> {
        Err(pico::HttpError::service_unavailable().with_message("Down for maintenance."))
    }
}

/// The app's hooks: its own prehandle, with Sentry around it. Panics,
/// internal errors and 5xx HTTP errors are reported; 4xx ones are the
/// client's. Personal data stays home.
struct App;

#[pico::sentry_mixin(ignore_status = 400..500, send_pii = false)]
impl pico::Hooks for App {
    fn prehandle(&self, request: &mut pico::Request, _args: &mut pico::Args) -> Result<(), pico::Failure> {
        request.set("started", std::time::SystemTime::now());
        Ok(())
    }
}

fn main() {
    if std::env::var_os("SENTRY_DSN").is_none() {
        eprintln!("SENTRY_DSN is not set: errors are not reported (the mixin is inert)");
    }
    let app = pico::App::new()
        .hooks(App)
        .register(everything::api::module())
        .register(ops::module())
        .static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
    pico::serve(app);
}
