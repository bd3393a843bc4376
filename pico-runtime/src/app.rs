//! `App`: registered modules, routing, and the life of one request.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request as HttpRequest;
use axum::response::Response;
use bytes::Bytes;
use http::Method;
use http::header::{ALLOW, CACHE_CONTROL, HeaderMap, HeaderName, HeaderValue, VARY};
use http::request::Parts;
use serde_json::Map;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

use crate::__private::Context;
use crate::args::{Arg, Args};
use crate::body::{may_have_body, query_args, read_args};
use crate::cross_site::{self, AllowedOrigins, own_host};
use crate::definition::{AppDef, Function, Module, ModuleDef, Prehandle, Template, module_path};
use crate::error::HttpError;
use crate::failure::{Failure, http_error_response};
use crate::forwarded::TrustedProxies;
use crate::hooks::{Hooks, NoHooks};
use crate::json::JsonCodec;
use crate::mixin::{Mixin, Stack};
use crate::panic::{self, Caught, Guarded};
use crate::request::{Request, root_url};
use crate::response::{Outcome, Reply, is_callback_name, json_response, jsonp, typed_response};
use crate::state::AppState;

/// The default limit on a request body: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The default time a client has to send a request's headers.
const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default time a client has to send a request's body.
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// What the app's own server allows a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// Connections held at once.
    pub(crate) max_connections: usize,
    /// Time to the first request, protocol detection included.
    pub(crate) first_request: Duration,
    /// Time without a request running or starting.
    pub(crate) idle: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            first_request: DEFAULT_HEADER_TIMEOUT,
            idle: Duration::from_secs(60),
        }
    }
}

