//! The request metrics as Prometheus reads them: one series per method,
//! route, status and error type, each a set of histograms counted in
//! atomics (a request takes no lock but a shared read of the table), and
//! written out through `prometheus-client`'s encoder on each scrape.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, AtomicU16, AtomicU64, Ordering};
use std::time::Duration;

use foldhash::fast::FixedState;
use http::Method;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;

/// The methods a series is labelled with; any other is `_OTHER`, as
/// OpenTelemetry's conventions say, so that a client cannot make series by
/// inventing methods.
const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "_OTHER",
];

/// The label of the method at `index`.
#[cfg(feature = "otel")]
pub(crate) fn method_label(index: usize) -> &'static str {
    METHODS[index]
}

/// The index of `method` in [`METHODS`].
pub(crate) fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::PATCH => 5,
        Method::OPTIONS => 6,
        Method::CONNECT => 7,
        Method::TRACE => 8,
        _ => 9,
    }
}

/// The bounds of the duration histogram, in seconds: those the
/// conventions advise, below which a Pico endpoint mostly answers, so a
/// millisecond and its quarter are added at the bottom.
pub(crate) const DURATION_BOUNDS: [f64; 16] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The bounds of the body size histograms, in bytes: powers of four from
/// 64 B to 16 MiB, the default body limit.
pub(crate) const SIZE_BOUNDS: [f64; 10] = [
    64.0,
    256.0,
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
];

/// One histogram: a count per bucket (not cumulative: each observation
/// touches one), and the sum in whole units (nanoseconds, bytes), so that
/// adding to it is one atomic step.
struct Histogram<const N: usize> {
    /// The bucket `i` counts values up to `bounds[i]`; the last, the rest.
    counts: [AtomicU64; N],
    overflow: AtomicU64,
    sum: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    fn new() -> Self {
        Histogram {
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            overflow: AtomicU64::new(0),
            sum: AtomicU64::new(0),
        }
    }

    /// `units` of which `per_bound` make one unit of the bounds.
    fn observe(&self, units: u64, bounds: &[f64; N], per_bound: f64) {
        let value = units as f64 / per_bound;
        match bounds.iter().position(|&bound| value <= bound) {
            Some(bucket) => self.counts[bucket].fetch_add(1, Ordering::Relaxed),
            None => self.overflow.fetch_add(1, Ordering::Relaxed),
        };
        self.sum.fetch_add(units, Ordering::Relaxed);
    }

    /// The buckets as the encoder takes them, the sum, and the count.
    fn read(&self, bounds: &[f64; N], per_bound: f64) -> (Vec<(f64, u64)>, f64, u64) {
        let mut buckets: Vec<(f64, u64)> = bounds
            .iter()
            .zip(&self.counts)
            .map(|(&bound, count)| (bound, count.load(Ordering::Relaxed)))
            .collect();
        buckets.push((f64::INFINITY, self.overflow.load(Ordering::Relaxed)));
        let count = buckets.iter().map(|(_, n)| n).sum();
        (
            buckets,
            self.sum.load(Ordering::Relaxed) as f64 / per_bound,
            count,
        )
    }
}

/// The histograms of one series.
struct Series {
    duration: Histogram<16>,
    request_size: Histogram<10>,
    response_size: Histogram<10>,
}

/// What sets one series apart from the others of its route.
struct Labels {
    method: usize,
    status: u16,
    /// The failure of a 5xx: its error's type, `panic`, or the status.
    error: Option<Box<str>>,
}

/// What one answered request adds to the metrics.
pub(crate) struct Answered<'a> {
    pub(crate) method: usize,
    /// The route as Pico knows it; empty when nothing matched.
    pub(crate) route: &'a str,
    pub(crate) status: u16,
    pub(crate) error: Option<&'a str>,
    pub(crate) duration: Duration,
    /// The request body's size, when known before it is read.
    pub(crate) request_size: Option<u64>,
    pub(crate) response_size: Option<u64>,
}

type Table = HashMap<Box<str>, Vec<(Labels, Series)>, FixedState>;

/// Every series, by route, and the requests under way, by method.
#[derive(Default)]
pub(crate) struct Requests {
    table: RwLock<Table>,
    active: [AtomicI64; 10],
    /// The methods whose gauge has moved, as bits: a gauge back at zero
    /// still reads zero rather than vanishing from Prometheus.
    active_seen: AtomicU16,
}

impl std::fmt::Debug for Requests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Requests").finish_non_exhaustive()
    }
}

impl Requests {
    pub(crate) fn begin(&self, method: usize) {
        self.active[method].fetch_add(1, Ordering::Relaxed);
        if self.active_seen.load(Ordering::Relaxed) & (1 << method) == 0 {
            self.active_seen.fetch_or(1 << method, Ordering::Relaxed);
        }
    }

