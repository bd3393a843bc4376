//! The prefix a proxy serves the app under (`X-Forwarded-Prefix: /myapp`,
//! or the original's `X-Script-Name`): stripped from paths and put into
//! every URL the app builds, when the proxy is trusted.

use std::net::SocketAddr;

use http::header::{HOST, HeaderMap, HeaderName};
use http::request::Parts;

use crate::edge::forwarded::{Forwarded, Proxies, is_host};
use crate::edge::present::Present;
use crate::errors::http_error::HttpError;

/// What a trusted proxy said of the URL the client used: the prefix, and
/// the scheme and host of the root URL, `https://host/prefix/`.
pub(crate) struct Root<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) forwarded: Forwarded,
}

impl<'a> Root<'a> {
    /// The request's root, as its proxy says if `peer` is one it trusts
    /// and the request carries its headers (`present`, known from the
    /// observing layer's one look at them); a prefix that is not a plain
    /// path is refused.
    pub(crate) fn of(
        parts: &'a Parts,
        proxies: &Proxies,
        (peer, present): (Option<SocketAddr>, Present),
    ) -> Result<Root<'a>, HttpError> {
        if !proxies.trusts(peer) || !present.forwarded(&parts.headers) {
            return Ok(Root {
                prefix: "",
                forwarded: Forwarded::default(),
            });
        }
        Ok(Root {
            prefix: prefix(&parts.headers)?,
            forwarded: proxies.forwarded(&parts.headers),
        })
    }

    pub(crate) fn url(&self, parts: &Parts) -> String {
        root_url(parts, self.prefix, &self.forwarded)
    }

    /// `path` without the prefix.
    pub(crate) fn strip<'p>(&self, path: &'p str) -> &'p str {
        if self.prefix.is_empty() {
            return path;
        }
        match path.strip_prefix(self.prefix) {
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => path,
        }
    }

    pub(crate) fn stripped_uri(&self, uri: &http::Uri) -> http::Uri {
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

/// The prefix without its trailing slash, `""` when absent. Both headers
/// may come, from a proxy that sets one and passes the client's other on:
/// they must agree. Only a plain path is accepted, as it goes into every
/// URL the app builds.
pub(crate) fn prefix(headers: &HeaderMap) -> Result<&str, HttpError> {
    static X_FORWARDED_PREFIX: HeaderName = HeaderName::from_static("x-forwarded-prefix");
    static X_SCRIPT_NAME: HeaderName = HeaderName::from_static("x-script-name");
    let forwarded = one_prefix(headers, &X_FORWARDED_PREFIX, "X-Forwarded-Prefix")?;
    let script_name = one_prefix(headers, &X_SCRIPT_NAME, "X-Script-Name")?;
    match (forwarded, script_name) {
        (Some(a), Some(b)) if a != b => Err(HttpError::bad_request()
            .with_message("The X-Forwarded-Prefix and X-Script-Name headers name different prefixes.")),
        (a, b) => Ok(a.or(b).unwrap_or("")),
    }
}

/// One prefix header's value; `spelled` is its name as people write it.
fn one_prefix<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
    spelled: &str,
) -> Result<Option<&'h str>, HttpError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = || {
        HttpError::bad_request().with_message(format!(
            "The {spelled} header must be a URL path such as `/myapp`."
        ))
    };
    if values.next().is_some() {
        return Err(invalid());
    }
    let value = value.to_str().map_err(|_| invalid())?.trim_end_matches('/');
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&b));
    // `%2e` is a dot to whoever decodes the path next.
    let encoded_dot = value.to_ascii_lowercase().contains("%2e");
    if !value.is_empty()
        && (!value.starts_with('/')
            || value.starts_with("//")
            || !plain
            || encoded_dot
            || value.split('/').any(|s| s == ".." || s == "."))
    {
        return Err(invalid());
    }
    Ok(Some(value))
}

/// `http://host/prefix/` for a request: the scheme and host a trusted
/// proxy forwarded, else the request's own. A `Host` that is not a plain
/// host name is not put into URLs.
pub(crate) fn root_url(parts: &Parts, prefix: &str, forwarded: &Forwarded) -> String {
    let scheme = scheme(parts, forwarded);
    let host = match &forwarded.host {
        Some(host) => host,
        None => parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(http::uri::Authority::as_str))
            .filter(|h| is_host(h))
            .unwrap_or("localhost"),
    };
    format!("{scheme}://{host}{prefix}/")
}

/// The scheme the client used: as a trusted proxy says, else the
/// connection's. Pico's own servers speak plain TCP, whatever scheme a
/// request line spells (`GET https://evil/` is a client's word, not the
/// connection's); under a stack of the user's, HTTP/2's `:scheme` is the
/// TLS layer's, and an HTTP/1 request line is still only the client's.
pub(crate) fn scheme<'a>(parts: &'a Parts, forwarded: &Forwarded) -> &'a str {
    match forwarded.https {
        Some(true) => "https",
        Some(false) => "http",
        None if parts.version >= http::Version::HTTP_2
            && parts
                .extensions
                .get::<crate::serve::connection::PlainTcp>()
                .is_none() =>
        {
            parts.uri.scheme_str().unwrap_or("http")
        }
        None => "http",
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(script: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-script-name", HeaderValue::from_str(script).unwrap());
        h
    }

    fn script_name(headers: &HeaderMap) -> Result<&str, HttpError> {
        prefix(headers)
    }

    #[test]
    fn both_prefix_headers_must_agree() {
        let mut h = headers("/api");
        h.insert("x-forwarded-prefix", HeaderValue::from_static("/api/"));
        assert_eq!(prefix(&h).unwrap(), "/api");
        h.insert("x-forwarded-prefix", HeaderValue::from_static("/evil"));
        assert!(prefix(&h).is_err());
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-prefix", HeaderValue::from_static("/only"));
        assert_eq!(prefix(&h).unwrap(), "/only");
        h.append("x-forwarded-prefix", HeaderValue::from_static("/twice"));
        assert!(prefix(&h).is_err());
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
            "//evil.example/x",
        ] {
            assert!(script_name(&headers(bad)).is_err(), "{bad}");
        }
    }
}