/// A Pico application: the modules it serves and how.
///
/// ```no_run
/// #[pico::api]
/// mod example {
///     #[expose]
///     pub fn hello(who: String) -> String {
///         format!("hello {who}!")
///     }
/// }
///
/// # async fn run() {
/// let router = pico::App::new().register(example::module()).into_router();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await.unwrap();
/// axum::serve(listener, router).await.unwrap();
/// # }
/// # fn main() {}
/// ```
pub struct App {
    modules: Vec<(String, Module)>,
    debug: bool,
    /// Debug mode came from `PICO_DEBUG`, not from the code.
    debug_from_env: bool,
    body_limit: usize,
    static_dir: Option<PathBuf>,
    hooks: Box<dyn Hooks>,
    mixins: Vec<Box<dyn Mixin>>,
    codec: Option<Arc<dyn JsonCodec>>,
    header_timeout: Duration,
    limits: ConnectionLimits,
    body_timeout: Duration,
    log_requests: bool,
    state: AppState,
    origins: AllowedOrigins,
    jsonp: bool,
    trusted: TrustedProxies,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("modules", &self.modules)
            .field("debug", &self.debug)
            .field("body_limit", &self.body_limit)
            .field("static_dir", &self.static_dir)
            .finish_non_exhaustive()
    }
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// An app with no modules. Debug mode is on when the environment has
    /// `PICO_DEBUG=1` (or `true`), off otherwise.
    pub fn new() -> Self {
        let debug = std::env::var("PICO_DEBUG").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        App {
            modules: Vec::new(),
            debug,
            debug_from_env: debug,
            body_limit: DEFAULT_BODY_LIMIT,
            static_dir: None,
            hooks: Box::new(NoHooks),
            mixins: Vec::new(),
            codec: None,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            limits: ConnectionLimits::default(),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            log_requests: false,
            state: AppState::default(),
            origins: AllowedOrigins::default(),
            jsonp: true,
            trusted: TrustedProxies::default(),
        }
    }

    /// Lets pages of these origins call the app from the browser:
    /// `["https://app.example.com"]` (scheme, host and port, exactly), or
    /// `["*"]` for any. Their requests pass the cross-site check, and CORS
    /// answers their preflights and adds the `Access-Control-*` headers.
    /// Without it, a request a browser marks as coming from another site is
    /// refused with 403; clients that are not browsers are not affected.
    ///
    /// # Panics
    /// When an entry is not an origin (a URL with a path, say).
    #[must_use]
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for origin in origins {
            self.origins.add(origin.as_ref());
        }
        self
    }

    /// Lets the allowed origins' pages send the user's cookies and
    /// credentials (CORS `Access-Control-Allow-Credentials`). Off unless
    /// asked; refused with any origin (`"*"`).
    #[must_use]
    pub fn allow_credentials(mut self, on: bool) -> Self {
        self.origins.credentials = on;
        self
    }

    /// JSONP (`?_callback=f`): on unless turned off. A JSONP request that
    /// carries credentials (`Cookie`, `Authorization`) is always refused, as
    /// another site's `<script>` would read the user's data with them.
    #[must_use]
    pub fn jsonp(mut self, on: bool) -> Self {
        self.jsonp = on;
        self
    }

    /// The proxies whose `X-Script-Name`, `X-Forwarded-*` and `Forwarded`
    /// headers the app believes: addresses (`"10.0.0.7"`) or ranges
    /// (`"10.0.0.0/8"`, `"fd00::/8"`). Loopback unless set, so a proxy on
    /// the same machine works as it is; an empty list trusts none. From any
    /// other peer (and from a server that gives no peer address) those
    /// headers are ignored.
    ///
    /// # Panics
    /// On an entry that is not an address or a range.
    #[must_use]
    pub fn trusted_proxies<I, S>(mut self, proxies: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.trusted = TrustedProxies::parse(proxies);
        self
    }

    /// Shares `value` with every request: a function receives it in a
    /// parameter marked `#[state]` (`#[state] store: &Store`), a hook through
    /// [`Request::state`]. One value per type; a second of the same type
    /// replaces the first. It is shared, never copied per request: put what
    /// changes behind a lock or an atomic of its own.
    ///
    /// ```
    /// #[pico::api]
    /// mod counter {
    ///     use std::sync::atomic::{AtomicU64, Ordering};
    ///
    ///     /// Counts calls.
    ///     #[expose]
    ///     pub fn next(#[state] hits: &AtomicU64) -> u64 {
    ///         hits.fetch_add(1, Ordering::Relaxed) + 1
    ///     }
    /// }
    ///
    /// let app = pico::App::new()
    ///     .state(std::sync::atomic::AtomicU64::new(0))
    ///     .register(counter::module());
    /// ```
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// How long a client may take to send a request's line and headers
    /// before [`serve`](crate::serve) cuts it off (10 s unless set), so
    /// that slow clients cannot hold connections open.
    #[must_use]
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    #[cfg(feature = "client")]
    pub(crate) fn debug_value(&self) -> bool {
        self.debug
    }

    /// Turns off debug mode that only `PICO_DEBUG` turned on, for a server
    /// that listens beyond loopback: a variable left in an environment
    /// must not show stack traces to the world.
    pub(crate) fn refuse_env_debug_beyond(&mut self, address: std::net::SocketAddr) {
        if self.debug_from_env && !address.ip().is_loopback() {
            self.debug = false;
            tracing::error!(
                target: "pico",
                "PICO_DEBUG is set but the server listens on {address}, beyond loopback: debug mode stays off \
                 (turn it on in code with `App::debug(true)` if you really mean it)"
            );
        }
    }

    /// How long a client may take to send a request's body (60 s unless
    /// set); past it the answer is 408, so that a body trickled byte by
    /// byte cannot hold a request open. It needs tokio's timer, which
    /// `#[tokio::main]` and `pico::serve` enable.
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// How many connections [`serve`](crate::serve) holds at once (4096
    /// unless set); past it, new connections wait to be accepted, and the
    /// log says so.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// How long [`serve`](crate::serve) keeps a connection on which no
    /// request is running and none has started (60 s unless set), over
    /// HTTP/1.1 and HTTP/2 alike.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle = timeout;
        self
    }

    pub(crate) fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            first_request: self.header_timeout,
            ..self.limits
        }
    }

    pub(crate) fn header_timeout_value(&self) -> Duration {
        self.header_timeout
    }

    /// Logs a line per request (the development server does).
    pub(crate) fn log_requests(mut self) -> Self {
        self.log_requests = true;
        self
    }

    /// The app's hooks: what runs before and after every function, and how
    /// failures become responses.
    #[must_use]
    pub fn hooks(mut self, hooks: impl Hooks + 'static) -> Self {
        self.hooks = Box::new(hooks);
        self
    }

    /// Composes `mixin` around the app's hooks, outside those composed
    /// before it and those the hooks bring (`#[pico::mixin]` on their
    /// `impl`).
    #[must_use]
    pub fn mixin(mut self, mixin: impl Mixin) -> Self {
        self.mixins.insert(0, Box::new(mixin));
        self
    }

    /// Reads arguments and writes results with `codec` rather than
    /// serde_json's defaults.
    #[must_use]
    pub fn json_codec(mut self, codec: impl JsonCodec) -> Self {
        self.codec = Some(Arc::new(codec));
        self
    }

    /// Serves `module` under its own name: `/example/hello`.
    #[must_use]
    pub fn register(self, module: Module) -> Self {
        let name = module.name.to_owned();
        self.register_as(name, module)
    }

    /// Serves `module` under `alias`; dots in it become slashes in URLs
    /// (`"api.v2"` answers at `/api/v2/hello`).
    ///
    /// # Panics
    /// When another module was already registered under the same alias.
    #[must_use]
    pub fn register_as(mut self, alias: impl Into<String>, module: Module) -> Self {
        let alias = alias.into();
        assert!(
            !self.modules.iter().any(|(a, _)| *a == alias),
            "pico: two modules are registered as `{alias}`; give one another alias with `register_as`"
        );
        self.modules.push((alias, module));
        self
    }

    /// Debug mode adds `__debug__` (error name, message and the user's stack
    /// frames) to internal errors. Never turn it on for a public service.
    #[must_use]
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = on;
        self.debug_from_env = false;
        self
    }

    /// The largest request body accepted, in bytes; larger ones get 413.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Serves the files of `dir` at `/` for paths that are not the API's.
    #[must_use]
    pub fn static_files(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = Some(dir.into());
        self
    }

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
            router.layer(axum::middleware::from_fn(crate::server::log_request))
        } else {
            router
        }
    }
}

