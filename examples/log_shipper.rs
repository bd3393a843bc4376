//! A mixin of our own, written like the Sentry one: a log shipper that
//! writes each failure as one JSON line (for Loki, Datadog, ...) and tells
//! the client the line's id. `cargo run --example log_shipper`, then
//! <http://127.0.0.1:4242/api/fail>.

use std::sync::atomic::{AtomicU64, Ordering};

use pico::{Args, Failure, Hooks, Mixin, Request, Response};
use serde_json::{Map, Value, json};

// The everything example's module, reused; its own `main` is not called,
// and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "everything/main.rs"]
mod everything;

/// Ships failures as JSON lines to stderr.
#[derive(Default)]
struct LogShipper {
    next_id: AtomicU64,
}

impl Mixin for LogShipper {
    /// Notes when the request started, for the line's duration.
    fn prehandle(&self, request: &mut Request, args: &mut Args, next: &dyn Hooks) -> Result<(), Failure> {
        request.extensions_mut().insert(std::time::Instant::now());
        next.prehandle(request, args)
    }

    /// Ships the failure, then lets the rest of the app answer, with the
    /// line's id in the body.
    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        mut extra: Map<String, Value>,
        next: &dyn Hooks,
    ) -> Response {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let elapsed = request
            .extensions()
            .get::<std::time::Instant>()
            .map(|t| t.elapsed().as_secs_f64());
        let line = json!({
            "log_id": id,
            "function": request.function(),
            "method": request.method().as_str(),
            "status": failure.status().as_u16(),
            "error": failure.name(),
            "message": failure.full_message(),
            "seconds": elapsed,
        });
        eprintln!("{line}");
        extra.insert("log_id".to_owned(), json!(id));
        next.handle_exception(failure, request, extra)
    }
}

/// The app's hooks: the log shipper, composed by attribute.
#[pico::mixin(LogShipper::default())]
struct App;

fn main() {
    let app = pico::App::new().hooks(App).register(everything::api::module());
    pico::serve(app);
}
