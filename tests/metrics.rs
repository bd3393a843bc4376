//! `App::metrics`: each request counted under the route Pico matched (never
//! the raw path), with its status, error type and body sizes, in the text
//! a real Prometheus scrapes and `prometheus_client` parses; the scrape
//! refused to other sites' pages; and the same requests in OpenTelemetry's
//! instruments.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{Value, json};

#[pico::api]
mod api {
    use pico::HttpError;

    #[expose]
    fn hello() -> &'static str {
        "hello"
    }

    #[expose]
    fn echo(text: String) -> String {
        text
    }

    #[expose]
    fn teapot() -> Result<(), HttpError> {
        Err(HttpError::new(http::StatusCode::IM_A_TEAPOT))
    }

    #[expose]
    fn broken() -> String {
        panic!("broken on purpose")
    }

    #[expose]
    #[route(GET, "/items/{id}")]
    fn item(id: u32) -> u32 {
        id
    }

    /// Three events, the last only once the test lets it go.
    #[expose]
    #[stream]
    fn ticks(#[state] gate: super::Gate) -> impl futures_util::Stream<Item = u32> {
        futures_util::stream::unfold(0u32, move |n| {
            let gate = gate.0.clone();
            async move {
                match n {
                    0 | 1 => Some((n, n + 1)),
                    2 => {
                        gate.notified().await;
                        Some((n, n + 1))
                    }
                    _ => None,
                }
            }
        })
    }
}

/// What lets the stream's last event go.
#[derive(Clone, Default)]
struct Gate(Arc<tokio::sync::Notify>);

fn app() -> pico::App {
    let version = axum::Router::new()
        .route("/version", axum::routing::get(|| async { "1.0" }))
        .route(
            "/things/{id}",
            axum::routing::get(|axum::extract::Path(id): axum::extract::Path<String>| async move { id }),
        );
    pico::App::new()
        .register(api::module())
        .state(Gate::default())
        .routes(version)
        .metrics(pico::Metrics::new())
}