/// Where a path leads.
#[derive(Debug, Clone, Copy)]
enum Route {
    Function(usize),
    Module(usize, Form),
    App(Form),
    /// `/pico.js`, the JavaScript client.
    Client,
}

/// A definition as JSON, or as the JavaScript that loads it.
#[derive(Debug, Clone, Copy)]
enum Form {
    Json,
    Js,
}

type StaticService = BoxCloneSyncService<HttpRequest, Response, Infallible>;

/// FNV-1a: route paths are short and chosen by the app, not by clients
/// (who can only miss them), so SipHash's flooding resistance buys nothing
/// on the request path, and costs a few hundred instructions a request.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// An exposed function with what serving it needs.
struct Entry {
    /// `module.function`, for the log and error reporters.
    qualified: Arc<str>,
    function: Function,
    prehandle: Option<Prehandle>,
}

/// Everything a request needs, built once at start-up and shared without
/// locks.
struct Shared {
    routes: HashMap<String, Route, BuildHasherDefault<Fnv>>,
    functions: Vec<Entry>,
    module_defs: Vec<Template>,
    app_def: Template,
    debug: bool,
    body_limit: usize,
    static_files: Option<StaticService>,
    hooks: Stack,
    /// Whether panics capture a backtrace: in debug mode, or for a mixin.
    backtraces: bool,
    codec: Option<Arc<dyn JsonCodec>>,
    state: Arc<AppState>,
    body_timeout: Duration,
    origins: AllowedOrigins,
    jsonp: bool,
    trusted: TrustedProxies,
}

