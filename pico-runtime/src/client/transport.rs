//! How a request reaches the app: over HTTP with reqwest, or in process,
//! straight into the app's service, with every answer checked against the
//! error contract.

use std::net::SocketAddr;
use std::pin::Pin;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::Error;
use super::contract;

/// A response body, chunk by chunk.
pub(super) type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// Where requests go.
#[derive(Clone)]
pub(super) enum Transport {
    Http(reqwest::Client),
    InProcess { router: Router, debug: bool },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Http(_) => f.write_str("Http"),
            Transport::InProcess { .. } => f.write_str("InProcess"),
        }
    }
}

/// A request to send.
pub(super) struct Outgoing {
    pub(super) method: Method,
    pub(super) url: String,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

/// An answer's head, and its body still to read.
pub(super) struct Incoming {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: BodyStream,
}

impl Incoming {
    /// The whole body.
    pub(super) async fn bytes(self) -> Result<Bytes, Error> {
        let chunks: Vec<Bytes> = self.body.try_collect().await?;
        Ok(chunks.concat().into())
    }
}

/// The address an in-process request seems to come from.
const IN_PROCESS_PEER: ([u8; 4], u16) = ([127, 0, 0, 1], 1);

impl Transport {
    pub(super) async fn send(&self, request: Outgoing) -> Result<Incoming, Error> {
        match self {
            Transport::Http(http) => {
                let response = http
                    .request(request.method, &request.url)
                    .headers(request.headers)
                    .body(request.body)
                    .send()
                    .await?;
                Ok(Incoming {
                    status: response.status(),
                    headers: response.headers().clone(),
                    body: Box::pin(response.bytes_stream().map_err(Error::Transport)),
                })
            }
            Transport::InProcess { router, debug } => {
                let target = path_and_query(&request.url);
                let mut http_request = http::Request::builder()
                    .method(request.method)
                    .uri(target)
                    .body(Body::from(request.body))
                    .map_err(|e| Error::Decode(format!("the request cannot be built: {e}")))?;
                let headers = http_request.headers_mut();
                *headers = request.headers;
                headers.insert(http::header::HOST, http::HeaderValue::from_static("localhost"));
                // Nothing crosses a wire: the answer comes as the app made it,
                // for the calls to read as they would any.
                headers.remove(http::header::ACCEPT_ENCODING);
                http_request
                    .extensions_mut()
                    .insert(ConnectInfo(SocketAddr::from(IN_PROCESS_PEER)));
                let response = match router.clone().oneshot(http_request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                let (head, body) = response.into_parts();
                if head.status.is_client_error() || head.status.is_server_error() {
                    let bytes = body
                        .collect()
                        .await
                        .map_err(|e| Error::Decode(e.to_string()))?
                        .to_bytes();
                    contract::check(head.status, &head.headers, &bytes, *debug);
                    return Ok(Incoming {
                        status: head.status,
                        headers: head.headers,
                        body: Box::pin(futures_util::stream::once(async move { Ok(bytes) })),
                    });
                }
                Ok(Incoming {
                    status: head.status,
                    headers: head.headers,
                    body: Box::pin(
                        body.into_data_stream()
                            .map(|chunk| chunk.map_err(|e| Error::Decode(e.to_string()))),
                    ),
                })
            }
        }
    }
}

/// `/path?query` of an absolute or relative URL.
fn path_and_query(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") {
        rest.find('/').map_or("/", |i| &rest[i..])
    } else {
        rest
    };
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::path_and_query;

    #[test]
    fn targets_are_paths() {
        assert_eq!(path_and_query("http://localhost/a/b?x=1"), "/a/b?x=1");
        assert_eq!(path_and_query("http://localhost"), "/");
        assert_eq!(path_and_query("a/b"), "/a/b");
    }
}
