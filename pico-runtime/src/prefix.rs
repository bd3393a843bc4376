//! The prefix a proxy serves the app under (`X-Script-Name: /myapp`):
//! stripped from paths and put into every URL the app builds, when the
//! proxy is trusted.

use http::header::{HeaderMap, HeaderName};
use http::request::Parts;

use crate::error::HttpError;
use crate::request::root_url;

/// Whether a request carries headers that only a trusted proxy may set.
pub(crate) fn forwarded_headers(headers: &HeaderMap) -> bool {
    static X_SCRIPT_NAME: HeaderName = HeaderName::from_static("x-script-name");
    static X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
    headers.contains_key(&X_SCRIPT_NAME) || headers.contains_key(&X_FORWARDED_PROTO)
}

/// The prefix a proxy announced with `X-Script-Name`, and the root URL
/// built from it, `http://host/prefix/`, which only definitions need.
pub(crate) struct Root<'a> {
    pub(crate) prefix: &'a str,
    /// Whether the peer is a trusted proxy, whose forwarded headers count.
    trusted: bool,
}

impl<'a> Root<'a> {
    pub(crate) fn of(parts: &'a Parts, trusted: bool) -> Result<Root<'a>, HttpError> {
        let prefix = if trusted { script_name(&parts.headers)? } else { "" };
        Ok(Root { prefix, trusted })
    }

    pub(crate) fn url(&self, parts: &Parts) -> String {
        root_url(parts, self.prefix, self.trusted)
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

    #[cfg(feature = "static-files")]
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

/// The `X-Script-Name` prefix without its trailing slash, `""` when absent.
/// Only a plain path is accepted: it goes into every URL the app builds.
pub(crate) fn script_name(headers: &HeaderMap) -> Result<&str, HttpError> {
    static X_SCRIPT_NAME: HeaderName = HeaderName::from_static("x-script-name");
    let Some(value) = headers.get(&X_SCRIPT_NAME) else {
        return Ok("");
    };
    let invalid = || {
        HttpError::bad_request().with_message("The X-Script-Name header must be a URL path such as `/myapp`.")
    };
    let value = value.to_str().map_err(|_| invalid())?.trim_end_matches('/');
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&b));
    // `%2e` is a dot to whoever decodes the path next.
    let encoded_dot = value.to_ascii_lowercase().contains("%2e");
    if !value.is_empty()
        && (!value.starts_with('/')
            || !plain
            || encoded_dot
            || value.split('/').any(|s| s == ".." || s == "."))
    {
        return Err(invalid());
    }
    Ok(value)
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
        ] {
            assert!(script_name(&headers(bad)).is_err(), "{bad}");
        }
    }
}