impl Shared {
    fn build(app: App) -> Self {
        let hooks = Stack::new(app.hooks, app.mixins);
        let mut routes = HashMap::default();
        let mut functions = Vec::new();
        let defs: Vec<ModuleDef<'_>> = app
            .modules
            .iter()
            .map(|(alias, m)| ModuleDef::new(alias, m))
            .collect();
        let module_defs = defs.iter().map(Template::new).collect();
        let app_def = Template::new(&AppDef::new(&defs));
        let mut add = |path: String, route: Route| {
            assert!(
                routes.insert(path.clone(), route).is_none(),
                "pico: two things answer at `{path}`; register one of the modules under another alias"
            );
        };
        add("/".to_owned(), Route::App(Form::Json));
        add("/picoapp.js".to_owned(), Route::App(Form::Js));
        add("/pico.js".to_owned(), Route::Client);
        for (index, (alias, module)) in app.modules.iter().enumerate() {
            let path = module_path(alias);
            add(format!("/{path}"), Route::Module(index, Form::Json));
            add(format!("/{path}.js"), Route::Module(index, Form::Js));
            for function in &module.functions {
                for need in function.states {
                    assert!(
                        app.state.contains((need.id)()),
                        "pico: `{alias}.{}` takes `#[state]` of type `{}`, which the app was not given: \
                         add `.state(value)` to the `App`",
                        function.name,
                        (need.name)(),
                    );
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
        let static_files = app.static_dir.map(|dir| {
            let not_found = tower::service_fn(|_: HttpRequest| async {
                Ok::<_, Infallible>(http_error_response(&HttpError::not_found()))
            });
            let serve_dir = tower_http::services::ServeDir::new(dir)
                .call_fallback_on_method_not_allowed(true)
                .not_found_service(not_found);
            BoxCloneSyncService::new(serve_dir.map_response(|r| json_errors(r.map(Body::new))))
        });
        Shared {
            routes,
            functions,
            module_defs,
            app_def,
            debug: app.debug,
            body_limit: app.body_limit,
            static_files,
            backtraces: app.debug || hooks.wants_backtraces(),
            hooks,
            codec: app.codec,
            state: Arc::new(app.state),
            body_timeout: app.body_timeout,
            origins: app.origins,
            jsonp: app.jsonp,
            trusted: app.trusted,
        }
    }

    fn context(&self, entry: &Entry, parts: Parts, prefix: String, trusted: bool) -> Context {
        Context {
            request: Request::new(
                parts,
                prefix,
                trusted,
                self.debug,
                Arc::clone(&entry.qualified),
                Arc::clone(&self.state),
            ),
            args: Args::default(),
            codec: self.codec.clone(),
        }
    }

    /// The response to a call's result (a failure's, when it failed or
    /// panicked), through `posthandle`.
    fn finish(
        &self,
        entry: &Entry,
        cx: &Context,
        result: Result<Result<Response, Failure>, Caught>,
    ) -> Response {
        let mut response = match result {
            Ok(Ok(mut response)) => {
                if cx.request.is_https() {
                    crate::cookies::make_secure(&mut response);
                }
                response
            }
            Ok(Err(failure)) => self.failure_response(&failure, &cx.request, &entry.qualified),
            Err(caught) => self.failure_response(&Failure::from_panic(caught), &cx.request, &entry.qualified),
        };
        let posthandle = panic::catch(self.backtraces, || {
            self.hooks.posthandle(&cx.request, &mut response)
        });
        match posthandle {
            Ok(()) => response,
            Err(caught) => self.failure_response(&Failure::from_panic(caught), &cx.request, &entry.qualified),
        }
    }

    /// Turns a failure into the response: logged once when internal, then
    /// the app's `handle_exception`, whose own panic gives the standard body.
    fn failure_response(&self, failure: &Failure, request: &Request, function: &str) -> Response {
        failure.log(function);
        match panic::catch(self.debug, || {
            self.hooks.handle_exception(failure, request, Map::new())
        }) {
            Ok(response) => response,
            Err(caught) => {
                let failure = Failure::from_panic(caught);
                failure.log(function);
                failure.to_response(self.debug, &Map::new())
            }
        }
    }
}

/// Gives an empty error response of another service the standard body.
fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(http::header::CONTENT_TYPE)
    {
        return response;
    }
    http_error_response(&HttpError::new(status))
}

/// The app as a tower service: what [`App::into_router`] falls back to.
#[derive(Clone)]
struct Service(Arc<Shared>);

impl tower::Service<HttpRequest> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Answer {
        dispatch(&self.0, request)
    }
}

/// The answer to a request. Most requests (no body to read, a sync
/// function) are answered within `call`, and their future only hands the
/// response over; the others get a boxed future, so that their state does
/// not weigh on every request's.
enum Answer {
    Now(Option<Response>),
    Later(Pin<Box<dyn Future<Output = Response> + Send>>),
}

impl Answer {
    fn later(future: impl Future<Output = Response> + Send + 'static) -> Self {
        Answer::Later(Box::pin(future))
    }
}

impl Future for Answer {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Answer::Now(response) => {
                Poll::Ready(Ok(response.take().expect("`Answer` polled after completion")))
            }
            Answer::Later(future) => future.as_mut().poll(cx).map(Ok),
        }
    }
}

