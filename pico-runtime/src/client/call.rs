//! `Call` and `Answer`: a request as a test writes it (any method, path,
//! query, headers, JSON, form or multipart body) and the whole answer,
//! status and headers included.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::transport::Outgoing;
use super::{Client, Error, http_error};
use crate::dispatch::upload::Upload;
use crate::errors::http_error::HttpError;

/// A request being written: `client.get("notes/get").query("id", "5")`.
#[derive(Debug)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call {
    client: Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Empty,
    Raw(&'static str, Bytes),
    Form(Vec<(String, String)>),
    Multipart(Vec<(String, Part)>),
}

#[derive(Debug)]
enum Part {
    Text(String),
    File(Upload),
}

impl Call {
    pub(super) fn new(client: Client, method: Method, path: &str) -> Self {
        Call {
            client,
            method,
            path: path.trim_start_matches('/').to_owned(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::Empty,
        }
    }

    /// Adds `name=value` to the query string, as text (`"5"`, `"[1,2]"`,
    /// `"work"`): the server reads it as pragmatic JSON.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    ///
    /// # Panics
    /// When the name or value is not valid in HTTP: a test's own mistake.
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let name = HeaderName::try_from(name.as_ref()).expect("a valid header name");
        let value = HeaderValue::try_from(value.as_ref()).expect("a valid header value");
        self.headers.append(name, value);
        self
    }

    /// Sends basic-auth credentials.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.headers
            .insert(http::header::AUTHORIZATION, super::basic(user, password));
        self
    }

    /// Sends a bearer token: `Authorization: Bearer <token>`.
    ///
    /// # Panics
    /// When the token cannot be a header's value: a test's own mistake.
    pub fn bearer(mut self, token: &str) -> Self {
        self.headers
            .insert(http::header::AUTHORIZATION, super::bearer(token));
        self
    }

    /// A JSON body.
    ///
    /// # Panics
    /// When `body` does not serialise.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        let bytes = serde_json::to_vec(body).expect("a body that serialises");
        self.body = Body::Raw("application/json", bytes.into());
        self
    }

    /// A body as it is, with its content type.
    pub fn body(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.body = Body::Raw(content_type, body.into());
        self
    }

    /// An url-encoded form field (values are text, like the query's).
    pub fn form(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let mut fields = match std::mem::replace(&mut self.body, Body::Empty) {
            Body::Form(fields) => fields,
            _ => Vec::new(),
        };
        fields.push((name.into(), value.into()));
        self.body = Body::Form(fields);
        self
    }

    /// A text field of a multipart form.
    pub fn field(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.part(name.into(), Part::Text(value.into()))
    }

    /// A file of a multipart form.
    pub fn file(self, name: impl Into<String>, upload: Upload) -> Self {
        self.part(name.into(), Part::File(upload))
    }

    fn part(mut self, name: String, part: Part) -> Self {
        let mut parts = match std::mem::replace(&mut self.body, Body::Empty) {
            Body::Multipart(parts) => parts,
            _ => Vec::new(),
        };
        parts.push((name, part));
        self.body = Body::Multipart(parts);
        self
    }

    /// Sends it and reads the whole answer, whatever its status.
    ///
    /// # Errors
    /// When the request gets no answer.
    pub async fn send(self) -> Result<Answer, Error> {
        let mut url = format!("{}{}", self.client.root(), self.path);
        if !self.query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encode_pairs(&self.query));
        }
        let mut headers = self.client.headers();
        let (content_type, body) = match self.body {
            Body::Empty => (None, Bytes::new()),
            Body::Raw(content_type, body) => (Some(content_type.to_owned()), body),
            Body::Form(fields) => (
                Some("application/x-www-form-urlencoded".to_owned()),
                encode_pairs(&fields).into(),
            ),
            Body::Multipart(parts) => {
                let (content_type, body) = multipart(&parts);
                (Some(content_type), body)
            }
        };
        if let Some(content_type) = content_type
            && let Ok(value) = HeaderValue::try_from(content_type)
        {
            headers.insert(CONTENT_TYPE, value);
        }
        for (name, value) in &self.headers {
            headers.insert(name, value.clone());
        }
        let incoming = self
            .client
            .transport
            .send(Outgoing {
                method: self.method,
                url,
                headers,
                body,
            })
            .await?;
        let (status, headers) = (incoming.status, incoming.headers.clone());
        Ok(Answer {
            status,
            headers,
            body: incoming.bytes().await?,
        })
    }
}

/// A whole answer.
#[derive(Debug, Clone)]
pub struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Its headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as it came.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON of type `T` (`serde_json::Value` for any).
    ///
    /// # Errors
    /// When it is not.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode(e.to_string()))
    }

    /// The error the answer carries, when its status is one.
    pub fn error(&self) -> Option<HttpError> {
        if !(self.status.is_client_error() || self.status.is_server_error()) {
            return None;
        }
        match http_error(self.status.as_u16(), &self.body) {
            Error::Http(e) => Some(e),
            _ => None,
        }
    }

    /// The events of a `text/event-stream` answer: `(event, data)`, the
    /// event `message` when it has no name.
    pub fn events(&self) -> Vec<(String, String)> {
        let text = String::from_utf8_lossy(&self.body);
        text.split("\n\n")
            // Comment lines alone (a heartbeat) are no event.
            .filter(|block| {
                block
                    .lines()
                    .any(|line| !line.is_empty() && !line.starts_with(':'))
            })
            .map(|block| {
                let mut event = "message".to_owned();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = name.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value));
                    }
                }
                (event, data.join("\n"))
            })
            .collect()
    }
}

pub(super) fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A `multipart/form-data` body, with a boundary found in none of its parts.
fn multipart(parts: &[(String, Part)]) -> (String, Bytes) {
    let contents = |part: &Part| -> Vec<u8> {
        match part {
            Part::Text(text) => text.as_bytes().to_vec(),
            Part::File(upload) => upload.data.to_vec(),
        }
    };
    let mut attempt = 0_u32;
    let boundary = loop {
        let boundary = format!("pico-boundary-{attempt:08x}-{}", parts.len());
        let clash = parts.iter().any(|(_, p)| {
            contents(p)
                .windows(boundary.len())
                .any(|w| w == boundary.as_bytes())
        });
        if !clash {
            break boundary;
        }
        attempt += 1;
    };
    let quoted = |text: &str| text.replace(['"', '\r', '\n'], "_");
    let mut body = Vec::new();
    for (name, part) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(_) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", quoted(name)).as_bytes(),
            ),
            Part::File(upload) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    quoted(name),
                    quoted(&upload.file_name),
                    quoted(&upload.content_type),
                )
                .as_bytes(),
            ),
        }
        body.extend_from_slice(&contents(part));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body.into())
}
