//! The everything example's API with the Sentry mixin composed into its
//! app: `SENTRY_DSN=https://key@sentry.example/1 cargo run --example sentry`,
//! then <http://127.0.0.1:4242/api/fail> answers a 500 whose `sentry_id` is
//! the event in Sentry.

// The everything example's module, reused; its own `main` is not called,
// and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "everything/main.rs"]
mod everything;

/// The app's hooks: none of its own, the Sentry mixin composed in. HTTP
/// errors are not reported, as in the original pico.
#[pico::sentry_mixin]
struct App;

fn main() {
    if std::env::var_os("SENTRY_DSN").is_none() {
        eprintln!("SENTRY_DSN is not set: errors are not reported (the mixin is inert)");
    }
    let app = pico::App::new()
        .hooks(App)
        .register(everything::api::module())
        .static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
    pico::serve(app);
}
