//! How an [`App`] becomes a service: everything a request needs built
//! once, inside the layer that gives each request its id, span and log
//! line, with CORS when asked for; then an `axum::Router` falling back to
//! it, or the development server serving it as it is.

use std::sync::Arc;

use axum::Router;
use tower::Layer;

use crate::application::app::App;
use crate::application::built_app::BuiltApp;
use crate::dispatch::service::Service;
use crate::edge::preflight::Preflight;
use crate::errors::panic;
use crate::observe::layer::{Observe, Settings, Shared};

/// The app's service inside its observing layer, with CORS when asked
/// for: each combination a type of its own, so that no layer is boxed.
pub(crate) enum AppService {
    Plain(Observe<Service>),
    /// Boxed while it is a `AppService` only: CORS's settings are large.
    Cors(Box<Observe<Preflight>>),
}

impl App {
    /// The app as an `axum::Router`, to serve with your own stack and tower
    /// layers. Its fallback is the whole API, so routes you add to it take
    /// precedence (and are yours: they get no request id nor log line).
    ///
    /// # Panics
    /// When a function needs a `#[state]` value the app was not given: the
    /// message names the function and the type. When the app has start
    /// hooks ([`App::on_start`]) that have not run: await [`App::start`]
    /// first.
    pub fn into_router(self) -> Router {
        let router = Router::new();
        match self.into_service() {
            AppService::Plain(service) => router.fallback_service(Shared(Arc::new(service))),
            AppService::Cors(service) => router.fallback_service(*service),
        }
    }

    pub(crate) fn into_service(self) -> AppService {
        panic::install_hook();
        let settings = Arc::new(Settings {
            header: self.request_id_header.clone(),
            log: self.log_requests.unwrap_or(false),
            query_values: self.log_query_values,
            problem_details: self.problem_details,
            proxies: self.proxies.clone(),
            #[cfg(feature = "metrics")]
            metrics: self
                .metrics
                .as_ref()
                .map(|metrics| std::sync::Arc::clone(&metrics.shared)),
            #[cfg(feature = "compression")]
            compression: (!self.compression.is_off()).then_some(self.compression),
        });
        let cors = (!self.origins.is_empty()).then(|| self.origins.cors(&settings.header));
        let service = Service(Arc::new(BuiltApp::build(self)));
        match cors {
            None => AppService::Plain(Observe {
                inner: service,
                settings,
            }),
            Some(cors) => AppService::Cors(Box::new(Observe {
                inner: Preflight {
                    inner: cors.layer(service),
                },
                settings,
            })),
        }
    }
}
