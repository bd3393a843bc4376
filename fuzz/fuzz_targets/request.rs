//! Arbitrary method, path, query, headers and body into a Pico app's
//! router, in process. A panic escaping Pico, a status outside 200..=599,
//! or an answer that is not what it must be (`tests/fuzzing/app.rs`,
//! `check`: the standard error body, JSON, a stream that ends in its close
//! or error event, JSONP whose argument is JSON, pico.js as it is, an empty
//! body only for HEAD, 204 or 304, never a debug detail) is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzzing/app.rs"]
#[allow(dead_code)]
mod app;

fuzz_target!(|data: &[u8]| {
    app::run_one(data);
});
