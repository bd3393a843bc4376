//! How an [`App`] becomes an `axum::Router`: everything a request needs
//! built once, the app's service as the router's fallback, and the CORS and
//! request-log layers around it.

use std::sync::Arc;

use axum::Router;

use crate::app::App;
use crate::panic;
use crate::service::Service;
use crate::shared::Shared;

impl App {
    /// The app as an `axum::Router`, to serve with your own stack and tower
    /// layers. Its fallback is the whole API, so routes you add to it take
    /// precedence.
    ///
    /// # Panics
    /// When a function needs a `#[state]` value the app was not given: the
    /// message names the function and the type.
    pub fn into_router(self) -> Router {
        panic::install_hook();
        let log = self.log_requests;
        let cors = (!self.origins.is_empty()).then(|| self.origins.cors());
        let service = Service(Arc::new(Shared::build(self)));
        let mut router = Router::new().fallback_service(service);
        if let Some(cors) = cors {
            router = router.layer(cors);
        }
        if log {
            router.layer(axum::middleware::from_fn(crate::request_log::log_request))
        } else {
            router
        }
    }
}
