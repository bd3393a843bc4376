//! With the `otel` feature: a request's span continues the trace of an
//! incoming W3C `traceparent` in OpenTelemetry, through
//! `tracing-opentelemetry`. Exporting is the app's choice (see the README).

use http::HeaderMap;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::observe::traceparent::TraceParent;

/// Makes the caller's span the parent of `span`, when the request names a
/// valid one; otherwise the span starts a trace of its own.
pub(crate) fn continue_trace(span: &Span, headers: &HeaderMap) {
    let Some(parent) = headers
        .get("traceparent")
        .and_then(|value| TraceParent::parse(value.as_bytes()))
    else {
        return;
    };
    let flags = if parent.sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let remote = SpanContext::new(
        TraceId::from_bytes(parent.trace_id),
        SpanId::from_bytes(parent.parent_id),
        flags,
        true,
        TraceState::default(),
    );
    // Without an OpenTelemetry layer in the subscriber there is nothing to
    // continue: the span is still the request's, in a trace of none.
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}

/// Names the request's OpenTelemetry span once its route is known.
/// `tracing-opentelemetry` reads `otel.name` only until the span starts,
/// and a request's span starts before it is routed.
pub(crate) fn rename(span: &Span, name: String) {
    span.context().span().update_name(name);
}
