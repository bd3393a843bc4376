//! `#[stream]` functions: their items as a `text/event-stream` response.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use tokio::time::{Instant, Sleep};

use crate::dispatch::json::JsonCodec;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;
use crate::errors::panic;
use crate::observe::request_log::Sent;
use crate::respond::response::Reply;
use crate::serve::shutdown::Shutdown;

type Items = Pin<Box<dyn Stream<Item = Result<Bytes, Failure>> + Send>>;

/// How a stream's items are written, and where its errors are logged.
pub struct StreamContext {
    pub(crate) debug: bool,
    pub(crate) codec: Option<Arc<dyn JsonCodec>>,
    pub(crate) function: &'static str,
    /// The request's id, for the log line of an error mid-stream.
    pub(crate) request_id: String,
    pub(crate) heartbeat: Option<Duration>,
    pub(crate) shutdown: Option<Shutdown>,
}

impl std::fmt::Debug for StreamContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamContext")
            .field("function", &self.function)
            .finish_non_exhaustive()
    }
}

/// An item as an event: `data: JSON`.
fn data<T: Serialize>(item: &T, codec: Option<&dyn JsonCodec>) -> Result<Bytes, Failure> {
    let json = match codec {
        None => serde_json::to_vec(item),
        Some(codec) => serde_json::to_value(item).map(|v| codec.dump(&v)),
    }
    .map_err(|e| {
        Failure::internal(
            "serialization",
            format!("a stream item could not be serialised: {e}"),
        )
    })?;
    let mut event = Vec::with_capacity(json.len() + 8);
    event.extend_from_slice(b"data: ");
    event.extend_from_slice(&json);
    event.extend_from_slice(b"\n\n");
    Ok(Bytes::from(event))
}

/// What a `#[stream]` function can return when it is not a `Stream`.
#[diagnostic::on_unimplemented(
    message = "a `#[stream]` function cannot return `{Self}`: it is neither an iterator nor a stream",
    label = "expected an iterator (`impl Iterator<Item = T>`, `Vec<T>`) or an `impl Stream<Item = T>`",
    note = "a `#[stream]` function returns items to send one by one; `T` must implement `serde::Serialize`"
)]
pub trait Iterable {
    /// The items.
    type Item;
    /// The iterator over them.
    type Iter: Iterator<Item = Self::Item> + Send + 'static;
    /// Starts iterating.
    fn into_items(self) -> Self::Iter;
}

impl<I> Iterable for I
where
    I: IntoIterator,
    I::IntoIter: Send + 'static,
{
    type Item = I::Item;
    type Iter = I::IntoIter;

    fn into_items(self) -> I::IntoIter {
        self.into_iter()
    }
}

/// A `#[stream]` function's result on its way to [`iter`]: the method call
/// `(&Probe::new(value)).items()` finds [`ItemsOf`] when the value iterates,
/// and otherwise [`NotItems`], whose bound ([`Streamable`]) says what to
/// return instead, rather than rustc's word about `IntoIterator`.
pub struct Probe<T>(std::cell::Cell<Option<T>>);

impl<T> Probe<T> {
    /// Wraps the result.
    pub fn new(value: T) -> Self {
        Probe(std::cell::Cell::new(Some(value)))
    }
}

impl<T> std::fmt::Debug for Probe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Probe")
    }
}

/// A result that iterates.
pub trait ItemsOf {
    /// Its iterator.
    type Iter;
    /// The items.
    fn items(&self) -> Self::Iter;
}

impl<T: Iterable> ItemsOf for Probe<T> {
    type Iter = T::Iter;

    fn items(&self) -> T::Iter {
        self.0.take().expect("a result is taken once").into_items()
    }
}

/// A result that does not iterate: a compile error, by [`Streamable`].
pub trait NotItems<T> {
    /// Never compiles.
    fn items(&self) -> std::iter::Empty<()>
    where
        T: Streamable;
}

impl<T> NotItems<T> for &Probe<T> {
    fn items(&self) -> std::iter::Empty<()>
    where
        T: Streamable,
    {
        std::iter::empty()
    }
}

/// What a `#[stream]` function that does not return a `Stream` must return.
#[diagnostic::on_unimplemented(
    message = "a `#[stream]` function cannot return `{Self}`: it is neither an iterator nor a stream",
    label = "expected an iterator (`impl Iterator<Item = T>`, `Vec<T>`) or an `impl Stream<Item = T>`",
    note = "a `#[stream]` function returns items to send one by one: return a `Vec<T>` or an iterator, \
            or remove `#[stream]` to answer one value"
)]
pub trait Streamable {}

/// The reply of a `#[stream]` function returning an iterator of values.
pub fn iter<I>(items: I, cx: StreamContext) -> Result<Reply, Failure>
where
    I: Iterable,
    I::Item: Serialize,
{
    let codec = cx.codec.clone();
    let items = futures_util::stream::iter(items.into_items()).map(move |item| data(&item, codec.as_deref()));
    Ok(respond(Box::pin(items), cx))
}

