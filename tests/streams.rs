//! Streams where they meet the server's life: a stop ends every open
//! stream with its `close` event and wakes the functions that wait for it,
//! and a silent stream sends comment lines that every client skips.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::Notify;

#[pico::api]
mod live {
    use futures_util::{Stream, StreamExt};

    /// One item, then silence for ever: a feed with nothing new.
    #[expose]
    #[stream]
    pub(crate) fn feed() -> impl Stream<Item = &'static str> {
        futures_util::stream::once(async { "first" }).chain(futures_util::stream::pending())
    }

    /// Waits for the server to stop, and says so.
    #[expose]
    pub(crate) async fn until_stop(
        #[state] shutdown: pico::Shutdown,
        #[state] arrived: super::Arrived,
    ) -> String {
        arrived.0.notify_one();
        shutdown.stopping().await;
        format!("stopped early: {}", shutdown.is_stopping())
    }

    /// The store's links, shared with the stream that sends them.
    #[expose]
    #[stream]
    pub(crate) fn links(#[state] store: std::sync::Arc<super::Store>) -> impl Stream<Item = String> {
        futures_util::stream::iter(0..store.0.len()).map(move |i| store.0[i].clone())
    }

    /// An item after 100 ms of silence.
    #[expose]
    #[stream]
    pub(crate) fn slow() -> impl Stream<Item = u32> {
        futures_util::stream::once(async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            1
        })
    }
}

/// A store that is not `Clone`: a stream takes it as `Arc<Store>`.
pub(crate) struct Store(Vec<String>);

/// Told when a call has reached its function.
#[derive(Clone, Default)]
pub(crate) struct Arrived(Arc<Notify>);

fn app() -> pico::App {
    pico::App::new()
        .register(live::module())
        .state(Arrived::default())
        .state(Store(vec!["a".to_owned(), "b".to_owned()]))
}

#[tokio::test]
async fn a_stop_ends_open_streams_with_close_and_wakes_the_functions_waiting_for_it() {
    let arrived = Arrived::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        pico::Server::new().serve_on(listener, app().state(arrived.clone()), async {
            let _ = stopped.await;
        }),
    );
    let client = reqwest::Client::new();
    let mut feed = client.get(format!("{base}/live/feed")).send().await.unwrap();
    assert_eq!(&feed.chunk().await.unwrap().unwrap()[..], b"data: \"first\"\n\n");
    let waiting = tokio::spawn(client.get(format!("{base}/live/until_stop")).send());
    arrived.0.notified().await;

    stop.send(()).unwrap();
    // The server waits for every request in flight: without the stop
    // reaching them, neither would ever end, nor would the server.
    let rest = feed.text().await.unwrap();
    assert_eq!(rest, "event: close\ndata: close\n\n");
    let answer = waiting.await.unwrap().unwrap();
    assert_eq!(answer.text().await.unwrap(), "\"stopped early: true\"");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops once its streams have ended")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_is_the_apps_to_trigger_under_a_server_of_its_own() {
    let app = app();
    let shutdown = app.shutdown();
    let client = pico::client::Client::in_process(app);
    let mut items = client.stream::<String>("live/feed", &json!({})).await.unwrap();
    assert_eq!(items.next().await.unwrap().unwrap(), "first");
    shutdown.trigger();
    assert!(
        items.next().await.is_none(),
        "the stream ended with its close event"
    );
}

#[tokio::test]
async fn a_stream_keeps_its_shared_state_past_the_call() {
    let client = pico::client::Client::in_process(app());
    let links: Vec<String> = client
        .stream::<String>("live/links", &json!({}))
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(links, ["a", "b"]);
}

#[tokio::test(start_paused = true)]
async fn a_silent_stream_sends_comment_lines_that_clients_skip() {
    let app = || app().stream_heartbeat(Some(Duration::from_millis(30)));
    let client = pico::client::Client::in_process(app());
    let answer = client.get("live/slow").send().await.unwrap();
    assert_eq!(
        answer.text(),
        ": keep-alive\n\n: keep-alive\n\n: keep-alive\n\ndata: 1\n\nevent: close\ndata: close\n\n"
    );
    let events = answer.events();
    assert_eq!(
        events,
        [
            ("message".to_owned(), "1".to_owned()),
            ("close".to_owned(), "close".to_owned())
        ]
    );
    let items: Vec<u32> = client
        .stream::<u32>("live/slow", &json!({}))
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, [1]);

    // Off, or at its default of 15 s, 100 ms of silence sends none.
    for app in [app().stream_heartbeat(None), self::app()] {
        let answer = pico::client::Client::in_process(app)
            .get("live/slow")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.text(), "data: 1\n\nevent: close\ndata: close\n\n");
    }
}
