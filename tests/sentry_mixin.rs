//! The Sentry mixin with sentry's test transport: what is reported, what is
//! not, with which request, and how mixins compose with an app's own hooks.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use common::{Answer, Server, serve};
use pico::{Args, Failure, Hooks, Mixin, Request, Response, SentryMixin};
use sentry::protocol::Event;
use sentry::test::TestTransport;
use serde_json::{Map, Value, json};

#[pico::api]
mod reported {
    use pico::{HttpError, Request};

    /// Tells Sentry something of its own, through the request's hub: the
    /// event carries what the mixin's own do. Answers the event's id.
    #[expose]
    #[request_args(request)]
    fn notes(request: Request) -> Option<String> {
        let hub = request.extensions().get::<pico::SentryHub>()?;
        let id = hub
            .0
            .capture_message("a note of the function's own", sentry::Level::Info);
        Some(id.simple().to_string())
    }

    #[expose]
    fn panics(n: u32) -> u32 {
        panic!("panic number {n}")
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("could not load the settings")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[expose]
    fn returns_error() -> Result<String, Outer> {
        Err(Outer(std::io::Error::other("disk on fire")))
    }

    #[expose]
    fn io_error() -> std::io::Result<String> {
        Err(std::io::Error::other("plain io"))
    }

    #[expose]
    fn forbidden() -> Result<(), HttpError> {
        Err(HttpError::forbidden())
    }

    #[expose]
    fn unavailable() -> Result<(), HttpError> {
        Err(HttpError::service_unavailable())
    }

    #[derive(Debug, thiserror::Error, pico::HttpError)]
    enum ShopError {
        #[error("no such item")]
        #[http(status = 404)]
        Missing,
        #[error("the till is jammed")]
        #[http(status = 503)]
        Jammed(#[source] std::io::Error),
    }

    #[expose]
    fn domain(jam: bool) -> Result<(), ShopError> {
        Err(if jam {
            ShopError::Jammed(std::io::Error::other("coin stuck"))
        } else {
            ShopError::Missing
        })
    }
}

/// A client whose events stay in memory.
fn client() -> (Arc<sentry::Client>, Arc<TestTransport>) {
    let transport = TestTransport::new();
    let options = sentry::ClientOptions::new()
        .dsn("https://public@sentry.invalid/1")
        .transport(Arc::clone(&transport));
    (Arc::new(sentry::Client::from(options)), transport)
}

fn app(mixin: SentryMixin) -> pico::App {
    pico::App::new().mixin(mixin).register(reported::module())
}

/// The events sent, once the client has handed them to the transport.
fn sent(client: &sentry::Client, transport: &TestTransport) -> Vec<Event<'static>> {
    client.flush(Some(std::time::Duration::from_secs(5)));
    transport.fetch_and_clear_events()
}

fn sentry_id(answer: &Answer) -> Option<String> {
    answer
        .json()
        .get("sentry_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[tokio::test]
async fn panics_and_returned_errors_are_reported_with_their_request() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let request = s
        .client
        .post(s.url("/reported/panics?n=7"))
        .header("authorization", "Basic YXJ0aHVyOnNlY3JldA==")
        .header("cookie", "session=1")
        .header("x-api-key", "k")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-custom", "kept")
        .json(&json!({"_note": "body"}));
    let a = s.send(request).await;
    a.error(500, "Internal Server Error");
    let id = sentry_id(&a).expect("a sentry_id");
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let events = sent(&client, &transport);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.event_id.simple().to_string(), id);
    // Named by method and route; tagged with the request's id.
    assert_eq!(event.transaction.as_deref(), Some("POST /reported/panics"));
    assert_eq!(
        event.tags.get("request_id").map(String::as_str),
        Some(a.request_id())
    );
    let exception = &event.exception.values[0];
    assert_eq!(
        (exception.ty.as_str(), exception.value.as_deref()),
        ("panic", Some("panic number 7"))
    );
    let frames = &exception.stacktrace.as_ref().expect("frames").frames;
    assert_eq!(frames.last().unwrap().function.as_deref(), Some("panics"));
    assert!(
        frames
            .last()
            .unwrap()
            .filename
            .as_deref()
            .unwrap()
            .ends_with("sentry_mixin.rs")
    );
    let request = event.request.as_ref().expect("request data");
    assert_eq!(request.method.as_deref(), Some("POST"));
    // Without `send_pii`: the query's names only, no body, no query in the URL.
    assert_eq!(request.query_string.as_deref(), Some("n=[Filtered]"));
    assert!(
        request
            .url
            .as_ref()
            .unwrap()
            .as_str()
            .ends_with("/reported/panics")
    );
    assert_eq!(request.data, None);
    assert_eq!(request.headers.get("x-custom").map(String::as_str), Some("kept"));
    for personal in ["authorization", "cookie", "x-api-key", "x-forwarded-for"] {
        assert!(!request.headers.contains_key(personal), "{personal} was sent");
    }
    assert!(request.cookies.is_none());
    assert!(event.user.is_none());

    let a = s.get("/reported/returns_error").await;
    assert!(sentry_id(&a).is_some());
    let events = sent(&client, &transport);
    let values = &events[0].exception.values;
    assert_eq!(values.len(), 2, "the error and its source");
    assert_eq!(values[0].value.as_deref(), Some("disk on fire"));
    assert_eq!(values[1].value.as_deref(), Some("could not load the settings"));
    assert!(values[1].ty.ends_with("Outer"), "{}", values[1].ty);
}

#[tokio::test]
async fn typed_5xx_errors_are_reported_and_typed_4xx_are_not() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let a = s.get("/reported/domain?jam=true").await;
    a.error(503, "Service Unavailable");
    let id = sentry_id(&a).expect("a sentry_id");
    let a = s.get("/reported/domain?jam=false").await;
    assert_eq!(a.error(404, "Not Found"), "no such item");
    assert_eq!(sentry_id(&a), None);
    let events = sent(&client, &transport);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event_id.simple().to_string(), id);
    let exceptions = &events[0].exception.values;
    let last = exceptions.last().unwrap();
    assert!(last.ty.ends_with("ShopError"), "{}", last.ty);
    assert_eq!(last.value.as_deref(), Some("the till is jammed"));
    assert_eq!(exceptions[0].value.as_deref(), Some("coin stuck"));
}

