//! # Pico
//!
//! A small, fast HTTP API framework: an API is a module of plain Rust
//! functions.
//!
//! ```no_run
//! /// Greetings.
//! #[pico::api]
//! pub mod example {
//!     use pico::HttpError;
//!
//!     /// Say hello.
//!     #[expose]
//!     pub fn hello(who: String) -> String {
//!         format!("hello {who}!")
//!     }
//!
//!     #[expose]
//!     pub fn goodbye(#[default("world")] who: String) -> String {
//!         format!("goodbye {who}!")
//!     }
//!
//!     #[expose]
//!     pub async fn multiply(x: i64, y: i64) -> Result<i64, HttpError> {
//!         x.checked_mul(y).ok_or_else(|| HttpError::bad_request().with_message("too big"))
//!     }
//! }
//!
//! fn main() {
//!     pico::serve(pico::App::new().register(example::module()));
//! }
//! ```
//!
//! `GET /example/hello?who=you` answers `"hello you!"`; `/example` describes
//! the module; every failure is a JSON body `{"name", "code", "message"}`.
//! The functions stay ordinary functions: `example::hello("you".into())`
//! involves no framework at all.

#![warn(missing_docs)]

pub use pico_runtime::*;

/// Makes an inline module an API module.
///
/// Each function marked `#[expose]` answers at `/module/function` (GET or
/// POST), its parameters filled by name from the query string, a form, a
/// multipart upload or a JSON object body. The macro adds `module()`, which
/// returns the [`Module`] to register on an [`App`].
///
/// - Parameters are any owned `serde::Deserialize` type; `Option<T>` ones
///   may be left out (`None`), and `#[default(expr)]` gives a default.
/// - Results are any `serde::Serialize` type (sent as JSON), a [`Response`]
///   passed through, or a `Result` of either whose error is an
///   [`HttpError`] (sent as it is) or any other error (a 500).
/// - Doc comments become the definition's `doc`.
///
/// ```
/// #[pico::api]
/// mod counter {
///     /// Counts down.
///     #[expose]
///     pub fn countdown(#[default(10)] from: u32, step: Option<u32>) -> Vec<u32> {
///         (0..=from).rev().step_by(step.unwrap_or(1) as usize).collect()
///     }
/// }
///
/// // Still a plain function:
/// assert_eq!(counter::countdown(2, None), vec![2, 1, 0]);
/// let module = counter::module();
/// assert_eq!(module.functions()[0].name(), "countdown");
/// ```
pub use pico_macros::api;
