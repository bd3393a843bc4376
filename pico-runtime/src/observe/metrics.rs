//! `Metrics`: what an app counts of its requests (`App::metrics`), in
//! Prometheus's text at a path of the app or wherever the app serves it,
//! and through OpenTelemetry with the `otel` feature.

#[cfg(feature = "otel")]
use std::sync::OnceLock;
use std::sync::{Arc, Mutex};

use axum::response::Response;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use prometheus_client::registry::{Metric, Registry};

use crate::observe::series::{Answered, Requests};

/// The request metrics of an app, named as OpenTelemetry's HTTP server
/// conventions name them: a duration histogram, the requests under way,
/// and body sizes, by method, route, status and error type. The route is
/// the one Pico matched (`/module/function`, a `#[route]` template, an
/// axum route's path), never the path a client sent: a request that
/// matched nothing counts under an empty route, so no client can make the
/// series grow.
///
/// ```no_run
/// # #[pico::api] mod example {}
/// # async fn run() -> std::io::Result<()> {
/// let app = pico::App::new()
///     .register(example::module())
///     // Prometheus's text at `/metrics`, refused to other sites' pages.
///     .metrics(pico::Metrics::new());
/// # pico::Server::new().run_async(app).await
/// # }
/// # fn main() {}
/// ```
///
/// `/metrics` says how the service is used: keep it from the public with
/// your proxy, or serve it on a listener of its own
/// ([`Metrics::unserved`] and [`Metrics::scrape`]).
#[derive(Clone)]
pub struct Metrics {
    pub(crate) shared: Arc<Shared>,
    /// Where the app answers the scrape, if it does.
    pub(crate) path: Option<String>,
}

/// What the app's layer and every copy of a `Metrics` share.
pub(crate) struct Shared {
    pub(crate) requests: Arc<Requests>,
    registry: Mutex<Registry>,
    #[cfg(feature = "otel")]
    pub(crate) otel: OnceLock<crate::observe::otel_metrics::Instruments>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The `Content-Type` of Prometheus's text format.
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

impl Metrics {
    /// Metrics served at `/metrics`.
    pub fn new() -> Self {
        let requests = Arc::new(Requests::default());
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Arc::clone(&requests)));
        Metrics {
            shared: Arc::new(Shared {
                requests,
                registry: Mutex::new(registry),
                #[cfg(feature = "otel")]
                otel: OnceLock::new(),
            }),
            path: Some("/metrics".to_owned()),
        }
    }

    /// Serves them at `path` (under the app's root) rather than `/metrics`.
    ///
    /// # Panics
    /// When `path` does not start with `/`.
    #[must_use]
    pub fn path(mut self, path: &str) -> Self {
        assert!(
            path.starts_with('/') && path.len() > 1,
            "pico: the metrics' path `{path}` must start with `/`, as `/metrics` does"
        );
        self.path = Some(path.trim_end_matches('/').to_owned());
        self
    }

    /// Counts without answering at any path of the app: serve
    /// [`Metrics::scrape`] where you choose, such as a listener of its
    /// own that only the network's inside reaches.
    #[must_use]
    pub fn unserved(mut self) -> Self {
        self.path = None;
        self
    }

    /// Adds a metric of the app's own (a `prometheus_client` counter,
    /// gauge, histogram or family of them) to the same scrape.
    pub fn register(&self, name: &str, help: &str, metric: impl Metric) {
        self.shared
            .registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .register(name, help, metric);
    }

    /// Every metric, in Prometheus's text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut text = String::with_capacity(4096);
        let registry = self.shared.registry.lock().unwrap_or_else(|e| e.into_inner());
        prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)
            .expect("writing to a String does not fail");
        text
    }

    /// The answer a scrape gets: [`Metrics::render`]'s text, never cached.
    pub fn scrape(&self) -> Response {
        let mut response = Response::new(axum::body::Body::from(self.render()));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(TEXT));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    /// Also records each request in OpenTelemetry's instruments of
    /// `meter` (`http.server.request.duration`,
    /// `http.server.active_requests`, `http.server.request.body.size`,
    /// `http.server.response.body.size`), for the meter provider to
    /// export. Once: a second meter is ignored.
    #[cfg(feature = "otel")]
    #[must_use]
    pub fn otel(self, meter: &opentelemetry::metrics::Meter) -> Self {
        let _ = self
            .shared
            .otel
            .set(crate::observe::otel_metrics::Instruments::new(meter));
        self
    }
}

impl Shared {
    pub(crate) fn begin(&self, method: usize) {
        self.requests.begin(method);
        #[cfg(feature = "otel")]
        if let Some(otel) = self.otel.get() {
            otel.begin(method);
        }
    }

    /// A request whose client went before its answer: no longer under way,
    /// and no answer to count.
    pub(crate) fn left(&self, method: usize) {
        self.requests.left(method);
        #[cfg(feature = "otel")]
        if let Some(otel) = self.otel.get() {
            otel.left(method);
        }
    }

    pub(crate) fn end(&self, answered: &Answered<'_>) {
        self.requests.end(answered);
        #[cfg(feature = "otel")]
        if let Some(otel) = self.otel.get() {
            otel.end(answered);
        }
    }
}
