//! Every error findable: request ids in the answer, the body, the log line
//! and the span; the span exported through `tracing-opentelemetry` to the
//! OpenTelemetry SDK's in-memory exporter; problem details by option and
//! by `Accept`. Over real HTTP.
//!
//! The test binary has one global subscriber (OpenTelemetry, and a layer
//! that keeps `pico`'s events); tests run in parallel, so each finds its
//! own spans and lines by the request ids it sent.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use common::{Answer, serve};
use opentelemetry::trace::{SpanKind, Status, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use pico::{HttpError, Request};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

#[pico::api]
mod shop {
    use super::*;

    fn request_id(request: &Request) -> Result<String, HttpError> {
        Ok(request.request_id().to_owned())
    }

    /// The id as the function sees it.
    #[expose]
    #[request_args(id = request_id)]
    pub(crate) fn whoami(id: String) -> String {
        id
    }

    fn route_of(request: &Request) -> Result<String, HttpError> {
        Ok(request.route().unwrap_or_default().to_owned())
    }

    /// The route as the function's `Request` tells it.
    #[expose]
    #[request_args(route = route_of)]
    pub(crate) fn route_seen(route: String) -> String {
        route
    }

    #[expose]
    #[route(GET, "/prices/{item}")]
    pub(crate) fn price(item: String) -> Result<u32, HttpError> {
        match item.as_str() {
            "tea" => Ok(3),
            _ => Err(HttpError::not_found().with_message(format!("No {item} here."))),
        }
    }

    #[expose]
    pub(crate) fn broken() -> Result<(), std::io::Error> {
        Err(std::io::Error::other("the till is jammed"))
    }

    #[expose]
    pub(crate) fn crash() -> u32 {
        panic!("the shop is on fire")
    }

    /// Two orders: the first at once, the second when the kitchen says.
    #[expose]
    #[stream]
    pub(crate) fn orders(#[state] kitchen: Kitchen) -> impl futures_util::Stream<Item = &'static str> {
        futures_util::stream::unfold(0, move |n| {
            let kitchen = kitchen.clone();
            async move {
                match n {
                    0 => Some(("soup", 1)),
                    1 => {
                        kitchen.0.notified().await;
                        Some(("bread", 2))
                    }
                    _ => None,
                }
            }
        })
    }
}

/// What a stream waits on before its second item.
#[derive(Clone, Default)]
pub(crate) struct Kitchen(Arc<tokio::sync::Notify>);

/// An event of `pico`'s, its fields by name.
type Line = Map<String, Value>;

struct Observed {
    spans: InMemorySpanExporter,
    lines: Arc<Mutex<Vec<(String, Line)>>>,
}

/// The binary's subscriber, installed once.
fn observed() -> &'static Observed {
    static OBSERVED: OnceLock<Observed> = OnceLock::new();
    OBSERVED.get_or_init(|| {
        let spans = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(spans.clone())
            .build();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("pico-tests")))
            .with(KeepLines(Arc::clone(&lines)));
        tracing::subscriber::set_global_default(subscriber).unwrap();
        Observed { spans, lines }
    })
}

/// Keeps the events of targets `pico` and `pico::*`.
struct KeepLines(Arc<Mutex<Vec<(String, Line)>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for KeepLines {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let target = event.metadata().target();
        if target == "pico" || target.starts_with("pico::") {
            let mut fields = Fields(Map::new());
            event.record(&mut fields);
            self.0.lock().unwrap().push((target.to_owned(), fields.0));
        }
    }
}

struct Fields(Line);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), format!("{value:?}").into());
    }
}

impl Observed {
    /// The lines of `target` about the request `id`.
    fn lines(&self, target: &str, id: &str) -> Vec<Line> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            // A server's own lines ("listening on ...") belong to no request.
            .filter(|(t, line)| t == target && line.get("request_id").is_some_and(|r| r == id))
            .map(|(_, line)| line.clone())
            .collect()
    }

    /// The exported span of the request `id`.
    fn span(&self, id: &str) -> SpanData {
        let spans = self.spans.get_finished_spans().unwrap();
        let mut mine = spans
            .into_iter()
            .filter(|s| attribute(s, "request_id").as_deref() == Some(id));
        let span = mine.next().unwrap_or_else(|| panic!("no span for request {id}"));
        assert!(mine.next().is_none(), "two spans for request {id}");
        span
    }
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.as_str().into_owned())
}

fn app() -> pico::App {
    pico::App::new()
        .register(shop::module())
        .state(Kitchen::default())
        .log_requests(true)
}

