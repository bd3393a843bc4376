//! The outermost layer of every app: each request gets its id, its span
//! (named and shaped as OpenTelemetry's HTTP server conventions say), its
//! `X-Request-Id` answer header, whether its errors are problem details
//! (which the error body then writes so), its log line and its metrics.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::header::USER_AGENT;
use http::{HeaderName, HeaderValue, StatusCode};
use tracing::Span;
use tracing::field::Empty;

use crate::edge::forwarded::{Proxies, canonical, peer};
use crate::edge::present::{Looked, Present};
use crate::observe::exchange::{Asked, Exchange};
#[cfg(feature = "metrics")]
use crate::observe::metered::Metered;
use crate::observe::request_id::RequestId;
use crate::observe::request_log::{RequestLine, Sent};
#[cfg(feature = "compression")]
use crate::respond::compression::Compression;
#[cfg(feature = "compression")]
use crate::respond::encoders::Encoding;

/// What the layer needs to know of the app.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The header an id is read from and answered in.
    pub(crate) header: HeaderName,
    /// Whether each request gets a log line.
    pub(crate) log: bool,
    /// Whether that line keeps the query string's values.
    pub(crate) query_values: bool,
    /// Whether every error is `application/problem+json`.
    pub(crate) problem_details: bool,
    /// Who may say who the client is.
    pub(crate) proxies: Proxies,
    /// Where each request is counted, when the app asks.
    #[cfg(feature = "metrics")]
    pub(crate) metrics: Option<Arc<crate::observe::metrics::Shared>>,
    /// How answers are compressed, unless the app turned it off.
    #[cfg(feature = "compression")]
    pub(crate) compression: Option<Compression>,
}

/// A service the layer lends each request's record to, for the length of
/// its `call`: the app's own takes it as it is, and shares it (a count
/// moved) only with what outlives the call; any other through the
/// request's extensions. Called through a shared reference, and always
/// ready: Pico's own server calls it so, without a clone of the service a
/// request.
pub(crate) trait Observable {
    type Future: Future<Output = Result<Response, Infallible>>;

    fn call_observed(&self, request: Request, exchange: &mut Arc<Exchange>) -> Self::Future;

    /// The same through an exclusive reference, as a tower stack calls
    /// it: a service whose `call` takes `&mut` is spared a clone.
    fn call_observed_mut(&mut self, request: Request, exchange: &mut Arc<Exchange>) -> Self::Future {
        self.call_observed(request, exchange)
    }
}

impl<S> Observable for tower_http::cors::Cors<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Future = <Self as tower::Service<Request>>::Future;

    fn call_observed(&self, request: Request, exchange: &mut Arc<Exchange>) -> Self::Future {
        // CORS's `call` takes `&mut`: a clone, as a tower stack makes one
        // a request.
        self.clone().call_observed_mut(request, exchange)
    }

    fn call_observed_mut(&mut self, mut request: Request, exchange: &mut Arc<Exchange>) -> Self::Future {
        request.extensions_mut().insert(Arc::clone(exchange));
        tower::Service::call(self, request)
    }
}

/// The layer around the app's service.
#[derive(Clone)]
pub(crate) struct Observe<S> {
    pub(crate) inner: S,
    pub(crate) settings: Arc<Settings>,
}

impl<S> tower::Service<Request> for Observe<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Observable,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<<S as Observable>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // Under a tower stack the peer, if any, is already in the
        // extensions.
        let peer = (peer(request.extensions()), true);
        let inner = &mut self.inner;
        observe(&self.settings, request, peer, |request, exchange| {
            inner.call_observed_mut(request, exchange)
        })
    }
}

/// The layer, shared: a tower stack clones its service for every request
/// (axum's router does), and a clone of this moves one shared count where
/// the layer's own would move two (its settings' and the app's).
pub(crate) struct Shared<S>(pub(crate) Arc<Observe<S>>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<S: Observable> tower::Service<Request> for Shared<S> {
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<<S as Observable>::Future>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // Under a tower stack the peer, if any, is already in the
        // extensions.
        let peer = (peer(request.extensions()), true);
        let layer = &*self.0;
        observe(&layer.settings, request, peer, |request, exchange| {
            layer.inner.call_observed(request, exchange)
        })
    }
}