/// The reply of a `#[stream]` function returning an iterator of `Result`s:
/// an `Err` ends the stream with an error event.
pub fn iter_fallible<I, T, E>(items: I, cx: StreamContext) -> Result<Reply, Failure>
where
    I: Iterable<Item = Result<T, E>>,
    T: Serialize,
    E: Into<Failure>,
{
    let codec = cx.codec.clone();
    let items = futures_util::stream::iter(items.into_items())
        .map(move |item| data(&item.map_err(Into::into)?, codec.as_deref()));
    Ok(respond(Box::pin(items), cx))
}

/// The reply of a `#[stream]` function returning a `Stream` of values.
pub fn stream<S>(items: S, cx: StreamContext) -> Result<Reply, Failure>
where
    S: Stream + Send + 'static,
    S::Item: Serialize,
{
    let codec = cx.codec.clone();
    let items = items.map(move |item| data(&item, codec.as_deref()));
    Ok(respond(Box::pin(items), cx))
}

/// The reply of a `#[stream]` function returning a `Stream` of `Result`s.
pub fn stream_fallible<S, T, E>(items: S, cx: StreamContext) -> Result<Reply, Failure>
where
    S: Stream<Item = Result<T, E>> + Send + 'static,
    T: Serialize,
    E: Into<Failure>,
{
    let codec = cx.codec.clone();
    let items = items.map(move |item| data(&item.map_err(Into::into)?, codec.as_deref()));
    Ok(respond(Box::pin(items), cx))
}

fn respond(items: Items, cx: StreamContext) -> Reply {
    let sent = Sent::default();
    let events = Events {
        items: Some(items),
        debug: cx.debug,
        function: cx.function,
        request_id: cx.request_id,
        stopping: cx
            .shutdown
            .map(|shutdown| Box::pin(shutdown.stopping()) as Stopping),
        heartbeat: cx.heartbeat.map(|every| (every, None)),
        sent: sent.clone(),
    };
    let mut response = Response::new(Body::from_stream(events));
    response.extensions_mut().insert(sent);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies such as nginx would otherwise hold events back.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Reply::Response(response)
}

type Stopping = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The events of a stream: each item, then `close`; or, on an error or a
/// panic, an `error` event, after which the producer is dropped. Dropping
/// the body (the client went away) drops the producer too. When the server
/// stops, the producer is dropped and `close` sent; while the producer is
/// silent, a comment line goes out every `heartbeat`.
struct Events {
    items: Option<Items>,
    debug: bool,
    function: &'static str,
    request_id: String,
    stopping: Option<Stopping>,
    /// The silence allowed, and the timer of the current one (made on the
    /// first wait, so a stream that never waits makes none).
    heartbeat: Option<(Duration, Option<Pin<Box<Sleep>>>)>,
    sent: Sent,
}

const CLOSE: &[u8] = b"event: close\ndata: close\n\n";

/// An SSE comment: clients skip it, proxies see the stream alive.
const HEARTBEAT: &[u8] = b": keep-alive\n\n";

impl Events {
    fn error_event(&mut self, failure: &Failure) -> Bytes {
        panic::drop_quietly(self.items.take());
        failure.log(self.function, &self.request_id);
        let message = match failure.http_error() {
            Some(e) => e.message().to_owned(),
            None => HttpError::internal_server_error().message().to_owned(),
        };
        // A newline would end the event's data early.
        let message = message.replace(['\r', '\n'], " ");
        Bytes::from(format!("event: error\ndata: {message}\n\n"))
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        // The client went away mid-stream: the producer's drop is user code.
        panic::drop_quietly(self.items.take());
    }
}

impl Stream for Events {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(items) = this.items.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(stopping) = this.stopping.as_mut()
            && stopping.as_mut().poll(cx).is_ready()
        {
            panic::drop_quietly(this.items.take());
            return Poll::Ready(Some(Ok(Bytes::from_static(CLOSE))));
        }
        let event = match panic::catch(this.debug, || items.as_mut().poll_next(cx)) {
            Ok(Poll::Pending) => {
                if let Some((every, timer)) = this.heartbeat.as_mut() {
                    let timer = timer.get_or_insert_with(|| Box::pin(tokio::time::sleep(*every)));
                    if timer.as_mut().poll(cx).is_ready() {
                        timer.as_mut().reset(Instant::now() + *every);
                        return Poll::Ready(Some(Ok(Bytes::from_static(HEARTBEAT))));
                    }
                }
                return Poll::Pending;
            }
            Ok(Poll::Ready(Some(Ok(event)))) => {
                this.sent.one_more();
                if let Some((every, Some(timer))) = this.heartbeat.as_mut() {
                    timer.as_mut().reset(Instant::now() + *every);
                }
                event
            }
            Ok(Poll::Ready(Some(Err(failure)))) => this.error_event(&failure),
            Ok(Poll::Ready(None)) => {
                panic::drop_quietly(this.items.take());
                Bytes::from_static(CLOSE)
            }
            Err(caught) => this.error_event(&Failure::from_panic(caught)),
        };
        Poll::Ready(Some(Ok(event)))
    }
}
