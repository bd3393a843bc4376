//! The app's own axum routes (`App::routes`), tried once no path of the
//! API matched (see `not_routed`). They run inside the app's service, so
//! the observing layer, the servers' limits and drain hold for them as for
//! a function; what they answer on their own (a 405 with no body, an
//! extractor's plain-text rejection, a panic) is told apart here, for the
//! error path to give it the standard body.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request as HttpRequest};
use axum::response::Response;
use http::StatusCode;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::request::Parts;

use crate::errors::http_error::{HttpError, too_large};
use crate::errors::panic::{Caught, Guarded};
use crate::observe::exchange::Exchange;

/// The longest plain-text refusal read into the standard body's message;
/// a longer one gets its status's own message.
const MAX_MESSAGE: usize = 16 * 1024;

/// The routes, with Pico's fallbacks: what they do not match comes back
/// marked, to go on to the static files and the JSON 404.
#[derive(Clone)]
pub(crate) struct Merged {
    router: Router,
    /// The app's, for the 413 that axum's extractors answer past it.
    body_limit: usize,
}

/// Marks the answer of a fallback: no route of the router matched, or
/// (with `Allow`, which axum adds) none with this method.
#[derive(Clone, Copy)]
struct Unrouted;

async fn unrouted() -> Response {
    let mut response = Response::new(Body::empty());
    response.extensions_mut().insert(Unrouted);
    response
}

impl Merged {
    pub(crate) fn new(router: Router, body_limit: usize) -> Merged {
        Merged {
            router: router
                .method_not_allowed_fallback(unrouted)
                .fallback(unrouted)
                // axum's extractors keep to the app's limit, not to theirs.
                .layer(DefaultBodyLimit::max(body_limit))
                .route_layer(axum::middleware::map_request(tell_route)),
            body_limit,
        }
    }
}

/// Tells the request's record the path the router matched, which names
/// its span, log line and series as a function's route does.
async fn tell_route(request: HttpRequest) -> HttpRequest {
    let exchange = request.extensions().get::<Arc<Exchange>>();
    if let (Some(exchange), Some(path)) = (exchange, request.extensions().get::<MatchedPath>()) {
        exchange.matched(&Arc::from(path.as_str()), None);
    }
    request
}

/// A copy of the request's head, for the error path once the router has
/// the request: its peer address is kept, for the hooks and the log.
pub(crate) fn head(parts: &Parts) -> Parts {
    let mut copy = HttpRequest::new(());
    *copy.method_mut() = parts.method.clone();
    *copy.uri_mut() = parts.uri.clone();
    *copy.version_mut() = parts.version;
    *copy.headers_mut() = parts.headers.clone();
    if let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        copy.extensions_mut().insert(*peer);
    }
    copy.into_parts().0
}

/// What the routes made of a request.
pub(crate) enum Answer {
    /// An answer of theirs, left as it is.
    Made(Response),
    /// No route matched.
    Unrouted,
    /// A route matched with other methods: these.
    NotAllowed(HeaderValue),
    /// A refusal in plain text, as Pico's error.
    Refused(HttpError),
    /// A route panicked.
    Panicked(Caught),
}

impl Merged {
    /// Hands `request` to the routes, under the panic guard.
    pub(crate) async fn answer(self, request: HttpRequest, backtraces: bool) -> Answer {
        let Merged { router, body_limit } = self;
        let response = match Guarded::new(tower::ServiceExt::oneshot(router, request), backtraces).await {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(caught) => return Answer::Panicked(caught),
        };
        if response.extensions().get::<Unrouted>().is_some() {
            return match response.headers().get(ALLOW) {
                Some(allow) => Answer::NotAllowed(allow.clone()),
                None => Answer::Unrouted,
            };
        }
        if !is_plain_refusal(&response) {
            return Answer::Made(response);
        }
        let error = refusal(response).await;
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Answer::Refused(too_large(body_limit));
        }
        Answer::Refused(error)
    }
}

/// An error answered in plain text, or with no type at all: axum's
/// rejections, and a handler's `(StatusCode, &str)`.
fn is_plain_refusal(response: &Response) -> bool {
    let status = response.status();
    let plain = match response.headers().get(CONTENT_TYPE) {
        None => true,
        Some(kind) => kind.as_bytes().starts_with(b"text/plain"),
    };
    (status.is_client_error() || status.is_server_error()) && plain
}

/// The refusal as an error of the same status, its text the message and
/// its headers (`WWW-Authenticate`, `Retry-After`...) kept.
async fn refusal(response: Response) -> HttpError {
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let text = axum::body::to_bytes(body, MAX_MESSAGE).await.ok();
    let message = text
        .as_deref()
        .and_then(|t| std::str::from_utf8(t).ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let mut error = parts
        .headers
        .iter()
        .filter(|(name, _)| !matches!(**name, CONTENT_LENGTH | CONTENT_TYPE))
        .fold(HttpError::new(status), |error, (name, value)| {
            error.with_header(name.clone(), value.clone())
        });
    if let Some(message) = message {
        error = error.with_message(message);
    }
    error
}
