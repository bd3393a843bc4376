//! The routing table: each path the app answers and what answers it (a
//! function, a module's definition, the clients, the documents), built
//! once from the modules an app registered, its mistakes found then.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::FixedState;

use crate::application::app::App;
use crate::describe::definition::{Function, Prehandle, module_path};
use crate::errors::build_error::BuildError;

/// Where a path leads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Route {
    Function(usize),
    Module(usize, Form),
    App(Form),
    /// `/pico.js`, the JavaScript client.
    Client,
    /// `/openapi.json`.
    #[cfg(feature = "openapi")]
    OpenApi,
    /// `/module.d.ts`, a module's TypeScript declarations.
    #[cfg(feature = "openapi")]
    Types(usize),
    /// `/docs`, the page that reads `/openapi.json` for people.
    #[cfg(feature = "openapi")]
    Docs,
    /// `/healthz`: alive.
    Alive,
    /// `/readyz`: ready, as the app's checks say.
    Ready,
    /// The metrics' scrape (`/metrics` unless the app says otherwise).
    #[cfg(feature = "metrics")]
    Metrics,
}

impl Route {
    /// Whether its requests stay off the log: the probes' and the scrapes',
    /// which come every few seconds from machines.
    pub(crate) fn is_quiet(self) -> bool {
        match self {
            Route::Alive | Route::Ready => true,
            #[cfg(feature = "metrics")]
            Route::Metrics => true,
            _ => false,
        }
    }
}

/// A definition as JSON, or as the JavaScript that loads it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Form {
    Json,
    Js,
}

/// An exposed function with what serving it needs.
pub(crate) struct Entry {
    /// `module.function`, for the log and error reporters.
    pub(crate) qualified: Arc<str>,
    pub(crate) function: Function,
    pub(crate) prehandle: Option<Prehandle>,
}

/// Each path the app answers and the function behind each: the first
/// mistake found in them (a state the app was not given, two things at one
/// path) is the error.
pub(crate) fn route_table(app: &App) -> Result<(Routes, Vec<Entry>), BuildError> {
    let mut routes = HashMap::default();
    let mut functions = Vec::new();
    let mut clash = None;
    let mut add = |path: String, route: Route| {
        if routes.insert(Arc::from(path.as_str()), route).is_some() {
            clash.get_or_insert(path);
        }
    };
    add("/".to_owned(), Route::App(Form::Json));
    add("/picoapp.js".to_owned(), Route::App(Form::Js));
    add("/pico.js".to_owned(), Route::Client);
    #[cfg(feature = "openapi")]
    {
        add("/openapi.json".to_owned(), Route::OpenApi);
        // A module called `docs` keeps its path.
        if !app.modules.iter().any(|(alias, _)| module_path(alias) == "docs") {
            add("/docs".to_owned(), Route::Docs);
        }
    }
    if app.health.is_some() {
        for (path, route) in [("healthz", Route::Alive), ("readyz", Route::Ready)] {
            if !app.modules.iter().any(|(alias, _)| module_path(alias) == path) {
                add(format!("/{path}"), route);
            }
        }
    }
    // Not given way to, unlike the probes: the app chose the path.
    #[cfg(feature = "metrics")]
    if let Some(path) = app.metrics.as_ref().and_then(|m| m.path.clone()) {
        add(path, Route::Metrics);
    }
    for (index, (alias, module)) in app.modules.iter().enumerate() {
        let path = module_path(alias);
        add(format!("/{path}"), Route::Module(index, Form::Json));
        add(format!("/{path}.js"), Route::Module(index, Form::Js));
        #[cfg(feature = "openapi")]
        add(format!("/{path}.d.ts"), Route::Types(index));
        for function in &module.functions {
            if let Some(need) = function
                .states
                .iter()
                .find(|need| !app.state.contains((need.id)()) && !app.promised.contains(&(need.id)()))
            {
                return Err(BuildError(format!(
                    "pico: `{alias}.{}` takes `#[state]` of type `{}`, which the app was not given: \
                     add `.state(value)` to the `App`",
                    function.name,
                    (need.name)(),
                )));
            }
            add(
                format!("/{path}/{}", function.name),
                Route::Function(functions.len()),
            );
            functions.push(Entry {
                qualified: Arc::from(format!("{alias}.{}", function.name)),
                function: function.clone(),
                prehandle: module.prehandle,
            });
        }
    }
    #[cfg(feature = "metrics")]
    if let Some(path) = clash.as_deref()
        && app.metrics.as_ref().and_then(|m| m.path.as_deref()) == Some(path)
    {
        return Err(BuildError(format!(
            "pico: the metrics' path `{path}` is a path of the app already; give them another with \
             `Metrics::new().path(\"/...\")`"
        )));
    }
    match clash {
        Some(path) => Err(BuildError(format!(
            "pico: two things answer at `{path}`; register one of the modules under another alias"
        ))),
        None => Ok((routes, functions)),
    }
}

/// The routing table. Paths are chosen by the app, not by clients (who
/// can only miss them), so SipHash's resistance to flooding buys nothing
/// here: a fixed hash that takes eight bytes at a step (FNV takes one)
/// saves a few hundred instructions a request.
pub(crate) type Routes = HashMap<Arc<str>, Route, FixedState>;
