//! The links example's tests (`examples/links/tests.rs`), with the
//! example's own modules: in process, on a SQLite file and on a PostgreSQL
//! cluster of their own.

// Its `main` is not called here, and its `pub` items are the example's own;
// formatted with the example's layout, not the tests'.
#[allow(dead_code, unreachable_pub)]
#[rustfmt::skip]
#[path = "../examples/links/main.rs"]
mod links;
