//! `App::routes`: an axum router of the app's own, served beside the API
//! with its request ids, limits and cross-site rule, its refusals and
//! panics in the standard body, and drained by `pico::Server` like any
//! call.

mod common;

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::Notify;

#[pico::api]
mod api {
    #[expose]
    fn hello(who: String) -> String {
        format!("hello {who}")
    }
}

fn router(release: Arc<Notify>, started: Arc<Notify>) -> axum::Router {
    axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/echo",
            post(|Json(value): Json<Value>| async move { Json(value) }),
        )
        .route(
            "/boom",
            get(|| async {
                if true {
                    panic!("the handler broke");
                }
                "never"
            }),
        )
        .route(
            "/teapot",
            get(|| async { (StatusCode::IM_A_TEAPOT, Json(json!({"own": true}))) }),
        )
        .route(
            "/sniffing",
            get(|| async { ([("x-content-type-options", "nosniff")], "its own") }),
        )
        .route(
            "/nope",
            get(|| async { (StatusCode::BAD_REQUEST, "nope, not that") }),
        )
        .route(
            "/slow",
            get(move || async move {
                started.notify_one();
                release.notified().await;
                "done"
            }),
        )
}

fn app() -> pico::App {
    pico::App::new()
        .register(api::module())
        .routes(router(Arc::new(Notify::new()), Arc::new(Notify::new())))
}

#[tokio::test]
async fn the_routes_answer_with_a_request_id_beside_the_api() {
    let s = common::serve(app()).await;
    let ok = s.get("/healthz").await;
    assert_eq!((ok.status, ok.text.as_str()), (200, "ok"));
    assert!(!ok.request_id().is_empty());
    assert_eq!(ok.headers["x-content-type-options"], "nosniff");
    assert_eq!(s.get("/api/hello?who=you").await.json(), "hello you");
    let echoed = s.post_json("/echo", &json!({"a": [1, 2]})).await;
    assert_eq!(echoed.json(), json!({"a": [1, 2]}));
}

#[tokio::test]
async fn a_route_that_sets_nosniff_itself_answers_it_once() {
    let s = common::serve(app()).await;
    let own = s.get("/sniffing").await;
    assert_eq!((own.status, own.text.as_str()), (200, "its own"));
    let sent: Vec<_> = own.headers.get_all("x-content-type-options").iter().collect();
    assert_eq!(sent, ["nosniff"]);
}

#[tokio::test]
async fn what_nothing_matches_is_a_json_404_or_405() {
    let s = common::serve(app()).await;
    s.get("/nowhere").await.error(404, "Not Found");
    let wrong = s.send(s.client.delete(s.url("/healthz"))).await;
    wrong.error(405, "Method Not Allowed");
    assert_eq!(wrong.headers["allow"], "GET,HEAD");
}

#[tokio::test]
async fn rejections_and_plain_refusals_become_the_standard_body() {
    let s = common::serve(app().body_limit(64)).await;
    let broken = s.post_raw("/echo", "application/json", "{not json").await;
    let message = broken.error(400, "Bad Request");
    assert!(message.contains("JSON"), "{message}");
    let untyped = s.post_raw("/echo", "text/plain", "{}").await;
    untyped.error(415, "Unsupported Media Type");
    let large = s.post_json("/echo", &json!({"text": "x".repeat(100)})).await;
    let message = large.error(413, "Payload Too Large");
    assert!(message.contains("64"), "{message}");
    assert_eq!(s.get("/nope").await.error(400, "Bad Request"), "nope, not that");
    // An answer in JSON of the routes' own is theirs.
    let own = s.get("/teapot").await;
    assert_eq!((own.status, own.json()), (418, json!({"own": true})));
}

#[tokio::test]
async fn a_panic_is_a_500_and_the_server_goes_on() {
    let s = common::serve(app()).await;
    s.get("/boom").await.error(500, "Internal Server Error");
    assert_eq!(s.get("/healthz").await.text, "ok");
}

#[tokio::test]
async fn the_cross_site_rule_refuses_what_would_change_state() {
    let s = common::serve(app()).await;
    let forged = s
        .client
        .post(s.url("/echo"))
        .header("origin", "https://evil.test")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({}));
    s.send(forged).await.error(403, "Forbidden");
    // A page of theirs is a link another site may show.
    let followed = s
        .client
        .get(s.url("/healthz"))
        .header("sec-fetch-site", "cross-site");
    assert_eq!(s.send(followed).await.text, "ok");
}

#[tokio::test]
async fn static_files_come_after_the_routes() {
    let app = app().static_files(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/everything/static"));
    let s = common::serve(app).await;
    assert!(s.get("/style.css").await.text.contains('{'));
    assert_eq!(s.get("/healthz").await.text, "ok");
    s.get("/missing.css").await.error(404, "Not Found");
}

#[tokio::test]
async fn pico_server_serves_them_and_drains_a_call_in_flight() {
    let (release, started) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let app = pico::App::new()
        .register(api::module())
        .routes(router(release.clone(), started.clone()));
    let (base, stop, server) = common::serve_until_stopped(pico::Server::new(), app).await;
    let client = reqwest::Client::new();
    let in_flight = tokio::spawn({
        let url = format!("{base}/slow");
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    });
    started.notified().await;
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert!(health.headers().contains_key("x-request-id"));
    stop.notify_one();
    // Draining: no new connection is taken, while the call in flight is
    // still waiting for its release.
    let address = base.trim_start_matches("http://").to_owned();
    let closed = async {
        while tokio::net::TcpStream::connect(&address).await.is_ok() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), closed)
        .await
        .expect("the listener closes once the stop is asked");
    assert!(!in_flight.is_finished());
    release.notify_one();
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "done");
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_in_process_client_reaches_them_too() {
    let client = pico::client::Client::in_process(app());
    let answer = client.get("healthz").send().await.unwrap();
    assert_eq!(answer.text(), "ok");
    let missing = client.get("nowhere").send().await.unwrap();
    assert_eq!(missing.error().map(|e| e.status().as_u16()), Some(404));
}
