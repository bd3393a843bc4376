//! The line per request: an event of target `pico::request` whose fields
//! (method, uri, route, status, duration, request id) any subscriber can
//! read, and the development server's way of writing it for a person:
//! `GET /example/hello?who=you 200 41.0µs 9f3c…`.

use std::fmt::Write as _;
use std::time::Duration;

use http::{Method, StatusCode, Uri};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::registry::LookupSpan;

use crate::request_id::RequestId;

/// The target of the request lines.
pub(crate) const TARGET: &str = "pico::request";

/// Logs one answered request.
pub(crate) fn line(
    method: &Method,
    uri: &Uri,
    route: Option<&str>,
    status: StatusCode,
    duration: Duration,
    id: &RequestId,
) {
    tracing::info!(
        target: "pico::request",
        method = method.as_str(),
        uri = %uri,
        route,
        status = status.as_u16(),
        duration_ms = duration.as_secs_f64() * 1000.0,
        request_id = id.as_str(),
    );
}

/// The development server's human-readable lines: a request line as
/// `METHOD URI STATUS DURATION ID`, any other event as `tracing`'s own
/// format writes it.
pub(crate) struct HumanLines {
    pub(crate) ansi: bool,
}

impl<S, N> FormatEvent<S, N> for HumanLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        if event.metadata().target() != TARGET {
            return format::Format::default()
                .with_ansi(self.ansi)
                .format_event(ctx, writer, event);
        }
        let mut fields = RequestFields::default();
        event.record(&mut fields);
        SystemTime.format_time(&mut writer)?;
        let duration = Duration::from_secs_f64(fields.duration_ms.max(0.0) / 1000.0);
        writeln!(
            writer,
            "  INFO {TARGET}: {} {} {} {duration:.1?} {}",
            fields.method, fields.uri, fields.status, fields.request_id
        )
    }
}

/// A request line's fields, as `HumanLines` reads them.
#[derive(Default)]
struct RequestFields {
    method: String,
    uri: String,
    status: u64,
    duration_ms: f64,
    request_id: String,
}

impl Visit for RequestFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "method" => value.clone_into(&mut self.method),
            "request_id" => value.clone_into(&mut self.request_id),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.status = value;
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "duration_ms" {
            self.duration_ms = value;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "uri" {
            let _ = write!(self.uri, "{value:?}");
        }
    }
}
