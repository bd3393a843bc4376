//! The life of one request: from its path to its route, through the
//! cross-site check, the arguments and the hooks, to the function's call
//! and its answer. [`App::into_router`](crate::App::into_router) falls back
//! to this service.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use axum::body::Body;
use axum::extract::Request as HttpRequest;
use axum::response::Response;
use http::Method;
#[cfg(feature = "openapi")]
use http::header::HeaderValue;
use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::dispatch::body::may_have_body;
use crate::dispatch::call::{call, call_with_body, general_query};
use crate::dispatch::documents::definition;
#[cfg(feature = "openapi")]
use crate::dispatch::documents::{docs_page, vary_by_host};
use crate::dispatch::methods::{check_method, required_method};
use crate::dispatch::not_routed;
use crate::dispatch::path_routes::{PathTemplate, PathValues};
use crate::dispatch::probes;
use crate::dispatch::request::{Rooted, peer_of};
use crate::dispatch::response_future::ResponseFuture;
use crate::dispatch::routes::Route;
use crate::dispatch::straight::{Straight, answer_straight, straight};
use crate::edge::cross_site::{self, own_host};
use crate::edge::forwarded::Forwarded;
use crate::edge::prefix::Root;
use crate::edge::present::{Looked, Present};
use crate::errors::http_error::HttpError;
use crate::observe::exchange::{Exchange, show_peer};
use crate::observe::layer::Observable;
#[cfg(feature = "openapi")]
use crate::respond::response::{json_response, typed_response};

/// The app as a tower service: what [`App::into_router`] falls back to.
#[derive(Clone)]
pub(crate) struct Service(pub(crate) Arc<BuiltApp>);

impl tower::Service<HttpRequest> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> ResponseFuture {
        // Behind another layer (CORS), the record came in the extensions.
        let mut exchange = request.extensions().get::<Arc<Exchange>>().cloned();
        dispatch(&self.0, request, exchange.as_mut())
    }
}

impl Observable for Service {
    type Future = ResponseFuture;

    fn call_observed(&self, request: HttpRequest, exchange: &mut Arc<Exchange>) -> ResponseFuture {
        dispatch(&self.0, request, Some(exchange))
    }
}

/// Routes one request. `exchange` is the observing layer's record, lent:
/// the request's id, and where the route found is told. It is shared (a
/// count moved) only with what outlives the call: a query answered at
/// once never shares it.
fn dispatch(
    shared: &Arc<BuiltApp>,
    mut request: HttpRequest,
    mut exchange: Option<&mut Arc<Exchange>>,
) -> ResponseFuture {
    if shared.shows_peer
        && let Some(exchange) = &exchange
    {
        show_peer(&mut request, exchange);
    }
    #[cfg_attr(not(feature = "compression"), allow(unused_mut))]
    let (mut parts, body) = request.into_parts();
    #[cfg(feature = "compression")]
    let body = match present(exchange.as_deref()) {
        present if !present.has(Looked::ContentEncoding) => body,
        _ => match crate::dispatch::request_encoding::decoded(&shared.compression, &mut parts, body) {
            Ok(body) => body,
            Err(e) => {
                return shared.refuse(Rooted::unrooted().with(exchange), parts, e).into();
            }
        },
    };
    let root = match Root::of(
        &parts,
        &shared.proxies,
        (
            peer_of(&parts, exchange.as_deref().map(|exchange| &**exchange)),
            present(exchange.as_deref()),
        ),
    ) {
        Ok(root) => root,
        Err(e) => {
            return shared.refuse(Rooted::unrooted().with(exchange), parts, e).into();
        }
    };
    let refuse = |arrival, parts, e| -> ResponseFuture { shared.refuse(arrival, parts, e).into() };
    if shared.hosts.is_set() {
        // The host the client addressed, which its `Origin` names: a
        // proxy that rewrites `Host` forwards it.
        let host = root.forwarded.host.as_deref().or_else(|| own_host(&parts));
        if let Err(e) = shared.hosts.check(host) {
            return refuse(Rooted::new(root).with(exchange), parts, e);
        }
    }
    let found = shared.find(&root, parts.uri.path());
    let Some((name, route)) = found else {
        if let Some((template, values)) = shared.paths.at(root.strip(parts.uri.path())) {
            // Owned before `parts` moves: `root` borrows them.
            let rooted = Rooted::new(root);
            return by_path(shared, (template, values), parts, (rooted, exchange), body);
        }
        let uri = root.stripped_uri(&parts.uri);
        let arrival = Rooted::new(root).with(exchange);
        // The routes' own GET pages are links another site may show (an
        // OAuth callback among them): what changes state is refused.
        let has_body = may_have_body(&parts, &body, arrival.present());
        let navigation = matches!(parts.method, Method::GET | Method::HEAD) && !has_body;
        if shared.merged.is_some()
            && !navigation
            && let Err(e) = cross_site_check(
                shared,
                &parts,
                (&arrival.forwarded, arrival.present()),
                (has_body, true),
            )
        {
            return refuse(arrival, parts, e);
        }
        return not_routed::answer(shared, (parts, uri), arrival, body);
    };
    if let Some(exchange) = exchange.as_deref_mut() {
        let function = match route {
            Route::Function(index) => Some(&*shared.functions[index].qualified),
            _ => None,
        };
        Exchange::matched_lent(exchange, name, function);
        if route.is_quiet() {
            exchange.quiet();
        }
    }
    if let Err(e) = check_method(&parts.method, required_method(shared, route)) {
        return refuse(Rooted::new(root).with(exchange), parts, e);
    }
    match route {
        Route::Function(index) => {
            let rooted = Rooted::new(root);
            function(
                shared,
                (index, false),
                parts,
                (rooted, exchange),
                body,
                PathValues::new(),
            )
        }
        Route::Module(index, form) => {
            let template = &shared.module_defs[index];
            match definition(
                shared,
                template,
                (form, "pico.loadModuleDefinition"),
                &root,
                &parts,
            ) {
                Ok(response) => response.into(),
                Err(e) => refuse(Rooted::new(root).with(exchange), parts, e),
            }
        }
        Route::App(form) => {
            let template = &shared.app_def;
            match definition(shared, template, (form, "pico.loadAppDefinition"), &root, &parts) {
                Ok(response) => response.into(),
                Err(e) => refuse(Rooted::new(root).with(exchange), parts, e),
            }
        }
        Route::Client => crate::describe::client_js::response(&parts.headers).into(),
        #[cfg(feature = "openapi")]
        Route::OpenApi => {
            let root = root.url(&parts);
            let mut response = json_response(shared.openapi.render(root.trim_end_matches('/'), "", ""));
            vary_by_host(response.headers_mut());
            response.into()
        }
        #[cfg(feature = "openapi")]
        Route::Docs => docs_page().into(),
        Route::Alive => probes::alive().into(),
        #[cfg(feature = "metrics")]
        Route::Metrics => {
            let arrival = Rooted::new(root).with(exchange);
            crate::dispatch::scrape::answer(shared, parts, arrival)
        }
        Route::Ready => {
            let arrival = Rooted::new(root).with(exchange);
            probes::ready(shared, parts, arrival)
        }
        #[cfg(feature = "openapi")]
        Route::Types(index) => typed_response(
            shared.types[index].clone(),
            const { HeaderValue::from_static("application/typescript; charset=utf-8") },
        )
        .into(),
    }
}

