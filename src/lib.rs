//! # Pico
//!
//! A small, fast HTTP API framework: an API is a module of plain Rust
//! functions.
//!
//! ```no_run
//! /// Greetings.
//! #[pico::api]
//! pub mod example {
//!     use pico::HttpError;
//!
//!     /// Say hello.
//!     #[expose]
//!     pub fn hello(who: String) -> String {
//!         format!("hello {who}!")
//!     }
//!
//!     #[expose]
//!     pub fn goodbye(#[default("world")] who: String) -> String {
//!         format!("goodbye {who}!")
//!     }
//!
//!     #[expose]
//!     pub async fn multiply(x: i64, y: i64) -> Result<i64, HttpError> {
//!         x.checked_mul(y).ok_or_else(|| HttpError::bad_request().with_message("too big"))
//!     }
//! }
//!
//! fn main() {
//!     pico::serve(pico::App::new().register(example::module()));
//! }
//! ```
//!
//! `GET /example/hello?who=you` answers `"hello you!"`; `/example` describes
//! the module; every failure is a JSON body `{"name", "code", "message"}`.
//! The functions stay ordinary functions: `example::hello("you".into())`
//! involves no framework at all.

#![warn(missing_docs)]

// The public surface, item by item: a new item of the runtime is public
// only once it is named here.

// Building an app and serving it.
pub use pico_runtime::{App, AppState, BuildError, DEFAULT_BODY_LIMIT, Server, Shutdown, StartError, serve};
// Modules and their functions, as `#[pico::api]` records them.
pub use pico_runtime::{Function, Module};
// What a function, a hook or a check receives and returns.
pub use pico_runtime::{Args, JsonCodec, Located, Request, Response, Upload, basic_auth, cookie, header};
// Errors.
pub use pico_runtime::{ErrorStatus, Failure, Frame, HttpError};
// Hooks, mixins and the Sentry mixin.
pub use pico_runtime::{Hooks, Mixin};
#[cfg(feature = "sentry")]
pub use pico_runtime::{SentryHub, SentryMixin};
// Proxies.
pub use pico_runtime::ProxyHeaders;
// Credentials, as `#[from_request]` parameters, and what extractors say of
// themselves in the documents.
pub use pico_runtime::auth;
pub use pico_runtime::{DescribeExtractor, SecurityScheme};
// OpenAPI schemas, derived through pico's own schemars, and the version
// of the document.
#[cfg(feature = "openapi")]
pub use pico_runtime::{JsonSchema, OpenApiVersion, schemars};
// Compression.
#[cfg(feature = "compression")]
pub use pico_runtime::Compression;
// Metrics, and the crate an app's own are made with.
#[cfg(feature = "metrics")]
pub use pico_runtime::{Metrics, prometheus_client};
// The Rust client.
#[cfg(feature = "client")]
pub use pico_runtime::client;

#[doc(hidden)]
pub use pico_runtime::{__private, ConnectionServer};