/// A sample of the text: its name, labels and value.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of `text` as the Python `prometheus_client` parser reads
/// them: a second reader of the format, not ours.
async fn parsed_by_python(text: &str) -> Option<Vec<Sample>> {
    let Ok(tools) = std::env::var("PICO_OPENAPI_TOOLS") else {
        common::missing("prometheus_client (PICO_OPENAPI_TOOLS)");
        return None;
    };
    let file = std::env::temp_dir().join(format!("pico-metrics-{}.txt", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let python = std::path::Path::new(&tools).join("python");
    let script = "import json, sys\n\
        from prometheus_client.parser import text_string_to_metric_families\n\
        out = [[s.name, s.labels, s.value] for f in text_string_to_metric_families(open(sys.argv[1]).read()) for s in f.samples]\n\
        print(json.dumps(out))";
    let out = common::run_to_success(
        python.to_str().unwrap(),
        &["-c".as_ref(), script.as_ref(), file.as_os_str()],
    )
    .await;
    let _ = std::fs::remove_file(&file);
    let rows: Vec<(String, BTreeMap<String, String>, f64)> = serde_json::from_str(&out).unwrap();
    Some(
        rows.into_iter()
            .map(|(name, labels, value)| Sample { name, labels, value })
            .collect(),
    )
}

/// The value of the sample named `name` whose labels include `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert!(found.len() <= 1, "{name} {labels:?} matches {found:?}");
    found.first().map(|s| s.value)
}

#[tokio::test]
async fn requests_are_counted_by_method_route_status_and_error() {
    let s = common::serve(app()).await;
    for _ in 0..3 {
        assert_eq!(s.get("/api/hello").await.status, 200);
    }
    let echoed = s.post_json("/api/echo", &json!({"text": "abcdef"})).await;
    assert_eq!(echoed.status, 200);
    s.get("/api/teapot").await.error(418, "I'm a teapot");
    s.get("/api/broken").await.error(500, "Internal Server Error");
    assert_eq!(s.get("/items/7").await.json(), 7);
    assert_eq!(s.get("/items/8").await.json(), 8);
    assert_eq!(s.get("/version").await.text, "1.0");
    assert_eq!(s.get("/things/x").await.text, "x");
    s.get("/no/such/path").await.error(404, "Not Found");

    let scrape = s.get("/metrics").await;
    assert_eq!(scrape.status, 200);
    assert_eq!(scrape.content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(scrape.headers["cache-control"], "no-store");
    let Some(samples) = parsed_by_python(&scrape.text).await else {
        return;
    };
    let count = |route: &str, status: &str| {
        value(
            &samples,
            "http_server_request_duration_seconds_count",
            &[("http_route", route), ("http_response_status_code", status)],
        )
    };
    assert_eq!(count("/api/hello", "200"), Some(3.0));
    assert_eq!(count("/api/teapot", "418"), Some(1.0));
    // A route's template and an axum route's path, never the path sent.
    assert_eq!(count("/items/{id}", "200"), Some(2.0));
    assert_eq!(count("/version", "200"), Some(1.0));
    assert_eq!(count("/things/{id}", "200"), Some(1.0));
    // Nothing matched: no route, as the conventions say.
    assert_eq!(count("", "404"), Some(1.0));
    // A 5xx names its failure; a 4xx is the client's, and names none.
    let broken = samples
        .iter()
        .find(|s| {
            s.name == "http_server_request_duration_seconds_count" && s.labels["http_route"] == "/api/broken"
        })
        .unwrap();
    assert_eq!(broken.labels["error_type"], "panic");
    assert_eq!(broken.labels["http_request_method"], "GET");
    let teapot = samples
        .iter()
        .find(|s| {
            s.name == "http_server_request_duration_seconds_count" && s.labels["http_route"] == "/api/teapot"
        })
        .unwrap();
    assert!(!teapot.labels.contains_key("error_type"), "{teapot:?}");
    // The sizes are the bodies' own: three answers of `"hello"`, and the
    // JSON body sent to `echo`.
    let hello = [("http_route", "/api/hello")];
    assert_eq!(
        value(&samples, "http_server_response_body_size_bytes_sum", &hello),
        Some(3.0 * "\"hello\"".len() as f64)
    );
    assert_eq!(
        value(&samples, "http_server_request_body_size_bytes_sum", &hello),
        Some(0.0)
    );
    let sent = serde_json::to_vec(&json!({"text": "abcdef"})).unwrap().len();
    assert_eq!(
        value(
            &samples,
            "http_server_request_body_size_bytes_sum",
            &[("http_route", "/api/echo")]
        ),
        Some(sent as f64)
    );
    // The histogram's buckets end with all of them.
    assert_eq!(
        value(
            &samples,
            "http_server_request_duration_seconds_bucket",
            &[("http_route", "/api/hello"), ("le", "+Inf")]
        ),
        Some(3.0)
    );
    // The scrape under way is the one GET request active.
    assert_eq!(
        value(
            &samples,
            "http_server_active_requests",
            &[("http_request_method", "GET")]
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn ten_thousand_random_paths_make_no_new_series() {
    let s = Arc::new(common::serve(app()).await);
    let paths: Vec<String> = (0..10_000u32)
        .map(|i| {
            // A cheap spread of values no one would guess: every request a
            // path of its own.
            let n = i.wrapping_mul(2_654_435_761);
            match i % 4 {
                0 => format!("/{n:x}/{i}"),
                1 => format!("/items/{n}"),
                2 => format!("/api/{n:x}"),
                _ => format!("/things/{n:x}"),
            }
        })
        .collect();
    let statuses: Vec<u16> = futures_util::stream::iter(paths)
        .map(|path| {
            let s = s.clone();
            async move { s.client.get(s.url(&path)).send().await.unwrap().status().as_u16() }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert_eq!(statuses.len(), 10_000);
    let text = s.get("/metrics").await.text;
    let routes: BTreeSet<&str> = text
        .lines()
        .filter(|line| line.starts_with("http_server_request_duration_seconds_count"))
        .filter_map(|line| line.split("http_route=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        routes,
        BTreeSet::from(["", "/items/{id}", "/things/{id}"]),
        "{text}"
    );
    // Every line of the text, buckets included, is a few hundred at most.
    assert!(text.lines().count() < 400, "{}", text.lines().count());
}

#[tokio::test]
async fn the_scrape_is_refused_to_every_other_site() {
    let app = app().allow_origins(["https://app.example"]);
    let s = common::serve(app).await;
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")],
        // An origin the app lets call its functions, all the same.
        &[
            ("origin", "https://app.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        &[("origin", "https://app.example")],
    ] {
        let request = headers
            .iter()
            .fold(s.client.get(s.url("/metrics")), |r, (k, v)| r.header(*k, *v));
        let a = s.send(request).await;
        let message = a.error(403, "Forbidden");
        assert!(message.contains("ross-site"), "{message}");
    }
    // The browser's own address bar, and any client that says nothing.
    let own = s
        .send(s.client.get(s.url("/metrics")).header("sec-fetch-site", "none"))
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(s.get("/metrics").await.status, 200);
}

#[tokio::test]
async fn a_stream_is_active_until_it_ends_and_counted_with_its_bytes() {
    let gate = Gate::default();
    let app = pico::App::new()
        .register(api::module())
        .state(gate.clone())
        .metrics(pico::Metrics::new());
    let s = common::serve(app).await;
    let active = |text: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with("http_server_active_requests{http_request_method=\"GET\"}"))
            .unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let mut stream = s
        .client
        .get(s.url("/api/ticks"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    let mut received = Vec::new();
    // The first two events, then the stream waits on the gate.
    while received.windows(2).filter(|w| w == b"\n\n").count() < 2 {
        received.extend_from_slice(&stream.next().await.unwrap().unwrap());
    }
    let during = s.get("/metrics").await.text;
    assert_eq!(active(&during), 2.0, "the stream and the scrape");
    assert!(!during.contains("http_route=\"/api/ticks\""), "{during}");
    gate.0.notify_one();
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.unwrap());
    }
    let after = s.get("/metrics").await.text;
    assert_eq!(active(&after), 1.0, "the scrape alone");
    let sum = after
        .lines()
        .find(|l| l.starts_with("http_server_response_body_size_bytes_sum{") && l.contains("/api/ticks"))
        .unwrap();
    assert_eq!(
        sum.rsplit(' ').next().unwrap().parse::<f64>().unwrap(),
        received.len() as f64,
        "every byte the stream sent"
    );

    // A client that leaves mid-stream is no longer under way.
    let left = s.client.get(s.url("/api/ticks")).send().await.unwrap();
    let mut left = left.bytes_stream();
    left.next().await.unwrap().unwrap();
    assert_eq!(active(&s.get("/metrics").await.text), 2.0);
    drop(left);
    common::eventually(|| {
        let s = &s;
        async move { active(&s.get("/metrics").await.text) == 1.0 }
    })
    .await;
}

#[tokio::test]
async fn the_path_is_the_apps_choice_and_a_clash_is_named() {
    let s = common::serve(
        pico::App::new()
            .register(api::module())
            .state(Gate::default())
            .metrics(pico::Metrics::new().path("/internal/metrics")),
    )
    .await;
    assert!(
        s.get("/internal/metrics")
            .await
            .text
            .contains("http_server_active_requests")
    );
    s.get("/metrics").await.error(404, "Not Found");

    #[pico::api]
    mod metrics {
        #[expose]
        fn count() -> u32 {
            1
        }
    }
    let clash = pico::App::new()
        .register(metrics::module())
        .metrics(pico::Metrics::new())
        .check()
        .unwrap_err()
        .to_string();
    assert!(clash.contains("the metrics' path `/metrics`"), "{clash}");
    assert!(clash.contains(".path("), "{clash}");
}

/// The scrape on a listener of its own, as the guide shows, with a counter
/// of the app's own beside Pico's.
#[tokio::test]
async fn unserved_metrics_are_scraped_on_a_listener_of_their_own() {
    use pico::prometheus_client::metrics::counter::Counter;

    let metrics = pico::Metrics::new().unserved();
    let greetings: Counter = Counter::default();
    metrics.register("greetings", "Greetings said", greetings.clone());
    let s = common::serve(
        pico::App::new()
            .register(api::module())
            .state(Gate::default())
            .metrics(metrics.clone()),
    )
    .await;
    s.get("/metrics").await.error(404, "Not Found");
    greetings.inc();
    s.get("/api/hello").await;

    let internal = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move { metrics.scrape() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, internal).await.unwrap() });
    let text = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("greetings_total 1\n"), "{text}");
    assert!(
        text.contains("http_server_request_duration_seconds_count{http_request_method=\"GET\",http_route=\"/api/hello\",http_response_status_code=\"200\"} 1\n"),
        "{text}"
    );
}

#[tokio::test]
async fn opentelemetry_instruments_record_the_same_requests() {
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};

    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let meter = provider.meter("pico-tests");
    let s = common::serve(
        pico::App::new()
            .register(api::module())
            .state(Gate::default())
            .metrics(pico::Metrics::new().otel(&meter)),
    )
    .await;
    s.get("/api/hello").await;
    s.get("/api/hello").await;
    s.get("/api/broken").await.error(500, "Internal Server Error");
    provider.force_flush().unwrap();
    let exported = exporter.get_finished_metrics().unwrap();
    let metrics: Vec<_> = exported
        .iter()
        .flat_map(|r| r.scope_metrics())
        .flat_map(|s| s.metrics())
        .collect();
    let names: BTreeSet<&str> = metrics.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "http.server.request.duration",
            "http.server.active_requests",
            "http.server.request.body.size",
            "http.server.response.body.size",
        ])
    );
    let duration = metrics
        .iter()
        .rev()
        .find(|m| m.name() == "http.server.request.duration")
        .unwrap();
    assert_eq!(duration.unit(), "s");
    let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = duration.data() else {
        panic!("not a histogram: {:?}", duration.data());
    };
    let mut seen: Vec<(Value, u64)> = histogram
        .data_points()
        .map(|point| {
            let attributes: BTreeMap<String, String> = point
                .attributes()
                .map(|kv| (kv.key.to_string(), kv.value.to_string()))
                .collect();
            (serde_json::to_value(attributes).unwrap(), point.count())
        })
        .collect();
    seen.sort_by_key(|(_, count)| *count);
    assert_eq!(
        seen,
        [
            (
                json!({"error.type": "panic", "http.request.method": "GET", "http.response.status_code": "500", "http.route": "/api/broken"}),
                1
            ),
            (
                json!({"http.request.method": "GET", "http.response.status_code": "200", "http.route": "/api/hello"}),
                2
            ),
        ]
    );
}

/// A real Prometheus, Debian's, scrapes the app every second; its query
/// API then answers the count and a quantile of a route the test called.
#[tokio::test]
async fn a_real_prometheus_scrapes_the_app_and_answers_queries() {
    let binary = std::path::Path::new("/usr/bin/prometheus");
    if !binary.exists() {
        common::missing("Prometheus (/usr/bin/prometheus)");
        return;
    }
    let s = common::serve(app()).await;
    for _ in 0..20 {
        assert_eq!(s.get("/api/hello").await.status, 200);
    }
    let dir = std::env::temp_dir().join(format!("pico-prometheus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let target = s.base.trim_start_matches("http://");
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pico\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut prometheus = tokio::process::Command::new(binary)
        .arg(format!("--config.file={}", dir.join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let query = |q: &'static str| {
        let url = format!("http://127.0.0.1:{port}/api/v1/query");
        async move {
            let answer = reqwest::Client::new()
                .get(url)
                .query(&[("query", q)])
                .send()
                .await
                .ok()?;
            let body: Value = answer.json().await.ok()?;
            let value = body["data"]["result"][0]["value"][1].as_str()?.to_owned();
            value.parse::<f64>().ok()
        }
    };
    let count = common::eventually_some(|| {
        query(r#"http_server_request_duration_seconds_count{http_route="/api/hello",http_response_status_code="200"}"#)
    })
    .await;
    assert_eq!(count, 20.0);
    let p90 = common::eventually_some(|| {
        query(r#"histogram_quantile(0.9, sum by (le) (http_server_request_duration_seconds_bucket{http_route="/api/hello"}))"#)
    })
    .await;
    assert!(p90 > 0.0 && p90 <= 10.0, "{p90}");
    prometheus.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
