//! The app's own axum routes (`App::routes`), tried once no path of the
//! API matched. They run inside the app's service, so the observing layer,
//! the servers' limits and drain hold for them as for a function; what
//! they answer on their own (a 405 with no body, an extractor's plain-text
//! rejection, a panic) takes the error path and gets the standard body.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request as HttpRequest};
use axum::response::Response;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http::{StatusCode, Uri};

use crate::application::built_app::BuiltApp;
use crate::dispatch::request::Arrival;
use crate::dispatch::service::ResponseFuture;
use crate::errors::failure::Failure;
use crate::errors::http_error::{HttpError, too_large};
use crate::errors::panic::Guarded;

/// The longest plain-text refusal read into the standard body's message;
/// a longer one gets its status's own message.
const MAX_MESSAGE: usize = 16 * 1024;

/// The routes, with Pico's fallbacks: what they do not match comes back
/// marked, to go on to the static files and the JSON 404.
#[derive(Clone)]
pub(crate) struct Merged(Router);

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
        Merged(
            router
                .method_not_allowed_fallback(unrouted)
                .fallback(unrouted)
                // axum's extractors keep to the app's limit, not to theirs.
                .layer(DefaultBodyLimit::max(body_limit)),
        )
    }
}

/// A copy of the request's head, for the error path once the router has
/// the request: its peer address is kept, for the hooks and the log.
fn head(parts: &Parts) -> Parts {
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

/// Hands the request to the routes at `uri` (its path under the app's
/// root); `unmatched` answers what they do not match.
pub(crate) fn call(
    shared: &Arc<BuiltApp>,
    (parts, uri): (Parts, Uri),
    arrival: Arrival,
    body: Body,
    unmatched: impl FnOnce(Arrival, Parts) -> ResponseFuture + Send + 'static,
) -> ResponseFuture {
    let Some(Merged(router)) = shared.merged.clone() else {
        return unmatched(arrival, parts);
    };
    let head = head(&parts);
    let mut request = HttpRequest::from_parts(parts, body);
    *request.uri_mut() = uri;
    let shared = Arc::clone(shared);
    ResponseFuture::later(async move {
        let answered = Guarded::new(tower::ServiceExt::oneshot(router, request), shared.backtraces).await;
        let response = match answered {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(caught) => return shared.refuse_failure(arrival, head, Failure::from_panic(caught)),
        };
        if response.extensions().get::<Unrouted>().is_some() {
            return match response.headers().get(ALLOW) {
                Some(allow) => {
                    let error = HttpError::method_not_allowed().with_header(ALLOW, allow.clone());
                    shared.refuse(arrival, head, error)
                }
                None => match unmatched(arrival, head).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                },
            };
        }
        if !is_plain_refusal(&response) {
            return response;
        }
        let mut error = refusal(response).await;
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            error = too_large(shared.body_limit);
        }
        shared.refuse(arrival, head, error)
    })
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