/// Makes an inline module an API module.
///
/// Each function marked `#[expose]` answers at `/module/function` (GET or
/// POST), its parameters filled by name from the query string, a form, a
/// multipart upload or a JSON object body. The macro adds `module()`, which
/// returns the [`Module`] to register on an [`App`].
///
/// - Parameters are any owned `serde::Deserialize` type; `Option<T>` ones
///   may be left out (`None`), and `#[default(expr)]` gives a default. A
///   JSON `null` counts as left out; one query or form value fills a list
///   parameter as a list of one.
/// - `#[state] store: &Store` receives the value of that type the app was
///   given with [`App::state`] (`T` rather than `&T` receives a clone);
///   `#[from_request] auth: Auth` runs an axum `FromRequestParts` extractor,
///   whose rejection is the answer. Neither is sent by clients nor listed in
///   the definition.
/// - Results are any `serde::Serialize` type (sent as JSON), a [`Response`]
///   passed through, or a `Result` of either whose error is an
///   [`HttpError`](struct@HttpError) (sent as it is), a type that derives [`HttpError`](derive@HttpError)
///   (its own status), or any other error (a 500).
/// - Doc comments become the definition's `doc`.
///
/// ```
/// #[pico::api]
/// mod counter {
///     /// Counts down.
///     #[expose]
///     pub fn countdown(#[default(10)] from: u32, step: Option<u32>) -> Vec<u32> {
///         (0..=from).rev().step_by(step.unwrap_or(1) as usize).collect()
///     }
/// }
///
/// // Still a plain function:
/// assert_eq!(counter::countdown(2, None), vec![2, 1, 0]);
/// let module = counter::module();
/// assert_eq!(module.functions()[0].name(), "countdown");
/// ```
///
/// # Attributes of an exposed function
///
/// They act only when Pico calls the function; a direct call is a plain
/// call.
///
/// - `#[request_args(...)]` fills parameters from the request instead of
///   the client (whose values for them are ignored, and which the
///   definition leaves out): `req` gets the [`Request`] itself;
///   `ip = remote_addr` a request attribute (`remote_addr`, `method`,
///   `path`, `url`, `headers`, `cookies`, `token`, `authorization`,
///   `user_agent`); `user = "user"` a value a prehandle stored with
///   [`Request::set`]; `user = current_user` the `Ok` value of
///   `fn current_user(&Request) -> Result<T, E>`, such as [`cookie`],
///   [`header`] and [`basic_auth`].
/// - `#[protected(check)]` runs `fn check(&Request, &Args)` first, returning
///   `bool` (`false` is a 403) or a `Result` whose error is the answer.
/// - `#[require_method(POST)]` refuses other methods with a 405.
/// - `#[stream]`: the function returns an iterator or a `Stream` of
///   serialisable items, sent as `text/event-stream` events, then a `close`
///   event. Items spelled `Result<T, E>` end the stream with an `error` event
///   on `Err`, as does a panic.
/// - `#[set_cookie]` (options `path`, `domain`, `max_age`, `secure`,
///   `http_only`, `same_site`): the returned map is the body and each of
///   its keys a cookie (`HttpOnly; SameSite=Lax; Path=/` by default).
/// - `#[delete_cookie("name")]` expires the cookie.
/// - `#[blocking]` on a sync function that blocks (file or network I/O
///   through a sync API, a lock held long, heavy computation) runs it on
///   tokio's blocking pool, so that the runtime's workers go on serving
///   other requests.
///
/// A function of the module marked `#[prehandle]`,
/// `fn(&mut Request, &mut Args)` returning `()` or a `Result`, runs before
/// every function of the module. App-wide hooks are [`Hooks`].
///
/// ```
/// #[pico::api]
/// mod shop {
///     use std::collections::HashMap;
///
///     use pico::{Args, Request};
///
///     #[prehandle]
///     fn who(request: &mut Request, _args: &mut Args) {
///         let user = request.basic_auth().map(|(user, _)| user);
///         request.set("user", user);
///     }
///
///     fn signed_in(request: &Request, _args: &Args) -> bool {
///         request.get::<String>("user").is_some()
///     }
///
///     /// Places an order.
///     #[expose]
///     #[require_method(POST)]
///     #[protected(signed_in)]
///     #[request_args(user = "user")]
///     pub fn order(user: String, item: String) -> String {
///         format!("{item} for {user}")
///     }
///
///     /// The basket, kept in a cookie.
///     #[expose]
///     #[set_cookie(max_age = 3600)]
///     #[request_args(basket = pico::cookie("basket"))]
///     pub fn add(basket: Option<String>, item: String) -> HashMap<String, String> {
///         let basket = basket.map_or(item.clone(), |b| format!("{b},{item}"));
///         HashMap::from([("basket".to_owned(), basket)])
///     }
/// }
///
/// assert_eq!(shop::order("arthur".into(), "tea".into()), "tea for arthur");
/// ```
pub use pico_macros::api;

/// Exposes a function of an API module kept in a file of its own, the
/// usual layout of a real service: `mod notes;` in `main.rs`, and in
/// `notes.rs` the functions, each marked `#[pico::expose]` (it takes every
/// attribute `#[expose]` takes in a [`macro@api`] module, written after it),
/// then [`module!`] listing them.
///
/// ```
/// mod notes {
///     // Imagine this is `notes.rs`.
///     use pico::expose;
///
///     /// Reads a note.
///     #[expose]
///     pub fn read(id: u64) -> String {
///         format!("note {id}")
///     }
///
///     pico::module! {
///         /// Notes, in a file of their own.
///         read,
///     }
/// }
///
/// let app = pico::App::new().register(notes::module());
/// assert_eq!(notes::module().name(), "notes");
/// ```
pub use pico_macros::expose;

