//! Modules and functions as `#[pico::api]` describes them, and the JSON
//! definitions clients build their proxies from.
//!
//! A definition holds absolute URLs, which depend on the host and prefix of
//! each request; everything else is fixed at start-up. So each definition is
//! serialised once into a [`Template`] with a marker where the root URL goes,
//! and a request only splices its root in.

use serde::Serialize;
use serde_json::Value;

use crate::application::state::StateNeed;
use crate::describe::param::Param;
use crate::dispatch::args::Args;
use crate::dispatch::arguments::Arguments;
use crate::dispatch::context::Context;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;
use crate::respond::response::{Outcome, Reply};

/// A generated handler: takes its arguments out of the context and calls the
/// user's function.
pub type Thunk = fn(&mut Context) -> Result<Outcome, Failure>;

/// A plain function's generated handler (see `dispatch/arguments.rs`):
/// reads its parameters from either source, and calls the user's function
/// at once.
pub type PlainThunk = fn(&mut Arguments<'_>) -> Result<Reply, Failure>;

/// How a function is called.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call {
    /// With its context.
    Context(Thunk),
    /// A plain function: with its arguments only.
    Plain(PlainThunk),
}

/// A module's `#[prehandle]`, as generated code calls it.
pub type Prehandle = fn(&mut Request, &mut Args) -> Result<(), Failure>;

/// A second path to a function, `#[route(GET, "/links/{slug}")]`: its
/// placeholders fill the parameters of their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathRoute {
    /// The one method it answers (and HEAD with GET).
    pub method: &'static str,
    /// The path under the app's root, with `{name}` segments.
    pub path: &'static str,
}

impl PathRoute {
    /// The names of its placeholders, in order.
    #[cfg(feature = "openapi")]
    pub(crate) fn placeholders(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }
}

/// An exposed function.
#[derive(Debug, Clone)]
pub struct Function {
    pub(crate) name: &'static str,
    pub(crate) doc: Option<&'static str>,
    pub(crate) params: &'static [Param],
    pub(crate) call: Call,
    /// `#[require_method(...)]`.
    pub(crate) method: Option<&'static str>,
    /// `#[stream]`.
    pub(crate) stream: bool,
    /// Its `#[route(...)]`s.
    pub(crate) routes: &'static [PathRoute],
    /// Parameters filled from the request: a client's values for them are
    /// dropped.
    pub(crate) from_request: &'static [&'static str],
    /// It has `#[from_request]` extractors, which run before its
    /// arguments are checked.
    pub(crate) extracts: bool,
    /// The types of its `#[state]` parameters.
    pub(crate) states: &'static [StateNeed],
    /// `#[protected(...)]`.
    pub(crate) protected: bool,
    /// Its answer is more than JSON: it sets or deletes cookies, or is a
    /// `Response` of its own. Never answered as JSONP across sites.
    pub(crate) shapes_response: bool,
    /// How its OpenAPI description is made.
    #[cfg(feature = "openapi")]
    pub(crate) describe: Option<crate::describe::schema::Describe>,
}

impl Function {
    #[doc(hidden)]
    pub fn new(
        name: &'static str,
        doc: Option<&'static str>,
        params: &'static [Param],
        thunk: Thunk,
    ) -> Self {
        Self::called(name, doc, params, Call::Context(thunk))
    }

    #[doc(hidden)]
    pub fn plain(
        name: &'static str,
        doc: Option<&'static str>,
        params: &'static [Param],
        thunk: PlainThunk,
    ) -> Self {
        Self::called(name, doc, params, Call::Plain(thunk))
    }

    fn called(name: &'static str, doc: Option<&'static str>, params: &'static [Param], call: Call) -> Self {
        Self {
            name,
            doc,
            params,
            call,
            method: None,
            stream: false,
            routes: &[],
            from_request: &[],
            extracts: false,
            states: &[],
            protected: false,
            shapes_response: false,
            #[cfg(feature = "openapi")]
            describe: None,
        }
    }

    #[doc(hidden)]
    #[must_use]
    pub fn protected(mut self) -> Self {
        self.protected = true;
        self
    }

