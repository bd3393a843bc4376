//! `HttpError`: the error a handler returns to choose its own HTTP answer.
//!
//! Pico draws one line through every failure. On one side are errors the
//! *client* should hear about: a missing parameter, a forbidden resource, a
//! teapot. Those are `HttpError`s; their status, name and message go to the
//! client as they are. On the other side is everything else: a panic, an
//! `io::Error` bubbling out of a handler, a serialiser that gave up. Those are
//! the server's business; the client gets the same generic 500 every time and
//! the details go to the log (and, in debug mode only, into `__debug__`).
//!
//! So an `HttpError` always carries a 4xx or 5xx status: anything else would
//! not be an error. Its message is written for the client, so it must never
//! hold secrets; the body can carry extra keys for machine-readable detail,
//! and the response extra headers (`WWW-Authenticate`, `Retry-After`). The
//! rarely used parts are boxed so that the common error stays two words and a
//! status, cheap to return through `Result`.

use std::borrow::Cow;
use std::fmt;

use http::header::{HeaderName, HeaderValue, WWW_AUTHENTICATE};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

/// An error with an HTTP status, sent to the client as the standard JSON body
/// `{"name": ..., "code": ..., "message": ...}`.
///
/// Build one with the constructor named after its status, then refine it.
/// The constructors: 4xx `bad_request`, `unauthorized` (add a challenge
/// with [`HttpError::with_challenge`]), `payment_required`, `forbidden`, `not_found`, `method_not_allowed`,
/// `not_acceptable`, `proxy_authentication_required`, `request_timeout`,
/// `conflict`, `gone`, `length_required`, `precondition_failed`,
/// `payload_too_large`, `uri_too_long`, `unsupported_media_type`,
/// `range_not_satisfiable`, `expectation_failed`, `im_a_teapot`,
/// `misdirected_request`, `unprocessable_entity`, `locked`,
/// `failed_dependency`, `too_early`, `upgrade_required`,
/// `precondition_required`, `too_many_requests`,
/// `request_header_fields_too_large`, `unavailable_for_legal_reasons`; 5xx
/// `internal_server_error`, `not_implemented`, `bad_gateway`,
/// `service_unavailable`, `gateway_timeout`, `http_version_not_supported`,
/// `variant_also_negotiates`, `insufficient_storage`, `loop_detected`,
/// `not_extended`, `network_authentication_required`; and
/// [`HttpError::new`] for any status. A domain error type of your own can
/// choose its status instead with `#[derive(pico::HttpError)]`.
///
///
/// ```
/// use pico_runtime::HttpError;
///
/// let e = HttpError::not_found().with_message("No user 42").with_key("user", 42);
/// assert_eq!(e.status().as_u16(), 404);
/// assert_eq!(e.name(), "Not Found");
/// assert_eq!(e.message(), "No user 42");
/// ```
#[derive(Clone)]
pub struct HttpError {
    status: StatusCode,
    message: Cow<'static, str>,
    extra: Option<Box<Map<String, Value>>>,
    headers: Option<Box<HeaderMap>>,
}

impl HttpError {
    /// An error with `status` and that status's default message. A status
    /// outside 400..=599 is not an error, so it becomes 500.
    pub fn new(status: StatusCode) -> Self {
        let status = if status.is_client_error() || status.is_server_error() {
            status
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Self {
            status,
            message: Cow::Borrowed(default_message(status)),
            extra: None,
            headers: None,
        }
    }

    /// Replaces the message the client reads.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.message = message.into();
        self
    }

    /// Adds a key to the JSON body, after `name`, `code` and `message` (which
    /// it cannot replace). A value that fails to serialise becomes `null`.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        let key = key.into();
        if !matches!(key.as_str(), "name" | "code" | "message") {
            let value = serde_json::to_value(value).unwrap_or(Value::Null);
            self.extra.get_or_insert_default().insert(key, value);
        }
        self
    }

    /// Adds a header to the response: `.with_header("retry-after", "120")`.
    /// A name or value that is not valid in HTTP is left out, with a warning
    /// in the log.
    #[must_use]
    pub fn with_header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(name), Ok(value)) => {
                self.headers.get_or_insert_default().append(name, value);
            }
            _ => tracing::warn!(target: "pico", "HttpError::with_header: an invalid header was left out"),
        }
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The status's reason phrase, which is the `name` of the JSON body.
    pub fn name(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }

    /// The message the client reads.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The extra keys of the JSON body.
    pub fn extra(&self) -> Option<&Map<String, Value>> {
        self.extra.as_deref()
    }

    /// The extra response headers.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.headers.as_deref()
    }
}