/// Which of the headers Pico looks for the request carries, when the
/// observing layer looked.
fn present(exchange: Option<&Arc<Exchange>>) -> Present {
    exchange.map_or(Present::UNKNOWN, |exchange| exchange.present)
}

/// A function's call, reached at `/module/function` or by a route whose
/// placeholders gave `path`: the cross-site rule first, then its
/// arguments, from the query or the body. The record is shared only with
/// what outlives the call.
fn function(
    shared: &Arc<BuiltApp>,
    (index, by_get_route): (usize, bool),
    parts: Parts,
    (rooted, exchange): (Rooted, Option<&mut Arc<Exchange>>),
    body: Body,
    path: PathValues,
) -> ResponseFuture {
    let present = present(exchange.as_deref());
    let has_body = may_have_body(&parts, &body, present);
    let shapes_response = shared.functions[index].function.shapes_response;
    // A GET route is a link, which another site may show: it is followed,
    // but its answer sets no cookie there (no session planted by a link).
    let checked = cross_site_check(
        shared,
        &parts,
        (&rooted.forwarded, present),
        (has_body, shapes_response),
    );
    let link_from_elsewhere = match checked {
        Ok(()) => false,
        Err(_) if by_get_route && !has_body => true,
        Err(e) => return shared.refuse(rooted.with(exchange), parts, e).into(),
    };
    // A route's placeholders are arguments too: such a call takes the
    // general path.
    let may_go_straight = path.is_empty() && !by_get_route;
    if may_go_straight
        && !has_body
        && let Some(called) = straight(shared, index, Straight::Query(parts.uri.query()))
    {
        return match called {
            Ok(Ok(response)) => response.into(),
            failed => {
                let exchange = exchange.as_deref().map(|exchange| &**exchange);
                answer_straight(shared, index, (parts.uri.path(), exchange), failed).into()
            }
        };
    }
    let arrival = rooted.with(exchange);
    let answer = if has_body {
        call_with_body(
            shared,
            (index, may_go_straight, present),
            parts,
            arrival,
            (body, path),
        )
    } else {
        call(shared, index, parts, arrival, general_query(path))
    };
    if link_from_elsewhere {
        answer.without_cookies()
    } else {
        answer
    }
}

/// The cross-site rule for a call of a function, or of the app's own
/// routes, whose answers are the routes' own.
fn cross_site_check(
    shared: &BuiltApp,
    parts: &Parts,
    (forwarded, present): (&Forwarded, Present),
    (has_body, shapes_response): (bool, bool),
) -> Result<(), HttpError> {
    // The host is compared only with an `Origin` or a `Referer`: most
    // calls carry neither, and the lookup is spared.
    let compared = present.has(Looked::Origin) || present.has(Looked::Referer);
    let seen = cross_site::Call {
        host: compared
            .then(|| forwarded.host.as_deref().or_else(|| own_host(parts)))
            .flatten(),
        scheme: crate::edge::prefix::scheme(parts, forwarded),
        has_body,
        shapes_response,
        present,
    };
    cross_site::check(parts, &shared.origins, seen)
}

/// A request a route's path matched: the function its method leads to,
/// or a 405 that lists the route's methods.
fn by_path(
    shared: &Arc<BuiltApp>,
    (template, values): (&PathTemplate, Result<PathValues, HttpError>),
    parts: Parts,
    (rooted, mut exchange): (Rooted, Option<&mut Arc<Exchange>>),
    body: Body,
) -> ResponseFuture {
    let index = template.function(&parts.method);
    if let Some(exchange) = exchange.as_deref_mut() {
        let function = index.as_ref().ok().map(|&i| &*shared.functions[i].qualified);
        Exchange::matched_lent(exchange, &template.name, function);
    }
    let by_get = matches!(parts.method, Method::GET | Method::HEAD);
    match index.and_then(|index| values.map(|values| (index, values))) {
        Ok((index, values)) => function(shared, (index, by_get), parts, (rooted, exchange), body, values),
        Err(e) => shared.refuse(rooted.with(exchange), parts, e).into(),
    }
}
