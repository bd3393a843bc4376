//! `pico::client`: a Pico API called from Rust, by name from its definition,
//! or through the typed stubs `#[pico::api(client)]` generates.
//!
//! ```no_run
//! # async fn run() -> Result<(), pico::client::Error> {
//! let client = pico::client::Client::new("http://127.0.0.1:4242/");
//! let example = client.load("example").await?;
//! let greeting: String = example.call("hello", serde_json::json!({"who": "you"})).await?;
//! # Ok(()) }
//! ```
//!
//! [`Client::in_process`] runs the same calls against an `App` without a
//! socket, for tests.

mod call;
mod contract;
mod items;
mod transport;

use std::fmt;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use call::{Answer, Call};
pub use items::Items;

use crate::errors::http_error::HttpError;
use transport::{Incoming, Outgoing, Transport};

/// What a call can fail with.
#[derive(Debug)]
pub enum Error {
    /// The server answered with its standard error body: the `HttpError`
    /// as the server built it (name, code, message and extra keys).
    Http(HttpError),
    /// The request did not get an answer.
    Transport(reqwest::Error),
    /// The answer was not what the definition promised.
    Decode(String),
    /// A stream ended with an error event, with its message.
    Stream(String),
    /// The module has no function of that name.
    UnknownFunction(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(e) => write!(f, "{e}"),
            Error::Transport(e) => write!(f, "the request failed: {e}"),
            Error::Decode(e) => write!(f, "unexpected answer: {e}"),
            Error::Stream(message) => write!(f, "the stream failed: {message}"),
            Error::UnknownFunction(name) => write!(f, "the module has no function `{name}`"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(e) => Some(e),
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

/// A module's definition, as its URL describes it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ModuleDefinition {
    /// Its name (the alias it is served under).
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Its URL.
    pub url: String,
    /// Its functions.
    pub functions: Vec<FunctionDefinition>,
}

/// A function's definition.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FunctionDefinition {
    /// Its name.
    pub name: String,
    /// Its doc comment.
    pub doc: Option<String>,
    /// Its URL.
    pub url: String,
    /// The arguments a client sends.
    pub args: Vec<ArgDefinition>,
    /// The one method it accepts, when restricted.
    #[serde(default)]
    pub method: Option<String>,
    /// Whether it streams.
    #[serde(default)]
    pub stream: bool,
}

/// An argument's definition.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ArgDefinition {
    /// Its name.
    pub name: String,
    /// Its default, when it has one.
    #[serde(default)]
    pub default: Option<Value>,
}

/// A connection to a Pico app: over HTTP to its root URL, or in process
/// to an [`App`](crate::App) for tests, with credentials.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    root: String,
    authorization: Option<HeaderValue>,
}

impl Client {
    /// A client of the app at `root` (`http://host:4242/`).
    pub fn new(root: impl Into<String>) -> Self {
        Self::with_http(reqwest::Client::new(), root)
    }

    /// A client using an HTTP client of your own (timeouts, proxies,
    /// cookies).
    pub fn with_http(http: reqwest::Client, root: impl Into<String>) -> Self {
        let mut root = root.into();
        if !root.ends_with('/') {
            root.push('/');
        }
        Client {
            transport: Transport::Http(http),
            root,
            authorization: None,
        }
    }

    /// A client of `app` without a socket, for tests: every request goes
    /// straight into the app's service (seen as coming from 127.0.0.1, to
    /// `http://localhost/`), streams and uploads included. Every error
    /// answer is checked against Pico's error contract (the standard body,
    /// `code` matching the status, `name` its reason, no `__debug__` unless
    /// the app is in debug mode); one that breaks it panics, failing the
    /// test where it happened.
    ///
    /// ```
    /// #[pico::api(client)]
    /// mod greet {
    ///     #[expose]
    ///     pub fn hello(who: String) -> String {
    ///         format!("hello {who}")
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = pico::client::Client::in_process(pico::App::new().register(greet::module()));
    /// assert_eq!(greet::client::hello(&client, "you".into()).await.unwrap(), "hello you");
    /// let answer = client.get("greet/hello").send().await.unwrap();
    /// assert_eq!(answer.status(), 400);
    /// # }
    /// ```
    ///
    /// # Panics
    /// As [`App::into_router`](crate::App::into_router) does.
    pub fn in_process(app: crate::App) -> Self {
        let debug = app.debug_value();
        Client {
            transport: Transport::InProcess {
                router: app.into_router(),
                debug,
            },
            root: "http://localhost/".to_owned(),
            authorization: None,
        }
    }

