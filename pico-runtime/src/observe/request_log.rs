//! The line per request: an event of target `pico::request` whose fields
//! (client, method, uri, route, status, duration, a stream's items,
//! request id) any
//! subscriber can read, and the development server's way of writing it for
//! a person: `127.0.0.1 GET /example/hello?who=[Filtered] 200 41.0µs 9f3c…`.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{Method, StatusCode, Uri};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Writer};
use tracing_subscriber::registry::LookupSpan;

use crate::observe::request_id::RequestId;
use crate::observe::scrub::{MAX_LOGGED_URI, cut, push_names_only};

/// The target of the request lines.
pub(crate) const TARGET: &str = "pico::request";

/// What the line of one answered request says.
pub(crate) struct RequestLine<'a> {
    pub(crate) client: Option<IpAddr>,
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) route: Option<&'a str>,
    pub(crate) status: StatusCode,
    pub(crate) duration: Duration,
    /// The items a stream sent.
    pub(crate) items: Option<u64>,
    pub(crate) id: &'a RequestId,
    /// The query string's values as sent, rather than `[Filtered]`.
    pub(crate) query_values: bool,
}

/// Logs one answered request.
pub(crate) fn line(line: &RequestLine<'_>) {
    let RequestLine {
        client,
        method,
        uri,
        route,
        status,
        duration,
        items,
        id,
        query_values,
    } = *line;
    // The text below is made before the event: not for nobody.
    if !tracing::enabled!(
        kind: tracing::metadata::Kind::EVENT,
        target: TARGET,
        tracing::Level::INFO
    ) {
        return;
    }
    // The fields as text, made without `fmt` where that is easy: the
    // development server writes a line per request.
    let mut address = [0u8; 46];
    let client = client.map(|ip| address_text(ip, &mut address));
    // The path, as the server saw it (a request line's scheme and host are
    // the client's word), with the query's values only when the app asks:
    // they carry tokens and passwords. Cut, for a URI of any length.
    let written;
    let path = uri.path();
    let uri = match uri.query() {
        None if path.len() <= MAX_LOGGED_URI => path,
        query => {
            let mut text = String::with_capacity(path.len() + query.map_or(0, |q| q.len() + 16));
            text.push_str(path);
            if let Some(query) = query {
                text.push('?');
                if query_values {
                    text.push_str(query);
                } else {
                    push_names_only(&mut text, query);
                }
            }
            cut(&mut text, MAX_LOGGED_URI);
            written = text;
            written.as_str()
        }
    };
    tracing::info!(
        target: TARGET,
        client,
        method = method.as_str(),
        uri,
        route,
        status = status.as_u16(),
        duration_ms = duration.as_secs_f64() * 1000.0,
        items,
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
        crate::observe::timestamp::write_now(&mut writer)?;
        writer.write_str("  INFO ")?;
        writer.write_str(TARGET)?;
        writer.write_char(':')?;
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
            self.write(value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        let mut digits = [0u8; 20];
        self.write(decimal(value, &mut digits));
        if field.name() == "items" {
            self.result = self.result.and_then(|()| self.writer.write_str(" items"));
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "duration_ms" {
            let duration = Duration::try_from_secs_f64(value / 1000.0).unwrap_or_default();
            let mut text = [0u8; 32];
            self.write(duration_text(duration, &mut text));
        }
    }

    fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
        self.result = self.result.and_then(|()| write!(self.writer, " {value:?}"));
    }
}

impl Human<'_, '_> {
    /// Writes a space, then `text`.
    fn write(&mut self, text: &str) {
        self.result = self
            .result
            .and_then(|()| self.writer.write_char(' '))
            .and_then(|()| self.writer.write_str(text));
    }
}

/// `value` in decimal digits, written at the end of `buffer`.
fn decimal(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or_default()
}

/// A duration as `{:.1?}` writes it (`41.0µs`, `1.3ms`, `2.0s`): in the
/// largest unit it reaches, with one decimal. A tie goes to the even digit,
/// as `Duration`'s `Debug` rounds since Rust 1.94 (it rounded ties up
/// before); the tests hold the two together.
fn duration_text(duration: Duration, buffer: &mut [u8; 32]) -> &str {
    let seconds = duration.as_secs();
    let nanos = u64::from(duration.subsec_nanos());
    let (whole, part, unit, suffix) = if seconds > 0 {
        (seconds, nanos, 1_000_000_000, "s")
    } else if nanos >= 1_000_000 {
        (nanos / 1_000_000, nanos % 1_000_000, 1_000_000, "ms")
    } else if nanos >= 1_000 {
        (nanos / 1_000, nanos % 1_000, 1_000, "µs")
    } else {
        (nanos, 0, 1, "ns")
    };
    let (mut whole, mut tenths) = (whole, 0);
    if unit > 1 {
        let tenth = unit / 10;
        tenths = part / tenth;
        let rest = part % tenth;
        let half = tenth / 2;
        if rest > half || (rest == half && tenths % 2 == 1) {
            tenths += 1;
            if tenths == 10 {
                tenths = 0;
                whole += 1;
            }
        }
    }
    let mut digits = [0u8; 20];
    let whole = decimal(whole, &mut digits);
    let mut length = 0;
    for piece in [whole.as_bytes(), b".", &[b'0' + tenths as u8], suffix.as_bytes()] {
        buffer[length..length + piece.len()].copy_from_slice(piece);
        length += piece.len();
    }
    std::str::from_utf8(&buffer[..length]).unwrap_or_default()
}

/// An address as its `Display` writes it; an IPv4 one without `fmt`.
fn address_text(ip: IpAddr, buffer: &mut [u8; 46]) -> &str {
    let mut length = 0;
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    buffer[length] = b'.';
                    length += 1;
                }
                let mut digits = [0u8; 20];
                let text = decimal(u64::from(octet), &mut digits).as_bytes();
                buffer[length..length + text.len()].copy_from_slice(text);
                length += text.len();
            }
        }
        IpAddr::V6(v6) => {
            let mut cursor = std::io::Cursor::new(&mut buffer[..]);
            // At most 39 characters: eight groups of four and seven colons.
            let _ = std::io::Write::write_fmt(&mut cursor, format_args!("{v6}"));
            length = cursor.position() as usize;
        }
    }
    std::str::from_utf8(&buffer[..length]).unwrap_or_default()
}

