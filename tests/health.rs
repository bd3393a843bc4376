//! `/healthz` and `/readyz`: alive, ready as the app's checks say (a 503
//! naming each that failed or took too long), and not ready from the
//! moment `pico::Server` is asked to stop, while it still serves the rest.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[pico::api]
mod api {
    #[expose]
    fn hello() -> &'static str {
        "hello"
    }
}

#[tokio::test]
async fn probes_answer_only_when_asked_for() {
    let s = common::serve(pico::App::new().register(api::module())).await;
    s.get("/healthz").await.error(404, "Not Found");
    let s = common::serve(pico::App::new().register(api::module()).health()).await;
    let alive = s.get("/healthz").await;
    assert_eq!(
        (alive.status, alive.json()),
        (200, serde_json::json!({"status": "alive"}))
    );
    assert_eq!(
        s.get("/readyz").await.json(),
        serde_json::json!({"status": "ready"})
    );
}

#[tokio::test]
async fn readyz_names_each_check_that_failed_or_took_too_long() {
    let database_up = Arc::new(AtomicBool::new(true));
    let up = database_up.clone();
    let app = pico::App::new()
        .register(api::module())
        .readiness_check("database", move || {
            let up = up.load(Ordering::Relaxed);
            async move { if up { Ok(()) } else { Err("connection refused") } }
        })
        .readiness_check("queue", || async { Ok::<_, std::io::Error>(()) })
        .readiness_timeout(Duration::from_millis(200));
    let s = common::serve(app).await;
    assert_eq!(s.get("/readyz").await.status, 200);
    database_up.store(false, Ordering::Relaxed);
    let message = s.get("/readyz").await.error(503, "Service Unavailable");
    assert_eq!(
        message,
        "Not ready: the check `database` (connection refused) failed."
    );
    // Alive all the same: the process answers.
    assert_eq!(s.get("/healthz").await.status, 200);

    let stuck = pico::App::new()
        .register(api::module())
        .readiness_check("database", || async { Err("connection refused") })
        .readiness_check("cache", std::future::pending::<Result<(), std::io::Error>>)
        .readiness_timeout(Duration::from_millis(100));
    let s = common::serve(stuck).await;
    let message = s.get("/readyz").await.error(503, "Service Unavailable");
    assert_eq!(
        message,
        "Not ready: the check `database` (connection refused), the check `cache` (no answer within 0.1 s) failed."
    );
}

#[tokio::test]
async fn asked_to_stop_the_server_says_not_ready_first_and_serves_on() {
    let app = pico::App::new().register(api::module()).health();
    let server = pico::Server::new().readiness_grace(Duration::from_secs(2));
    let (base, stop, server) = common::serve_until_stopped(server, app).await;
    let client = reqwest::Client::new();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    stop.notify_one();
    let not_ready = async {
        loop {
            let answer = client.get(format!("{base}/readyz")).send().await.unwrap();
            if answer.status() == 503 {
                break answer.json::<serde_json::Value>().await.unwrap();
            }
            tokio::task::yield_now().await;
        }
    };
    let body = tokio::time::timeout(Duration::from_secs(10), not_ready)
        .await
        .unwrap();
    assert_eq!(body["message"], "Not ready: the server is stopping.");
    // Within the grace the rest is served as before, new connections too.
    let fresh = reqwest::Client::new();
    let hello = fresh.get(format!("{base}/api/hello")).send().await.unwrap();
    assert_eq!(hello.text().await.unwrap(), r#""hello""#);
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after the grace")
        .unwrap()
        .unwrap();
}
