// ANCHOR: app
pub mod shortener;

fn app() -> pico::App {
    // A route of axum's own, served with the API's ids, logs and limits.
    let health = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    pico::App::new().state(shortener::Shelf::default()).register(shortener::module()).routes(health)
}

fn main() {
    pico::serve(app());
}
// ANCHOR_END: app
