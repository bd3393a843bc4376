//! The Sentry mixin: internal errors reported to Sentry, with the request
//! that met them, and the event's id in the error body.
//!
//! It is small on purpose, the model for a mixin of another service: a
//! `prehandle` that prepares per-request state, a `handle_exception` that
//! reports and adds a key, and everything else handed over to `next`.

use std::ops::RangeBounds;
use std::sync::Arc;

use axum::response::Response;
use sentry::protocol::{self, Event, Exception, Level, Mechanism, Stacktrace};
use sentry::{Client, ClientOptions, Hub, Scope};
use serde_json::{Map, Value};

use crate::application::hooks::{Hooks, Mixin};
use crate::dispatch::args::Args;
use crate::dispatch::request::Request;
use crate::errors::failure::Failure;
use crate::observe::traceparent::TraceParent;

/// How much of a request body goes into an event.
const MAX_BODY: usize = 10 * 1024;

/// Reports internal errors (panics, and returned errors that are not HTTP
/// errors) to Sentry and adds the event's id to the error body as
/// `sentry_id`. Compose it with `#[pico::sentry_mixin]` on your hooks, or
/// [`App::mixin`](crate::App::mixin).
///
/// Without a DSN it does nothing: same responses, no `sentry_id`. Reporting
/// never fails or delays a request: events go to the transport's queue.
pub struct SentryMixin {
    client: Option<Arc<Client>>,
    ignore_status: Box<dyn Fn(u16) -> bool + Send + Sync>,
    ignore_types: Vec<&'static str>,
    send_pii: bool,
}

impl std::fmt::Debug for SentryMixin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentryMixin")
            .field("active", &self.client.as_ref().is_some_and(|c| c.is_enabled()))
            .field("ignore_types", &self.ignore_types)
            .field("send_pii", &self.send_pii)
            .finish_non_exhaustive()
    }
}

/// The Sentry hub of one request, in its extensions: report to it from a
/// handler to keep breadcrumbs and events with their request.
#[derive(Clone, Debug)]
pub struct SentryHub(pub Arc<Hub>);

impl Default for SentryMixin {
    fn default() -> Self {
        Self::from_env()
    }
}

impl SentryMixin {
    /// A mixin with a client for the DSN in `SENTRY_DSN`; without one, the
    /// client `sentry::init` bound to the main hub, if any; otherwise inert.
    pub fn from_env() -> Self {
        let options = sentry::apply_defaults(ClientOptions::new());
        let client = if options.dsn.is_some() {
            Some(Arc::new(Client::from(options)))
        } else {
            Hub::main().client()
        };
        Self::with_client(client)
    }

    /// A mixin reporting through `client` (`None` for an inert one).
    pub fn with_client(client: Option<Arc<Client>>) -> Self {
        SentryMixin {
            client,
            ignore_status: Box::new(|status| (400..600).contains(&status)),
            ignore_types: Vec::new(),
            send_pii: false,
        }
    }

    /// The HTTP errors not to report, by status: all of them unless told
    /// otherwise (`ignore_status(400..500)` reports 5xx ones).
    #[must_use]
    pub fn ignore_status(mut self, statuses: impl RangeBounds<u16> + Send + Sync + 'static) -> Self {
        self.ignore_status = Box::new(move |status| statuses.contains(&status));
        self
    }

