//! Server B: the same endpoints written by hand in plain axum, answering the
//! same JSON, error bodies included, as a careful axum user would. With
//! `app` as its second argument, the realistic app instead: basic auth in a
//! `from_fn` middleware, request ids from tower-http's `SetRequestId` and
//! `PropagateRequestId`, a `TraceLayer` span with the fields of Pico's, and
//! one log line per request with Pico's fields. With `metrics`, that app
//! with the request metrics a careful user writes with `prometheus-client`
//! in a `from_fn` middleware, and tower-http's `CompressionLayer`. With
//! `ids`, the same endpoints as B with request ids made and answered as
//! Pico does by default.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::{MatchedPath, Multipart, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::BytesMut;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::Deserialize;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing::field::Empty;

const NOT_FOUND: &str = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const UNAUTHORIZED: &str = "The server could not verify that you are authorized to access the URL requested.";
const INTERNAL: &str = "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

const BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    name: &'a str,
    code: u16,
    message: &'a str,
}

fn error(status: StatusCode, message: &str) -> Response {
    let body = ErrorBody {
        name: status.canonical_reason().unwrap_or("Error"),
        code: status.as_u16(),
        message,
    };
    (status, Json(body)).into_response()
}

#[derive(Deserialize)]
struct MultiplyArgs {
    x: i64,
    y: i64,
}

async fn multiply(args: Result<Query<MultiplyArgs>, axum::extract::rejection::QueryRejection>) -> Response {
    match args {
        Ok(Query(a)) => Json(a.x.wrapping_mul(a.y)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.body_text()),
    }
}

#[derive(Deserialize)]
struct HelloArgs {
    who: String,
}

async fn hello(args: Result<Json<HelloArgs>, axum::extract::rejection::JsonRejection>) -> Response {
    match args {
        Ok(Json(a)) => Json(format!("hello {}!", a.who)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.body_text()),
    }
}

async fn object() -> Json<pico_bench::Object> {
    Json(pico_bench::object())
}

async fn missing() -> Response {
    error(StatusCode::NOT_FOUND, NOT_FOUND)
}

async fn panics() -> Json<u32> {
    panic!("boom")
}

async fn items() -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let items = (0..100u32).map(|i| Ok(Event::default().data(i.to_string())));
    let close = std::iter::once(Ok(Event::default().event("close").data("close")));
    Sse::new(futures_util::stream::iter(items.chain(close)))
}

/// Each file read chunk by chunk into one buffer sized from the request's
/// `Content-Length`, which bounds it: no copy as it grows.
async fn upload(headers: HeaderMap, mut multipart: Multipart) -> Response {
    let capacity = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .unwrap_or(0)
        .min(BODY_LIMIT);
    let mut size = 0;
    loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) => {
                let mut data = BytesMut::with_capacity(capacity);
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => data.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
                    }
                }
                size += data.len();
            }
            Ok(None) => return Json(size).into_response(),
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
        }
    }
}

/// The same with multer's `field.bytes()`, which grows its buffer from
/// empty: the second upload row.
async fn upload_bytes(mut multipart: Multipart) -> Response {
    let mut size = 0;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.bytes().await {
                Ok(bytes) => size += bytes.len(),
                Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
            },
            Ok(None) => return Json(size).into_response(),
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.body_text()),
        }
    }
}

#[derive(Clone)]
struct User(String);

/// Basic auth, as Pico's `Request::basic_auth` reads it.
async fn sign_in(mut request: Request, next: Next) -> Response {
    let credentials = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok());
    match credentials.as_deref().and_then(|c| c.split_once(':')) {
        Some((user, password)) if password == pico_bench::PASSWORD => {
            let user = User(user.to_owned());
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        _ => {
            let mut response = error(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Login required\""),
            );
            response
        }
    }
}

/// The log line Pico's writes: method, URI, route, status, duration and
/// request id as fields.
async fn log_line(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let id = request.headers().get("x-request-id").cloned();
    let response = next.run(request).await;
    let id = id.as_ref().and_then(|v| v.to_str().ok());
    tracing::info!(
        target: "app::request",
        method = method.as_str(),
        uri = %uri,
        route = route.as_ref().map(MatchedPath::as_str),
        status = response.status().as_u16(),
        duration_ms = start.elapsed().as_secs_f64() * 1000.0,
        request_id = id,
    );
    response
}

/// The request's span, with the fields of Pico's: OpenTelemetry's HTTP
/// server conventions and the request id that `SetRequestId` put there.
fn request_span(request: &Request) -> Span {
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
    let span = tracing::info_span!(
        "request",
        otel.name = request.method().as_str(),
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = request.method().as_str(),
        http.route = route,
        http.response.status_code = Empty,
        url.path = request.uri().path(),
        client.address = Empty,
        user_agent.original = Empty,
        error.type = Empty,
        request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()),
    );
    if span.is_disabled() {
        return span;
    }
    if let Some(route) = route {
        span.record("otel.name", format!("{} {route}", request.method()));
    }
    if let Some(agent) = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
    {
        span.record("user_agent.original", agent);
    }
    span
}

fn record_response(response: &Response, _: Duration, span: &Span) {
    span.record("http.response.status_code", response.status().as_u16());
    if response.status().is_server_error() {
        span.record("error.type", response.status().as_str());
        span.record("otel.status_code", "ERROR");
    }
}

