//! Responding: how what a function returns becomes an answer. Compact JSON,
//! JSONP, a response of the function's own, a stream of server-sent events,
//! the cookies a function sets or deletes, successes of another status
//! than 200, and compressed answers.
//!
//! Uses `errors` for a result that cannot be written, and `dispatch` for
//! the app's JSON codec.

#[cfg(any(feature = "metrics", feature = "compression"))]
pub(crate) mod body_size;
#[cfg(feature = "compression")]
pub(crate) mod compression;
pub(crate) mod cookies;
#[cfg(feature = "compression")]
pub(crate) mod encoders;
pub(crate) mod jsonp;
pub(crate) mod response;
pub(crate) mod status;
pub(crate) mod stream;