/// Makes `module()` for a file module: the `#[pico::expose]`d functions it
/// lists, named after the Rust module (`mod notes;` is `notes`), with the
/// doc comment written inside it. `prehandle = f` adds the module's
/// prehandle, `fn f(&mut Request, &mut Args)`. See [`macro@expose`].
pub use pico_macros::module;

/// Derives [`ErrorStatus`] for a domain error type, so that a function can
/// return `Result<T, NoteError>` as it is: `#[http(status = N)]` on each
/// variant, or on the type as a default (a struct needs it there).
///
/// A 4xx variant is the client's: the answer carries its `Display` text as
/// the message. A 5xx variant is the server's: the client reads that
/// status's generic message, while the `Display` text and the `source()`
/// chain go to the log, to `__debug__` in debug mode, and to Sentry. It
/// composes with `thiserror`, which writes `Display` and `Error`:
///
/// ```
/// #[derive(Debug, thiserror::Error, pico::HttpError)]
/// #[http(status = 500)]
/// pub enum NoteError {
///     #[error("note {0} not found")]
///     #[http(status = 404)]
///     NotFound(u64),
///     #[error("the store failed")]
///     Store(#[source] std::io::Error),
/// }
///
/// use pico::ErrorStatus;
/// assert_eq!(NoteError::NotFound(5).status().as_u16(), 404);
/// ```
pub use pico_macros::HttpError;

/// Composes a [`Mixin`] into an app's hooks: on `impl pico::Hooks for App`
/// (whose own overrides still run inside the mixin), or on a struct that has
/// no hooks of its own. Several stack, the first one outermost.
///
/// ```
/// use pico::{Args, Failure, Hooks, Mixin, Request};
///
/// /// Logs every call.
/// struct Log;
///
/// impl Mixin for Log {
///     fn prehandle(&self, request: &mut Request, args: &mut Args, next: &dyn Hooks) -> Result<(), Failure> {
///         println!("calling {}", request.function());
///         next.prehandle(request, args)
///     }
/// }
///
/// #[pico::mixin(Log)]
/// struct App;
///
/// let app = pico::App::new().hooks(App);
/// ```
pub use pico_macros::mixin;

/// Composes the [`SentryMixin`] into an app's hooks, like [`mixin`]:
/// internal errors go to Sentry (DSN from `SENTRY_DSN`) with their request,
/// and the error body gets the event's id as `sentry_id`.
///
/// Options: `ignore_status = 400..600` (the HTTP errors not reported: all by
/// default), `ignore_types = [std::io::Error]` (returned errors not
/// reported), `send_pii = true` (credentials, cookies and the user: off by
/// default), `client = expr` (an `Arc<sentry::Client>` of your own).
///
/// ```
/// use pico::{Args, Failure, Request};
///
/// struct App;
///
/// #[pico::sentry_mixin(ignore_status = 400..500, send_pii = false)]
/// impl pico::Hooks for App {
///     fn prehandle(&self, request: &mut Request, _args: &mut Args) -> Result<(), Failure> {
///         request.set("started", true);
///         Ok(())
///     }
/// }
///
/// let app = pico::App::new().hooks(App);
/// ```
#[cfg(feature = "sentry")]
pub use pico_macros::sentry_mixin;

/// The guide's chapters (`book/`), so that their Rust examples compile and
/// run as doctests. The examples a chapter includes whole (`{{#include}}`)
/// are `examples/`, built as examples of their own.
#[cfg(doctest)]
mod guide {
    macro_rules! chapters {
        ($($name:ident = $file:literal;)*) => {
            $(
                #[doc = include_str!(concat!("../book/src/", $file))]
                struct $name;
            )*
        };
    }

    chapters! {
        Introduction = "introduction.md";
        GettingStarted = "getting-started.md";
        ARealService = "a-real-service.md";
        Resources = "resources.md";
        Errors = "errors.md";
        DecoratorsAndHooks = "decorators-and-hooks.md";
        Clients = "clients.md";
        OpenApi = "openapi.md";
        GeneratedClients = "generated-clients.md";
        Observability = "observability.md";
        Security = "security.md";
        Deploying = "deploying.md";
        Operating = "operating.md";
        OneToMany = "one-to-many.md";
        Benchmarks = "benchmarks.md";
        Differences = "differences.md";
        CompileErrors = "compile-errors.md";
    }
}
