//! The future of one request's answer, which the app's service returns:
//! an answer made at once, or one still being made.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::Response;

/// The answer to a request. Most requests (no body to read, a sync
/// function) are answered within `call`, and their future only hands the
/// response over; the others get a boxed future, so that their state does
/// not weigh on every request's.
pub(crate) enum ResponseFuture {
    Now(Option<Response>),
    Later(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl ResponseFuture {
    pub(crate) fn later(future: impl Future<Output = Response> + Send + 'static) -> Self {
        ResponseFuture::Later(Box::pin(future))
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            ResponseFuture::Now(response) => Poll::Ready(Ok(response
                .take()
                .expect("`ResponseFuture` polled after completion"))),
            ResponseFuture::Later(future) => future.as_mut().poll(cx).map(Ok),
        }
    }
}

impl From<Response> for ResponseFuture {
    fn from(response: Response) -> Self {
        ResponseFuture::Now(Some(response))
    }
}

impl ResponseFuture {
    /// The same answer without its `Set-Cookie` headers.
    pub(crate) fn without_cookies(self) -> Self {
        let strip = |response: &mut Response| {
            response.headers_mut().remove(http::header::SET_COOKIE);
        };
        match self {
            ResponseFuture::Now(Some(mut response)) => {
                strip(&mut response);
                ResponseFuture::Now(Some(response))
            }
            ResponseFuture::Later(future) => ResponseFuture::later(async move {
                let mut response = future.await;
                strip(&mut response);
                response
            }),
            done @ ResponseFuture::Now(None) => done,
        }
    }
}
