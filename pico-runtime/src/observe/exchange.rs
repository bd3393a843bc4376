//! The record of one request that the observing layer and the app's
//! service share: its id, span and peer, the route found, the failure
//! that made a 5xx, and whether it gets a log line.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request};
use http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use tracing::Span;

use crate::edge::present::Present;
use crate::observe::request_id::RequestId;

/// What the layer and the app's service share about one request: its id
/// and span, and the route the service found. The layer lends it to the
/// app's service with the request (see `Observable` in `layer.rs`); the
/// service shares it with the `Request` that hooks and functions see.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) id: RequestId,
    pub(crate) span: Span,
    /// The route, found while no one but the layer held the record: as
    /// most are, with no lock to take.
    route: Option<Arc<str>>,
    /// The route, found once the record was shared: behind another layer,
    /// or by a router merged in.
    shared_route: OnceLock<Arc<str>>,
    /// Whether the request's errors are problem details: the app answers
    /// every error so, or the client asked.
    pub(crate) problem: bool,
    /// The failure that made a 5xx: its error's type, or `panic`.
    error: OnceLock<Box<str>>,
    /// A probe's request, which gets no log line.
    quiet: AtomicBool,
    /// Which of the headers Pico looks for the request carries.
    pub(crate) present: Present,
    /// The connection's other end, IPv4-mapped addresses as IPv4. Pico's
    /// own server hands it to the layer rather than putting it in the
    /// request's extensions, a map allocated for it alone.
    pub(crate) peer: Option<SocketAddr>,
    /// Whether the peer came in the request's extensions, where it need
    /// not be put again.
    peer_shown: bool,
    pub(crate) asked: Asked,
}

/// What the layer needs of the request once it is answered: what its log
/// line and its span's name say, and where the answer carries its id.
/// Kept in the record rather than in the future that waits for the
/// answer, which is moved several times a request and written into each
/// connection's own memory.
#[derive(Debug)]
pub(crate) struct Asked {
    pub(crate) method: Method,
    /// When the request gets a log line.
    pub(crate) uri: Option<Uri>,
    /// Whether that line keeps the query string's values.
    pub(crate) query_values: bool,
    /// The client's address, for the log line.
    pub(crate) client: Option<IpAddr>,
    /// For the line's and the metrics' duration.
    pub(crate) start: Option<Instant>,
    /// The header the id is answered in.
    pub(crate) id_header: HeaderName,
}

impl Exchange {
    pub(crate) fn new(
        id: RequestId,
        span: Span,
        problem: bool,
        present: Present,
        (peer, peer_shown): (Option<SocketAddr>, bool),
        asked: Asked,
    ) -> Exchange {
        Exchange {
            id,
            span,
            route: None,
            shared_route: OnceLock::new(),
            problem,
            error: OnceLock::new(),
            quiet: AtomicBool::new(false),
            present,
            peer,
            peer_shown,
            asked,
        }
    }

    /// The header the id is answered in, and the id, as the record ends:
    /// taken where they lie when no one else holds it (moving the whole
    /// record out of its allocation would copy all of it to keep two
    /// fields), copied when someone does (a stream's end, which reads the
    /// record later).
    pub(crate) fn answer_header(mut exchange: Arc<Exchange>) -> (HeaderName, HeaderValue) {
        match Arc::get_mut(&mut exchange) {
            // Dropped right after: the placeholders are never read.
            Some(alone) => (
                std::mem::replace(&mut alone.asked.id_header, http::header::ACCEPT),
                alone.id.take_header_value(),
            ),
            None => (exchange.asked.id_header.clone(), exchange.id.header_value()),
        }
    }

    /// Records the route the path matched, and the function it leads to.
    pub(crate) fn matched(&self, route: &Arc<str>, function: Option<&str>) {
        let _ = self.shared_route.set(Arc::clone(route));
        self.leads_to(function);
    }

    /// The same through the layer's lent handle: while no one else holds
    /// the record, as when most requests find their route, without a
    /// lock.
    pub(crate) fn matched_lent(exchange: &mut Arc<Exchange>, route: &Arc<str>, function: Option<&str>) {
        match Arc::get_mut(exchange) {
            Some(alone) => {
                if alone.route().is_none() {
                    alone.route = Some(Arc::clone(route));
                }
            }
            None => {
                let _ = exchange.shared_route.set(Arc::clone(route));
            }
        }
        exchange.leads_to(function);
    }

    fn leads_to(&self, function: Option<&str>) {
        if let Some(function) = function {
            self.span.record("pico.function", function);
        }
    }

    /// Names a failure that makes a 5xx on the span: the error's type, or
    /// `panic`, says more than the status.
    pub(crate) fn failed(&self, status: StatusCode, name: &str) {
        if status.is_server_error() {
            self.span.record("error.type", name);
            let _ = self.error.set(Box::from(name));
        }
    }

    /// Whether a failure named the 5xx's `error.type`.
    pub(crate) fn failure_named(&self) -> bool {
        self.error.get().is_some()
    }

    /// What the `error.type` of a 5xx is: the failure named, or the status.
    #[cfg(feature = "metrics")]
    fn error_type<'a>(&'a self, status: &'a StatusCode) -> Option<&'a str> {
        if !status.is_server_error() {
            return None;
        }
        Some(self.error.get().map_or(status.as_str(), |name| &**name))
    }

    /// What labels the request's metrics: its route (empty when nothing
    /// matched), and the failure of a 5xx.
    #[cfg(feature = "metrics")]
    pub(crate) fn labels<'a>(&'a self, status: &'a StatusCode) -> (&'a str, Option<&'a str>) {
        (self.route().unwrap_or(""), self.error_type(status))
    }

    pub(crate) fn route(&self) -> Option<&str> {
        self.route
            .as_deref()
            .or_else(|| self.shared_route.get().map(|r| &**r))
    }

    /// Whether the request gets no log line.
    pub(crate) fn is_quiet(&self) -> bool {
        self.quiet.load(Ordering::Relaxed)
    }

    /// Keeps the request off the log: a probe's, asked every few seconds.
    pub(crate) fn quiet(&self) {
        self.quiet.store(true, Ordering::Relaxed);
    }
}

/// The peer in the request's extensions, where a service behind another
/// layer reads it, and where axum's `ConnectInfo` extractor finds it.
pub(crate) fn show_peer(request: &mut Request, exchange: &Exchange) {
    if !exchange.peer_shown
        && let Some(peer) = exchange.peer
        && request.extensions().get::<ConnectInfo<SocketAddr>>().is_none()
    {
        request.extensions_mut().insert(ConnectInfo(peer));
    }
}
