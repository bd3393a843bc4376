//! The runtime of Pico: routing, arguments, errors, definitions and the
//! development server. Users depend on the `pico` crate, which re-exports
//! this one with the `#[pico::api]` macro.

#![warn(missing_docs)]

mod app;
mod args;
mod body;
mod cookies;
mod definition;
mod error;
mod failure;
mod hooks;
mod json;
mod panic;
mod request;
mod response;
mod server;
mod stream;
mod trace;
mod upload;

pub use app::{App, DEFAULT_BODY_LIMIT};
pub use args::Args;
pub use definition::{Function, Module};
pub use error::HttpError;
pub use failure::Failure;
pub use hooks::Hooks;
pub use json::JsonCodec;
pub use request::{Request, basic_auth, cookie, header};
pub use server::{serve, serve_async};
pub use upload::Upload;

pub use axum::response::Response;

#[doc(hidden)]
pub mod __private;