    /// Returned errors of type `E` are not reported.
    #[must_use]
    pub fn ignore_type<E: ?Sized + 'static>(mut self) -> Self {
        self.ignore_types.push(std::any::type_name::<E>());
        self
    }

    /// Whether to send personal data: the `Authorization`, `Cookie`,
    /// forwarding, identity and API-key headers, cookies, the request body,
    /// the query string's values, and the basic-auth user and client
    /// address. Off unless turned on.
    #[must_use]
    pub fn send_default_pii(mut self, on: bool) -> Self {
        self.send_pii = on;
        self
    }

    /// Waits up to `timeout` for queued events to be sent; `true` when none
    /// is left.
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        self.client.as_ref().is_none_or(|c| c.flush(Some(timeout)))
    }

    fn active_client(&self) -> Option<&Arc<Client>> {
        self.client.as_ref().filter(|c| c.is_enabled())
    }

    fn ignores(&self, failure: &Failure) -> bool {
        match failure.http_error() {
            Some(e) => (self.ignore_status)(e.status().as_u16()),
            None => self.ignore_types.contains(&failure.name()),
        }
    }

    /// A hub for one request, its scope holding the request.
    fn hub_for(&self, client: &Arc<Client>, request: &Request) -> Arc<Hub> {
        let hub = Arc::new(Hub::new(Some(Arc::clone(client)), Arc::new(Scope::default())));
        let name = transaction_name(request);
        let transaction = hub.start_transaction(transaction_context(&name, request));
        hub.configure_scope(|scope| {
            scope.set_transaction(Some(&name));
            scope.set_tag("request_id", request.request_id());
            // Events take their trace from the scope's span: the caller's
            // trace when the request continues one.
            scope.set_span(Some(transaction.clone().into()));
            if self.send_pii {
                let username = request.basic_auth().map(|(user, _)| user);
                let ip_address = request.remote_addr().map(|a| a.ip().into());
                if username.is_some() || ip_address.is_some() {
                    scope.set_user(Some(protocol::User {
                        username,
                        ip_address,
                        ..Default::default()
                    }));
                }
            }
        });
        hub
    }

    fn request_data(&self, request: &Request) -> protocol::Request {
        let headers = request
            .headers()
            .iter()
            .filter(|(name, _)| self.send_pii || !is_personal(name.as_str()))
            .filter_map(|(name, value)| {
                let value = value.to_str().ok()?;
                // A URL in a header carries a query as the request's does.
                let value = if !self.send_pii && carries_url(name.as_str()) {
                    crate::observe::scrub::url_names_only(value)
                } else {
                    value.to_owned()
                };
                Some((name.to_string(), value))
            })
            .collect();
        // Bodies and query strings carry passwords and tokens: without
        // `send_pii`, the body is left out and the query keeps its names only.
        let body = request.body();
        let data = (self.send_pii && !body.is_empty()).then(|| {
            let cut = &body[..body.len().min(MAX_BODY)];
            String::from_utf8_lossy(cut).into_owned()
        });
        let query = request.query().map(|q| {
            if self.send_pii {
                q.to_owned()
            } else {
                crate::observe::scrub::names_only(q)
            }
        });
        let mut url = request.url();
        if !self.send_pii
            && let Some(start) = url.find('?')
        {
            url.truncate(start);
        }
        protocol::Request {
            url: url.parse().ok(),
            method: Some(request.method().to_string()),
            data,
            query_string: query,
            cookies: self
                .send_pii
                .then(|| request.header("cookie").map(str::to_owned))
                .flatten(),
            headers,
            ..Default::default()
        }
    }
}

