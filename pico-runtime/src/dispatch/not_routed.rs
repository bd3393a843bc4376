//! What no path of the API matched: the app's own axum routes
//! (`App::routes`), then a static file, then the JSON 404. Whatever of
//! theirs is a refusal takes the error path, as a function's would.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request as HttpRequest;
use http::header::ALLOW;
use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::dispatch::merged::{self, Answer};
use crate::dispatch::request::Arrival;
use crate::dispatch::response_future::ResponseFuture;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;

/// Answers a request no path of the API matched; `uri` is its path under
/// the app's root, which the routes and the files are written against.
pub(crate) fn answer(
    shared: &Arc<BuiltApp>,
    (parts, uri): (Parts, http::Uri),
    arrival: Arrival,
    body: Body,
) -> ResponseFuture {
    let Some(routes) = shared.merged.clone() else {
        return files_or_404(shared, arrival, (parts, uri));
    };
    let head = merged::head(&parts);
    let mut request = HttpRequest::from_parts(parts, body);
    // For the route the router matches to be told: see `Merged::new`.
    if let Some(exchange) = &arrival.exchange {
        request.extensions_mut().insert(Arc::clone(exchange));
    }
    *request.uri_mut() = uri.clone();
    let shared = Arc::clone(shared);
    ResponseFuture::later(async move {
        match routes.answer(request, shared.backtraces).await {
            Answer::Made(response) => response,
            Answer::Unrouted => match files_or_404(&shared, arrival, (head, uri)).await {
                Ok(response) => response,
                Err(never) => match never {},
            },
            Answer::NotAllowed(allow) => {
                let error = HttpError::method_not_allowed().with_header(ALLOW, allow);
                shared.refuse(arrival, head, error)
            }
            Answer::Refused(error) => shared.refuse(arrival, head, error),
            Answer::Panicked(caught) => shared.refuse_failure(arrival, head, Failure::from_panic(caught)),
        }
    })
}

/// A static file, or the JSON 404.
fn files_or_404(
    shared: &Arc<BuiltApp>,
    arrival: Arrival,
    (parts, uri): (Parts, http::Uri),
) -> ResponseFuture {
    match &shared.static_files {
        Some(_) if is_hidden(parts.uri.path()) => {
            shared.refuse(arrival, parts, HttpError::not_found()).into()
        }
        #[cfg(feature = "static-files")]
        Some(files) => {
            // One route for every file: their paths are the clients' to
            // choose, and would make as many series and span names.
            if let Some(exchange) = &arrival.exchange {
                exchange.matched(&shared.files_route, None);
            }
            static_file(shared, files, arrival, (parts, uri))
        }
        _ => {
            let _ = uri;
            shared.refuse(arrival, parts, HttpError::not_found()).into()
        }
    }
}

/// A file of the app's static folder. An error the files answer (no such
/// file, a range past its end) takes the error path, as any refusal does.
#[cfg(feature = "static-files")]
fn static_file(
    shared: &Arc<BuiltApp>,
    files: &crate::application::built_app::StaticService,
    arrival: Arrival,
    (parts, uri): (Parts, http::Uri),
) -> ResponseFuture {
    // Files are read, never written: a body is not theirs to read.
    let mut request = HttpRequest::new(Body::empty());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = uri;
    *request.version_mut() = parts.version;
    // A copy, for the files to read `Range` and the validators: the parts
    // stay whole for the hooks, should the files refuse.
    *request.headers_mut() = parts.headers.clone();
    let files = files.clone();
    let shared = Arc::clone(shared);
    ResponseFuture::later(async move {
        let response = match tower::ServiceExt::oneshot(files, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        // The files' own errors have no body worth keeping (a 416 is empty
        // text): the error path gives them ours, and keeps what their headers
        // say (the 416's `Content-Range`).
        if status.is_client_error() || status.is_server_error() {
            let error = response
                .headers()
                .iter()
                .filter(|(name, _)| {
                    !matches!(**name, http::header::CONTENT_LENGTH | http::header::CONTENT_TYPE)
                })
                .fold(HttpError::new(status), |error, (name, value)| {
                    error.with_header(name.clone(), value.clone())
                });
            return shared.refuse(arrival, parts, error);
        }
        response
    })
}

/// A path to a dotfile or into a dot directory (`.env`, `.git/config`),
/// percent-encoded or not: never served as a static file.
fn is_hidden(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    decoded.split(['/', '\\']).any(|segment| segment.starts_with('.'))
}