#[derive(Deserialize)]
struct GreetArgs {
    greeting: String,
}

async fn greet(
    Extension(User(user)): Extension<User>,
    args: Result<Query<GreetArgs>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match args {
        Ok(Query(a)) => Json(format!("{} {user}", a.greeting)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.body_text()),
    }
}

async fn report() -> Json<pico_bench::Object> {
    Json(pico_bench::object())
}

/// The realistic app's routes and layers, the fallback left to the caller.
fn app_routes() -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(request_span)
        .on_response(record_response);
    Router::new()
        .route("/app/greet", any(greet))
        .route("/app/report", any(report))
        .layer(middleware::from_fn(sign_in))
        .layer(trace)
        .layer(middleware::from_fn(log_line))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(Counter::default()))
}

fn app() -> Router {
    app_routes().fallback(|| async { error(StatusCode::NOT_FOUND, NOT_FOUND) })
}

/// The labels of a request's series, as OpenTelemetry names them.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Labels {
    http_request_method: String,
    http_route: String,
    http_response_status_code: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabel {
    http_request_method: String,
}

type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// The request metrics of Pico's, in `prometheus-client`'s own types.
struct HttpMetrics {
    duration: Histograms,
    request_size: Histograms,
    response_size: Histograms,
    active: Family<MethodLabel, Gauge>,
}

impl HttpMetrics {
    fn new(registry: &mut Registry) -> HttpMetrics {
        let metrics = HttpMetrics {
            duration: Family::new_with_constructor(|| {
                Histogram::new([
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
                    10.0,
                ])
            }),
            request_size: Family::new_with_constructor(|| Histogram::new(exponential_buckets(64.0, 4.0, 10))),
            response_size: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(64.0, 4.0, 10))
            }),
            active: Family::default(),
        };
        registry.register(
            "http_server_request_duration_seconds",
            "Duration",
            metrics.duration.clone(),
        );
        registry.register(
            "http_server_request_body_size_bytes",
            "Request bodies",
            metrics.request_size.clone(),
        );
        registry.register(
            "http_server_response_body_size_bytes",
            "Response bodies",
            metrics.response_size.clone(),
        );
        registry.register(
            "http_server_active_requests",
            "Active requests",
            metrics.active.clone(),
        );
        metrics
    }
}

async fn record(State(metrics): State<Arc<HttpMetrics>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_default();
    let request_size = http_body::Body::size_hint(request.body()).exact();
    let active = metrics.active.get_or_create_owned(&MethodLabel {
        http_request_method: method.clone(),
    });
    active.inc();
    let response = next.run(request).await;
    active.dec();
    let labels = Labels {
        http_request_method: method,
        http_route: route,
        http_response_status_code: response.status().as_u16(),
    };
    metrics
        .duration
        .get_or_create(&labels)
        .observe(start.elapsed().as_secs_f64());
    if let Some(size) = request_size {
        metrics.request_size.get_or_create(&labels).observe(size as f64);
    }
    if let Some(size) = http_body::Body::size_hint(response.body()).exact() {
        metrics.response_size.get_or_create(&labels).observe(size as f64);
    }
    response
}

/// The realistic app with request metrics and compressed answers.
fn app_with_metrics() -> Router {
    let mut registry = Registry::default();
    let metrics = Arc::new(HttpMetrics::new(&mut registry));
    app_routes()
        .layer(middleware::from_fn_with_state(metrics, record))
        .layer(CompressionLayer::new())
        .fallback(|| async { error(StatusCode::NOT_FOUND, NOT_FOUND) })
}

#[tokio::main]
async fn main() {
    // Like Pico, answer a panic with the standard body and keep stderr quiet.
    std::panic::set_hook(Box::new(|_| {}));
    if pico_bench::mode() == "app" {
        let _guard = pico_bench::log_to_stderr();
        serve(app()).await;
        return;
    }
    if pico_bench::mode() == "metrics" {
        let _guard = pico_bench::log_to_stderr();
        serve(app_with_metrics()).await;
        return;
    }
    let routes = Router::new()
        .route("/bench/multiply", any(multiply))
        .route("/bench/hello", any(hello))
        .route("/bench/object", any(object))
        .route("/bench/missing", any(missing))
        .route("/bench/panics", any(panics))
        .route("/bench/items", any(items))
        .route("/bench/upload", any(upload))
        .route("/bench/upload_bytes", any(upload_bytes));
    if pico_bench::mode() == "minimal" {
        // What a user writes first: the routes, served as they are.
        let router = routes.fallback(|| async { error(StatusCode::NOT_FOUND, NOT_FOUND) });
        axum::serve(pico_bench::listen().await, router).await.unwrap();
        return;
    }
    let mut router = routes
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            error(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL)
        }))
        .fallback(|| async { error(StatusCode::NOT_FOUND, NOT_FOUND) });
    if pico_bench::mode() == "ids" {
        router = router
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(SetRequestIdLayer::x_request_id(Counter::default()));
    }
    serve(router).await;
}

/// Request ids from a counter: the cheapest maker a careful user writes
/// (tower-http's own example), cheaper than its UUIDs, so that the
/// baseline pays no more for its ids than it must.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&n.to_string()).ok().map(RequestId::new)
    }
}

async fn serve(router: Router) {
    let listener = pico_bench::listen().await;
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.unwrap();
}