async fn get_with(s: &common::Server, path: &str, headers: &[(&str, &[u8])]) -> Answer {
    let mut request = s.client.get(s.url(path));
    for (name, value) in headers {
        request = request.header(*name, reqwest::header::HeaderValue::from_bytes(value).unwrap());
    }
    s.send(request).await
}

fn is_made(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn a_streams_line_and_span_end_when_the_stream_does() {
    let observed = observed();
    let kitchen = Kitchen::default();
    let s = serve(app().state(kitchen.clone())).await;
    let request = s
        .client
        .get(s.url("/shop/orders"))
        .header("x-request-id", "stream-orders");
    let mut response = request.send().await.unwrap();
    let first = response.chunk().await.unwrap().unwrap();
    assert_eq!(&first[..], b"data: \"soup\"\n\n");
    // The head and an item are out; the stream is not over.
    assert!(observed.lines("pico::request", "stream-orders").is_empty());
    let open = observed.spans.get_finished_spans().unwrap();
    assert!(
        !open
            .iter()
            .any(|s| attribute(s, "request_id").as_deref() == Some("stream-orders"))
    );
    kitchen.0.notify_one();
    let rest = response.text().await.unwrap();
    assert_eq!(rest, "data: \"bread\"\n\nevent: close\ndata: close\n\n");
    let lines = observed.lines("pico::request", "stream-orders");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (&lines[0]["status"], &lines[0]["items"]),
        (&Value::from(200), &Value::from(2))
    );
    let span = observed.span("stream-orders");
    assert_eq!(attribute(&span, "http.route").as_deref(), Some("/shop/orders"));
    // A request that is not a stream has no `items`.
    get_with(&s, "/shop/price?item=tea", &[("x-request-id", b"no-items")]).await;
    assert!(!observed.lines("pico::request", "no-items")[0].contains_key("items"));
}

#[tokio::test]
async fn a_route_is_named_by_its_template_on_the_line_and_the_span() {
    let observed = observed();
    let s = serve(app()).await;
    let a = get_with(&s, "/prices/tea", &[("x-request-id", b"route-tea")]).await;
    assert_eq!(a.text, "3");
    let line = &observed.lines("pico::request", "route-tea")[0];
    assert_eq!(
        (&line["route"], &line["uri"]),
        (&Value::from("/prices/{item}"), &Value::from("/prices/tea"))
    );
    let span = observed.span("route-tea");
    assert_eq!(span.name, "GET /prices/{item}");
    assert_eq!(attribute(&span, "http.route").as_deref(), Some("/prices/{item}"));
    assert_eq!(attribute(&span, "pico.function").as_deref(), Some("shop.price"));
}

#[tokio::test]
async fn probes_and_scrapes_get_no_log_line() {
    let observed = observed();
    let s = serve(app().health().metrics(pico::Metrics::new())).await;
    assert_eq!(
        get_with(&s, "/metrics", &[("x-request-id", b"scrape")])
            .await
            .status,
        200
    );
    assert!(observed.lines("pico::request", "scrape").is_empty());
    assert_eq!(
        get_with(&s, "/readyz", &[("x-request-id", b"probe-ready")])
            .await
            .status,
        200
    );
    assert_eq!(
        get_with(&s, "/healthz", &[("x-request-id", b"probe-alive")])
            .await
            .status,
        200
    );
    get_with(&s, "/shop/price?item=tea", &[("x-request-id", b"after-probes")]).await;
    assert_eq!(observed.lines("pico::request", "after-probes").len(), 1);
    assert!(observed.lines("pico::request", "probe-ready").is_empty());
    assert!(observed.lines("pico::request", "probe-alive").is_empty());
}

