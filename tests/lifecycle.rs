//! What runs when an app starts and stops: start hooks and state made at
//! start before the server binds (a failure a clean refusal to start),
//! stop hooks after the drain, within their deadline.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
/// A pool as a database crate gives one: made by awaiting a connection.
pub struct Pool {
    name: String,
}

#[pico::api]
mod api {
    use super::Pool;
    use std::sync::Arc;
    use tokio::sync::Notify;

    #[expose]
    fn pool(#[state] pool: &Pool) -> String {
        pool.name.clone()
    }

    /// Waits for the test to let it answer.
    #[expose]
    async fn slow(#[state] gate: Gate) -> String {
        gate.started.notify_one();
        gate.release.notified().await;
        gate.events.lock().unwrap().push("answered");
        "done".to_owned()
    }

    /// What the test and `slow` share.
    #[derive(Clone, Default)]
    pub(crate) struct Gate {
        pub(crate) started: Arc<Notify>,
        pub(crate) release: Arc<Notify>,
        /// What happened, in order.
        pub(crate) events: Arc<std::sync::Mutex<Vec<&'static str>>>,
    }
}

fn app() -> pico::App {
    pico::App::new()
        .register(api::module())
        .state(api::Gate::default())
}

#[tokio::test]
async fn state_made_at_start_is_there_for_the_first_request() {
    let app = app().state_on_start(|| async {
        tokio::task::yield_now().await;
        Ok::<_, std::io::Error>(Pool {
            name: "made at start".to_owned(),
        })
    });
    // Checked against the state it promises.
    app.check().unwrap();
    let s = common::serve(app.start().await.unwrap()).await;
    assert_eq!(s.get("/api/pool").await.json(), "made at start");
}

#[test]
fn an_app_whose_start_hooks_have_not_run_is_refused_with_what_to_do() {
    let app = app().on_start(|| async { Ok::<_, std::io::Error>(()) });
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.into_router()));
    let panic = built.expect_err("the app is refused");
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .unwrap_or_else(|| panic.downcast_ref::<String>().cloned().unwrap());
    assert!(message.contains("await `app.start()`"), "{message}");
}

#[tokio::test]
async fn a_failing_start_hook_stops_the_server_before_it_binds() {
    // The address is taken: a server that bound first would say so.
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let ran = Arc::new(Mutex::new(Vec::new()));
    let (first, second) = (ran.clone(), ran.clone());
    let failing = app()
        .state(Pool {
            name: "given".to_owned(),
        })
        .on_start(move || async move {
            first.lock().unwrap().push("first");
            Ok::<_, std::io::Error>(())
        })
        .on_start(|| async { Err("the migration is not applied") })
        .on_start(move || async move {
            second.lock().unwrap().push("third");
            Ok::<_, std::io::Error>(())
        });
    let error = pico::Server::new()
        .bind(address)
        .run_async(failing)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("start hook 2 failed: the migration is not applied"),
        "{message}"
    );
    assert_eq!(*ran.lock().unwrap(), ["first"]);

    let panicking = app().state_on_start(|| async {
        if true {
            panic!("no database here");
        }
        Ok::<_, std::io::Error>(Pool { name: String::new() })
    });
    let error = panicking.start().await.unwrap_err().to_string();
    assert!(
        error.contains("`lifecycle::Pool`") && error.contains("no database here"),
        "{error}"
    );
}

#[tokio::test]
async fn stop_hooks_run_after_the_drain_and_within_their_deadline() {
    let gate = api::Gate::default();
    let (first, second) = (gate.events.clone(), gate.events.clone());
    let app = pico::App::new()
        .register(api::module())
        .state(Pool {
            name: "given".to_owned(),
        })
        .state(gate.clone())
        .on_stop(move || async move { first.lock().unwrap().push("stop hook") })
        .on_stop(|| async { panic!("a stop hook broke") })
        // Never ends: abandoned at the deadline.
        .on_stop(std::future::pending)
        .on_stop(move || async move { second.lock().unwrap().push("never") });
    let server = pico::Server::new().stop_timeout(Duration::from_millis(300));
    let (base, stop, server) = common::serve_until_stopped(server, app).await;
    let call = tokio::spawn(async move {
        reqwest::get(format!("{base}/api/slow"))
            .await
            .unwrap()
            .text()
            .await
    });
    gate.started.notified().await;
    stop.notify_one();
    gate.release.notify_one();
    assert_eq!(call.await.unwrap().unwrap(), r#""done""#);
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server ends once the deadline passes")
        .unwrap()
        .unwrap();
    // The call was answered in the drain, then the hooks ran: the one
    // after the panic, and not the one after the hook that never ends.
    assert_eq!(*gate.events.lock().unwrap(), ["answered", "stop hook"]);
}