    /// Sends `Authorization: Token TOKEN` with every call.
    ///
    /// # Panics
    /// When the token is not valid in a header.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        let value = format!("Token {}", token.into());
        self.authorization = Some(HeaderValue::try_from(value).expect("a token valid in a header"));
        self
    }

    /// Sends basic-auth credentials with every call, typed stubs' calls
    /// included.
    #[must_use]
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.authorization = Some(basic(&user.into(), &password.into()));
        self
    }

    /// Sends `Authorization: Bearer <token>` with every call, typed stubs'
    /// calls included.
    ///
    /// # Panics
    /// When the token cannot be a header's value: a test's own mistake.
    #[must_use]
    pub fn bearer(mut self, token: impl AsRef<str>) -> Self {
        self.authorization = Some(bearer(token.as_ref()));
        self
    }

    /// Sends no credentials.
    #[must_use]
    pub fn without_auth(mut self) -> Self {
        self.authorization = None;
        self
    }

    /// The app's root URL.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The headers every call sends.
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(authorization) = &self.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        headers
    }

    /// A request of any method to `path` (under the root, query string
    /// allowed), to write and then [`send`](Call::send).
    pub fn request(&self, method: Method, path: &str) -> Call {
        Call::new(self.clone(), method, path)
    }

    /// A GET request to `path`.
    pub fn get(&self, path: &str) -> Call {
        self.request(Method::GET, path)
    }

    /// A POST request to `path`.
    pub fn post(&self, path: &str) -> Call {
        self.request(Method::POST, path)
    }

    /// Loads the definition of the module served as `module` (`a.b` is
    /// `/a/b`).
    ///
    /// # Errors
    /// When the server cannot be reached or has no such module.
    pub async fn load(&self, module: &str) -> Result<RemoteModule, Error> {
        let url = format!("{}{}", self.root, module.replace('.', "/"));
        let definition = self.post_json(&url, &Map::new()).await?;
        Ok(RemoteModule {
            client: self.clone(),
            definition,
        })
    }

    /// Calls the function at `path` (`module/function`, under the root) with
    /// `args`, which serialise to a JSON object of named arguments.
    ///
    /// # Errors
    /// The server's error, or a transport or decoding failure.
    pub async fn call<T: DeserializeOwned>(&self, path: &str, args: &impl Serialize) -> Result<T, Error> {
        let url = format!("{}{path}", self.root);
        self.post_json(&url, args).await
    }

    /// Calls the function at `path` and returns the body as it is, for
    /// functions that answer a response of their own.
    ///
    /// # Errors
    /// The server's error, or a transport failure.
    pub async fn call_raw(&self, path: &str, args: &impl Serialize) -> Result<Bytes, Error> {
        let url = format!("{}{path}", self.root);
        let incoming = self.send_json(&url, args).await?;
        let status = incoming.status;
        let body = incoming.bytes().await?;
        if !status.is_success() {
            return Err(http_error(status.as_u16(), &body));
        }
        Ok(body)
    }

    /// Opens the stream of the function at `path`: its items as they come.
    ///
    /// # Errors
    /// The server's error before the stream starts, or a transport failure.
    pub async fn stream<T: DeserializeOwned>(
        &self,
        path: &str,
        args: &impl Serialize,
    ) -> Result<Items<T>, Error> {
        let url = format!("{}{path}", self.root);
        self.open_stream(&url, args).await
    }

    async fn send_json(&self, url: &str, args: &impl Serialize) -> Result<Incoming, Error> {
        let body = serde_json::to_vec(args).map_err(|e| Error::Decode(e.to_string()))?;
        let mut headers = self.headers();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.transport
            .send(Outgoing {
                method: Method::POST,
                url: url.to_owned(),
                headers,
                body: body.into(),
            })
            .await
    }

    async fn post_json<T: DeserializeOwned>(&self, url: &str, args: &impl Serialize) -> Result<T, Error> {
        let incoming = self.send_json(url, args).await?;
        let status = incoming.status;
        let body = incoming.bytes().await?;
        if !status.is_success() {
            return Err(http_error(status.as_u16(), &body));
        }
        // A 204 has no body: `()` or `None` reads it.
        let body: &[u8] = if body.is_empty() { b"null" } else { &body };
        serde_json::from_slice(body).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn open_stream<T: DeserializeOwned>(
        &self,
        url: &str,
        args: &impl Serialize,
    ) -> Result<Items<T>, Error> {
        let query = call::encode_pairs(&query_of(args)?);
        let url = if query.is_empty() {
            url.to_owned()
        } else {
            format!("{url}{}{query}", if url.contains('?') { '&' } else { '?' })
        };
        let mut headers = self.headers();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        let incoming = self
            .transport
            .send(Outgoing {
                method: Method::GET,
                url,
                headers,
                body: Bytes::new(),
            })
            .await?;
        let status = incoming.status;
        if !status.is_success() {
            let body = incoming.bytes().await?;
            return Err(http_error(status.as_u16(), &body));
        }
        Ok(Items::new(incoming.body))
    }
}

