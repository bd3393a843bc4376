// The deliberate differences between Pico for Rust and the original, in
// one place: `tests/differential.rs` checks that each still differs, and
// `tests/readme.rs` that the guide quotes each.

/// Where Pico for Rust answers otherwise, on purpose: the case, and what
/// it does instead, and why. Each must still differ from the original.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "an unknown path",
        "a 404 in the standard JSON error body, where the original answers Werkzeug's HTML page: every failure is JSON",
    ),
    (
        "an unknown function",
        "the same as for an unknown path",
    ),
    (
        "a string where an integer is wanted",
        "a 400 naming the argument, where the original multiplies the string (`\"aaa\"`): parameters are typed",
    ),
    (
        "the module's definition",
        "the same, but a function that takes a file says `\"method\": \"POST\"`, which the original's clients honour: a GET cannot carry a file",
    ),
    (
        "a GET to a function that takes a file",
        "a 405 with `Allow: POST`, where the original answers a 400 about the missing argument",
    ),
    (
        "a body in a media type neither reads",
        "a 415 naming the media types Pico reads, where the original ignores the body and answers with the default: a body sent is never silently dropped",
    ),
];
