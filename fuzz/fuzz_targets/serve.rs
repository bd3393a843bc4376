//! Raw bytes as one connection to a Pico app's own server, over an
//! in-memory stream: hyper's parser, Pico's limits and the app, all of it.
//! A panic, a hang, or an answer that is not a well-formed HTTP response
//! holding what the app must answer is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzzing/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "../../tests/fuzzing/serve.rs"]
mod serve;

fuzz_target!(|data: &[u8]| {
    serve::run_raw(data);
});
