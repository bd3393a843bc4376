//! A straight call from a JSON body that is there at the first look.
//!
//! hyper hands a small body over right after it calls the service, so by
//! the time the answer's future is first polled the body is nearly always
//! whole. This future takes it then, calls the function straight and
//! answers, with no state of the general path's to make, move and drop.
//! Anything else (a body still on its way or in pieces, one over the
//! limit or unreadable, arguments the straight path leaves to the general
//! one) is handed to the general path, with what was taken of the body
//! given back first: the general path reads it as if nothing had.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::request::Parts;
use http_body::{Body as _, Frame, SizeHint};

use crate::application::built_app::BuiltApp;
use crate::dispatch::request::Arrival;
use crate::dispatch::straight::{Straight, answer_straight, straight};
use crate::errors::failure::Failure;
use crate::errors::panic;

/// The general path's answer, given the request with its body, and
/// whether the straight path is still to be tried on it.
type HandOn =
    fn(Arc<BuiltApp>, usize, Parts, Arrival, Body, bool) -> Pin<Box<dyn Future<Output = Response> + Send>>;

pub(crate) struct JsonAtOnce {
    shared: Arc<BuiltApp>,
    index: usize,
    state: State,
    hand_on: HandOn,
}

// The first state is nearly every call's, and the future is boxed whole:
// boxing the request apart would cost the allocation this file saves.
#[allow(clippy::large_enum_variant)]
enum State {
    First(Parts, Arrival, Body),
    General(Pin<Box<dyn Future<Output = Response> + Send>>),
    Done,
}

impl JsonAtOnce {
    /// The call of function `index` with the request's JSON body;
    /// `hand_on` gives the general path's answer.
    pub(crate) fn new(
        shared: Arc<BuiltApp>,
        index: usize,
        (parts, arrival, body): (Parts, Arrival, Body),
        hand_on: HandOn,
    ) -> Self {
        JsonAtOnce {
            shared,
            index,
            state: State::First(parts, arrival, body),
            hand_on,
        }
    }
}

impl Future for JsonAtOnce {
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = self.get_mut();
        let (parts, arrival, body) = match std::mem::replace(&mut this.state, State::Done) {
            State::General(mut general) => {
                let polled = general.as_mut().poll(cx);
                if polled.is_pending() {
                    this.state = State::General(general);
                }
                return polled;
            }
            State::First(parts, arrival, body) => (parts, arrival, body),
            State::Done => panic!("`JsonAtOnce` polled after completion"),
        };
        let shared = &this.shared;
        // A body is user code too (a layer of the user's may wrap it): it is
        // read, and let go once at its end, under the guard, as the general
        // path reads it and lets it go before the call.
        let mut reading = Some(body);
        let looked = panic::catch(shared.backtraces, || {
            let body = reading.as_mut().expect("the body is read once");
            // One declared over the limit is refused by the general path
            // before anything is read.
            if body.size_hint().lower() > shared.body_limit as u64 {
                return None;
            }
            let taken = Pin::new(&mut *body).poll_frame(cx);
            if let Poll::Ready(Some(Ok(frame))) = &taken
                && frame.is_data()
                && body.is_end_stream()
            {
                reading = None;
            }
            Some(taken)
        });
        // Whether the straight path was tried on the whole body: the
        // general path need not try it again.
        let mut tried = false;
        let given_back = match looked {
            Err(caught) => {
                if let Some(body) = reading {
                    panic::drop_quietly(body);
                }
                let failed = Ok(Err(Failure::from_panic(caught)));
                return Poll::Ready(answer_straight(
                    shared,
                    this.index,
                    (parts.uri.path(), arrival.exchange.as_deref()),
                    failed,
                ));
            }
            Ok(None | Some(Poll::Pending)) => None,
            Ok(Some(Poll::Ready(frame))) => {
                let whole = match (&frame, &reading) {
                    (Some(Ok(frame)), None) => frame.data_ref(),
                    _ => None,
                };
                if let Some(data) = whole.filter(|data| data.len() <= shared.body_limit) {
                    tried = true;
                    if let Some(called) = straight(shared, this.index, Straight::Json(data)) {
                        return Poll::Ready(answer_straight(
                            shared,
                            this.index,
                            (parts.uri.path(), arrival.exchange.as_deref()),
                            called,
                        ));
                    }
                }
                Some(frame)
            }
        };
        // What was let go at its end has nothing more to give.
        let body = reading.unwrap_or_else(Body::empty);
        let body = match given_back {
            None => body,
            Some(first) => Body::new(GivenBack {
                first: Some(first),
                rest: body,
            }),
        };
        this.state = State::General((this.hand_on)(
            Arc::clone(&this.shared),
            this.index,
            parts,
            arrival,
            body,
            !tried,
        ));
        // Polled at once, not left for the next wake: the general path's
        // deadline counts from its own polls, so a body that never comes
        // would otherwise have no time limit.
        Pin::new(this).poll(cx)
    }
}

/// A body with what was taken of it given back first: a frame, an error,
/// or the end it came to.
struct GivenBack {
    first: Option<Option<Result<Frame<Bytes>, axum::Error>>>,
    rest: Body,
}

impl http_body::Body for GivenBack {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.first.take() {
            Some(first) => Poll::Ready(first),
            None => Pin::new(&mut self.rest).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.first {
            Some(None) => true,
            Some(Some(_)) => false,
            None => self.rest.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        let rest = self.rest.size_hint();
        let first = match &self.first {
            Some(Some(Ok(frame))) => frame.data_ref().map_or(0, |data| data.len() as u64),
            _ => 0,
        };
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(first));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(first));
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn chunks(pieces: &[&'static str]) -> Body {
        let frames = pieces
            .iter()
            .map(|piece| Ok::<_, axum::Error>(Frame::data(Bytes::from_static(piece.as_bytes()))));
        Body::new(http_body_util::StreamBody::new(futures_util::stream::iter(
            frames.collect::<Vec<_>>(),
        )))
    }

    #[tokio::test]
    async fn a_body_given_back_reads_as_it_came() {
        let mut body = chunks(&["{\"a\":", " 1}"]);
        let first = body.frame().await;
        let given_back = GivenBack {
            first: Some(first),
            rest: body,
        };
        assert!(!given_back.is_end_stream());
        let read = Body::new(given_back).collect().await.unwrap().to_bytes();
        assert_eq!(read, "{\"a\": 1}");
    }

    #[tokio::test]
    async fn a_body_given_back_its_end_is_ended() {
        let mut body = Body::empty();
        let end = body.frame().await;
        assert!(end.is_none());
        let given_back = GivenBack {
            first: Some(end),
            rest: body,
        };
        assert!(given_back.is_end_stream());
        assert_eq!(Body::new(given_back).collect().await.unwrap().to_bytes(), "");
    }

    #[tokio::test]
    async fn a_body_given_back_keeps_its_declared_size() {
        let mut body = Body::from("12345678");
        let first = body.frame().await;
        let given_back = GivenBack {
            first: Some(first),
            rest: body,
        };
        assert_eq!(given_back.size_hint().exact(), Some(8));
    }
}
