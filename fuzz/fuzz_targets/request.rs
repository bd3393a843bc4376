//! Arbitrary method, path, query, headers and body into a Pico app,
//! in-process. A panic escaping Pico, an answer that is not the JSON (or
//! event stream, or JavaScript) it should be, or a status outside 200..=599
//! is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzzing/app.rs"]
mod app;

fuzz_target!(|data: &[u8]| {
    app::run_one(data);
});
