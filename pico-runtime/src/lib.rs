//! The runtime of Pico: routing, arguments, errors, definitions and the
//! development server. Users depend on the `pico` crate, which re-exports
//! this one with the `#[pico::api]` macro.

#![warn(missing_docs)]

mod app;
mod args;
mod definition;
mod error;
mod failure;
mod panic;
mod request;
mod response;
mod server;
mod trace;
mod upload;

pub use app::{App, DEFAULT_BODY_LIMIT};
pub use definition::{Function, Module};
pub use error::HttpError;
pub use server::{serve, serve_async};
pub use upload::Upload;

pub use axum::response::Response;

#[doc(hidden)]
pub mod __private;