#[tokio::test]
async fn secrets_stay_home_without_send_pii() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let request = s
        .client
        .post(s.url("/reported/panics?n=1&_token=t0k3n"))
        .header("cf-connecting-ip", "198.51.100.7")
        .header("true-client-ip", "198.51.100.7")
        .header("x-client-ip", "198.51.100.7")
        .header("x-forwarded-user", "arthur")
        .header("x-forwarded-email", "arthur@example.com")
        .header("x-amzn-oidc-data", "eyJ.a.b")
        .header("cf-access-jwt-assertion", "eyJ.c.d")
        .header("x-envoy-external-address", "198.51.100.7")
        .header("referer", s.url("/page?reset=r3s3t&n=2"))
        .header("x-forwarded-uri", "/reported/panics?_token=t0k3n")
        .header("x-original-uri", "/reported/panics?_token=t0k3n")
        .header("x-rewrite-url", "/reported/panics?_token=t0k3n")
        .header("user-agent", "kept/1")
        .json(&json!({"_user": "arthur", "_password": "hunter2"}));
    assert!(sentry_id(&s.send(request).await).is_some());
    let events = sent(&client, &transport);
    let request = events[0].request.as_ref().unwrap();
    let sent = format!("{request:?}");
    for secret in ["t0k3n", "hunter2", "198.51.100.7", "arthur", "eyJ", "r3s3t"] {
        assert!(!sent.contains(secret), "{secret} was sent: {sent}");
    }
    // A URL in a header keeps its path and the query's names.
    let referer = request.headers.get("referer").map(String::as_str);
    assert_eq!(
        referer,
        Some(s.url("/page?reset=[Filtered]&n=[Filtered]").as_str())
    );
    assert_eq!(
        request.headers.get("user-agent").map(String::as_str),
        Some("kept/1")
    );
    assert_eq!(
        request.query_string.as_deref(),
        Some("n=[Filtered]&_token=[Filtered]")
    );
}

