//! `BuiltApp`: everything a request needs of the app, built once when the
//! app becomes a router and read without locks: the routing table, the
//! definitions, the hooks, the limits and the state.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request as HttpRequest;
use axum::response::Response;
use http::request::Parts;
use tower::util::BoxCloneSyncService;

use crate::application::app::App;
use crate::application::mixin_stack::MixinStack;
use crate::application::state::AppState;
use crate::describe::definition::{AppDef, ModuleDef, Template};
use crate::dispatch::args::Args;
use crate::dispatch::blocking::BlockingSlots;
use crate::dispatch::context::Context;
use crate::dispatch::json::JsonCodec;
use crate::dispatch::merged::Merged;
use crate::dispatch::path_routes::PathRoutes;
use crate::dispatch::request::Arrival;
use crate::dispatch::request::Request;
use crate::dispatch::routes::{Entry, Route, Routes, route_table};
use crate::edge::cross_site::AllowedOrigins;
use crate::edge::forwarded::Proxies;
use crate::edge::hosts::AllowedHosts;
use crate::edge::prefix::Root;
use crate::errors::build_error::BuildError;

pub(crate) type StaticService = BoxCloneSyncService<HttpRequest, Response, Infallible>;

/// The files of `dir`; a file not found, or a method files do not answer,
/// gets the standard JSON error.
#[cfg(feature = "static-files")]
fn static_service(dir: std::path::PathBuf) -> StaticService {
    use axum::body::Body;
    use tower::ServiceExt;

    // Empty: the service gives every error of these files its body.
    let not_found = tower::service_fn(|_: HttpRequest| async {
        Ok::<_, Infallible>(
            Response::builder()
                .status(http::StatusCode::NOT_FOUND)
                .body(Body::empty())
                .expect("a status is a response"),
        )
    });
    let serve_dir = tower_http::services::ServeDir::new(dir)
        .call_fallback_on_method_not_allowed(true)
        .with_buf_chunk_size(32 * 1024)
        .not_found_service(not_found);
    BoxCloneSyncService::new(serve_dir.map_response(|r| r.map(Body::new)))
}

impl App {
    /// Checks what would stop the app from being built: a function taking
    /// a `#[state]` the app was not given, two things answering at one
    /// path, credentials allowed to any origin. The servers check first,
    /// before they bind or print anything; [`App::into_router`] panics with
    /// the same message.
    ///
    /// # Errors
    /// The first mistake found, with a message saying how to mend it.
    pub fn check(&self) -> Result<(), BuildError> {
        let (routes, functions) = route_table(self)?;
        PathRoutes::build(&functions, &routes, &self.aliases())?;
        #[cfg(feature = "validate")]
        check_patterns(&self.modules)?;
        self.origins.check()
    }

    /// The modules' aliases, in the order they were registered.
    fn aliases(&self) -> Vec<&str> {
        self.modules.iter().map(|(alias, _)| alias.as_str()).collect()
    }
}

