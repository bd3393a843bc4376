//! Dispatch: the life of one request from its route to the function's call.
//! The service every request enters, the request as hooks see it, the body
//! and its arguments, how each becomes a typed parameter (decoding, uploads,
//! extractors, state), the constraints on them, and the calls generated
//! code makes.
//!
//! Uses `edge` for the checks made before routing, `respond` to shape the
//! answer, `errors` for everything that fails, and `application` for what
//! the app built once.

pub(crate) mod args;
pub(crate) mod arguments;
pub(crate) mod blocking;
pub(crate) mod body;
pub(crate) mod call;
#[cfg(feature = "validate")]
pub(crate) mod constraints;
pub(crate) mod context;
pub(crate) mod cookie_header;
pub(crate) mod deadline;
pub(crate) mod decode;
pub(crate) mod documents;
pub(crate) mod extract;
pub(crate) mod json;
pub(crate) mod json_at_once;
pub(crate) mod json_object;
pub(crate) mod merged;
pub(crate) mod methods;
pub(crate) mod multipart;
pub(crate) mod not_routed;
pub(crate) mod path_routes;
pub(crate) mod plain_value;
pub(crate) mod probes;
pub(crate) mod refusal;
pub(crate) mod request;
#[cfg(feature = "compression")]
pub(crate) mod request_encoding;
pub(crate) mod response_future;
pub(crate) mod routes;
#[cfg(feature = "metrics")]
pub(crate) mod scrape;
pub(crate) mod service;
pub(crate) mod straight;
pub(crate) mod thunk;
pub(crate) mod upload;
pub(crate) mod word;
