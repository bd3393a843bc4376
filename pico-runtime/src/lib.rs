//! The runtime of Pico: routing, arguments, errors, definitions and the
//! development server. Users depend on the `pico` crate, which re-exports
//! this one with the `#[pico::api]` macro.

#![warn(missing_docs)]

mod application;
pub mod auth;
#[cfg(feature = "client")]
pub mod client;
mod describe;
mod dispatch;
mod edge;
mod errors;
mod observe;
mod respond;
mod serve;

pub use application::app::{App, DEFAULT_BODY_LIMIT};
pub use application::hooks::{Hooks, Mixin};
pub use application::lifecycle::StartError;
#[cfg(feature = "sentry")]
pub use application::sentry_mixin::{SentryHub, SentryMixin};
pub use application::state::AppState;
pub use describe::definition::{Function, Module};
pub use describe::extractor::{DescribeExtractor, SecurityScheme};
#[cfg(feature = "openapi")]
pub use describe::openapi_version::OpenApiVersion;
pub use dispatch::args::Args;
pub use dispatch::json::JsonCodec;
pub use dispatch::request::{Request, basic_auth, cookie, header};
pub use dispatch::upload::Upload;
pub use edge::forwarded::ProxyHeaders;
pub use errors::build_error::BuildError;
pub use errors::error_status::ErrorStatus;
pub use errors::failure::Failure;
pub use errors::http_error::HttpError;
pub use errors::trace::Frame;
#[cfg(feature = "metrics")]
pub use observe::metrics::Metrics;
#[cfg(feature = "metrics")]
pub use prometheus_client;
#[cfg(feature = "compression")]
pub use respond::compression::Compression;
pub use respond::status::Located;
#[cfg(feature = "openapi")]
pub use schemars::{self, JsonSchema};
#[doc(hidden)]
pub use serve::connection_server::ConnectionServer;
pub use serve::dev_server::serve;
pub use serve::server::Server;
pub use serve::shutdown::Shutdown;

pub use axum::response::Response;

#[doc(hidden)]
pub mod __private;
