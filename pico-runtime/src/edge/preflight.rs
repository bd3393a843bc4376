//! CORS preflights that answer the methods of the function asked about:
//! tower-http's layer knows one list for the whole app, so a function
//! marked `#[require_method(DELETE)]` could never be called from a page.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use http::Method;
use http::header::{ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_REQUEST_METHOD, HeaderValue};
use http::request::Parts;
use tower_http::cors::Cors;

use crate::dispatch::methods::{accepted_methods, required_method};
use crate::dispatch::service::Service;
use crate::edge::prefix::Root;
use crate::edge::present::Present;
use crate::observe::exchange::{Exchange, show_peer};
use crate::observe::layer::Observable;

/// The CORS layer around the app's service, its preflights' methods those
/// of the route they ask about.
#[derive(Clone)]
pub(crate) struct Preflight {
    pub(crate) inner: Cors<Service>,
}

impl Preflight {
    /// The methods to allow, when `parts` are a preflight's for a route of
    /// the app.
    fn methods(&self, parts: &Parts) -> Option<HeaderValue> {
        if parts.method != Method::OPTIONS || !parts.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD) {
            return None;
        }
        let shared = &self.inner.get_ref().0;
        let root = Root::of(
            parts,
            &shared.proxies,
            (crate::edge::forwarded::peer(&parts.extensions), Present::UNKNOWN),
        )
        .ok()?;
        match shared.find(&root, parts.uri.path()) {
            Some((_, route)) => Some(accepted_methods(required_method(shared, route))),
            None => {
                let (template, _) = shared.paths.at(root.strip(parts.uri.path()))?;
                Some(template.allow.clone())
            }
        }
    }

    /// The request with its peer where CORS's service reads it, as any
    /// service would, and the methods its answer should allow.
    fn prepared(&self, mut request: Request, exchange: &Exchange) -> (Request, Option<HeaderValue>) {
        show_peer(&mut request, exchange);
        self.read(request)
    }

    /// The request again, and the methods its answer should allow.
    fn read(&self, request: Request) -> (Request, Option<HeaderValue>) {
        let (parts, body) = request.into_parts();
        let methods = self.methods(&parts);
        (Request::from_parts(parts, body), methods)
    }
}

impl tower::Service<Request> for Preflight {
    type Response = Response;
    type Error = Infallible;
    type Future = Answered<<Cors<Service> as tower::Service<Request>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        tower::Service::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let (request, methods) = self.read(request);
        Answered {
            inner: tower::Service::call(&mut self.inner, request),
            methods,
        }
    }
}

impl Observable for Preflight {
    type Future = Answered<<Cors<Service> as Observable>::Future>;

    fn call_observed(&self, request: Request, exchange: &mut Arc<Exchange>) -> Self::Future {
        let (request, methods) = self.prepared(request, exchange);
        Answered {
            inner: self.inner.call_observed(request, exchange),
            methods,
        }
    }

    fn call_observed_mut(&mut self, request: Request, exchange: &mut Arc<Exchange>) -> Self::Future {
        let (request, methods) = self.prepared(request, exchange);
        Answered {
            inner: self.inner.call_observed_mut(request, exchange),
            methods,
        }
    }
}

pin_project_lite::pin_project! {
    /// CORS's answer, with the route's methods if it allowed a preflight.
    pub(crate) struct Answered<F> {
        #[pin]
        inner: F,
        methods: Option<HeaderValue>,
    }
}

impl<F> Future for Answered<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Poll::Ready(Ok(mut response)) = this.inner.poll(cx) else {
            return Poll::Pending;
        };
        if let Some(methods) = this.methods.take()
            && response.headers().contains_key(ACCESS_CONTROL_ALLOW_METHODS)
        {
            response
                .headers_mut()
                .insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
        }
        Poll::Ready(Ok(response))
    }
}
