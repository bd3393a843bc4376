//! Describing the app: the definitions pico's clients build proxies from,
//! the JavaScript client itself, and, with the `openapi` feature, the
//! schemas of each function, `/openapi.json`, TypeScript declarations and
//! the `/docs` page.
//!
//! Uses `application` for what an app registered and `dispatch` for the
//! functions' parameters; built once at start-up, never on a request's
//! path.

pub(crate) mod client_js;
pub(crate) mod constraint;
pub(crate) mod definition;
pub(crate) mod extractor;
#[cfg(feature = "openapi")]
pub(crate) mod openapi;
#[cfg(feature = "openapi")]
pub(crate) mod openapi_version;
pub(crate) mod param;
#[cfg(feature = "openapi")]
pub(crate) mod parameter;
#[cfg(feature = "openapi")]
pub(crate) mod schema;
#[cfg(feature = "openapi")]
pub(crate) mod statuses;
#[cfg(feature = "openapi")]
pub(crate) mod summary;
#[cfg(feature = "openapi")]
pub(crate) mod typescript;