/// The route is told to the request's record while the observing layer
/// alone holds it (a query answered at once never shares it), or once it
/// is shared: behind CORS, which takes it through the request's
/// extensions. The line, the span, the error body's id and the `Request`
/// a `request_args` function reads name it the same either way, under
/// axum and under Pico's own server.
#[tokio::test]
async fn a_route_is_named_the_same_behind_cors_and_under_the_own_server() {
    let observed = observed();
    for (server, cors) in [
        ("axum", false),
        ("axum-cors", true),
        ("own", false),
        ("own-cors", true),
    ] {
        let app = match cors {
            true => app().allow_origins(["https://shop.example"]),
            false => app(),
        };
        let s = match server.starts_with("own") {
            true => {
                let (base, _stop, _task) = common::serve_until_stopped(pico::Server::new(), app).await;
                common::Server {
                    base,
                    client: reqwest::Client::new(),
                }
            }
            false => serve(app).await,
        };
        let cases = [
            // Answered at once: the record is never shared.
            (
                "GET",
                "/shop/price?item=tea",
                "/shop/price",
                Some("shop.price"),
                200,
            ),
            // Failed at once: shared for the error's answer.
            ("GET", "/shop/broken", "/shop/broken", Some("shop.broken"), 500),
            // Read from a JSON body, straight.
            ("POST", "/shop/price", "/shop/price", Some("shop.price"), 200),
            // By a route's template, and through the general path.
            ("GET", "/prices/tea", "/prices/{item}", Some("shop.price"), 200),
            (
                "GET",
                "/shop/route_seen",
                "/shop/route_seen",
                Some("shop.route_seen"),
                200,
            ),
            // Refused once the route is known: a method the template
            // does not take.
            ("DELETE", "/prices/tea", "/prices/{item}", None, 405),
        ];
        for (n, (method, path, route, function, status)) in cases.into_iter().enumerate() {
            let id = format!("{server}-route-{n}");
            let request = s
                .client
                .request(method.parse().unwrap(), s.url(path))
                .header("x-request-id", &id);
            let request = match method {
                "POST" => request.json(&serde_json::json!({"item": "tea"})),
                _ => request,
            };
            let a = s.send(request).await;
            let case = format!("{server} {method} {path}");
            assert_eq!((a.status, a.request_id()), (status, id.as_str()), "{case}");
            if status >= 400 {
                assert_eq!(a.json()["request_id"], id, "{case}: the error body's id");
            }
            let line = &observed.lines("pico::request", &id)[0];
            assert_eq!(line["route"], route, "{case}");
            let span = observed.span(&id);
            assert_eq!(attribute(&span, "http.route").as_deref(), Some(route), "{case}");
            assert_eq!(attribute(&span, "pico.function").as_deref(), function, "{case}");
            if status == 500 {
                assert_eq!(
                    attribute(&span, "error.type").as_deref(),
                    Some("std::io::error::Error")
                );
            }
            if function == Some("shop.route_seen") {
                assert_eq!(a.json(), route, "{case}: the function's `Request`");
            }
        }
    }
}

#[tokio::test]
async fn a_valid_incoming_id_is_kept_everywhere() {
    let observed = observed();
    let s = serve(app()).await;
    let id = "order-7f3a:retry/2";
    let a = get_with(&s, "/shop/whoami", &[("x-request-id", id.as_bytes())]).await;
    assert_eq!((a.status, a.request_id()), (200, id));
    assert_eq!(a.json(), id, "the function reads it from `Request`");
    let a = get_with(
        &s,
        "/shop/price?item=fish",
        &[("x-request-id", b"missing-fish-1")],
    )
    .await;
    assert_eq!(a.error(404, "Not Found"), "No fish here.");
    assert_eq!(a.json()["request_id"], "missing-fish-1");
    // Its log line and its span say the same.
    let lines = observed.lines("pico::request", "missing-fish-1");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["method"], "GET");
    // The query's values stay out of the log: they carry tokens.
    assert_eq!(line["uri"], "/shop/price?item=[Filtered]");
    assert_eq!(line["route"], "/shop/price");
    assert_eq!(line["status"], 404);
    assert!(line["duration_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        attribute(&observed.span("missing-fish-1"), "http.route").unwrap(),
        "/shop/price"
    );
}

#[tokio::test]
async fn a_missing_or_invalid_id_is_replaced_and_never_echoed() {
    let s = serve(app()).await;
    let a = s.get("/shop/whoami").await;
    assert!(is_made(a.request_id()), "{a:?}");
    assert_eq!(a.json(), a.request_id());
    let long = "x".repeat(129);
    let invalid: [&[u8]; 4] = [
        long.as_bytes(),
        "caf\u{e9}".as_bytes(),
        b"two words",
        b"tab\tinside",
    ];
    for bad in invalid {
        let a = get_with(&s, "/shop/price?item=fish", &[("x-request-id", bad)]).await;
        a.error(404, "Not Found");
        assert!(
            is_made(a.request_id()),
            "{:?} kept: {a:?}",
            String::from_utf8_lossy(bad)
        );
        // Made ids are hex, which may hold "caf" but never "café".
        assert!(
            !a.text.contains("caf\u{e9}")
                && !a.text.contains("caf\\u00e9")
                && !a.text.contains("words")
                && !a.text.contains("xxxx"),
            "{}",
            a.text
        );
    }
    // Exactly 128 visible characters is still an id.
    let longest = "y".repeat(128);
    let a = get_with(&s, "/shop/whoami", &[("x-request-id", longest.as_bytes())]).await;
    assert_eq!(a.request_id(), longest);
}