impl From<Response> for Answer {
    fn from(response: Response) -> Self {
        Answer::Now(Some(response))
    }
}

/// Routes one request.
fn dispatch(shared: &Arc<Shared>, request: HttpRequest) -> Answer {
    let (mut parts, body) = request.into_parts();
    let trusted = forwarded_headers(&parts.headers) && shared.trusted.trusts(&parts);
    let root = match Root::of(&parts, trusted) {
        Ok(root) => root,
        Err(e) => return http_error_response(&e).into(),
    };
    let route = {
        let mut path = root.strip(parts.uri.path());
        if path.len() > 1 {
            path = path.strip_suffix('/').unwrap_or(path);
        }
        shared.routes.get(path).copied()
    };
    let Some(route) = route else {
        return match &shared.static_files {
            Some(_) if is_hidden(parts.uri.path()) => http_error_response(&HttpError::not_found()).into(),
            Some(files) => {
                parts.uri = root.stripped_uri(&parts.uri);
                let request = HttpRequest::from_parts(parts, body);
                let files = files.clone();
                Answer::later(async move {
                    match files.oneshot(request).await {
                        Ok(response) => response,
                        Err(never) => match never {},
                    }
                })
            }
            None => http_error_response(&HttpError::not_found()).into(),
        };
    };
    let required = match route {
        Route::Function(index) => shared.functions[index].function.method,
        Route::Module(..) | Route::App(_) | Route::Client => None,
    };
    if let Err(e) = check_method(&parts.method, required) {
        return http_error_response(&e).into();
    }
    match route {
        Route::Function(index) => {
            if let Err(e) = cross_site::check(&parts, &shared.origins, own_host(&parts)) {
                return http_error_response(&e).into();
            }
            // Owned once here (`root` borrows `parts`, which the call takes).
            let prefix = root.prefix.to_owned();
            if may_have_body(&parts) {
                call_with_body(shared, index, parts, (prefix, trusted), body)
            } else {
                call(shared, index, parts, (prefix, trusted), |parts| {
                    Ok((query_args(parts)?, Bytes::new()))
                })
            }
        }
        Route::Module(index, form) => definition(
            shared,
            &shared.module_defs[index],
            (form, "pico.loadModuleDefinition"),
            &root,
            &parts,
        )
        .into(),
        Route::App(form) => definition(
            shared,
            &shared.app_def,
            (form, "pico.loadAppDefinition"),
            &root,
            &parts,
        )
        .into(),
        Route::Client => crate::client_js::response(&parts.headers).into(),
    }
}

