//! `Request`: what hooks, `request_args` and `protected` checks see of a
//! request, and what a prehandle can add to it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{AUTHORIZATION, COOKIE, USER_AGENT};
use http::request::Parts;
use http::{HeaderMap, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::application::state::AppState;
use crate::edge::forwarded::Forwarded;
use crate::edge::prefix::{Root, root_url, scheme};
use crate::edge::present::Present;
use crate::errors::http_error::HttpError;
use crate::errors::problem::Shape;
use crate::observe::exchange::Exchange;

/// A request, as hooks and request-filled parameters see it.
///
/// A prehandle can store values on it by name ([`Request::set`]), which
/// `#[request_args(user = "user")]` then hands to a function's parameter.
#[derive(Debug, Clone)]
pub struct Request {
    parts: Parts,
    remote_addr: Option<SocketAddr>,
    /// The connection's other end: the client, or the proxy in front.
    peer_addr: Option<SocketAddr>,
    prefix: String,
    /// What a trusted proxy said of the client and its URL.
    forwarded: Forwarded,
    values: Map<String, Value>,
    debug: bool,
    function: Arc<str>,
    body: Bytes,
    state: Arc<AppState>,
    exchange: Option<Arc<Exchange>>,
}

impl Request {
    pub(crate) fn new(
        parts: Parts,
        arrival: Arrival,
        debug: bool,
        function: Arc<str>,
        state: Arc<AppState>,
    ) -> Request {
        let peer_addr = arrival.peer(&parts);
        Request {
            parts,
            remote_addr: arrival
                .forwarded
                .client
                .or_peer(peer_addr)
                .map(crate::edge::forwarded::canonical),
            peer_addr,
            prefix: arrival.prefix,
            forwarded: arrival.forwarded,
            values: Map::new(),
            debug,
            function,
            body: Bytes::new(),
            state,
            exchange: arrival.exchange,
        }
    }

    /// The app's shared value of type `T` (see [`App::state`](crate::App::state)).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.state.get()
    }

    /// All of the app's shared values.
    pub fn app_state(&self) -> &AppState {
        &self.state
    }

    pub(crate) fn shared_state(&self) -> &Arc<AppState> {
        &self.state
    }

    pub(crate) fn set_body(&mut self, body: Bytes) {
        self.body = body;
    }

    /// The function called, `module.function` (under the module's alias);
    /// empty when the request was refused before it reached one.
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The request's id: the client's `X-Request-Id` (or the header
    /// [`App::request_id_header`](crate::App::request_id_header) names)
    /// when valid, else one Pico made. The answer carries it in that
    /// header, an error body as `request_id`, the log line and the span as
    /// a field: quote it to find the others.
    pub fn request_id(&self) -> &str {
        self.exchange().map_or("", |e| e.id.as_str())
    }

    /// The route the path matched, `/module/function` (without the app's
    /// prefix): what the span and Sentry name the request by.
    pub fn route(&self) -> Option<&str> {
        self.exchange().and_then(Exchange::route)
    }

    pub(crate) fn exchange(&self) -> Option<&Exchange> {
        self.exchange.as_deref()
    }

    /// How this request's error bodies are written.
    pub(crate) fn error_shape(&self) -> Shape<'_> {
        Shape::of(self.exchange(), self.parts.uri.path())
    }

    /// The request body, when it was one pico reads whole (JSON or a form);
    /// empty otherwise. A multipart form's parts are read as they arrive,
    /// into the arguments, and are not kept twice.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.parts.method
    }

    /// The path as the client sent it, `X-Script-Name` prefix included.
    pub fn path(&self) -> &str {
        self.parts.uri.path()
    }

    /// The query string, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.parts.uri.query()
    }

    /// The URL root of the app, `http://host/prefix/`: the start of every
    /// URL the app builds.
    pub fn root_url(&self) -> String {
        root_url(&self.parts, &self.prefix, &self.forwarded)
    }

    /// Whether the client reached the app over https: the URI's scheme, or
    /// what a trusted proxy says (`X-Forwarded-Proto: https`, or `proto` in
    /// `Forwarded`).
    pub fn is_https(&self) -> bool {
        scheme(&self.parts, &self.forwarded) == "https"
    }

    /// The full URL of the request.
    pub fn url(&self) -> String {
        let root = self.root_url();
        let path_and_query = self.parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let path_and_query = path_and_query
            .strip_prefix(self.prefix.as_str())
            .unwrap_or(path_and_query);
        format!("{}{}", root.trim_end_matches('/'), path_and_query)
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// A header as text; `None` when absent or not readable text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The client's address: the one a trusted proxy forwarded (its port
    /// is 0 when the proxy gave none), else the connection's other end
    /// ([`Request::peer_addr`]). `None` when a trusted proxy's header names
    /// no usable address (`unknown`, garbage), or when the server gives no
    /// connection info (Pico's servers do; with your own stack, use
    /// `into_make_service_with_connect_info::<SocketAddr>()`).
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The connection's other end: the client, or the proxy in front of
    /// the app.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.peer_addr
    }

    /// The cookies the client sent, by name.
    pub fn cookies(&self) -> HashMap<String, String> {
        let mut cookies = HashMap::new();
        for header in self.parts.headers.get_all(COOKIE) {
            let Ok(header) = header.to_str() else { continue };
            // The first of a name wins, as `cookie` reads it: browsers
            // send the most specific path first.
            for (name, value) in crate::dispatch::cookie_header::parse(header) {
                cookies.entry(name).or_insert(value);
            }
        }
        cookies
    }

    /// One cookie's value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.parts.headers.get_all(COOKIE).iter().find_map(|header| {
            let header = header.to_str().ok()?;
            crate::dispatch::cookie_header::parse(header)
                .find(|(n, _)| n == name)
                .map(|(_, value)| value)
        })
    }

    /// The `Authorization` header.
    pub fn authorization(&self) -> Option<&str> {
        self.header(AUTHORIZATION.as_str())
    }

    /// `X` from `Authorization: Token X`.
    pub fn token(&self) -> Option<&str> {
        self.authorization()?.strip_prefix("Token ").map(str::trim)
    }

    /// The user and password of `Authorization: Basic ...`; `None` when
    /// absent or not valid base64 of UTF-8 `user:password`.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let (scheme, encoded) = self.authorization()?.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        crate::auth::decode_basic(encoded)
    }

    /// The `User-Agent` header.
    pub fn user_agent(&self) -> Option<&str> {
        self.header(USER_AGENT.as_str())
    }

    /// Stores `value` under `name`, for `#[request_args(x = "name")]`,
    /// later hooks and the handler. A value that does not serialise is
    /// stored as `null`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.values.insert(name.into(), value);
    }

    /// A value stored with [`Request::set`], as `T`; `None` when absent or
    /// of another shape.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.values.get(name).and_then(|v| T::deserialize(v).ok())
    }

    /// The values stored with [`Request::set`].
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }

    /// Typed values for other middleware and hooks; see
    /// [`http::Extensions`].
    pub fn extensions(&self) -> &http::Extensions {
        &self.parts.extensions
    }

    /// Typed values, mutable.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.parts.extensions
    }

    /// The method, URI, headers and extensions.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// Whether the app runs in debug mode.
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// The named attribute as JSON: a built-in one or a stored value.
    pub(crate) fn attribute(&self, name: &str) -> Value {
        let text = |v: Option<&str>| v.map_or(Value::Null, |v| Value::String(v.to_owned()));
        match name {
            "remote_addr" => self
                .remote_addr
                .map_or(Value::Null, |a| Value::String(a.ip().to_string())),
            "method" => Value::String(self.method().to_string()),
            "path" => Value::String(self.path().to_owned()),
            "url" => Value::String(self.url()),
            "headers" => Value::Object(
                self.parts
                    .headers
                    .iter()
                    .filter_map(|(k, v)| Some((k.to_string(), Value::String(v.to_str().ok()?.to_owned()))))
                    .collect(),
            ),
            "cookies" => Value::Object(
                self.cookies()
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
            "token" => text(self.token()),
            "authorization" => text(self.authorization()),
            "user_agent" => text(self.user_agent()),
            other => self.values.get(other).cloned().unwrap_or(Value::Null),
        }
    }
}