/// Headers that carry credentials or identify a person: the client's
/// address as proxies and CDNs pass it on, the user an identity-aware proxy
/// signed in, and anything named like a secret.
fn is_personal(name: &str) -> bool {
    matches!(
        name,
        "cookie"
            | "set-cookie"
            | "x-forwarded-for"
            | "x-real-ip"
            | "forwarded"
            | "cf-connecting-ip"
            | "true-client-ip"
            | "x-client-ip"
            | "x-cluster-client-ip"
            | "fastly-client-ip"
            | "x-forwarded-user"
            | "x-forwarded-email"
            | "x-forwarded-preferred-username"
            | "x-amzn-oidc-data"
            | "x-amzn-oidc-identity"
            | "x-amzn-oidc-accesstoken"
            | "x-envoy-external-address"
            | "x-original-forwarded-for"
            | "x-appengine-user-ip"
            | "x-azure-clientip"
            | "x-azure-socketip"
    ) || [
        "auth",
        "key",
        "token",
        "secret",
        "password",
        "session",
        "jwt",
        "oidc",
        "email",
        "client-ip",
        "real-ip",
        "forwarded-for",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// Headers whose value is a URL: the page a request came from, or the
/// one a proxy was asked for.
fn carries_url(name: &str) -> bool {
    matches!(
        name,
        "referer" | "x-forwarded-uri" | "x-original-uri" | "x-original-url" | "x-rewrite-url" | "location"
    )
}

impl Mixin for SentryMixin {
    fn prehandle(&self, request: &mut Request, args: &mut Args, next: &dyn Hooks) -> Result<(), Failure> {
        if let Some(client) = self.active_client() {
            // The request's data is built when an event is sent (in
            // `handle_exception`), not for every request.
            let hub = self.hub_for(client, request);
            request.extensions_mut().insert(SentryHub(hub));
        }
        next.prehandle(request, args)
    }

    fn posthandle(&self, request: &Request, response: &mut Response, next: &dyn Hooks) {
        next.posthandle(request, response);
        // The request's transaction ends with its answer: Sentry keeps it
        // when the client's options sample it.
        if let Some(SentryHub(hub)) = request.extensions().get::<SentryHub>()
            && let Some(sentry::TransactionOrSpan::Transaction(transaction)) =
                hub.configure_scope(|scope| scope.get_span())
        {
            transaction.set_status(span_status(response.status()));
            transaction.finish();
        }
    }

    fn handle_exception(
        &self,
        failure: &Failure,
        request: &Request,
        mut extra: Map<String, Value>,
        next: &dyn Hooks,
    ) -> Response {
        if let Some(client) = self.active_client()
            && !self.ignores(failure)
        {
            // A failure before the prehandle (or in it) has no hub yet.
            let hub = match request.extensions().get::<SentryHub>() {
                Some(SentryHub(hub)) => Arc::clone(hub),
                None => self.hub_for(client, request),
            };
            let mut event = event_of(failure, request);
            if event.request.is_none() {
                event.request = Some(self.request_data(request));
            }
            let id = hub.capture_event(event);
            if !id.is_nil() {
                extra.insert("sentry_id".to_owned(), Value::String(id.simple().to_string()));
            }
        }
        next.handle_exception(failure, request, extra)
    }

    fn wants_backtraces(&self) -> bool {
        self.active_client().is_some()
    }
}

/// The event for a failure: the error and its causes as exceptions (the
/// innermost first, as Sentry orders them), the user's frames, the
/// transaction named after the pico function.
fn event_of(failure: &Failure, request: &Request) -> Event<'static> {
    let mut frames: Vec<protocol::Frame> = failure
        .frames()
        .into_iter()
        .map(|f| protocol::Frame {
            function: f.function,
            filename: Some(f.file),
            lineno: Some(u64::from(f.line)),
            context_line: f.source,
            in_app: Some(true),
            ..Default::default()
        })
        .collect();
    // Sentry lists frames from the outermost call in.
    frames.reverse();
    let mut exceptions: Vec<Exception> = failure
        .causes()
        .iter()
        .rev()
        .map(|cause| Exception {
            ty: "cause".to_owned(),
            value: Some(cause.clone()),
            ..Default::default()
        })
        .collect();
    exceptions.push(Exception {
        ty: failure.name().to_owned(),
        value: Some(failure.message().to_owned()),
        stacktrace: (!frames.is_empty()).then(|| Stacktrace {
            frames,
            ..Default::default()
        }),
        mechanism: Some(Mechanism {
            ty: if failure.is_panic() { "panic" } else { "pico" }.to_owned(),
            handled: Some(!failure.is_panic()),
            ..Default::default()
        }),
        ..Default::default()
    });
    Event {
        level: Level::Error,
        exception: exceptions.into(),
        transaction: Some(transaction_name(request)),
        logger: Some("pico".to_owned()),
        ..Default::default()
    }
}

/// A request's transaction name: its method and route, `POST /api/fail`,
/// never its URI, which would make one transaction of each argument.
fn transaction_name(request: &Request) -> String {
    match request.route() {
        Some(route) => format!("{} {route}", request.method()),
        None => format!("{} {}", request.method(), request.function()),
    }
}

/// A new transaction that continues the caller's trace: Sentry's own
/// `sentry-trace` header, else a W3C `traceparent`.
fn transaction_context(name: &str, request: &Request) -> sentry::TransactionContext {
    const OP: &str = "http.server";
    let headers = request.headers();
    if headers.contains_key("sentry-trace") {
        let pairs = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        return sentry::TransactionContext::continue_from_headers(name, OP, pairs);
    }
    let parent = headers
        .get("traceparent")
        .and_then(|value| TraceParent::parse(value.as_bytes()));
    match parent {
        Some(parent) => sentry::TransactionContext::builder(name, OP)
            .with_trace_id(parent.trace_id.into())
            .with_parent_span_id(Some(parent.parent_id.into()))
            .with_sampled(Some(parent.sampled))
            .finish(),
        None => sentry::TransactionContext::new(name, OP),
    }
}

fn span_status(status: http::StatusCode) -> protocol::SpanStatus {
    use protocol::SpanStatus;
    match status.as_u16() {
        0..=399 => SpanStatus::Ok,
        401 => SpanStatus::Unauthenticated,
        403 => SpanStatus::PermissionDenied,
        404 => SpanStatus::NotFound,
        409 => SpanStatus::AlreadyExists,
        429 => SpanStatus::ResourceExhausted,
        400..=499 => SpanStatus::InvalidArgument,
        501 => SpanStatus::Unimplemented,
        503 => SpanStatus::Unavailable,
        504 => SpanStatus::DeadlineExceeded,
        _ => SpanStatus::InternalError,
    }
}
