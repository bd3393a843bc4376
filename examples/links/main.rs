// ANCHOR: app
pub mod admin;
pub mod csv_import;
pub mod database;
pub mod errors;
pub mod fields;
pub mod link;
pub mod shortener;

use database::{Config, Database};

/// The service on `db`: its pool is the app's state, the schema is brought
/// up to date before the first request, and `/readyz` asks the database.
pub fn app(db: Database, admin_token: Option<String>) -> pico::App {
    let (starting, probing) = (db.clone(), db.clone());
    pico::App::new()
        .state(db)
        .state(admin::AdminToken(admin_token))
        .register(shortener::module())
        .on_start(move || starting.start())
        .health()
        .readiness_check("database", move || {
            let db = probing.clone();
            async move { db.ping().await }
        })
}

/// Serves on `PICO_BIND` (`127.0.0.1:8000` unless set) until SIGTERM or
/// Ctrl-C. The pool is made on the runtime it will run on.
#[tokio::main]
async fn main() {
    let served = match Database::open(&Config::from_env()) {
        Ok(db) => pico::Server::new().run_async(app(db, std::env::var("LINKS_ADMIN_TOKEN").ok())).await,
        Err(e) => Err(std::io::Error::other(e)),
    };
    if let Err(e) = served {
        eprintln!("links: {e}");
        std::process::exit(1);
    }
}
// ANCHOR_END: app

// Run by `tests/links.rs`, which includes this file: the binary that
// `cargo test` builds is the one `tests/examples.rs` and
// `tests/scale_out.rs` start.
#[cfg(test)]
mod tests;
