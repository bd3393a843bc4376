//! `#[blocking]` calls are capped per app (`App::max_blocking`): past the
//! cap a call is answered 503 with `Retry-After`, in the standard body,
//! rather than queued without end; and the cap's place comes back when a
//! call ends.

mod common;

use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

use common::serve;
use serde_json::json;

/// Where a blocking call says it started and waits to be let go.
struct Gate {
    started: Mutex<Option<mpsc::Sender<()>>>,
    open: Mutex<bool>,
    opened: Condvar,
}

static GATE: Gate = Gate {
    started: Mutex::new(None),
    open: Mutex::new(false),
    opened: Condvar::new(),
};

impl Gate {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

/// Opens the gate when the test ends, however it ends: a failed
/// assertion would otherwise leave a call waiting behind it, and the
/// runtime, which waits for its blocking calls, would never let the test
/// fail.
struct OpenAtEnd(&'static Gate);

impl Drop for OpenAtEnd {
    fn drop(&mut self) {
        self.0.open();
    }
}

#[pico::api]
mod work {
    use super::GATE as gate;

    #[expose]
    #[blocking]
    fn hold() -> &'static str {
        if let Some(started) = &*gate.started.lock().unwrap() {
            let _ = started.send(());
        }
        let open = gate.open.lock().unwrap();
        let _open = gate.opened.wait_while(open, |open| !*open).unwrap();
        "done"
    }
}

#[tokio::test]
async fn blocking_calls_past_the_cap_are_503_with_retry_after() {
    let (started, starts) = mpsc::channel();
    *GATE.started.lock().unwrap() = Some(started);
    let gate = OpenAtEnd(&GATE);
    let app = pico::App::new().register(work::module()).max_blocking(1);
    let s = serve(app).await;
    let first = tokio::spawn({
        let client = s.client.clone();
        let url = s.url("/work/hold");
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    });
    // The first call has its place and runs.
    let starts = tokio::task::spawn_blocking(move || {
        starts.recv().unwrap();
        starts
    })
    .await
    .unwrap();
    let refused = s.get("/work/hold").await;
    let message = refused.error(503, "Service Unavailable");
    assert!(message.contains("blocking"), "{message}");
    assert_eq!(refused.headers["retry-after"], "1");

    gate.0.open();
    assert_eq!(first.await.unwrap(), "\"done\"");
    // Its place is back.
    assert_eq!(s.get("/work/hold").await.json(), json!("done"));
    drop(starts);
}
