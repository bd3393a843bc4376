//! The fuzz targets' checks, on stable Rust in every test run: on their
//! seeds (`fuzz/seeds/<target>/`, inputs that reach each part of the app)
//! and on what they found (`fuzz/regressions/<target>/`, each input named
//! for the fault it showed). `request` drives the router in process,
//! `serve` raw bytes through the app's own server.

// Shared with the fuzz targets and the property tests; not all of it is used here.
#[allow(dead_code)]
#[path = "fuzzing/app.rs"]
mod app;
#[path = "fuzzing/serve.rs"]
mod serve;

/// Runs every input of `folder` (if it exists); returns how many there were.
fn replay(folder: &str, run: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        count += 1;
    }
    count
}

#[test]
fn router_inputs_answer_correctly() {
    let seeds = replay("fuzz/seeds/request", app::run_one);
    assert!(seeds >= 10, "only {seeds} seeds");
    replay("fuzz/regressions/request", app::run_one);
}

#[test]
fn raw_connections_answer_correctly() {
    let seeds = replay("fuzz/seeds/serve", serve::run_raw);
    assert!(seeds >= 5, "only {seeds} seeds");
    replay("fuzz/regressions/serve", serve::run_raw);
}
