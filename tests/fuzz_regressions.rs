//! The fuzz target's checks, in-process, on the inputs kept in
//! `fuzz/regressions/`: what the fuzzer found interesting stays tested on
//! stable Rust, in every test run.

// Shared with the fuzz target and the property tests; not all of it is used here.
#[allow(dead_code)]
#[path = "fuzzing/app.rs"]
mod app;

#[test]
fn kept_fuzz_inputs_answer_correctly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| app::run_one(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
        count += 1;
    }
    assert!(count >= 10, "only {count} kept inputs in {}", dir.display());
}