#[tokio::test]
async fn every_answer_carries_an_id_and_every_error_body_the_same_one() {
    let s = serve(app().allow_origins(["https://shop.example"])).await;
    for path in ["/", "/shop", "/shop.js", "/pico.js", "/shop/price?item=tea"] {
        let a = s.get(path).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(is_made(a.request_id()), "{path}: {a:?}");
    }
    // Errors from every stage: no route, a refused method, a bad
    // argument, the function's own, a returned error, a panic.
    s.get("/nowhere").await.error(404, "Not Found");
    let put = s.send(s.client.put(s.url("/shop/price?item=tea"))).await;
    put.error(405, "Method Not Allowed");
    s.get("/shop/price").await.error(400, "Bad Request");
    s.get("/shop/price?item=fish").await.error(404, "Not Found");
    s.get("/shop/broken").await.error(500, "Internal Server Error");
    s.get("/shop/crash").await.error(500, "Internal Server Error");
    // A CORS preflight, which the CORS layer answers itself.
    let preflight = s
        .send(
            s.client
                .request(reqwest::Method::OPTIONS, s.url("/shop/price"))
                .header("origin", "https://shop.example")
                .header("access-control-request-method", "POST"),
        )
        .await;
    assert!(is_made(preflight.request_id()), "{preflight:?}");
    // The allowed origin's page can read the id (and when to try again).
    let a = get_with(&s, "/shop/price?item=tea", &[("origin", b"https://shop.example")]).await;
    assert_eq!(
        a.headers["access-control-expose-headers"],
        "x-request-id,retry-after"
    );
}

#[tokio::test]
async fn the_header_name_is_the_apps_choice() {
    let s = serve(app().request_id_header("X-Correlation-Id")).await;
    let a = get_with(&s, "/shop/price?item=fish", &[("x-correlation-id", b"corr-1")]).await;
    assert_eq!(a.headers["x-correlation-id"], "corr-1");
    assert!(!a.headers.contains_key("x-request-id"));
    assert_eq!(a.json()["request_id"], "corr-1");
}

