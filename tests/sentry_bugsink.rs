//! The Sentry mixin against a real Sentry-compatible server, Bugsink, which
//! `scripts/bugsink start` runs on loopback (the test command starts it).
//! The everything example's app serves a panic and a returned error; each
//! `sentry_id` must be an event stored in Bugsink, with its request.

mod common;

// Its `main` is not called here, and its `pub` items are the example's own.
#[allow(dead_code, unreachable_pub)]
#[path = "../examples/everything/main.rs"]
mod everything;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Answer, serve};
use pico::SentryMixin;
use serde_json::Value;

/// Where the server is, from `target/bugsink/env`.
struct Bugsink {
    url: String,
    dsn: String,
    token: String,
    project: String,
}

fn bugsink() -> Option<Bugsink> {
    let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (
        var("BUGSINK_URL"),
        var("BUGSINK_DSN"),
        var("BUGSINK_TOKEN"),
        var("BUGSINK_PROJECT"),
    ) {
        (Some(url), Some(dsn), Some(token), Some(project)) => Some(Bugsink {
            url,
            dsn,
            token,
            project,
        }),
        _ => {
            common::missing("a Bugsink server (scripts/bugsink start; source target/bugsink/env)");
            None
        }
    }
}

impl Bugsink {
    fn client(&self) -> Arc<sentry::Client> {
        let options = sentry::apply_defaults(sentry::ClientOptions::new().dsn(&self.dsn));
        Arc::new(sentry::Client::from(options))
    }

