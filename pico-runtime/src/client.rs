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

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::HttpError;

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

#[derive(Debug, Clone)]
enum Auth {
    Token(String),
    Basic(String, String),
}

/// A connection to a Pico app: its root URL, an HTTP client and credentials.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    root: String,
    auth: Option<Auth>,
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
            http,
            root,
            auth: None,
        }
    }

    /// Sends `Authorization: Token TOKEN` with every call.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(Auth::Token(token.into()));
        self
    }

    /// Sends basic-auth credentials with every call.
    #[must_use]
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some(Auth::Basic(user.into(), password.into()));
        self
    }

    /// Sends no credentials.
    #[must_use]
    pub fn without_auth(mut self) -> Self {
        self.auth = None;
        self
    }

    /// The app's root URL.
    pub fn root(&self) -> &str {
        &self.root
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let request = self
            .http
            .request(method, url)
            .header("accept", "application/json");
        match &self.auth {
            None => request,
            Some(Auth::Token(token)) => request.header("authorization", format!("Token {token}")),
            Some(Auth::Basic(user, password)) => request.basic_auth(user, Some(password)),
        }
    }

    /// Loads the definition of the module served as `module` (`a.b` is
    /// `/a/b`).
    ///
    /// # Errors
    /// When the server cannot be reached or has no such module.
    pub async fn load(&self, module: &str) -> Result<RemoteModule, Error> {
        let url = format!("{}{}", self.root, module.replace('.', "/"));
        let definition = self.post(&url, &Map::new()).await?;
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
        self.post(&url, args).await
    }

    /// Calls the function at `path` and returns the body as it is, for
    /// functions that answer a response of their own.
    ///
    /// # Errors
    /// The server's error, or a transport failure.
    pub async fn call_raw(&self, path: &str, args: &impl Serialize) -> Result<Bytes, Error> {
        let url = format!("{}{path}", self.root);
        let response = self
            .request(reqwest::Method::POST, &url)
            .json(args)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
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

    async fn post<T: DeserializeOwned>(&self, url: &str, args: &impl Serialize) -> Result<T, Error> {
        let response = self.request(reqwest::Method::POST, url).json(args).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(http_error(status.as_u16(), &body));
        }
        serde_json::from_slice(&body).map_err(|e| Error::Decode(e.to_string()))
    }

    async fn open_stream<T: DeserializeOwned>(
        &self,
        url: &str,
        args: &impl Serialize,
    ) -> Result<Items<T>, Error> {
        let query = query_of(args)?;
        let response = self
            .request(reqwest::Method::GET, url)
            .header("accept", "text/event-stream")
            .query(&query)
            .send()
            .await?;
        let status = response.status();
        if !status.is_success() {
            let body = response.bytes().await?;
            return Err(http_error(status.as_u16(), &body));
        }
        Ok(Items {
            body: Box::pin(response.bytes_stream()),
            buffer: BytesMut::new(),
            ready: VecDeque::new(),
            done: false,
            item: std::marker::PhantomData,
        })
    }
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
        self.client.post(url, &args).await
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

/// The items of a stream, as a `futures::Stream`: each `data` event, until
/// the `close` event; an `error` event is the last item, as an error.
pub struct Items<T> {
    body: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
    buffer: BytesMut,
    ready: VecDeque<Result<T, Error>>,
    done: bool,
    item: std::marker::PhantomData<fn() -> T>,
}

// Items are only ever moved, never pinned in place.
impl<T> Unpin for Items<T> {}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Items<T> {
    /// Moves every complete event of the buffer to `ready`.
    fn parse_events(&mut self) {
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let event = self.buffer.split_to(end + 2);
            let text = String::from_utf8_lossy(&event[..end]);
            let mut name = "message";
            let mut data = String::new();
            for line in text.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = if value.trim() == "close" {
                        "close"
                    } else if value.trim() == "error" {
                        "error"
                    } else {
                        "other"
                    };
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.strip_prefix(' ').unwrap_or(value));
                }
            }
            match name {
                "close" => self.done = true,
                "error" => {
                    self.ready.push_back(Err(Error::Stream(data)));
                    self.done = true;
                }
                "message" => self
                    .ready
                    .push_back(serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))),
                _ => {}
            }
            if self.done {
                return;
            }
        }
    }
}

impl<T: DeserializeOwned> Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    this.buffer.extend_from_slice(&chunk);
                    this.parse_events();
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport(e))));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Stream(
                        "the stream ended without its close event".to_owned(),
                    ))));
                }
            }
        }
    }
}
