//! How an [`App`] becomes a service: everything a request needs built
//! once, with the CORS and request-log layers around it when asked for;
//! then an `axum::Router` falling back to it, or the development server
//! serving it as it is.

use std::sync::Arc;

use axum::Router;
use tower::Layer;
use tower_http::cors::Cors;

use crate::app::App;
use crate::panic;
use crate::request_log::LogRequests;
use crate::service::Service;
use crate::shared::Shared;

/// The app's service with the layers it asked for, each combination a type
/// of its own: no layer is boxed, nor paid for when not asked for.
pub(crate) enum Stack {
    Plain(Service),
    Cors(Cors<Service>),
    Logged(LogRequests<Service>),
    LoggedCors(LogRequests<Cors<Service>>),
}

impl App {
    /// The app as an `axum::Router`, to serve with your own stack and tower
    /// layers. Its fallback is the whole API, so routes you add to it take
    /// precedence.
    ///
    /// # Panics
    /// When a function needs a `#[state]` value the app was not given: the
    /// message names the function and the type.
    pub fn into_router(self) -> Router {
        let router = Router::new();
        match self.into_stack() {
            Stack::Plain(service) => router.fallback_service(service),
            Stack::Cors(service) => router.fallback_service(service),
            Stack::Logged(service) => router.fallback_service(service),
            Stack::LoggedCors(service) => router.fallback_service(service),
        }
    }

    pub(crate) fn into_stack(self) -> Stack {
        panic::install_hook();
        let log = self.log_requests;
        let cors = (!self.origins.is_empty()).then(|| self.origins.cors());
        let service = Service(Arc::new(Shared::build(self)));
        match (cors, log) {
            (None, false) => Stack::Plain(service),
            (Some(cors), false) => Stack::Cors(cors.layer(service)),
            (None, true) => Stack::Logged(LogRequests(service)),
            (Some(cors), true) => Stack::LoggedCors(LogRequests(cors.layer(service))),
        }
    }
}