/// GET, HEAD and POST reach every function; `#[require_method(M)]` lets
/// only M through (and HEAD with GET).
fn check_method(method: &Method, required: Option<&'static str>) -> Result<(), HttpError> {
    let allowed = match required {
        None => matches!(*method, Method::GET | Method::HEAD | Method::POST),
        Some(required) => method.as_str() == required || (required == "GET" && *method == Method::HEAD),
    };
    if allowed {
        return Ok(());
    }
    let allow = required.map_or(
        HeaderValue::from_static("GET, HEAD, POST"),
        HeaderValue::from_static,
    );
    Err(HttpError::method_not_allowed().with_header(ALLOW, allow))
}

/// How far a call got without waiting.
enum Step {
    Done(Response),
    /// An async function's future, and the JSONP callback for its result.
    Pending(
        Pin<Box<dyn Future<Output = Result<Reply, Failure>> + Send>>,
        Option<String>,
    ),
}

/// Calls an exposed function with the arguments `read` gives: at once,
/// unless the function is async. Everything that runs user code runs under
/// the panic guard.
fn call(
    shared: &Arc<Shared>,
    index: usize,
    parts: Parts,
    (prefix, trusted): (String, bool),
    read: impl FnOnce(&Parts) -> Result<(Args, Bytes), Failure>,
) -> Answer {
    let entry = &shared.functions[index];
    let mut cx = shared.context(entry, parts, prefix, trusted);
    let step = panic::catch(shared.backtraces, || {
        let (args, body) = read(cx.request.parts())?;
        let callback = prepare(shared, entry, &mut cx, args, body)?;
        Ok(match (entry.function.thunk)(&mut cx)? {
            Outcome::Ready(reply) => Step::Done(reply?.into_response(callback.as_deref())),
            Outcome::Pending(future) => Step::Pending(future, callback),
        })
    });
    let result = match step {
        Ok(Ok(Step::Pending(future, callback))) => {
            let shared = Arc::clone(shared);
            return Answer::later(async move {
                let result = Guarded::new(future, shared.backtraces)
                    .await
                    .map(|reply| reply.map(|reply| reply.into_response(callback.as_deref())));
                shared.finish(&shared.functions[index], &cx, result)
            });
        }
        Ok(Ok(Step::Done(response))) => Ok(Ok(response)),
        Ok(Err(failure)) => Ok(Err(failure)),
        Err(caught) => Err(caught),
    };
    shared.finish(entry, &cx, result).into()
}

/// Reads the request's body, then calls the function. Only the reading
/// waits here: what comes after is [`call`]'s, so that this future stays
/// small.
fn call_with_body(
    shared: &Arc<Shared>,
    index: usize,
    parts: Parts,
    forwarded: (String, bool),
    body: Body,
) -> Answer {
    let shared = Arc::clone(shared);
    Answer::later(async move {
        let reading = tokio::time::timeout(shared.body_timeout, read_args(&parts, body, shared.body_limit));
        let read = match Guarded::new(reading, shared.backtraces).await {
            Ok(Ok(read)) => read.map_err(Failure::from),
            Ok(Err(_)) => Err(HttpError::request_timeout()
                .with_message(format!(
                    "The request body did not arrive within {} s.",
                    shared.body_timeout.as_secs_f32()
                ))
                .into()),
            Err(caught) => Err(Failure::from_panic(caught)),
        };
        match call(&shared, index, parts, forwarded, move |_| read).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    })
}

/// What runs before the function, in the documented order: the arguments
/// in place, the JSONP callback taken out, the hooks' and the module's
/// prehandle, the arguments checked. Returns the callback.
fn prepare(
    shared: &Shared,
    entry: &Entry,
    cx: &mut Context,
    mut args: Args,
    body: Bytes,
) -> Result<Option<String>, Failure> {
    args.set_codec(shared.codec.clone());
    cx.args = args;
    cx.request.set_body(body);
    let callback = take_callback(&mut cx.args)?;
    if callback.is_some() {
        jsonp_allowed(shared.jsonp, cx.request.headers())?;
    }
    shared.hooks.prehandle(&mut cx.request, &mut cx.args)?;
    if let Some(prehandle) = entry.prehandle {
        prehandle(&mut cx.request, &mut cx.args)?;
    }
    for name in entry.function.from_request {
        cx.args.take(name);
    }
    check_args(&entry.function, &cx.args)?;
    Ok(callback)
}

