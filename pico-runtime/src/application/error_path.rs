//! The one path of every error answer the app gives, before routing or
//! after: a [`Failure`], logged once when internal, named on the span,
//! turned into the response by the hooks' `handle_exception` (which writes
//! the standard body or problem details, once), then seen by `posthandle`
//! like any answer to a call.
//!
//! Only the HTTP layer's own refusals (`errors/refusal.rs`: a request hyper
//! cannot read) answer without it: they come before there is a request to
//! hand the hooks.

use std::sync::Arc;

use axum::response::Response;
use http::request::Parts;
use serde_json::{Map, Value};

use crate::application::built_app::BuiltApp;
use crate::application::hooks::Hooks;
use crate::dispatch::context::Context;
use crate::dispatch::request::{Arrival, Request};
use crate::errors::error_body::NO_EXTRA;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;
use crate::errors::panic::{self, Caught};
use crate::errors::problem::Shape;
use crate::observe::exchange::Exchange;

impl BuiltApp {
    /// The response to a call's result (a failure's, when it failed or
    /// panicked), through `posthandle`.
    pub(crate) fn finish(&self, cx: &Context, result: Result<Result<Response, Failure>, Caught>) -> Response {
        let response = match result {
            Ok(Ok(mut response)) => {
                if cx.request.is_https() {
                    crate::respond::cookies::make_secure(&mut response);
                }
                response
            }
            Ok(Err(failure)) => self.fail(&failure, &cx.request),
            Err(caught) => self.fail(&Failure::from_panic(caught), &cx.request),
        };
        self.posthandle(&cx.request, response)
    }

    /// A request refused before it reached a function (no route, a method
    /// the route does not take, a host or an origin not allowed, a prefix
    /// that is no path): the same path as a function's failure, with a
    /// request whose function is empty.
    pub(crate) fn refuse(&self, arrival: Arrival, parts: Parts, error: HttpError) -> Response {
        self.refuse_failure(arrival, parts, Failure::http(error))
    }

    /// The same, for any failure: a panic of the app's own axum routes.
    pub(crate) fn refuse_failure(&self, arrival: Arrival, parts: Parts, failure: Failure) -> Response {
        let request = Request::new(
            parts,
            arrival,
            self.debug,
            Arc::clone(&self.unrouted),
            Arc::clone(&self.state),
        );
        let response = self.fail(&failure, &request);
        self.posthandle(&request, response)
    }

    /// `posthandle` on an answer; its own panic answers as a failure.
    fn posthandle(&self, request: &Request, mut response: Response) -> Response {
        // Without hooks or mixins, `posthandle` is the default's, which
        // does nothing: no guard for it to panic under.
        if self.standard_errors {
            return response;
        }
        let posthandle = panic::catch(self.backtraces, || self.hooks.posthandle(request, &mut response));
        match posthandle {
            Ok(()) => response,
            Err(caught) => self.fail(&Failure::from_panic(caught), request),
        }
    }

    /// Turns a failure into the response: logged once when internal, then
    /// the app's `handle_exception`, whose own panic gives the standard body.
    fn fail(&self, failure: &Failure, request: &Request) -> Response {
        let failing = Failing {
            function: request.function(),
            exchange: request.exchange(),
            path: request.path(),
        };
        if self.standard_errors {
            return self.fail_standard(failure, failing);
        }
        let id = failing.noted(failure);
        // The id goes in first: a `handle_exception` of the app's own that
        // hands its `extra` to `Failure::to_response` keeps it.
        let extra = || {
            let mut extra = Map::new();
            if !id.is_empty() {
                extra.insert("request_id".to_owned(), Value::String(id.to_owned()));
            }
            extra
        };
        match panic::catch(self.debug, || {
            self.hooks.handle_exception(failure, request, extra())
        }) {
            Ok(mut response) => {
                keep_protocol_headers(failure, &mut response);
                response
            }
            Err(caught) => {
                let failure = Failure::from_panic(caught);
                failure.log(request.function(), id);
                failure.to_response(request, &extra())
            }
        }
    }

    /// A failure answered in the standard body, in an app without hooks
    /// (whose `posthandle` does nothing).
    pub(crate) fn fail_standard(&self, failure: &Failure, failing: Failing<'_>) -> Response {
        let id = failing.noted(failure);
        failure.standard_response(
            &NO_EXTRA,
            (!id.is_empty()).then_some(id),
            (Shape::of(failing.exchange, failing.path), self.debug),
        )
    }
}

/// What the error path reads of a failed request when the app has no hook
/// to hand it: a call answered straight fails without a [`Request`] made.
pub(crate) struct Failing<'a> {
    /// The function called, `module.function`, or empty.
    pub(crate) function: &'a str,
    pub(crate) exchange: Option<&'a Exchange>,
    /// The request's path, a problem's `instance`.
    pub(crate) path: &'a str,
}

impl Failing<'_> {
    /// Logs the failure once when internal and names it on the record;
    /// returns the request's id.
    fn noted(&self, failure: &Failure) -> &str {
        let id = self.exchange.map_or("", |exchange| exchange.id.as_str());
        failure.log(self.function, id);
        if let Some(exchange) = self.exchange {
            exchange.failed(failure.status(), failure.name());
        }
        id
    }
}

/// The headers an `HttpError` carries are part of its status's meaning
/// (`Allow` on a 405, `Retry-After` on a 503, `WWW-Authenticate` on a 401):
/// a `handle_exception` that writes its own body keeps them, unless it set
/// its own.
fn keep_protocol_headers(failure: &Failure, response: &mut Response) {
    let Some(own) = failure.http_error().and_then(HttpError::headers) else {
        return;
    };
    let headers = response.headers_mut();
    for name in own.keys() {
        if !headers.contains_key(name) {
            for value in own.get_all(name) {
                headers.append(name.clone(), value.clone());
            }
        }
    }
}
