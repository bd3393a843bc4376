//! Observing: the outermost layer of every app, which gives each request its
//! id, its span (continuing a `traceparent`, exported through OpenTelemetry
//! with the `otel` feature) and its log line, and what of a request may be
//! written down where others read it; and, when the app asks, its metrics.
//!
//! Uses `edge` to know which peer is the client and `errors` to know when
//! errors are problem details; writes no answer itself but the headers it
//! owns.

pub(crate) mod exchange;
pub(crate) mod layer;
pub(crate) mod log_writer;
#[cfg(feature = "metrics")]
pub(crate) mod metered;
#[cfg(feature = "metrics")]
pub(crate) mod metrics;
#[cfg(feature = "otel")]
pub(crate) mod otel;
#[cfg(all(feature = "otel", feature = "metrics"))]
pub(crate) mod otel_metrics;
pub(crate) mod request_id;
pub(crate) mod request_log;
pub(crate) mod scrub;
#[cfg(feature = "metrics")]
pub(crate) mod series;
pub(crate) mod timestamp;
pub(crate) mod traceparent;
