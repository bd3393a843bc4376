//! What the benchmark's servers share: the scenarios' data, so that Pico,
//! hand-written axum and the original serve exactly the same answers.

use serde::Serialize;

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