/// Each `#[garde(pattern(...))]` compiles: a broken one stops the app
/// before a request finds it, naming its parameter.
#[cfg(feature = "validate")]
fn check_patterns(modules: &[(String, crate::Module)]) -> Result<(), BuildError> {
    use crate::describe::constraint::Constraint;
    for (alias, module) in modules {
        for function in &module.functions {
            for param in function.params {
                for constraint in param.constraints {
                    let Constraint::Pattern(pattern) = constraint else {
                        continue;
                    };
                    if let Some(error) = crate::dispatch::constraints::pattern_error(pattern) {
                        return Err(BuildError(format!(
                            "the pattern of `{}` in `{alias}.{}` does not compile: {error}",
                            param.name, function.name
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Everything a request needs, built once at start-up and shared without
/// locks.
pub(crate) struct BuiltApp {
    /// Each path the app answers, which is also its route's name.
    pub(crate) routes: Routes,
    /// The paths of `#[route(...)]`, tried when no fixed path matched.
    pub(crate) paths: PathRoutes,
    pub(crate) functions: Vec<Entry>,
    pub(crate) module_defs: Vec<Template>,
    pub(crate) app_def: Template,
    #[cfg(feature = "openapi")]
    pub(crate) openapi: Template,
    #[cfg(feature = "openapi")]
    pub(crate) types: Vec<bytes::Bytes>,
    pub(crate) debug: bool,
    pub(crate) body_limit: usize,
    pub(crate) static_files: Option<StaticService>,
    /// The app's own axum routes.
    pub(crate) merged: Option<Merged>,
    /// `/healthz` and `/readyz`, when asked for.
    pub(crate) health: Option<crate::application::health::Health>,
    /// The encodings a request body may come in.
    #[cfg(feature = "compression")]
    pub(crate) compression: crate::respond::compression::Compression,
    /// The metrics the app answers a scrape with.
    #[cfg(feature = "metrics")]
    pub(crate) metrics: Option<crate::observe::metrics::Metrics>,
    pub(crate) hooks: MixinStack,
    /// No hook writes an error's answer: it is the standard one.
    pub(crate) standard_errors: bool,
    /// Whether code of the app's own may read a request's extensions (a
    /// hook, an extractor, a `request_args` or `protected` check, its
    /// axum routes): they then hold the peer's `ConnectInfo`, which no
    /// request pays for otherwise.
    pub(crate) shows_peer: bool,
    /// Whether panics capture a backtrace: in debug mode, or for a mixin.
    pub(crate) backtraces: bool,
    pub(crate) codec: Option<Arc<dyn JsonCodec>>,
    pub(crate) state: Arc<AppState>,
    pub(crate) body_timeout: Duration,
    pub(crate) origins: AllowedOrigins,
    pub(crate) hosts: AllowedHosts,
    pub(crate) jsonp: bool,
    pub(crate) proxies: Proxies,
    pub(crate) stream_heartbeat: Option<Duration>,
    pub(crate) blocking: BlockingSlots,
    /// The function name of a request that reached none: empty, shared
    /// rather than made per refusal.
    pub(crate) unrouted: Arc<str>,
    /// The route of every static file.
    #[cfg(feature = "static-files")]
    pub(crate) files_route: Arc<str>,
}

impl BuiltApp {
    /// The route at `path` under the app's root, and its name; a trailing
    /// slash leads where the path without it does.
    pub(crate) fn find(&self, root: &Root<'_>, path: &str) -> Option<(&Arc<str>, Route)> {
        let mut path = root.strip(path);
        if path.len() > 1 {
            path = path.strip_suffix('/').unwrap_or(path);
        }
        self.routes
            .get_key_value(path)
            .map(|(name, route)| (name, *route))
    }

    /// # Panics
    /// With [`App::check`]'s message, on a mistake in the app.
    pub(crate) fn build(app: App) -> Self {
        assert!(
            app.start_hooks.is_empty(),
            "pico: the app has start hooks that have not run: serve it with `pico::Server` or `pico::serve`, \
             or await `app.start()` before `into_router`, `ConnectionServer::new` or `Client::in_process`"
        );
        let (routes, functions) = route_table(&app).unwrap_or_else(|e| panic!("{e}"));
        let paths = PathRoutes::build(&functions, &routes, &app.aliases()).unwrap_or_else(|e| panic!("{e}"));
        let hooks = MixinStack::new(app.hooks, app.mixins);
        let standard_errors = !app.own_hooks && !hooks.has_mixins();
        let shows_peer = !standard_errors
            || app.router.is_some()
            || functions.iter().any(|entry| {
                let function = &entry.function;
                function.extracts || function.protected || !function.from_request.is_empty()
            });
        let defs: Vec<ModuleDef<'_>> = app
            .modules
            .iter()
            .map(|(alias, m)| ModuleDef::new(alias, m))
            .collect();
        let module_defs = defs.iter().map(Template::new).collect();
        let app_def = Template::new(&AppDef::new(&defs));
        #[cfg(feature = "openapi")]
        let openapi = crate::describe::openapi::document(
            &app.modules,
            &crate::describe::openapi::Info {
                title: app.info.0.clone().unwrap_or_else(|| {
                    let names: Vec<&str> = app.modules.iter().map(|(alias, _)| alias.as_str()).collect();
                    format!("{} (Pico)", names.join(", "))
                }),
                version: app.info.1.clone(),
                problem_details: app.problem_details,
                request_id_header: app.request_id_header.as_str().to_owned(),
                openapi: app.openapi_version,
            },
        );
        #[cfg(feature = "openapi")]
        let types = app
            .modules
            .iter()
            .map(|(alias, module)| {
                bytes::Bytes::from(crate::describe::typescript::declarations(alias, module))
            })
            .collect();
        #[cfg(not(feature = "static-files"))]
        let static_files = None;
        #[cfg(feature = "static-files")]
        let static_files = app.static_dir.map(static_service);
        BuiltApp {
            routes,
            paths,
            functions,
            module_defs,
            app_def,
            #[cfg(feature = "openapi")]
            openapi,
            #[cfg(feature = "openapi")]
            types,
            debug: app.debug,
            body_limit: app.body_limit,
            static_files,
            merged: app.router.map(|router| Merged::new(router, app.body_limit)),
            health: app.health,
            #[cfg(feature = "metrics")]
            metrics: app.metrics,
            #[cfg(feature = "compression")]
            compression: app.compression,
            backtraces: app.debug || hooks.wants_backtraces(),
            hooks,
            standard_errors,
            shows_peer,
            codec: app.codec,
            state: Arc::new(app.state),
            body_timeout: app.body_timeout,
            origins: app.origins,
            hosts: app.hosts,
            jsonp: app.jsonp,
            proxies: app.proxies,
            stream_heartbeat: app.stream_heartbeat,
            blocking: BlockingSlots::new(app.max_blocking),
            unrouted: Arc::from(""),
            #[cfg(feature = "static-files")]
            files_route: Arc::from("/{*file}"),
        }
    }

    pub(crate) fn context(&self, entry: &Entry, parts: Parts, arrival: Arrival) -> Context {
        Context {
            request: Request::new(
                parts,
                arrival,
                self.debug,
                Arc::clone(&entry.qualified),
                Arc::clone(&self.state),
            ),
            args: Args::default(),
            codec: self.codec.clone(),
            heartbeat: self.stream_heartbeat,
            blocking: self.blocking.clone(),
            deferred: None,
        }
    }
}

impl std::fmt::Debug for BuiltApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltApp")
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}
