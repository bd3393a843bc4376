//! The runtime of Pico: routing, arguments, errors, definitions and the
//! development server. Users depend on the `pico` crate, which re-exports
//! this one with the `#[pico::api]` macro.

#![warn(missing_docs)]

mod app;
mod args;
mod blocking;
mod body;
mod build_error;
#[cfg(feature = "client")]
pub mod client;
mod client_js;
mod connection;
mod connection_server;
mod context;
mod cookies;
mod cross_site;
mod deadline;
mod decode;
mod definition;
mod env_debug;
mod error;
mod error_status;
mod extract;
mod failure;
mod forwarded;
mod hooks;
mod hosts;
mod json;
mod jsonp;
mod log_writer;
mod mixin;
mod multipart;
mod observe;
#[cfg(feature = "openapi")]
mod openapi;
#[cfg(feature = "otel")]
mod otel;
mod panic;
mod prefix;
mod preflight;
mod problem;
mod production;
mod refusal;
mod request;
mod request_id;
mod request_log;
mod response;
mod router;
#[cfg(feature = "openapi")]
mod schema;
mod scrub;
#[cfg(feature = "sentry")]
mod sentry_mixin;
mod server;
mod service;
mod shared;
mod shutdown;
mod state;
mod stream;
mod thunk;
mod timestamp;
mod trace;
mod traceparent;
mod trusted_proxies;
#[cfg(feature = "openapi")]
mod typescript;
mod upload;

pub use app::{App, DEFAULT_BODY_LIMIT};
pub use args::Args;
pub use build_error::BuildError;
#[doc(hidden)]
pub use connection_server::ConnectionServer;
pub use definition::{Function, Module};
pub use error::HttpError;
pub use error_status::ErrorStatus;
pub use failure::Failure;
pub use forwarded::ProxyHeaders;
pub use hooks::{Hooks, Mixin};
pub use json::JsonCodec;
pub use production::Server;
pub use request::{Request, basic_auth, cookie, header};
#[cfg(feature = "openapi")]
pub use schemars::{self, JsonSchema};
#[cfg(feature = "sentry")]
pub use sentry_mixin::{SentryHub, SentryMixin};
pub use server::{serve, serve_async, serve_on};
pub use shutdown::Shutdown;
pub use state::AppState;
pub use trace::Frame;
pub use upload::Upload;

pub use axum::response::Response;

#[doc(hidden)]
pub mod __private;