/// How many items a stream has sent, for its log line: the stream counts,
/// the line reads when the stream ends.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sent(Arc<AtomicU64>);

impl Sent {
    pub(crate) fn one_more(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn items(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_debug_writes_them() {
        // Every nanosecond to 2 ms, then a spread of larger ones (a fixed
        // linear congruential sequence) up to about 5 minutes.
        let mut nanos: Vec<u64> = (0..2_000_000).collect();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            nanos.push((x >> 16) % 300_000_000_000);
        }
        // Ties in every unit, with an even and an odd digit before them.
        nanos.extend([
            999_950,
            999_949,
            1_050_000,
            1_150_000,
            1_050_000_000,
            1_150_000_000,
            9_950_000_000,
            9_999_950_000,
            59_999_999_999,
        ]);
        for n in nanos {
            let duration = Duration::from_nanos(n);
            let mut buffer = [0u8; 32];
            assert_eq!(
                duration_text(duration, &mut buffer),
                format!("{duration:.1?}"),
                "{n} ns"
            );
        }
    }

    #[test]
    fn addresses_are_written_as_display_writes_them() {
        let addresses = [
            "0.0.0.0",
            "127.0.0.1",
            "255.255.255.255",
            "10.20.3.199",
            "::1",
            "2001:db8::1",
            "::ffff:192.0.2.128",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ];
        for text in addresses {
            let ip: IpAddr = text.parse().unwrap();
            let mut buffer = [0u8; 46];
            assert_eq!(address_text(ip, &mut buffer), ip.to_string());
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 200, 404, 65_535, u64::MAX] {
            let mut buffer = [0u8; 20];
            assert_eq!(decimal(n, &mut buffer), n.to_string());
        }
    }
}