fn definition(
    shared: &Shared,
    template: &Template,
    (form, loader): (Form, &str),
    root: &Root<'_>,
    parts: &Parts,
) -> Response {
    let callback = match parts.uri.query().map(callback_in_query).transpose() {
        Ok(callback) => callback.flatten(),
        Err(e) => return http_error_response(&e),
    };
    if callback.is_some()
        && let Err(e) = jsonp_allowed(shared.jsonp, &parts.headers)
    {
        return http_error_response(&e);
    }
    let url = root.url(parts);
    let mut response = match (form, callback) {
        (Form::Js, _) => typed_response(
            template.render(&url, &format!("{loader}("), ");"),
            "text/javascript",
        ),
        (Form::Json, None) => json_response(template.render(&url, "", "")),
        (Form::Json, Some(callback)) => typed_response(
            jsonp(&callback, &template.render(&url, "", "")),
            "text/javascript",
        ),
    };
    // A definition holds URLs built from the request's host and prefix: a
    // shared cache must neither keep one nor serve it to another host.
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        VARY,
        HeaderValue::from_static("Host, X-Script-Name, X-Forwarded-Proto, X-Forwarded-Host, Forwarded"),
    );
    response
}

/// JSONP is refused when turned off, and to requests with credentials.
fn jsonp_allowed(on: bool, headers: &HeaderMap) -> Result<(), HttpError> {
    if !on {
        return Err(HttpError::bad_request().with_message("JSONP (`_callback`) is turned off on this app."));
    }
    if cross_site::carries_credentials(headers) {
        return Err(HttpError::bad_request().with_message(
            "JSONP (`_callback`) is not answered to requests with credentials (Cookie or Authorization): \
             another site's script would read the answer.",
        ));
    }
    Ok(())
}

/// Whether a request carries headers that only a trusted proxy may set.
fn forwarded_headers(headers: &HeaderMap) -> bool {
    static X_SCRIPT_NAME: HeaderName = HeaderName::from_static("x-script-name");
    static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
    headers.contains_key(&X_SCRIPT_NAME) || headers.contains_key(&X_FORWARDED_PROTO)
}

/// A path to a dotfile or into a dot directory (`.env`, `.git/config`),
/// percent-encoded or not: never served as a static file.
fn is_hidden(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    decoded.split(['/', '\\']).any(|segment| segment.starts_with('.'))
}

fn callback_in_query(query: &str) -> Result<Option<String>, HttpError> {
    let mut args = Args::default();
    crate::body::push_pairs(&mut args, query.as_bytes())?;
    take_callback(&mut args)
}

/// Takes `_callback` out of the arguments, refusing anything but an
/// identifier path.
fn take_callback(args: &mut Args) -> Result<Option<String>, HttpError> {
    let name = match args.take("_callback") {
        None => return Ok(None),
        Some(Arg::Text(text)) => text.into_string(),
        Some(Arg::Json(raw)) => serde_json::from_slice(raw.bytes()).unwrap_or_default(),
        Some(_) => String::new(),
    };
    checked_callback(name).map(Some)
}

fn checked_callback(name: String) -> Result<String, HttpError> {
    if is_callback_name(&name) {
        Ok(name)
    } else {
        Err(HttpError::bad_request()
            .with_message("`_callback` must be a JavaScript identifier path such as `app.receive`."))
    }
}

