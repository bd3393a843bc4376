//! The line per request: `GET /example/hello?who=you 200 41.0µs`, as a
//! tower layer around the app's service.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;
use http::{Method, Uri};

/// Wraps a service so that each of its answers is logged. Written by hand
/// rather than with `axum::middleware::from_fn`, which clones the inner
/// service and boxes a future for every request: a log line should cost
/// its formatting, not an allocation more.
#[derive(Clone)]
pub(crate) struct LogRequests<S>(pub(crate) S);

impl<S> tower::Service<Request> for LogRequests<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Logged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Logged {
            start: Instant::now(),
            method: request.method().clone(),
            uri: request.uri().clone(),
            answer: self.0.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's answer, logged when it comes.
    pub(crate) struct Logged<F> {
        start: Instant,
        method: Method,
        uri: Uri,
        #[pin]
        answer: F,
    }
}

impl<F, E> Future for Logged<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = std::task::ready!(this.answer.poll(cx));
        if let Ok(response) = &answer {
            tracing::info!(
                target: "pico::request",
                "{} {} {} {:.1?}",
                this.method,
                this.uri,
                response.status().as_u16(),
                this.start.elapsed()
            );
        }
        Poll::Ready(answer)
    }
}