impl<S: Observable> Observe<S> {
    /// [`tower::Service::call`], through a shared reference, for a request
    /// from `peer`.
    pub(crate) fn call_from(
        &self,
        request: Request,
        peer: SocketAddr,
    ) -> Observed<<S as Observable>::Future> {
        observe(
            &self.settings,
            request,
            (Some(canonical(peer)), false),
            |request, exchange| self.inner.call_observed(request, exchange),
        )
    }
}

/// The layer's work on a request, around `inner`'s call of the app.
fn observe<F>(
    settings: &Settings,
    request: Request,
    (peer, peer_shown): (Option<SocketAddr>, bool),
    inner: impl FnOnce(Request, &mut Arc<Exchange>) -> F,
) -> Observed<F> {
    #[cfg(feature = "metrics")]
    let metered = settings
        .metrics
        .as_ref()
        .map(|shared| Metered::begin(shared, &request));
    #[cfg(feature = "metrics")]
    let timed = settings.log || metered.is_some();
    #[cfg(not(feature = "metrics"))]
    let timed = settings.log;
    // The clock is read for the log line's and the metrics' duration
    // only.
    let start = timed.then(Instant::now);
    let present = Present::of(request.headers(), &settings.header);
    let id = RequestId::kept_or_made(present.get(request.headers(), Looked::RequestId, &settings.header));
    let span = span_of(&request, &id);
    let client = (settings.log || !span.is_disabled())
        .then(|| settings.proxies.client_address(request.headers(), peer))
        .flatten()
        .map(|address| address.ip());
    if let Some(client) = client.filter(|_| !span.is_disabled()) {
        span.record("client.address", tracing::field::display(client));
    }
    let problem = settings.problem_details
        || (present.has(Looked::Accept) && crate::errors::problem::accepted(request.headers()));
    let asked = Asked {
        method: request.method().clone(),
        uri: settings.log.then(|| request.uri().clone()),
        query_values: settings.query_values,
        client,
        start,
        // A clone, not the settings' `Arc`: a count that every request
        // would move on every core.
        id_header: settings.header.clone(),
    };
    let mut exchange = Arc::new(Exchange::new(
        id,
        span,
        problem,
        present,
        (peer, peer_shown),
        asked,
    ));
    #[cfg(feature = "compression")]
    let compression = settings.compression.map(|settings| {
        let encoding = match present.has(Looked::AcceptEncoding) {
            true => settings.negotiate(request.headers()),
            false => None,
        };
        (settings, encoding)
    });
    // Most answers are made within `call`: it runs inside the span too.
    let answer = {
        // Entered through a clone: the record is lent to the call. A
        // disabled span's clone is a copy.
        let span = exchange.span.clone();
        let _entered = span.enter();
        inner(request, &mut exchange)
    };
    Observed {
        answer,
        ending: Some(Ending {
            exchange,
            #[cfg(feature = "metrics")]
            metered,
            #[cfg(feature = "compression")]
            compression,
        }),
    }
}

/// What is left to do when the answer comes, besides what the record
/// holds.
struct Ending {
    exchange: Arc<Exchange>,
    #[cfg(feature = "metrics")]
    metered: Option<Metered>,
    /// The app's compression, and the encoding the client prefers.
    #[cfg(feature = "compression")]
    compression: Option<(Compression, Option<Encoding>)>,
}

pin_project_lite::pin_project! {
    /// The inner service's answer, finished when it comes.
    pub(crate) struct Observed<F> {
        #[pin]
        answer: F,
        ending: Option<Ending>,
    }
}

impl<F, E> Future for Observed<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = {
            let _entered = this.ending.as_ref().map(|e| e.exchange.span.enter());
            std::task::ready!(this.answer.poll(cx))
        };
        let ending = this.ending.take().expect("`Observed` polled after completion");
        Poll::Ready(answer.map(|response| ending.finish(response)))
    }
}