impl fmt::Debug for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpError")
            .field("status", &self.status.as_u16())
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.name(), self.message)
    }
}

impl std::error::Error for HttpError {}

impl From<StatusCode> for HttpError {
    fn from(status: StatusCode) -> Self {
        Self::new(status)
    }
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $name:ident => $status:ident, $message:literal;)*) => {
        impl HttpError {
            $(
                $(#[$doc])*
                #[doc = concat!("`", stringify!($status), "`, with its default message.")]
                pub fn $name() -> Self {
                    Self::new(StatusCode::$status)
                }
            )*
        }

        /// Every named constructor with the status it should give.
        #[cfg(test)]
        fn all_constructors() -> Vec<(HttpError, StatusCode)> {
            vec![$((HttpError::$name(), StatusCode::$status),)*]
        }

        /// The message an error of `status` carries unless given another.
        pub(crate) fn default_message(status: StatusCode) -> &'static str {
            match status {
                $(StatusCode::$status => $message,)*
                s if s.is_client_error() => "The request could not be handled.",
                _ => "The server could not complete the request.",
            }
        }
    };
}

constructors! {
    bad_request => BAD_REQUEST, "The browser (or proxy) sent a request that this server could not understand.";
    /// It sends no `WWW-Authenticate` challenge unless given one with
    /// [`with_challenge`](Self::with_challenge).
    unauthorized => UNAUTHORIZED, "The server could not verify that you are authorized to access the URL requested.";
    payment_required => PAYMENT_REQUIRED, "Payment is required to access this resource.";
    forbidden => FORBIDDEN, "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";
    not_found => NOT_FOUND, "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
    method_not_allowed => METHOD_NOT_ALLOWED, "The method is not allowed for the requested URL.";
    not_acceptable => NOT_ACCEPTABLE, "The resource cannot produce a response in any format the request accepts.";
    proxy_authentication_required => PROXY_AUTHENTICATION_REQUIRED, "The proxy requires authentication before it forwards the request.";
    request_timeout => REQUEST_TIMEOUT, "The server gave up waiting for the request.";
    conflict => CONFLICT, "The request conflicts with the current state of the resource.";
    gone => GONE, "The requested resource is no longer available and will not be available again.";
    length_required => LENGTH_REQUIRED, "The request must state the length of its body (Content-Length).";
    precondition_failed => PRECONDITION_FAILED, "A precondition of the request did not hold on the server.";
    payload_too_large => PAYLOAD_TOO_LARGE, "The request body is larger than this server accepts.";
    uri_too_long => URI_TOO_LONG, "The request URL is longer than this server accepts.";
    unsupported_media_type => UNSUPPORTED_MEDIA_TYPE, "The server does not support the media type of the request body.";
    range_not_satisfiable => RANGE_NOT_SATISFIABLE, "The requested range cannot be served.";
    expectation_failed => EXPECTATION_FAILED, "The server cannot meet the Expect header of the request.";
    im_a_teapot => IM_A_TEAPOT, "This server is a teapot: it will not brew coffee.";
    misdirected_request => MISDIRECTED_REQUEST, "The request reached a server that cannot answer for its URL.";
    unprocessable_entity => UNPROCESSABLE_ENTITY, "The request was well-formed but its content could not be processed.";
    locked => LOCKED, "The resource is locked.";
    failed_dependency => FAILED_DEPENDENCY, "The request failed because a request it depended on failed.";
    too_early => TOO_EARLY, "The server will not risk processing a request that might be replayed.";
    upgrade_required => UPGRADE_REQUIRED, "The client must switch to another protocol.";
    precondition_required => PRECONDITION_REQUIRED, "This request must be conditional.";
    too_many_requests => TOO_MANY_REQUESTS, "Too many requests: slow down and try again later.";
    request_header_fields_too_large => REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are larger than this server accepts.";
    unavailable_for_legal_reasons => UNAVAILABLE_FOR_LEGAL_REASONS, "The resource cannot be served for legal reasons.";
    internal_server_error => INTERNAL_SERVER_ERROR, "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";
    not_implemented => NOT_IMPLEMENTED, "The server does not support the action requested.";
    bad_gateway => BAD_GATEWAY, "The proxy server received an invalid response from an upstream server.";
    service_unavailable => SERVICE_UNAVAILABLE, "The server is temporarily unable to service your request. Please try again later.";
    gateway_timeout => GATEWAY_TIMEOUT, "The proxy server did not get an answer from an upstream server in time.";
    http_version_not_supported => HTTP_VERSION_NOT_SUPPORTED, "The server does not support the HTTP version of the request.";
    variant_also_negotiates => VARIANT_ALSO_NEGOTIATES, "The server has a configuration error in its content negotiation.";
    insufficient_storage => INSUFFICIENT_STORAGE, "The server cannot store what the request needs.";
    loop_detected => LOOP_DETECTED, "The server detected an infinite loop while processing the request.";
    not_extended => NOT_EXTENDED, "The request needs further extensions to be fulfilled.";
    network_authentication_required => NETWORK_AUTHENTICATION_REQUIRED, "The client must authenticate to gain network access.";
}