    /// The stored event `id`, waiting for Bugsink to digest it.
    async fn event(&self, id: &str) -> Value {
        let http = reqwest::Client::new();
        let url = format!(
            "{}/api/canonical/0/events/lookup/?project={}&event_id={id}",
            self.url, self.project
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = http.get(&url).bearer_auth(&self.token).send().await.unwrap();
            if response.status() == 200 {
                return response.json().await.unwrap();
            }
            assert!(
                Instant::now() < deadline,
                "event {id} never reached Bugsink ({})",
                response.status()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// A function refused with 403, beside the everything example's.
#[pico::api]
mod guarded {
    #[expose]
    fn forbidden() -> Result<(), pico::HttpError> {
        Err(pico::HttpError::forbidden())
    }
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A tag of a stored event: Sentry's protocol allows an object or a list
/// of pairs.
fn tag<'a>(data: &'a Value, name: &str) -> Option<&'a str> {
    match &data["tags"] {
        Value::Object(tags) => tags.get(name).and_then(Value::as_str),
        Value::Array(pairs) => pairs
            .iter()
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair[1].as_str()),
        _ => None,
    }
}

fn sentry_id(answer: &Answer) -> String {
    let body = answer.json();
    body["sentry_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no sentry_id in {body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn panics_and_returned_errors_are_stored_in_bugsink_without_personal_data() {
    let Some(bugsink) = bugsink() else { return };
    let client = bugsink.client();
    let app = pico::App::new()
        .mixin(SentryMixin::with_client(Some(Arc::clone(&client))))
        .register(everything::api::module())
        .register(guarded::module());
    let s = serve(app).await;

    let request = s
        .client
        .post(s.url("/api/fail?_trace=abc"))
        .basic_auth("arthur", Some("secret"))
        .header("x-request-id", "bugsink-panic-1")
        .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
        .json(&serde_json::json!({"_password": "hunter2"}));
    let panic = s.send(request).await;
    panic.error(500, "Internal Server Error");
    let broken = s.get("/api/broken").await;
    broken.error(500, "Internal Server Error");
    // HTTP errors are not reported.
    let forbidden = s.get("/guarded/forbidden").await;
    forbidden.error(403, "Forbidden");
    assert!(forbidden.json().get("sentry_id").is_none());
    let teapot = s.get("/api/make_coffee").await;
    teapot.error(418, "I'm a teapot");
    assert!(teapot.json().get("sentry_id").is_none());
    let refused = s
        .send(
            s.client
                .get(s.url("/api/hello"))
                .basic_auth("arthur", Some("wrong")),
        )
        .await;
    refused.error(401, "Unauthorized");
    assert!(refused.json().get("sentry_id").is_none());
    client.flush(Some(Duration::from_secs(10)));

    let event = bugsink.event(&sentry_id(&panic)).await;
    let data = &event["data"];
    // The stored event is the body's, and the request's id, route and
    // caller's trace are on it.
    assert_eq!(
        data["event_id"].as_str().map(|id| id.replace('-', "")),
        Some(sentry_id(&panic))
    );
    assert_eq!(panic.request_id(), "bugsink-panic-1");
    assert_eq!(data["transaction"], "POST /api/fail");
    assert_eq!(tag(data, "request_id"), Some("bugsink-panic-1"), "{data}");
    assert_eq!(data["contexts"]["trace"]["trace_id"], TRACE_ID, "{data}");
    assert_eq!(data["request"]["method"], "POST");
    assert_eq!(data["request"]["query_string"], "_trace=[Filtered]");
    assert!(
        data["request"]["url"].as_str().unwrap().ends_with("/api/fail"),
        "{data}"
    );
    // The password in the body and the query's values stay home.
    let stored = event.to_string();
    // (The value is looked for as a value: a made id is hex, and may hold
    // "abc".)
    let leaked = ["hunter2", "=abc", "\"abc\""].iter().any(|v| stored.contains(v));
    assert!(!leaked, "{stored}");
    let headers = data["request"]["headers"].as_object().unwrap();
    assert!(
        headers.keys().all(|h| !h.eq_ignore_ascii_case("authorization")),
        "{headers:?}"
    );
    assert!(data.get("user").is_none_or(Value::is_null), "{data}");
    let exception = &data["exception"]["values"][0];
    assert_eq!(
        (&exception["type"], &exception["value"]),
        (&Value::from("panic"), &Value::from("fail!"))
    );

    let event = bugsink.event(&sentry_id(&broken)).await;
    let data = &event["data"];
    assert_eq!(data["transaction"], "GET /api/broken");
    assert_eq!(tag(data, "request_id"), Some(broken.request_id()), "{data}");
    assert_eq!(data["request"]["method"], "GET");
    let exception = &data["exception"]["values"][0];
    assert!(
        exception["value"].as_str().unwrap().contains("No such file"),
        "{exception}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn personal_data_reaches_bugsink_only_when_enabled() {
    let Some(bugsink) = bugsink() else { return };
    let client = bugsink.client();
    let mixin = SentryMixin::with_client(Some(Arc::clone(&client))).send_default_pii(true);
    let s = serve(pico::App::new().mixin(mixin).register(everything::api::module())).await;
    let request = s
        .client
        .get(s.url("/api/fail"))
        .basic_auth("arthur", Some("secret"));
    let answer = s.send(request).await;
    client.flush(Some(Duration::from_secs(10)));
    let event = bugsink.event(&sentry_id(&answer)).await;
    let data = &event["data"];
    let headers = data["request"]["headers"].as_object().unwrap();
    let authorization = headers
        .iter()
        .find(|(h, _)| h.eq_ignore_ascii_case("authorization"));
    assert!(
        authorization.is_some_and(|(_, v)| v.as_str().unwrap().starts_with("Basic ")),
        "{headers:?}"
    );
    assert_eq!(data["user"]["username"], "arthur");
}

/// The `sentry` example as its users run it: a process whose
/// `#[pico::sentry_mixin(ignore_status = 400..500, send_pii = false)]`
/// finds its DSN in `SENTRY_DSN`, stopped with Ctrl-C (SIGINT).
#[tokio::test(flavor = "multi_thread")]
async fn the_sentry_example_reports_with_the_dsn_from_its_environment() {
    let Some(bugsink) = bugsink() else { return };
    // Cargo builds the examples beside the tests: target/debug/examples.
    let deps = std::env::current_exe().unwrap();
    let example = deps.parent().unwrap().parent().unwrap().join("examples/sentry");
    let mut child = tokio::process::Command::new(&example)
        .env("SENTRY_DSN", &bugsink.dsn)
        .env("PICO_PORT", "0")
        .env_remove("PICO_DEBUG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()));
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut line)
        .await
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("Running on ")
        .unwrap_or_else(|| panic!("first line {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    let get = |path: &str| {
        let url = format!("{base}{path}");
        async move { Answer::read(reqwest::get(url).await.unwrap()).await }
    };

    let panic = get("/api/fail").await;
    panic.error(500, "Internal Server Error");
    let maintenance = get("/ops/maintenance").await;
    maintenance.error(503, "Service Unavailable");
    // 4xx: the client's, ignored.
    let teapot = get("/api/make_coffee").await;
    teapot.error(418, "I'm a teapot");
    assert!(teapot.json().get("sentry_id").is_none());

    let event = bugsink.event(&sentry_id(&panic)).await;
    assert_eq!(event["data"]["transaction"], "GET /api/fail");
    let event = bugsink.event(&sentry_id(&maintenance)).await;
    let data = &event["data"];
    assert_eq!(data["transaction"], "GET /ops/maintenance");
    assert_eq!(tag(data, "request_id"), Some(maintenance.request_id()), "{data}");

    // Ctrl-C: the development server stops cleanly.
    let pid = child.id().unwrap().to_string();
    let status = tokio::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the example did not stop on SIGINT")
        .unwrap();
    assert!(exit.success(), "{exit}");
}
