//! The examples whose point is their `main`, run as their users run them:
//! `log_shipper`, a mixin of its own composed by attribute; `resources`, a
//! resource API with a route of axum's own beside it; `links`, on a SQLite
//! file of its own when nothing says otherwise. (The `sentry`
//! example needs a Sentry server: `tests/sentry_bugsink.rs` runs it.)

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};

#[path = "support/example.rs"]
mod support;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Runs an example on a free port, its log as JSON lines on stderr: the
/// process (ended when dropped) and its base URL.
async fn start(name: &str) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(support::binary(name))
        .env("PICO_PORT", "0")
        .env("PICO_LOG", "json")
        .env_remove("PICO_DEBUG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = stdout.next_line().await.unwrap().unwrap();
    let base = first
        .strip_prefix("Running on ")
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .trim_end_matches('/')
        .to_owned();
    (child, base)
}

#[tokio::test]
async fn the_log_shipper_ships_each_failure_and_tells_the_client_its_id() {
    let (mut child, base) = start("log_shipper").await;
    let get = |path: &str| {
        let url = format!("{base}{path}");
        async move {
            let response = reqwest::get(url).await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (status, body) = get("/api/fail").await;
    assert_eq!(status, 500);
    assert_eq!(body["log_id"], json!(0), "{body}");
    let (status, body) = get("/api/broken").await;
    assert_eq!(status, 500);
    assert_eq!(body["log_id"], json!(1), "{body}");
    // HTTP errors are failures too, shipped the same way.
    let (status, body) = get("/api/make_coffee").await;
    assert_eq!(status, 418);
    assert_eq!(body["log_id"], json!(2), "{body}");

    // Each failure is one JSON line on stderr, beside the request lines.
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut shipped = Vec::new();
    let reading = async {
        while shipped.len() < 3 {
            let line = stderr.next_line().await.unwrap().expect("stderr ended");
            if let Ok(line) = serde_json::from_str::<Value>(&line)
                && line.get("log_id").is_some()
            {
                shipped.push(line);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), reading)
        .await
        .expect("three shipped lines");
    assert_eq!(
        shipped
            .iter()
            .map(|l| (l["log_id"].clone(), l["function"].clone(), l["status"].clone()))
            .collect::<Vec<_>>(),
        [
            (json!(0), json!("api.fail"), json!(500)),
            (json!(1), json!("api.broken"), json!(500)),
            (json!(2), json!("api.make_coffee"), json!(418)),
        ]
    );
    assert_eq!(shipped[0]["error"], "panic");
    assert!(shipped[0]["seconds"].as_f64().is_some_and(|s| s >= 0.0));
}

#[tokio::test]
async fn the_resources_example_serves_its_resources_and_its_own_route() {
    let (_child, base) = start("resources").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let made = client
        .post(format!("{base}/links"))
        .json(&json!({"slug": "docs", "target": "https://example.com/docs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    assert_eq!(
        made.headers()["location"].to_str().unwrap(),
        format!("{base}/links/docs")
    );
    let went = client.get(format!("{base}/go/docs")).send().await.unwrap();
    assert_eq!(went.status(), 307);
    let version = client.get(format!("{base}/version")).send().await.unwrap();
    assert!(version.headers().contains_key("x-request-id"));
    assert_eq!(version.text().await.unwrap(), env!("CARGO_PKG_VERSION"));
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn the_links_example_serves_on_a_sqlite_file_of_its_own_by_default() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = support::start("links", &dir, port, &[]).await;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let made = client
        .post(format!("{base}/links"))
        .json(&json!({"slug": "fresh", "target": "https://example.com/", "tags": ["new"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let page: Value = client
        .get(format!("{base}/links?tag=new"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["links"][0]["slug"], "fresh");
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        dir.join("links.db").exists(),
        "the database is a file in the working directory"
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