impl Ending {
    fn finish(self, mut response: Response) -> Response {
        let status = response.status();
        let exchange = &*self.exchange;
        let span = &exchange.span;
        if !span.is_disabled() {
            span.record("http.response.status_code", status.as_u16());
            match exchange.route() {
                Some(route) => {
                    span.record("http.route", route);
                    let name = format!("{} {route}", exchange.asked.method);
                    span.record("otel.name", name.as_str());
                    #[cfg(feature = "otel")]
                    crate::observe::otel::rename(span, name);
                }
                None => {
                    span.record("otel.name", exchange.asked.method.as_str());
                }
            }
            // On a server span only a 5xx is an error: a 4xx is the
            // client's.
            if status.is_server_error() {
                if !exchange.failure_named() {
                    span.record("error.type", status.as_str());
                }
                span.record("otel.status_code", "ERROR");
            }
        }
        // Every answer is only what it says it is: JSON, a script, a file
        // is never run as something a browser sniffs in it. `nosniff` is
        // the header's only value, so setting it over an app's own changes
        // nothing, and spares the code of a map's entry on every request.
        response.headers_mut().insert(
            http::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // A stream's line and span end with the stream, not its head.
        let streamed = response.extensions().get::<Sent>().cloned();
        match streamed {
            None => {
                write_line(exchange, status, None);
                #[cfg(feature = "metrics")]
                if let Some(metered) = self.metered {
                    let size = crate::respond::body_size::body_size(&response);
                    metered.end(exchange.labels(&status), status, exchange.asked.start, size);
                }
                #[cfg(feature = "compression")]
                if let Some((settings, encoding)) = &self.compression {
                    crate::respond::compression::compress(&mut response, settings, *encoding);
                }
            }
            Some(sent) => {
                let exchange = Arc::clone(&self.exchange);
                response = response.map(|body| {
                    Body::new(StreamEnd {
                        body,
                        end: Some((status, exchange, sent)),
                        #[cfg(feature = "metrics")]
                        metered: self.metered.map(|metered| (metered, 0)),
                    })
                });
            }
        }
        // By now the service has let go of the request, and with it of its
        // share of the record, if it took one: the id moves into the
        // header, uncopied.
        let (header, id) = Exchange::answer_header(self.exchange);
        response.headers_mut().insert(header, id);
        response
    }
}

/// The request's log line, when it gets one.
fn write_line(exchange: &Exchange, status: StatusCode, items: Option<u64>) {
    let asked = &exchange.asked;
    if exchange.is_quiet() {
        return;
    }
    if let Some(uri) = &asked.uri {
        crate::observe::request_log::line(&RequestLine {
            client: asked.client,
            method: &asked.method,
            uri,
            route: exchange.route(),
            status,
            duration: asked.start.map(|start| start.elapsed()).unwrap_or_default(),
            items,
            id: &exchange.id,
            query_values: asked.query_values,
        });
    }
}

/// A stream's body, which writes the request's line, with its duration
/// and items, and ends its span when the stream ends or its client goes.
struct StreamEnd {
    body: Body,
    end: Option<(StatusCode, Arc<Exchange>, Sent)>,
    /// The request's metrics, and the bytes sent so far.
    #[cfg(feature = "metrics")]
    metered: Option<(Metered, u64)>,
}

impl http_body::Body for StreamEnd {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let frame = std::task::ready!(Pin::new(&mut self.body).poll_frame(cx));
        match &frame {
            None => self.finish(),
            #[cfg(feature = "metrics")]
            Some(Ok(frame)) => {
                if let (Some(data), Some((_, bytes))) = (frame.data_ref(), &mut self.metered) {
                    *bytes += data.len() as u64;
                }
            }
            Some(_) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl StreamEnd {
    fn finish(&mut self) {
        if let Some((status, exchange, sent)) = self.end.take() {
            write_line(&exchange, status, Some(sent.items()));
            #[cfg(feature = "metrics")]
            if let Some((metered, bytes)) = self.metered.take() {
                metered.end(
                    exchange.labels(&status),
                    status,
                    exchange.asked.start,
                    Some(bytes),
                );
            }
        }
    }
}

impl Drop for StreamEnd {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The request's span: `info`, target `pico::request`, its fields named
/// as OpenTelemetry's HTTP server conventions name them (the `otel.*` ones
/// are read by `tracing-opentelemetry`). When nothing listens, it is
/// disabled and none of this is computed.
fn span_of(request: &Request, id: &RequestId) -> Span {
    let span = tracing::info_span!(
        target: "pico::request",
        "request",
        otel.name = request.method().as_str(),
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = request.method().as_str(),
        http.route = Empty,
        http.response.status_code = Empty,
        url.path = request.uri().path(),
        client.address = Empty,
        user_agent.original = Empty,
        error.type = Empty,
        pico.function = Empty,
        request_id = id.as_str(),
    );
    if span.is_disabled() {
        return span;
    }
    if let Some(agent) = request.headers().get(USER_AGENT).and_then(|v| v.to_str().ok()) {
        span.record("user_agent.original", agent);
    }
    #[cfg(feature = "otel")]
    crate::observe::otel::continue_trace(&span, request.headers());
    span
}