/// Where a request came from: the app's prefix and what a trusted proxy
/// said of it, and the observing layer's record of it.
pub(crate) struct Arrival {
    pub(crate) prefix: String,
    pub(crate) forwarded: Forwarded,
    pub(crate) exchange: Option<Arc<Exchange>>,
}

impl Arrival {
    /// Which of the headers Pico looks for the request carries, when the
    /// observing layer looked.
    pub(crate) fn present(&self) -> Present {
        self.exchange.as_ref().map_or(Present::UNKNOWN, |e| e.present)
    }

    /// The connection's other end, as the observing layer found it.
    pub(crate) fn peer(&self, parts: &Parts) -> Option<SocketAddr> {
        peer_of(parts, self.exchange.as_deref())
    }
}

/// Where a request came from, before it is given its share of the
/// observing layer's record: all a call answered at once needs. Only
/// [`Rooted::with`] makes an [`Arrival`], so none is made without the
/// record.
pub(crate) struct Rooted {
    prefix: String,
    pub(crate) forwarded: Forwarded,
}

impl Rooted {
    /// Owned once here: `root` borrows the request's parts, which the call
    /// (or the refusal) then takes.
    pub(crate) fn new(root: Root<'_>) -> Rooted {
        Rooted {
            prefix: root.prefix.to_owned(),
            forwarded: root.forwarded,
        }
    }

    /// A request refused before its root is known: no prefix, nothing
    /// forwarded believed.
    pub(crate) fn unrooted() -> Rooted {
        Rooted {
            prefix: String::new(),
            forwarded: Forwarded::default(),
        }
    }

    /// The arrival, with its share of the record: it outlives the call.
    pub(crate) fn with(self, exchange: Option<&mut Arc<Exchange>>) -> Arrival {
        Arrival {
            prefix: self.prefix,
            forwarded: self.forwarded,
            exchange: exchange.map(|exchange| Arc::clone(exchange)),
        }
    }
}

/// The connection's other end: the observing layer's record has it, and
/// a request that passed no such layer may have it in its extensions.
pub(crate) fn peer_of(parts: &Parts, exchange: Option<&Exchange>) -> Option<SocketAddr> {
    match exchange {
        Some(exchange) => exchange.peer,
        None => crate::edge::forwarded::peer(&parts.extensions),
    }
}

/// `#[request_args(session = pico::cookie("session_id"))]`: the cookie's
/// value, or `None`.
pub fn cookie(name: &'static str) -> impl Fn(&Request) -> Result<Option<String>, HttpError> + Copy {
    move |request| Ok(request.cookie(name))
}

/// `#[request_args(session = pico::header("x-session-id"))]`: the header's
/// value, or `None`.
pub fn header(name: &'static str) -> impl Fn(&Request) -> Result<Option<String>, HttpError> + Copy {
    move |request| Ok(request.header(name).map(str::to_owned))
}

/// `#[request_args(auth = pico::basic_auth())]`: `(user, password)`, or
/// `None`.
pub fn basic_auth() -> impl Fn(&Request) -> Result<Option<(String, String)>, HttpError> + Copy {
    |request| Ok(request.basic_auth())
}
