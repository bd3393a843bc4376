//! The items of a streamed answer, read event by event.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_util::Stream;
use serde::de::DeserializeOwned;

use super::Error;

/// The items of a stream, as a `futures::Stream`: each `data` event, until
/// the `close` event; an `error` event is the last item, as an error.
pub struct Items<T> {
    body: super::transport::BodyStream,
    buffer: BytesMut,
    ready: VecDeque<Result<T, Error>>,
    done: bool,
    item: std::marker::PhantomData<fn() -> T>,
}

// Items are only ever moved, never pinned in place.
impl<T> Unpin for Items<T> {}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Items<T> {
    pub(super) fn new(body: super::transport::BodyStream) -> Self {
        Items {
            body,
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            done: false,
            item: std::marker::PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Items<T> {
    /// Moves every complete event of the buffer to `ready`.
    fn parse_events(&mut self) {
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let event = self.buffer.split_to(end + 2);
            let text = String::from_utf8_lossy(&event[..end]);
            let mut name = "message";
            let mut data = String::new();
            // An event without data (a heartbeat's comment line) is none.
            let mut has_data = false;
            for line in text.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = if value.trim() == "close" {
                        "close"
                    } else if value.trim() == "error" {
                        "error"
                    } else {
                        "other"
                    };
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.strip_prefix(' ').unwrap_or(value));
                    has_data = true;
                }
            }
            match name {
                "message" if !has_data => {}
                "close" => self.done = true,
                "error" => {
                    self.ready.push_back(Err(Error::Stream(data)));
                    self.done = true;
                }
                "message" => self
                    .ready
                    .push_back(serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))),
                _ => {}
            }
            if self.done {
                return;
            }
        }
    }
}

impl<T: DeserializeOwned> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    this.buffer.extend_from_slice(&chunk);
                    this.parse_events();
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Stream(
                        "the stream ended without its close event".to_owned(),
                    ))));
                }
            }
        }
    }
}
