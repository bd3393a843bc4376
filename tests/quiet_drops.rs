//! A client that goes away drops its request's stream or future, and with
//! it user code whose drop may panic: that panic stays inside pico rather
//! than unwinding into the server's connection task.

use std::panic::{AssertUnwindSafe, catch_unwind};

use futures_util::{FutureExt, StreamExt};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Panics when dropped.
pub struct Landmine;

impl Drop for Landmine {
    fn drop(&mut self) {
        panic!("boom in a drop");
    }
}

#[pico::api]
mod mined {
    use futures_util::StreamExt;

    use super::Landmine;

    #[expose]
    #[stream]
    fn ticks() -> impl futures_util::Stream<Item = u32> + Send {
        let mine = Landmine;
        futures_util::stream::iter(0..3)
            .chain(futures_util::stream::pending())
            .map(move |n| {
                let _ = &mine;
                n
            })
    }

    #[expose]
    async fn wait() -> u32 {
        let _mine = Landmine;
        std::future::pending::<()>().await;
        0
    }
}

fn request(path: &str) -> http::Request<axum::body::Body> {
    http::Request::get(path).body(axum::body::Body::empty()).unwrap()
}

#[tokio::test]
async fn a_stream_dropped_mid_way_does_not_unwind() {
    let router = pico::App::new().register(mined::module()).into_router();
    let response = router.oneshot(request("/mined/ticks")).await.unwrap();
    let mut body = response.into_body().into_data_stream();
    let first = body.next().await.unwrap().unwrap();
    assert_eq!(&first[..], b"data: 0\n\n");
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(body)));
    assert!(dropped.is_ok(), "the producer's panic escaped its drop");
}

#[tokio::test]
async fn a_future_dropped_mid_way_does_not_unwind() {
    let router = pico::App::new().register(mined::module()).into_router();
    let answer = router.oneshot(request("/mined/wait"));
    let dropped = catch_unwind(AssertUnwindSafe(move || answer.now_or_never()));
    assert!(
        matches!(dropped, Ok(None)),
        "pending, then dropped without unwinding"
    );
}

#[tokio::test]
async fn the_stream_still_answers_before_it_is_dropped() {
    let router = pico::App::new().register(mined::module()).into_router();
    let response = router.oneshot(request("/mined/ticks")).await.unwrap();
    let frame = response.into_body().frame().await.unwrap().unwrap();
    assert_eq!(frame.into_data().unwrap(), "data: 0\n\n");
}
