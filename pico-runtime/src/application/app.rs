//! `App`: what an application is made of (its modules, hooks, state,
//! limits and security options), and how it becomes a router.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::application::hooks::{Hooks, Mixin, NoHooks};
use crate::application::state::AppState;
use crate::describe::definition::Module;
use crate::dispatch::json::JsonCodec;
use crate::edge::cross_site::AllowedOrigins;
use crate::edge::forwarded::{Proxies, ProxyHeaders};
use crate::edge::hosts::AllowedHosts;
use crate::edge::trusted_proxies::TrustedProxies;
use crate::serve::shutdown::Shutdown;

/// The default limit on a request body: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The default time a client has to send a request's body.
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a stream stays silent before a comment line goes out: well
/// within the 60 s after which nginx, by default, cuts a silent upstream.
const DEFAULT_STREAM_HEARTBEAT: Duration = Duration::from_secs(15);

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
    pub(crate) modules: Vec<(String, Module)>,
    pub(crate) debug: bool,
    /// Debug mode came from `PICO_DEBUG`, not from the code.
    pub(crate) debug_from_env: bool,
    pub(crate) body_limit: usize,
    pub(crate) static_dir: Option<PathBuf>,
    /// The app's own axum routes, tried after the API's paths.
    pub(crate) router: Option<axum::Router>,
    /// What runs when it starts, in order, until it has.
    pub(crate) start_hooks: Vec<crate::application::lifecycle::StartHook>,
    /// The types of the `#[state]` values start hooks will make.
    pub(crate) promised: Vec<std::any::TypeId>,
    /// What runs when it stops.
    pub(crate) stop_hooks: Vec<crate::application::lifecycle::StopHook>,
    /// `/healthz` and `/readyz`, when asked for.
    pub(crate) health: Option<crate::application::health::Health>,
    /// How answers are compressed, and which encodings a body may come in.
    #[cfg(feature = "compression")]
    pub(crate) compression: crate::respond::compression::Compression,
    /// The request metrics, when asked for.
    #[cfg(feature = "metrics")]
    pub(crate) metrics: Option<crate::observe::metrics::Metrics>,
    pub(crate) hooks: Box<dyn Hooks>,
    /// Whether [`App::hooks`] was called: without, no hook of the app's
    /// writes an error's answer.
    pub(crate) own_hooks: bool,
    pub(crate) mixins: Vec<Box<dyn Mixin>>,
    pub(crate) codec: Option<Arc<dyn JsonCodec>>,
    pub(crate) body_timeout: Duration,
    /// `None` until set: on under Pico's servers, off under a router.
    pub(crate) log_requests: Option<bool>,
    pub(crate) log_query_values: bool,
    pub(crate) state: AppState,
    /// How long a stream may be silent before a comment line goes out.
    pub(crate) stream_heartbeat: Option<Duration>,
    pub(crate) origins: AllowedOrigins,
    pub(crate) hosts: AllowedHosts,
    pub(crate) max_blocking: usize,
    pub(crate) jsonp: bool,
    pub(crate) proxies: Proxies,
    pub(crate) request_id_header: http::HeaderName,
    pub(crate) problem_details: bool,
    /// The OpenAPI document's title and version.
    pub(crate) info: (Option<String>, String),
    /// Which OpenAPI `/openapi.json` is written in.
    #[cfg(feature = "openapi")]
    pub(crate) openapi_version: crate::OpenApiVersion,
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
            router: None,
            start_hooks: Vec::new(),
            promised: Vec::new(),
            stop_hooks: Vec::new(),
            health: None,
            #[cfg(feature = "metrics")]
            metrics: None,
            #[cfg(feature = "compression")]
            compression: crate::respond::compression::Compression::new(),
            hooks: Box::new(NoHooks),
            own_hooks: false,
            mixins: Vec::new(),
            codec: None,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            log_requests: None,
            log_query_values: false,
            state: AppState::with_shutdown(),
            stream_heartbeat: Some(DEFAULT_STREAM_HEARTBEAT),
            origins: AllowedOrigins::default(),
            hosts: AllowedHosts::default(),
            max_blocking: crate::dispatch::blocking::DEFAULT_MAX_BLOCKING,
            jsonp: false,
            proxies: Proxies::default(),
            request_id_header: http::HeaderName::from_static("x-request-id"),
            problem_details: false,
            info: (None, "0.1.0".to_owned()),
            #[cfg(feature = "openapi")]
            openapi_version: crate::OpenApiVersion::default(),
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

    /// Answers only requests for these hosts (`Host`, or the host a
    /// trusted proxy forwards): names such as `"api.example.com"`, and
    /// `".example.com"` for a domain and every name under it; ports are
    /// not compared. Others get a 421 (Misdirected Request). Unset, every host is answered,
    /// except by the development server ([`serve`](crate::serve)) on a
    /// loopback address, which answers loopback names and addresses
    /// (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`) and those listed
    /// here: a page of another site could otherwise point a name of its
    /// own at 127.0.0.1 and call the local server as its own origin (DNS
    /// rebinding).
    #[must_use]
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for host in hosts {
            self.hosts.add(host.as_ref());
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

    /// JSONP (`?_callback=f`): off unless turned on (the original had it
    /// on). A `<script>` of any site reads a JSONP answer, so with it on,
    /// any page a user opens can read what the app answers to that user's
    /// machine: an app on loopback or an intranet would be read from
    /// outside. When on, a JSONP request that carries credentials
    /// (`Cookie`, `Authorization`) is refused, as another site's script
    /// would read the user's data with them; and across sites only a GET
    /// without a body, to a function that neither sets cookies nor answers
    /// a `Response` of its own, is answered.
    #[must_use]
    pub fn jsonp(mut self, on: bool) -> Self {
        self.jsonp = on;
        self
    }

    /// The proxies whose `X-Forwarded-*`, `Forwarded` and `X-Script-Name`
    /// headers the app believes ([`App::proxy_headers`] says which): the
    /// client's address, the scheme and host it used, and the path prefix
    /// the app is served under. Addresses (`"10.0.0.7"`) or ranges
    /// (`"10.0.0.0/8"`, `"fd00::/8"`); loopback unless set, so a proxy on
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
        self.proxies.trusted = TrustedProxies::parse(proxies);
        self
    }

    /// Which forwarded headers the trusted proxies set:
    /// [`ProxyHeaders::XForwarded`] (`X-Forwarded-For`, `-Proto`, `-Host`,
    /// `-Prefix`; the default, and what nginx is configured to send) or
    /// [`ProxyHeaders::Forwarded`] (RFC 7239). The other family is ignored:
    /// a proxy passes on what it does not set, so those would be the
    /// client's words. `X-Script-Name` is read under both.
    #[must_use]
    pub fn proxy_headers(mut self, headers: ProxyHeaders) -> Self {
        self.proxies.headers = headers;
        self
    }

    /// Shares `value` with every request: a function receives it in a
    /// parameter marked `#[state]` (`#[state] store: &Store`), a hook through
    /// [`Request::state`](crate::Request::state). One value per type; a second of the same type
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

    /// The app's [`Shutdown`]: Pico's servers trigger it when they stop;
    /// with a server of your own, trigger it as its graceful shutdown
    /// begins, so that open streams end with their `close` event.
    pub fn shutdown(&self) -> Shutdown {
        self.state.get::<Shutdown>().cloned().unwrap_or_default()
    }

    /// How long a stream may stay silent before Pico sends an SSE comment
    /// line (`: keep-alive`), which clients ignore but which keeps proxies
    /// (nginx cuts a silent upstream after 60 s) and load balancers from
    /// closing it: 15 seconds unless set; `None` sends none.
    #[must_use]
    pub fn stream_heartbeat(mut self, every: Option<Duration>) -> Self {
        self.stream_heartbeat = every;
        self
    }

    #[cfg(feature = "client")]
    pub(crate) fn debug_value(&self) -> bool {
        self.debug
    }

    /// The development server on loopback answers loopback names only,
    /// unless the app lists its hosts.
    pub(crate) fn loopback_hosts_on(&mut self, address: std::net::SocketAddr) {
        if address.ip().is_loopback() {
            self.hosts.with_loopback();
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

    /// How many `#[blocking]` calls the app takes at once, waiting for a
    /// thread or running (512 unless set, the size of tokio's blocking
    /// pool); past it, a call is answered 503 with `Retry-After: 1` rather
    /// than queued without end.
    #[must_use]
    pub fn max_blocking(mut self, calls: usize) -> Self {
        self.max_blocking = calls.max(1);
        self
    }

    /// Logs a line per request: a `tracing` event of level info and target
    /// `pico::request` whose fields are `client` (the address, when known),
    /// `method`, `uri`, `route` (when the path matched one), `status`,
    /// `duration_ms` and `request_id`; all but the numbers are strings. The
    /// `uri` is the path, with the query's names and its values
    /// `[Filtered]` (they carry tokens: [`App::log_query_values`] keeps
    /// them), cut at 2 KiB.
    ///
    /// On by default under Pico's servers, which write it from a thread of
    /// their own: for a person (`GET /example/hello?who=[Filtered] 200
    /// 41.0µs 9f3c…`) from [`serve`](crate::serve), as JSON lines from
    /// [`Server`](crate::Server) (`PICO_LOG=json` or `text` chooses). Off by
    /// default under [`App::into_router`], where your subscriber decides
    /// where it goes (`tracing_appender::non_blocking` keeps the workers
    /// from waiting on it).
    #[must_use]
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = Some(on);
        self
    }

    /// Keeps the query string's values in the request log's `uri`, as
    /// sent, rather than `[Filtered]` (off unless set): for a development
    /// server whose log nobody else reads.
    #[must_use]
    pub fn log_query_values(mut self, on: bool) -> Self {
        self.log_query_values = on;
        self
    }

    /// The header a request's id is read from and answered in,
    /// `X-Request-Id` by default: the one the proxy in front of the app
    /// sets, when it sets one.
    ///
    /// # Panics
    /// When `name` is not a header name.
    #[must_use]
    pub fn request_id_header(mut self, name: &str) -> Self {
        self.request_id_header = http::HeaderName::try_from(name)
            .unwrap_or_else(|_| panic!("pico: `{name}` is not a header name"));
        self
    }

    /// Answers every error as RFC 9457 problem details,
    /// `application/problem+json`: `type`, `title`, `status`, `detail` and
    /// `instance`, with the standard body's members (`name`, `code`,
    /// `message`, `request_id`...) kept beside them, so that pico's clients
    /// read it as before. Without it, a client gets problem details by
    /// sending `Accept: application/problem+json`. Off by default.
    #[must_use]
    pub fn problem_details(mut self, on: bool) -> Self {
        self.problem_details = on;
        self
    }

    /// The app's hooks: what runs before and after every function, and how
    /// failures become responses.
    #[must_use]
    pub fn hooks(mut self, hooks: impl Hooks + 'static) -> Self {
        self.hooks = Box::new(hooks);
        self.own_hooks = true;
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

    /// Serves the files of `dir` at `/` for paths that are not the API's
    /// (with the `static-files` feature, on by default).
    #[cfg(feature = "static-files")]
    #[must_use]
    pub fn static_files(mut self, dir: impl Into<PathBuf>) -> Self {
        self.static_dir = Some(dir.into());
        self
    }

    /// Serves `router`'s routes beside the API, under Pico's servers and
    /// layers: request ids, spans and log lines, the body limit, the drain,
    /// the cross-site rule. A path of the API (`/module/function`, a
    /// `#[route]`, Pico's own) comes first; what neither the API nor the
    /// router matches goes on to the static files, then the JSON 404.
    ///
    /// Their refusals are the standard body too: a path the router has but
    /// not with this method is a JSON 405 with its `Allow`, an extractor's
    /// plain-text rejection and a panic become the standard error. An
    /// answer of the routes' own in JSON, or a success, is left as it is.
    ///
    /// The router's state is given (a `Router<()>`), and its own fallback,
    /// if any, is replaced by Pico's. Called twice, the routers are merged.
    #[must_use]
    pub fn routes(mut self, router: axum::Router) -> Self {
        self.router = Some(match self.router.take() {
            Some(before) => before.merge(router),
            None => router,
        });
        self
    }
}