    pub(crate) fn left(&self, method: usize) {
        self.active[method].fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn end(&self, answered: &Answered<'_>) {
        self.left(answered.method);
        self.with_series(answered, |series| {
            let nanos = u64::try_from(answered.duration.as_nanos()).unwrap_or(u64::MAX);
            series.duration.observe(nanos, &DURATION_BOUNDS, 1e9);
            if let Some(size) = answered.request_size {
                series.request_size.observe(size, &SIZE_BOUNDS, 1.0);
            }
            if let Some(size) = answered.response_size {
                series.response_size.observe(size, &SIZE_BOUNDS, 1.0);
            }
        });
    }

    /// Counts into the series of an answer, made the first time it is
    /// seen. Under the table's shared lock: the counts are atomics, and a
    /// series held past the lock would be a count more to move per request.
    fn with_series(&self, answered: &Answered<'_>, count: impl FnOnce(&Series)) {
        let matches = |labels: &Labels| {
            labels.method == answered.method
                && labels.status == answered.status
                && labels.error.as_deref() == answered.error
        };
        {
            let table = self.table.read().unwrap_or_else(|e| e.into_inner());
            if let Some((_, series)) = table
                .get(answered.route)
                .and_then(|list| list.iter().find(|(labels, _)| matches(labels)))
            {
                return count(series);
            }
        }
        let mut table = self.table.write().unwrap_or_else(|e| e.into_inner());
        let list = table.entry(Box::from(answered.route)).or_default();
        let index = match list.iter().position(|(labels, _)| matches(labels)) {
            Some(index) => index,
            None => {
                let labels = Labels {
                    method: answered.method,
                    status: answered.status,
                    error: answered.error.map(Box::from),
                };
                let series = Series {
                    duration: Histogram::new(),
                    request_size: Histogram::new(),
                    response_size: Histogram::new(),
                };
                list.push((labels, series));
                list.len() - 1
            }
        };
        count(&list[index].1);
    }
}

/// The names, help and reading of each histogram, as the conventions'
/// instruments are named in Prometheus: dots become underscores, and the
/// unit ends the name.
type Reading = fn(&Series) -> (Vec<(f64, u64)>, f64, u64);

const HISTOGRAMS: [(&str, &str, Reading); 3] = [
    (
        "http_server_request_duration_seconds",
        "Duration of HTTP server requests (http.server.request.duration).",
        |s| s.duration.read(&DURATION_BOUNDS, 1e9),
    ),
    (
        "http_server_request_body_size_bytes",
        "Size of HTTP server request bodies, when declared (http.server.request.body.size).",
        |s| s.request_size.read(&SIZE_BOUNDS, 1.0),
    ),
    (
        "http_server_response_body_size_bytes",
        "Size of HTTP server response bodies, before compression (http.server.response.body.size).",
        |s| s.response_size.read(&SIZE_BOUNDS, 1.0),
    ),
];

impl Collector for Requests {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let table = self.table.read().unwrap_or_else(|e| e.into_inner());
        // Sorted, so that a scrape reads the same way twice.
        let mut routes: Vec<(&str, &Labels, &Series)> = table
            .iter()
            .flat_map(|(route, list)| list.iter().map(move |(labels, s)| (&**route, labels, s)))
            .collect();
        routes.sort_by(|a, b| {
            (a.0, a.1.method, a.1.status, &a.1.error).cmp(&(b.0, b.1.method, b.1.status, &b.1.error))
        });
        for (name, help, reading) in HISTOGRAMS {
            let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Histogram)?;
            for &(route, labels, series) in &routes {
                let (buckets, sum, count) = reading(series);
                if count == 0 {
                    continue;
                }
                let status = labels.status.to_string();
                let mut set = vec![
                    ("http_request_method", METHODS[labels.method]),
                    ("http_route", route),
                    ("http_response_status_code", status.as_str()),
                ];
                if let Some(error) = &labels.error {
                    set.push(("error_type", error));
                }
                metric
                    .encode_family(&set)?
                    .encode_histogram::<NoLabelSet>(sum, count, &buckets, None)?;
            }
        }
        drop(table);
        let mut metric = encoder.encode_descriptor(
            "http_server_active_requests",
            "Number of active HTTP server requests (http.server.active_requests).",
            None,
            MetricType::Gauge,
        )?;
        let seen = self.active_seen.load(Ordering::Relaxed);
        for (index, method) in METHODS.iter().enumerate() {
            if seen & (1 << index) != 0 {
                let set = [("http_request_method", *method)];
                metric
                    .encode_family(&set)?
                    .encode_gauge(&self.active[index].load(Ordering::Relaxed))?;
            }
        }
        Ok(())
    }
}