/// `Authorization: Basic ...`.
fn basic(user: &str, password: &str) -> HeaderValue {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    HeaderValue::try_from(format!("Basic {encoded}")).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn bearer(token: &str) -> HeaderValue {
    let mut value = HeaderValue::try_from(format!("Bearer {token}")).expect("a token a header can carry");
    value.set_sensitive(true);
    value
}

/// The arguments as query pairs of JSON values, as the server reads them.
fn query_of(args: &impl Serialize) -> Result<Vec<(String, String)>, Error> {
    match serde_json::to_value(args).map_err(|e| Error::Decode(e.to_string()))? {
        Value::Object(map) => Ok(map.into_iter().map(|(k, v)| (k, v.to_string())).collect()),
        Value::Null => Ok(Vec::new()),
        _ => Err(Error::Decode(
            "the arguments must serialise to a JSON object".to_owned(),
        )),
    }
}

/// The server's error body as the `HttpError` it came from.
fn http_error(status: u16, body: &[u8]) -> Error {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut error = HttpError::new(status);
    if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("message", Value::String(message)) => error = error.with_message(message),
                ("name" | "code" | "message", _) => {}
                (_, value) => error = error.with_key(key, value),
            }
        }
    }
    Error::Http(error)
}

/// A module of a remote app, loaded from its definition.
#[derive(Debug, Clone)]
pub struct RemoteModule {
    client: Client,
    definition: ModuleDefinition,
}

impl RemoteModule {
    /// The definition it was loaded from.
    pub fn definition(&self) -> &ModuleDefinition {
        &self.definition
    }

    fn function(&self, name: &str) -> Result<&FunctionDefinition, Error> {
        self.definition
            .functions
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::UnknownFunction(name.to_owned()))
    }

    /// Calls `function` with `args`, a JSON object of named arguments
    /// (`serde_json::json!({"x": 6})`, a map, or a struct).
    ///
    /// # Errors
    /// An unknown function, the server's error, or a transport or decoding
    /// failure.
    pub async fn call<T: DeserializeOwned>(&self, function: &str, args: impl Serialize) -> Result<T, Error> {
        let url = &self.function(function)?.url;
        self.client.post_json(url, &args).await
    }

    /// Opens the stream of a `#[stream]` function.
    ///
    /// # Errors
    /// An unknown function, the server's error before the stream starts, or
    /// a transport failure.
    pub async fn stream<T: DeserializeOwned>(
        &self,
        function: &str,
        args: impl Serialize,
    ) -> Result<Items<T>, Error> {
        let url = &self.function(function)?.url;
        self.client.open_stream(url, &args).await
    }
}