/// The missing and unexpected parameters, in the original's message.
fn check_args(function: &Function, args: &Args) -> Result<(), HttpError> {
    let mut unexpected: Vec<&str> = args
        .names()
        .filter(|name| !name.starts_with('_') && !function.params.iter().any(|p| p.name == *name))
        .collect();
    let mut missing: Vec<&str> = function
        .params
        .iter()
        .filter(|p| p.default.is_none() && !args.contains(p.name))
        .map(|p| p.name)
        .collect();
    if unexpected.is_empty() && missing.is_empty() {
        return Ok(());
    }
    unexpected.sort_unstable();
    missing.sort_unstable();
    let mut message = String::new();
    if !unexpected.is_empty() {
        message.push_str(&format!("Unexpected parameters: [{}]. ", unexpected.join(", ")));
    }
    if !missing.is_empty() {
        message.push_str(&format!(
            "Missing required parameters: [{}]. ",
            missing.join(", ")
        ));
    }
    Err(HttpError::bad_request().with_message(message))
}

/// The prefix a proxy announced with `X-Script-Name`, and the root URL
/// built from it, `http://host/prefix/`, which only definitions need.
struct Root<'a> {
    prefix: &'a str,
    /// Whether the peer is a trusted proxy, whose forwarded headers count.
    trusted: bool,
}

impl<'a> Root<'a> {
    fn of(parts: &'a Parts, trusted: bool) -> Result<Root<'a>, HttpError> {
        let prefix = if trusted { script_name(&parts.headers)? } else { "" };
        Ok(Root { prefix, trusted })
    }

    fn url(&self, parts: &Parts) -> String {
        root_url(parts, self.prefix, self.trusted)
    }

    /// `path` without the prefix.
    fn strip<'p>(&self, path: &'p str) -> &'p str {
        if self.prefix.is_empty() {
            return path;
        }
        match path.strip_prefix(self.prefix) {
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => path,
        }
    }

    fn stripped_uri(&self, uri: &http::Uri) -> http::Uri {
        if self.prefix.is_empty() {
            return uri.clone();
        }
        let path = self.strip(uri.path());
        let path_and_query = match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        path_and_query.parse().unwrap_or_else(|_| uri.clone())
    }
}

/// The `X-Script-Name` prefix without its trailing slash, `""` when absent.
/// Only a plain path is accepted: it goes into every URL the app builds.
fn script_name(headers: &HeaderMap) -> Result<&str, HttpError> {
    static X_SCRIPT_NAME: HeaderName = HeaderName::from_static("x-script-name");
    let Some(value) = headers.get(&X_SCRIPT_NAME) else {
        return Ok("");
    };
    let invalid = || {
        HttpError::bad_request().with_message("The X-Script-Name header must be a URL path such as `/myapp`.")
    };
    let value = value.to_str().map_err(|_| invalid())?.trim_end_matches('/');
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&b));
    // `%2e` is a dot to whoever decodes the path next.
    let encoded_dot = value.to_ascii_lowercase().contains("%2e");
    if !value.is_empty()
        && (!value.starts_with('/')
            || !plain
            || encoded_dot
            || value.split('/').any(|s| s == ".." || s == "."))
    {
        return Err(invalid());
    }
    Ok(value)
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(script: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-script-name", HeaderValue::from_str(script).unwrap());
        h
    }

    #[test]
    fn debug_from_the_environment_stays_off_beyond_loopback() {
        let mut app = App::new().debug(true);
        app.debug_from_env = true;
        app.refuse_env_debug_beyond("127.0.0.1:4242".parse().unwrap());
        assert!(app.debug, "loopback keeps it");
        app.refuse_env_debug_beyond("0.0.0.0:4242".parse().unwrap());
        assert!(!app.debug, "beyond loopback, PICO_DEBUG alone is not enough");
        let mut app = App::new().debug(true);
        app.refuse_env_debug_beyond("0.0.0.0:4242".parse().unwrap());
        assert!(app.debug, "in code, it is the app's choice");
    }

    #[test]
    fn script_names_are_plain_paths() {
        assert_eq!(script_name(&headers("/myapp/")).unwrap(), "/myapp");
        assert_eq!(script_name(&headers("/")).unwrap(), "");
        for bad in [
            "myapp",
            "/a/../b",
            "http://evil",
            "/<script>",
            "/a\"b",
            "/%2e%2e/x",
            "/%2E.",
        ] {
            assert!(script_name(&headers(bad)).is_err(), "{bad}");
        }
    }
}
