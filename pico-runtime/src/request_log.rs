//! The line per request: an event of target `pico::request` whose fields
//! (client, method, uri, route, status, duration, request id) any
//! subscriber can read, and the development server's way of writing it for
//! a person: `127.0.0.1 GET /example/hello?who=you 200 41.0µs 9f3c…`.

use std::net::IpAddr;
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
    client: Option<IpAddr>,
    method: &Method,
    uri: &Uri,
    route: Option<&str>,
    status: StatusCode,
    duration: Duration,
    id: &RequestId,
) {
    tracing::info!(
        target: "pico::request",
        client = client.map(tracing::field::display),
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
        SystemTime.format_time(&mut writer)?;
        write!(writer, "  INFO {TARGET}:")?;
        // The fields come in the order `line` gives them: each is written
        // as it is visited, with nothing gathered first.
        let mut fields = Human {
            writer: &mut writer,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writeln!(writer)
    }
}

/// Writes a request line's fields for a person: the route is left out
/// (the URI says it), the duration in the unit that suits it.
struct Human<'w, 'a> {
    writer: &'w mut Writer<'a>,
    result: std::fmt::Result,
}

impl Visit for Human<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() != "route" {
            self.result = self.result.and_then(|()| write!(self.writer, " {value}"));
        }
    }

    fn record_u64(&mut self, _: &Field, value: u64) {
        self.result = self.result.and_then(|()| write!(self.writer, " {value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        let duration = Duration::from_secs_f64(value.max(0.0) / 1000.0);
        if field.name() == "duration_ms" {
            self.result = self.result.and_then(|()| write!(self.writer, " {duration:.1?}"));
        }
    }

    fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
        self.result = self.result.and_then(|()| write!(self.writer, " {value:?}"));
    }
}
