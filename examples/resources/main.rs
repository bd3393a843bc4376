// ANCHOR: app
pub mod shortener;

fn app() -> pico::App {
    // A route of axum's own, served with the API's ids, logs and limits.
    let version = axum::Router::new().route("/version", axum::routing::get(|| async { env!("CARGO_PKG_VERSION") }));
    pico::App::new().state(shortener::Shelf::default()).register(shortener::module()).routes(version).health()
}

fn main() {
    pico::serve(app());
}
// ANCHOR_END: app
