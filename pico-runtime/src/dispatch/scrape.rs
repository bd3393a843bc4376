//! The metrics' scrape (`App::metrics`): Prometheus's text to whoever asks
//! on the network, but never to another site's page, even one the app lets
//! call its functions: what it says of the service is no page's business.

use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::dispatch::request::Arrival;
use crate::dispatch::response_future::ResponseFuture;
use crate::edge::cross_site::{self, AllowedOrigins, own_host};
use crate::edge::prefix::scheme;

pub(crate) fn answer(shared: &BuiltApp, parts: Parts, arrival: Arrival) -> ResponseFuture {
    let seen = cross_site::Call {
        host: arrival.forwarded.host.as_deref().or_else(|| own_host(&parts)),
        scheme: scheme(&parts, &arrival.forwarded),
        has_body: false,
        shapes_response: true,
        present: arrival.present(),
    };
    if let Err(e) = cross_site::check(&parts, &AllowedOrigins::default(), seen) {
        return shared.refuse(arrival, parts, e).into();
    }
    match &shared.metrics {
        Some(metrics) => metrics.scrape().into(),
        None => unreachable!("the route exists only with metrics"),
    }
}