#[tokio::test]
async fn personal_data_only_when_enabled() {
    let (client, transport) = client();
    let mixin = SentryMixin::with_client(Some(Arc::clone(&client))).send_default_pii(true);
    let s = serve(app(mixin)).await;
    let request = s
        .client
        .post(s.url("/reported/panics?n=1&_token=t0k3n"))
        .basic_auth("arthur", Some("secret"))
        .header("cookie", "session=1")
        .json(&json!({"_password": "hunter2"}));
    assert!(sentry_id(&s.send(request).await).is_some());
    let events = sent(&client, &transport);
    let request = events[0].request.as_ref().unwrap();
    assert_eq!(request.query_string.as_deref(), Some("n=1&_token=t0k3n"));
    assert_eq!(request.data.as_deref(), Some(r#"{"_password":"hunter2"}"#));
    assert!(
        request
            .headers
            .get("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    assert_eq!(request.cookies.as_deref(), Some("session=1"));
    let user = events[0].user.as_ref().expect("the user");
    assert_eq!(user.username.as_deref(), Some("arthur"));
}

#[tokio::test]
async fn http_errors_are_ignored_unless_asked_and_types_can_be_ignored() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    assert!(sentry_id(&s.get("/reported/forbidden").await).is_none());
    assert!(sentry_id(&s.get("/reported/unavailable").await).is_none());
    assert!(sent(&client, &transport).is_empty());

    let mixin = SentryMixin::with_client(Some(Arc::clone(&client)))
        .ignore_status(400..500)
        .ignore_type::<std::io::Error>();
    let s = serve(app(mixin)).await;
    assert!(sentry_id(&s.get("/reported/forbidden").await).is_none());
    let a = s.get("/reported/unavailable").await;
    a.error(503, "Service Unavailable");
    assert!(sentry_id(&a).is_some());
    let a = s.get("/reported/io_error").await;
    a.error(500, "Internal Server Error");
    assert!(sentry_id(&a).is_none());
    assert!(sentry_id(&s.get("/reported/returns_error").await).is_some());
    assert_eq!(sent(&client, &transport).len(), 2);
}

#[tokio::test]
async fn an_unreachable_sentry_does_not_fail_the_request() {
    // Nothing listens on port 1: the transport's sends fail in the
    // background, the request is answered as usual.
    let options = sentry::apply_defaults(sentry::ClientOptions::new().dsn("http://public@127.0.0.1:1/1"));
    let client = Arc::new(sentry::Client::from(options));
    let s = serve(app(SentryMixin::with_client(Some(client)))).await;
    for n in 0..5 {
        let a = s.get(&format!("/reported/panics?n={n}")).await;
        a.error(500, "Internal Server Error");
        assert!(sentry_id(&a).is_some());
    }
    assert_eq!(s.get("/reported/forbidden").await.status, 403);
}

#[tokio::test]
async fn events_and_transactions_continue_the_callers_trace() {
    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    let transport = TestTransport::new();
    let options = sentry::ClientOptions::new()
        .dsn("https://public@sentry.invalid/1")
        .traces_sample_rate(1.0)
        .transport(Arc::clone(&transport));
    let client = Arc::new(sentry::Client::from(options));
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let traced = |path: &str, traceparent: &str| {
        s.client
            .get(s.url(path))
            .header("traceparent", traceparent)
            .header("x-request-id", format!("sentry-{path}"))
    };
    let parent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    let a = s.send(traced("/reported/panics?n=2", &parent)).await;
    a.error(500, "Internal Server Error");
    let ok = s.send(traced("/reported/forbidden", &parent)).await;
    ok.error(403, "Forbidden");
    let fresh = s.send(traced("/reported/io_error", "00-garbage")).await;
    fresh.error(500, "Internal Server Error");
    client.flush(Some(std::time::Duration::from_secs(5)));

    let mut events = Vec::new();
    let mut transactions = Vec::new();
    for envelope in transport.fetch_and_clear_envelopes() {
        for item in envelope.items() {
            match item {
                sentry::protocol::EnvelopeItem::Event(event) => events.push(event.clone()),
                sentry::protocol::EnvelopeItem::Transaction(t) => transactions.push(t.clone()),
                _ => {}
            }
        }
    }
    let trace_of = |event: &Event<'static>| match event.contexts.get("trace") {
        Some(sentry::protocol::Context::Trace(trace)) => trace.trace_id.to_string(),
        other => panic!("no trace context: {other:?}"),
    };
    let panicked = events
        .iter()
        .find(|e| e.transaction.as_deref() == Some("GET /reported/panics"))
        .expect("the panic's event");
    assert_eq!(trace_of(panicked), TRACE_ID);
    assert_eq!(panicked.tags["request_id"], "sentry-/reported/panics?n=2");
    let fresh = events
        .iter()
        .find(|e| e.transaction.as_deref() == Some("GET /reported/io_error"))
        .expect("the I/O error's event");
    assert_ne!(
        trace_of(fresh),
        TRACE_ID,
        "a malformed traceparent starts a trace"
    );

    let mut names: Vec<&str> = transactions.iter().filter_map(|t| t.name.as_deref()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "GET /reported/forbidden",
            "GET /reported/io_error",
            "GET /reported/panics"
        ]
    );
    for transaction in &transactions {
        let trace = transaction.contexts.get("trace");
        let Some(sentry::protocol::Context::Trace(trace)) = trace else {
            panic!("no trace context")
        };
        let continued = transaction.name.as_deref() != Some("GET /reported/io_error");
        assert_eq!(
            trace.trace_id.to_string() == TRACE_ID,
            continued,
            "{:?}",
            transaction.name
        );
    }
}

#[tokio::test]
async fn without_a_dsn_it_is_inert() {
    let plain = serve(pico::App::new().register(reported::module())).await;
    let inert = serve(app(SentryMixin::with_client(None))).await;
    for path in [
        "/reported/panics?n=1",
        "/reported/returns_error",
        "/reported/forbidden",
    ] {
        let same_id = |s: &common::Server| s.client.get(s.url(path)).header("x-request-id", "same");
        let (a, b) = (
            plain.send(same_id(&plain)).await,
            inert.send(same_id(&inert)).await,
        );
        assert_eq!((a.status, a.text), (b.status, b.text), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_each_report_their_own_request() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let mut handles = Vec::new();
    for n in 0..50 {
        let request = s
            .client
            .get(s.url(&format!("/reported/panics?n={n}")))
            .header("x-request", n.to_string());
        handles.push(tokio::spawn(async move {
            (n, Answer::read(request.send().await.unwrap()).await)
        }));
    }
    let mut ids = HashMap::new();
    for handle in handles {
        let (n, answer) = handle.await.unwrap();
        ids.insert(sentry_id(&answer).expect("a sentry_id"), n);
    }
    let events = sent(&client, &transport);
    assert_eq!(events.len(), 50);
    for event in events {
        let n = ids[&event.event_id.simple().to_string()];
        let request = event.request.as_ref().unwrap();
        assert_eq!(request.query_string.as_deref(), Some("n=[Filtered]"));
        assert_eq!(request.headers["x-request"], n.to_string());
        assert_eq!(
            event.exception.values[0].value.as_deref(),
            Some(format!("panic number {n}").as_str())
        );
    }
}

/// The test client the attribute form uses.
fn shared_client() -> Arc<sentry::Client> {
    static CLIENT: OnceLock<(Arc<sentry::Client>, Arc<TestTransport>)> = OnceLock::new();
    Arc::clone(&CLIENT.get_or_init(client).0)
}

/// Adds its name to `order` in the body and to the request's `order`.
struct Tag(&'static str);

impl Mixin for Tag {
    fn prehandle(&self, request: &mut Request, args: &mut Args, next: &dyn Hooks) -> Result<(), Failure> {
        let mut order: Vec<String> = request.get("order").unwrap_or_default();
        order.push(self.0.to_owned());
        request.set("order", order);
        next.prehandle(request, args)
    }

    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        mut extra: Map<String, Value>,
        next: &dyn Hooks,
    ) -> Response {
        let mut order = extra
            .remove("order")
            .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
            .unwrap_or_default();
        order.push(self.0.to_owned());
        extra.insert("order".to_owned(), json!(order));
        next.handle_exception(failure, request, extra)
    }
}

/// An app with hooks of its own and three mixins.
struct Own;

#[pico::mixin(Tag("outer"))]
#[pico::sentry_mixin(client = shared_client())]
#[pico::mixin(Tag("inner"))]
impl Hooks for Own {
    fn prehandle(&self, request: &mut Request, _args: &mut Args) -> Result<(), Failure> {
        let order: Vec<String> = request.get("order").unwrap_or_default();
        request.set("seen_by_own", order);
        Ok(())
    }

    fn posthandle(&self, request: &Request, response: &mut Response) {
        let seen: Vec<String> = request.get("seen_by_own").unwrap_or_default();
        response
            .headers_mut()
            .insert("x-own-posthandle", seen.join(",").parse().unwrap());
    }

    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        mut extra: Map<String, Value>,
    ) -> Response {
        extra.insert("own".to_owned(), json!(true));
        failure.to_response(request, &extra)
    }
}

#[tokio::test]
async fn mixins_stack_outermost_first_and_the_apps_own_hooks_still_run() {
    let s: Server = serve(pico::App::new().hooks(Own).register(reported::module())).await;
    let a = s.get("/reported/panics?n=3").await;
    a.error(500, "Internal Server Error");
    let body = a.json();
    assert_eq!(body["order"], json!(["outer", "inner"]), "{body}");
    assert_eq!(body["own"], json!(true));
    assert_eq!(body["sentry_id"].as_str().map(str::len), Some(32));
    assert_eq!(a.headers["x-own-posthandle"], "outer,inner");
}

/// Hooks composed on a struct: only the mixin.
#[pico::sentry_mixin(client = shared_client(), ignore_types = [std::io::Error])]
#[pico::mixin(Tag("only"))]
struct Bare;

#[tokio::test]
async fn the_attribute_on_a_struct_composes_without_hooks_of_its_own() {
    let s = serve(pico::App::new().hooks(Bare).register(reported::module())).await;
    let a = s.get("/reported/panics?n=1").await;
    assert_eq!(a.json()["order"], json!(["only"]));
    assert!(sentry_id(&a).is_some());
    assert!(sentry_id(&s.get("/reported/io_error").await).is_none());
}

#[tokio::test]
async fn a_function_reports_through_the_requests_own_hub() {
    let (client, transport) = client();
    let s = serve(app(SentryMixin::with_client(Some(Arc::clone(&client))))).await;
    let request = s
        .client
        .get(s.url("/reported/notes"))
        .header("x-request-id", "hub-note-1");
    let id = s.send(request).await.json();
    let events = sent(&client, &transport);
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(
        Some(event.event_id.simple().to_string()),
        id.as_str().map(str::to_owned)
    );
    assert_eq!(event.message.as_deref(), Some("a note of the function's own"));
    assert_eq!(
        event.tags.get("request_id").map(String::as_str),
        Some("hub-note-1")
    );
    assert_eq!(event.transaction.as_deref(), Some("GET /reported/notes"));
    // Without the mixin there is no hub, and nothing to report through.
    let s = serve(pico::App::new().register(reported::module())).await;
    assert_eq!(s.get("/reported/notes").await.json(), Value::Null);
}
