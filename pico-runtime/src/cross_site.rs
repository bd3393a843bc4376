//! Cross-site requests: refused unless their origin is allowed, and CORS
//! for the origins that are.
//!
//! Every exposed function answers GET as well as POST, side effects
//! included, so no method is exempt (unlike checks that spare GET): a page
//! of another site must not make a signed-in browser call a function. A
//! browser says where a request comes from (`Sec-Fetch-Site`, or `Origin`);
//! clients that say nothing, scripts and servers, are not browsers acting
//! for a user and are let through.

use http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use http::request::Parts;
use http::{HeaderName, HeaderValue};

use crate::build_error::BuildError;
use crate::error::HttpError;

/// The origins whose pages may call the app (`App::allow_origins`).
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowedOrigins {
    pub(crate) any: bool,
    pub(crate) list: Vec<HeaderValue>,
    pub(crate) credentials: bool,
}

impl AllowedOrigins {
    pub(crate) fn is_empty(&self) -> bool {
        !self.any && self.list.is_empty()
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        self.any
            || self
                .list
                .iter()
                .any(|o| o.as_bytes().eq_ignore_ascii_case(origin.as_bytes()))
    }

    /// Adds `origin`, `scheme://host[:port]` (`"*"` for any).
    ///
    /// # Panics
    /// When it is not an origin: a mistake in the app's own code.
    pub(crate) fn add(&mut self, origin: &str) {
        if origin == "*" {
            self.any = true;
            return;
        }
        let valid = origin.split_once("://").is_some_and(|(scheme, host)| {
            matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains(['/', '?', '#'])
        });
        assert!(
            valid,
            "pico: `{origin}` is not an origin: write `https://example.com` (scheme and host, with a port if \
             not the default), or \"*\" for any"
        );
        self.list
            .push(HeaderValue::from_str(origin.trim_end_matches('/')).expect("an origin is a header value"));
    }

    /// Credentials with any origin would let every site act as the
    /// signed-in user.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        if self.any && self.credentials {
            return Err(BuildError(
                "pico: credentials with any origin would let every site act as the signed-in user: list the \
                 origins in `allow_origins`"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// CORS for the allowed origins; their pages can read the answers'
    /// request ids, in `id_header`.
    pub(crate) fn cors(&self, id_header: &http::HeaderName) -> tower_http::cors::CorsLayer {
        use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
        if let Err(e) = self.check() {
            panic!("{e}");
        }
        let origins = if self.any {
            AllowOrigin::any()
        } else {
            AllowOrigin::list(self.list.clone())
        };
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([http::Method::GET, http::Method::HEAD, http::Method::POST])
            .allow_headers(AllowHeaders::mirror_request())
            .allow_credentials(self.credentials)
            .expose_headers([id_header.clone()])
            .max_age(std::time::Duration::from_secs(600))
    }
}

/// Refuses a request a browser marks as coming from another site, unless
/// its origin is allowed; `host` is the app's own host as the client
/// addressed it.
pub(crate) fn check(parts: &Parts, allowed: &AllowedOrigins, host: Option<&str>) -> Result<(), HttpError> {
    let headers = &parts.headers;
    let origin = headers.get(ORIGIN);
    if origin.is_some_and(|o| allowed.allows(o)) {
        return Ok(());
    }
    static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
    let same_site = match headers.get(&SEC_FETCH_SITE).map(HeaderValue::as_bytes) {
        Some(b"same-origin" | b"none") => true,
        // `same-site` is another origin of the same site (a subdomain):
        // not the app's own either.
        Some(_) => false,
        None => match origin {
            None => true,
            Some(origin) => host.is_some_and(|host| same_host(origin, host)),
        },
    };
    if same_site || is_jsonp(parts) {
        return Ok(());
    }
    Err(HttpError::forbidden().with_message(
        "Cross-site requests are refused: this page's origin is not among the app's allowed origins.",
    ))
}

/// Whether `origin` (`scheme://host:port`) names `host` (`host:port`).
fn same_host(origin: &HeaderValue, host: &str) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return false,
    };
    let strip = |h: &str| {
        h.strip_suffix(default_port)
            .map(str::to_owned)
            .unwrap_or_else(|| h.to_owned())
    };
    strip(authority).eq_ignore_ascii_case(&strip(host))
}

/// JSONP: its only use is a `<script>` of another site. Its own rule
/// applies instead (`jsonp_allowed`): refused with credentials, so that it
/// never carries anything of the user's.
fn is_jsonp(parts: &Parts) -> bool {
    parts
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("_callback=")))
}

/// Whether a request carries the user's credentials.
pub(crate) fn carries_credentials(headers: &http::HeaderMap) -> bool {
    headers.contains_key(COOKIE) || headers.contains_key(AUTHORIZATION)
}

/// The app's host as the client addressed it.
pub(crate) fn own_host(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)], uri: &str) -> Parts {
        let mut request = http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
    }

    fn allowed(list: &[&str]) -> AllowedOrigins {
        let mut a = AllowedOrigins::default();
        for o in list {
            a.add(o);
        }
        a
    }

    #[test]
    fn browsers_across_sites_are_refused_and_others_pass() {
        let none = AllowedOrigins::default();
        let check =
            |h: &[(&str, &str)], uri: &str| check(&parts(h, uri), &none, Some("app.test:8000")).is_ok();
        assert!(check(&[], "/m/f"));
        assert!(check(&[("sec-fetch-site", "same-origin")], "/m/f"));
        assert!(check(&[("sec-fetch-site", "none")], "/m/f"));
        assert!(!check(&[("sec-fetch-site", "cross-site")], "/m/f"));
        assert!(!check(&[("sec-fetch-site", "same-site")], "/m/f"));
        assert!(check(&[("origin", "http://app.test:8000")], "/m/f"));
        assert!(!check(&[("origin", "http://evil.test")], "/m/f"));
        assert!(!check(&[("origin", "null")], "/m/f"));
        assert!(check(&[("sec-fetch-site", "cross-site")], "/m/f?_callback=cb"));
    }

    #[test]
    fn allowed_origins_pass() {
        let list = allowed(&["https://ok.test"]);
        let p = parts(
            &[("origin", "https://ok.test"), ("sec-fetch-site", "cross-site")],
            "/m/f",
        );
        assert!(check(&p, &list, Some("app.test")).is_ok());
        let p = parts(
            &[("origin", "https://other.test"), ("sec-fetch-site", "cross-site")],
            "/m/f",
        );
        assert!(check(&p, &list, Some("app.test")).is_err());
        assert!(same_host(
            &HeaderValue::from_static("https://a.test:443"),
            "a.test"
        ));
    }

    #[test]
    #[should_panic(expected = "is not an origin")]
    fn a_url_is_not_an_origin() {
        allowed(&["https://ok.test/path"]);
    }
}