#[tokio::test]
async fn ids_made_at_once_on_many_connections_are_all_different() {
    let s = Arc::new(serve(app()).await);
    let tasks: Vec<_> = (0..400)
        .map(|_| {
            let s = Arc::clone(&s);
            tokio::spawn(async move { s.get("/shop/whoami").await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        let a = task.await.unwrap();
        assert_eq!(a.json(), a.request_id(), "each request sees its own id");
        ids.insert(a.request_id().to_owned());
    }
    assert_eq!(ids.len(), 400);
}

#[tokio::test]
async fn an_internal_error_is_logged_with_its_chain_and_the_request_id() {
    let observed = observed();
    let s = serve(app()).await;
    let a = get_with(&s, "/shop/broken", &[("x-request-id", b"jammed-till-1")]).await;
    a.error(500, "Internal Server Error");
    let lines = observed.lines("pico", "jammed-till-1");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["error.message"], "the till is jammed");
    assert_eq!(lines[0]["function"], "shop.broken");
    let request = &observed.lines("pico::request", "jammed-till-1")[0];
    assert_eq!(request["status"], 500);
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";

#[tokio::test]
async fn the_span_follows_the_http_server_conventions_and_continues_the_trace() {
    let observed = observed();
    let s = serve(app()).await;
    let traceparent = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    let headers: [(&str, &[u8]); 3] = [
        ("x-request-id", b"span-ok-1"),
        ("traceparent", traceparent.as_bytes()),
        ("user-agent", b"shop-tests/1.0"),
    ];
    let a = get_with(&s, "/shop/price?item=tea", &headers).await;
    assert_eq!(a.text, "3");
    let span = observed.span("span-ok-1");
    assert_eq!(span.name, "GET /shop/price");
    assert_eq!(span.span_kind, SpanKind::Server);
    assert_eq!(span.status, Status::Unset);
    for (key, value) in [
        ("http.request.method", "GET"),
        ("http.route", "/shop/price"),
        ("url.path", "/shop/price"),
        ("http.response.status_code", "200"),
        ("client.address", "127.0.0.1"),
        ("user_agent.original", "shop-tests/1.0"),
        ("pico.function", "shop.price"),
    ] {
        assert_eq!(attribute(&span, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(attribute(&span, "error.type"), None);
    assert_eq!(span.span_context.trace_id(), TraceId::from_hex(TRACE_ID).unwrap());
    assert_eq!(span.parent_span_id.to_string(), PARENT_ID);
    assert!(span.parent_span_is_remote);
}

#[tokio::test]
async fn the_span_and_the_log_line_name_the_client_a_trusted_proxy_forwards() {
    let observed = observed();
    // The test's peer is loopback, which the app trusts unless told.
    let s = serve(app().log_requests(true)).await;
    let forwarded: [(&str, &[u8]); 2] = [
        ("x-request-id", b"span-forwarded"),
        ("x-forwarded-for", b"198.51.100.1, 203.0.113.9"),
    ];
    get_with(&s, "/shop/price?item=tea", &forwarded).await;
    let span = observed.span("span-forwarded");
    assert_eq!(attribute(&span, "client.address").as_deref(), Some("203.0.113.9"));
    let line = &observed.lines("pico::request", "span-forwarded")[0];
    assert_eq!(line["client"], "203.0.113.9", "{line:?}");
    // The same header means nothing from a peer the app does not trust.
    let s = serve(app().log_requests(true).trusted_proxies(["10.0.0.0/8"])).await;
    let forged: [(&str, &[u8]); 2] = [
        ("x-request-id", b"span-forged"),
        ("x-forwarded-for", b"203.0.113.9"),
    ];
    get_with(&s, "/shop/price?item=tea", &forged).await;
    let span = observed.span("span-forged");
    assert_eq!(attribute(&span, "client.address").as_deref(), Some("127.0.0.1"));
    let line = &observed.lines("pico::request", "span-forged")[0];
    assert_eq!(line["client"], "127.0.0.1", "{line:?}");
}

#[tokio::test]
async fn the_log_line_keeps_query_values_only_when_asked_and_cuts_long_uris() {
    let observed = observed();
    let s = serve(app()).await;
    let secret: [(&str, &[u8]); 1] = [("x-request-id", b"log-filtered")];
    get_with(&s, "/shop/price?item=tea&token=s3cret&flag", &secret).await;
    let line = &observed.lines("pico::request", "log-filtered")[0];
    assert_eq!(
        line["uri"], "/shop/price?item=[Filtered]&token=[Filtered]&flag",
        "{line:?}"
    );
    let s = serve(app().log_query_values(true)).await;
    let asked: [(&str, &[u8]); 1] = [("x-request-id", b"log-values")];
    get_with(&s, "/shop/price?item=tea", &asked).await;
    let line = &observed.lines("pico::request", "log-values")[0];
    assert_eq!(line["uri"], "/shop/price?item=tea", "{line:?}");
    // A URI of any length is cut to 2 KiB in the line.
    let long: [(&str, &[u8]); 1] = [("x-request-id", b"log-long")];
    get_with(&s, &format!("/shop/price?item={}", "x".repeat(60_000)), &long).await;
    let line = &observed.lines("pico::request", "log-long")[0];
    let uri = line["uri"].as_str().unwrap();
    assert!(
        uri.len() <= 2048 + '…'.len_utf8() && uri.ends_with('…'),
        "{} bytes",
        uri.len()
    );
}

/// An IPv4 client of a dual-stack listener arrives as `::ffff:a.b.c.d`;
/// the log, the span and `remote_addr` say `a.b.c.d`.
#[tokio::test]
async fn an_ipv4_client_of_a_dual_stack_listener_is_shown_as_ipv4() {
    let observed = observed();
    let Ok(listener) = tokio::net::TcpListener::bind("[::]:0").await else {
        common::missing("an IPv6 listener");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(pico::Server::new().serve_on(listener, app(), std::future::pending()));
    let answer = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/shop/price?item=tea"))
        .header("x-request-id", "dual-stack")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let line = &observed.lines("pico::request", "dual-stack")[0];
    assert_eq!(line["client"], "127.0.0.1", "{line:?}");
    let span = observed.span("dual-stack");
    assert_eq!(attribute(&span, "client.address").as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn a_5xx_is_an_error_on_the_span_and_a_4xx_is_not() {
    let observed = observed();
    let s = serve(app()).await;
    get_with(&s, "/shop/crash", &[("x-request-id", b"span-500")]).await;
    get_with(&s, "/shop/broken", &[("x-request-id", b"span-500-returned")]).await;
    get_with(&s, "/shop/price", &[("x-request-id", b"span-400")]).await;
    get_with(&s, "/nowhere/at/all", &[("x-request-id", b"span-404")]).await;

    let crashed = observed.span("span-500");
    assert!(
        matches!(crashed.status, Status::Error { .. }),
        "{:?}",
        crashed.status
    );
    assert_eq!(attribute(&crashed, "error.type").as_deref(), Some("panic"));
    assert_eq!(
        attribute(&crashed, "http.response.status_code").as_deref(),
        Some("500")
    );
    let returned = observed.span("span-500-returned");
    assert_eq!(
        attribute(&returned, "error.type").as_deref(),
        Some("std::io::error::Error")
    );
    let refused = observed.span("span-400");
    assert_eq!(refused.status, Status::Unset);
    assert_eq!(attribute(&refused, "error.type"), None);
    // No route: named by the method alone, and no `http.route`.
    let lost = observed.span("span-404");
    assert_eq!(lost.name, "GET");
    assert_eq!(attribute(&lost, "http.route"), None);
    assert_eq!(attribute(&lost, "url.path").as_deref(), Some("/nowhere/at/all"));
}

#[tokio::test]
async fn a_malformed_or_all_zero_traceparent_starts_a_trace_of_its_own() {
    let observed = observed();
    let s = serve(app()).await;
    let zero = format!("00-{}-{PARENT_ID}-01", "0".repeat(32));
    let cases: [(&[u8], &[u8]); 4] = [
        (b"tp-zero", zero.as_bytes()),
        (b"tp-garbage", b"garbage"),
        (
            b"tp-upper",
            b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        ),
        (b"tp-non-ascii", "00-\u{e9}".as_bytes()),
    ];
    for (id, traceparent) in cases {
        let a = get_with(
            &s,
            "/shop/price?item=tea",
            &[("x-request-id", id), ("traceparent", traceparent)],
        )
        .await;
        assert_eq!(
            (a.status, a.text.as_str()),
            (200, "3"),
            "a bad traceparent is no error"
        );
        let span = observed.span(std::str::from_utf8(id).unwrap());
        assert!(!span.parent_span_is_remote);
        assert_ne!(span.span_context.trace_id(), TraceId::INVALID);
        assert_ne!(span.span_context.trace_id(), TraceId::from_hex(TRACE_ID).unwrap());
    }
}

#[tokio::test]
async fn problem_details_by_option() {
    let s = serve(app().problem_details(true)).await;
    let a = get_with(&s, "/shop/price?item=fish", &[("x-request-id", b"problem-1")]).await;
    assert_eq!(
        (a.status, a.content_type.as_str()),
        (404, "application/problem+json")
    );
    assert_eq!(
        a.json(),
        serde_json::json!({
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "No fish here.",
            "instance": "/shop/price",
            "name": "Not Found",
            "code": 404,
            "message": "No fish here.",
            "request_id": "problem-1",
        })
    );
    let a = s.get("/shop/crash").await;
    assert_eq!(
        (a.status, a.content_type.as_str()),
        (500, "application/problem+json")
    );
    let body = a.json();
    assert_eq!(
        (&body["status"], &body["name"]),
        (&500.into(), &"Internal Server Error".into())
    );
    assert_eq!(body["request_id"], a.request_id());
    assert!(body.get("__debug__").is_none());
    // Answers that are not errors are as they were.
    let a = s.get("/shop/price?item=tea").await;
    assert_eq!(
        (a.content_type.as_str(), a.text.as_str()),
        ("application/json", "3")
    );
}

#[tokio::test]
async fn problem_details_by_accept_and_only_then() {
    let s = serve(app()).await;
    let asked = s
        .send(
            s.client
                .get(s.url("/nowhere"))
                .header("accept", "application/json, application/problem+json"),
        )
        .await;
    assert_eq!(
        (asked.status, asked.content_type.as_str()),
        (404, "application/problem+json")
    );
    assert_eq!(asked.json()["instance"], "/nowhere");
    assert_eq!(asked.json()["code"], 404);
    let refused = s
        .send(
            s.client
                .get(s.url("/nowhere"))
                .header("accept", "application/problem+json;q=0"),
        )
        .await;
    refused.error(404, "Not Found");
    let plain = s.get("/shop/price").await;
    plain.error(400, "Bad Request");
    assert!(plain.json().get("type").is_none());
}