impl HttpError {
    /// Adds the `WWW-Authenticate` challenge a 401 answers with, such as
    /// `Bearer` or `Basic realm="notes"`: `Basic` makes a browser prompt
    /// for a user name and password, `Bearer` tells a client to send a
    /// token and prompts nobody.
    ///
    /// ```
    /// use pico_runtime::HttpError;
    ///
    /// let e = HttpError::unauthorized().with_challenge(r#"Bearer realm="links""#);
    /// assert_eq!(e.headers().unwrap()["www-authenticate"], r#"Bearer realm="links""#);
    /// ```
    #[must_use]
    pub fn with_challenge(self, challenge: impl TryInto<HeaderValue>) -> Self {
        self.with_header(WWW_AUTHENTICATE, challenge)
    }
}

/// A 400 saying what was wrong with the request's body or arguments.
pub(crate) fn bad_request(message: impl Into<std::borrow::Cow<'static, str>>) -> HttpError {
    HttpError::bad_request().with_message(message)
}

/// A 413 naming the app's limit.
pub(crate) fn too_large(limit: usize) -> HttpError {
    HttpError::payload_too_large().with_message(format!(
        "The request body is larger than the limit of {limit} bytes."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_outside_errors_become_500() {
        assert_eq!(HttpError::new(StatusCode::OK).status(), 500);
        assert_eq!(HttpError::new(StatusCode::IM_A_TEAPOT).name(), "I'm a teapot");
    }

    #[test]
    fn every_standard_error_status_has_a_constructor() {
        let all = all_constructors();
        for (error, status) in &all {
            assert_eq!(error.status(), *status);
            assert_eq!(Some(error.name()), status.canonical_reason());
            assert!(error.message().ends_with('.'), "{error}");
        }
        for code in 400..600 {
            let status = StatusCode::from_u16(code).unwrap();
            if status.canonical_reason().is_some() {
                assert!(
                    all.iter().any(|(_, s)| *s == status),
                    "no constructor for {status}"
                );
            }
        }
    }

    #[test]
    fn the_original_messages_for_403_and_500() {
        assert_eq!(
            HttpError::forbidden().message(),
            "You don't have the permission to access the requested resource. \
             It is either read-protected or not readable by the server."
        );
        assert_eq!(
            HttpError::internal_server_error().message(),
            "The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application."
        );
    }

    #[test]
    fn unauthorized_challenges_only_when_asked() {
        assert!(HttpError::unauthorized().headers().is_none());
        let e = HttpError::unauthorized().with_challenge("Bearer");
        assert_eq!(e.headers().unwrap()["www-authenticate"], "Bearer");
    }

    #[test]
    fn standard_keys_cannot_be_replaced() {
        let e = HttpError::forbidden().with_key("code", 1).with_key("why", "no");
        assert_eq!(e.extra().unwrap().len(), 1);
    }
}
