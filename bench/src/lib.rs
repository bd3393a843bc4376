//! What the benchmark's servers share: the scenarios' data, so that Pico,
//! hand-written axum and the original serve exactly the same answers.

use serde::Serialize;

pub mod allocations;

#[global_allocator]
static ALLOCATOR: allocations::Counting = allocations::Counting;

/// The user the realistic app's scenario signs in as, and the password it
/// checks.
pub const USER: &str = "alice";
/// See [`USER`].
pub const PASSWORD: &str = "secret";

/// One entry of the 4 KiB object.
#[derive(Serialize)]
pub struct Entry {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// A flag.
    pub active: bool,
    /// A score.
    pub score: f64,
}

/// The object the `object` scenario answers: about 4 KiB of JSON.
#[derive(Serialize)]
pub struct Object {
    /// What it is.
    pub kind: &'static str,
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// Builds the object, as each server does per request.
pub fn object() -> Object {
    Object {
        kind: "benchmark",
        entries: (0..64)
            .map(|id| Entry {
                id,
                name: format!("entry number {id}"),
                active: id % 2 == 0,
                score: f64::from(id) * 1.5,
            })
            .collect(),
    }
}

/// The address a server binary listens on: its first argument.
pub fn address() -> String {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
}

/// What a server binary serves: its second argument.
pub fn mode() -> String {
    std::env::args().nth(2).unwrap_or_default()
}

/// Info-level log lines to stderr, written by a thread of their own and
/// buffered there (as a careful service does: the worker never waits on
/// the log file, and a burst of lines is one write). The guard flushes at
/// exit. Pico's development server writes its lines the same way.
pub fn log_to_stderr() -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    guard
}

/// Binds the address, tells the driver where it listens (the first line of
/// stdout), and starts answering its allocation questions.
pub async fn listen() -> tokio::net::TcpListener {
    let listener = tokio::net::TcpListener::bind(address()).await.unwrap();
    println!("{}", listener.local_addr().unwrap());
    allocations::answer_the_driver();
    listener
}