    #[doc(hidden)]
    #[cfg(feature = "openapi")]
    #[must_use]
    pub fn describe(mut self, describe: crate::describe::schema::Describe) -> Self {
        self.describe = Some(describe);
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn require_method(mut self, method: &'static str) -> Self {
        self.method = Some(method);
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn shapes_response(mut self) -> Self {
        self.shapes_response = true;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn stream(mut self) -> Self {
        self.stream = true;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn routes(mut self, routes: &'static [PathRoute]) -> Self {
        self.routes = routes;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn from_request(mut self, names: &'static [&'static str]) -> Self {
        self.from_request = names;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn extracts(mut self) -> Self {
        self.extracts = true;
        self
    }

    #[doc(hidden)]
    #[must_use]
    pub fn states(mut self, states: &'static [StateNeed]) -> Self {
        self.states = states;
        self
    }

    /// The function's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// An API module: what `#[pico::api]` makes of a Rust module, ready to be
/// registered on an [`App`](crate::App).
#[derive(Debug, Clone)]
pub struct Module {
    pub(crate) name: &'static str,
    pub(crate) doc: Option<&'static str>,
    pub(crate) functions: Vec<Function>,
    pub(crate) prehandle: Option<Prehandle>,
}

impl Module {
    #[doc(hidden)]
    pub fn new(name: &'static str, doc: Option<&'static str>, functions: Vec<Function>) -> Self {
        Self {
            name,
            doc,
            functions,
            prehandle: None,
        }
    }

    #[doc(hidden)]
    #[must_use]
    pub fn prehandle(mut self, prehandle: Prehandle) -> Self {
        self.prehandle = Some(prehandle);
        self
    }

    /// The module's own name (the Rust module's).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its exposed functions.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }
}

/// Stands for the root URL in a serialised definition. Control characters
/// cannot occur in a URL path, so the marker cannot collide with one.
pub(crate) const ROOT: &str = "\u{1}root\u{1}";
const ROOT_ESCAPED: &str = "\\u0001root\\u0001";

#[derive(Serialize)]
pub(crate) struct ModuleDef<'a> {
    name: &'a str,
    doc: Option<&'a str>,
    url: String,
    functions: Vec<FunctionDef<'a>>,
}

#[derive(Serialize)]
struct FunctionDef<'a> {
    name: &'a str,
    doc: Option<&'a str>,
    url: String,
    args: Vec<ArgDef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteDef>,
}

/// A route as clients see it: its method, and its URL with the
/// placeholders left in.
#[derive(Serialize)]
struct RouteDef {
    method: &'static str,
    url: String,
}

#[derive(Serialize)]
struct ArgDef<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<Value>,
}

#[derive(Serialize)]
pub(crate) struct AppDef<'a> {
    url: &'a str,
    modules: &'a [ModuleDef<'a>],
}

/// The URL path of a module registered under `alias`: `a.b` is `a/b`.
pub(crate) fn module_path(alias: &str) -> String {
    alias.replace('.', "/")
}

impl<'a> ModuleDef<'a> {
    pub(crate) fn new(alias: &'a str, module: &'a Module) -> Self {
        let path = module_path(alias);
        ModuleDef {
            name: alias,
            doc: module.doc,
            url: format!("{ROOT}{path}"),
            functions: module
                .functions
                .iter()
                .map(|f| FunctionDef {
                    name: f.name,
                    doc: f.doc,
                    url: format!("{ROOT}{path}/{}", f.name),
                    args: f
                        .params
                        .iter()
                        .map(|p| ArgDef {
                            name: p.name,
                            default: p.default.map(|d| d()),
                        })
                        .collect(),
                    method: f.method,
                    stream: f.stream,
                    routes: f
                        .routes
                        .iter()
                        .map(|r| RouteDef {
                            method: r.method,
                            url: format!("{ROOT}{}", &r.path[1..]),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl<'a> AppDef<'a> {
    pub(crate) fn new(modules: &'a [ModuleDef<'a>]) -> Self {
        AppDef { url: ROOT, modules }
    }
}

/// A definition serialised once, with holes for the root URL.
#[derive(Debug)]
pub(crate) struct Template {
    pieces: Vec<String>,
}

impl Template {
    pub(crate) fn new(definition: &impl Serialize) -> Self {
        let json = serde_json::to_string(definition).expect("a definition is plain JSON");
        Template {
            pieces: json.split(ROOT_ESCAPED).map(str::to_owned).collect(),
        }
    }

    /// The definition for `root` (an absolute URL ending in `/`), between
    /// `before` and `after` (for the JavaScript forms).
    pub(crate) fn render(&self, root: &str, before: &str, after: &str) -> Vec<u8> {
        let root = serde_json::to_string(root).unwrap_or_default();
        let root = root.trim_matches('"');
        let size = self.pieces.iter().map(String::len).sum::<usize>()
            + root.len() * self.pieces.len()
            + before.len()
            + after.len();
        let mut out = String::with_capacity(size);
        out.push_str(before);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(root);
            }
            out.push_str(piece);
        }
        out.push_str(after);
        out.into_bytes()
    }
}
