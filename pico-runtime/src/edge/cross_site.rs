//! Cross-site requests: refused unless their origin is allowed, and CORS
//! for the origins that are.
//!
//! Every exposed function answers GET as well as POST, side effects
//! included, so no method is exempt (unlike checks that spare GET): a page
//! of another site must not make a signed-in browser call a function. A
//! browser says where a request comes from (`Sec-Fetch-Site`, or `Origin`);
//! clients that say nothing, scripts and servers, are not browsers acting
//! for a user and are let through.

use http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN, REFERER};
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method};

use crate::edge::present::{Looked, Present};
use crate::errors::build_error::BuildError;
use crate::errors::http_error::HttpError;

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
        self.any || self.listed(origin)
    }

    fn listed(&self, origin: &HeaderValue) -> bool {
        self.list
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
    /// request ids, in `id_header`, and a 503's or 429's `Retry-After`.
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
            .expose_headers([id_header.clone(), http::header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(600))
    }
}

/// What the cross-site rule needs to know of a call besides its head.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The app's own host as the client addressed it.
    pub(crate) host: Option<&'a str>,
    /// The scheme the client used (`http` or `https`).
    pub(crate) scheme: &'a str,
    /// The request carries a body.
    pub(crate) has_body: bool,
    /// The function's answer is more than JSON (cookies, a `Response`).
    pub(crate) shapes_response: bool,
    /// Which of the headers looked at here the request carries.
    pub(crate) present: Present,
}

/// Refuses a request a browser marks as coming from another site, unless
/// its origin is allowed.
pub(crate) fn check(parts: &Parts, allowed: &AllowedOrigins, call: Call<'_>) -> Result<(), HttpError> {
    let headers = &parts.headers;
    let origin = call.present.get(headers, Looked::Origin, &ORIGIN);
    if let Some(origin) = origin
        && allowed.allows(origin)
    {
        // `*` answers anyone's page, so it must not run what a user's
        // cookies authorise: the browser would hide the answer, but the
        // call would have run.
        if allowed.any && !allowed.listed(origin) && carries_credentials(headers) {
            return Err(HttpError::forbidden().with_message(
                "Cross-site requests with credentials are refused: the app allows any origin (`*`), which \
                 answers only calls without cookies or Authorization.",
            ));
        }
        return Ok(());
    }
    static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
    let same_site = match call
        .present
        .get(headers, Looked::SecFetchSite, &SEC_FETCH_SITE)
        .map(HeaderValue::as_bytes)
    {
        Some(b"same-origin" | b"none") => true,
        // `same-site` is another origin of the same site (a subdomain):
        // not the app's own either.
        Some(_) => false,
        None => match origin {
            Some(origin) => call
                .host
                .is_some_and(|host| same_origin(origin, call.scheme, host)),
            // Browsers send neither header to a plain-http origin on a GET
            // navigation: there a foreign `Referer` is the one sign left of
            // another site's link, refused as `Sec-Fetch-Site` would have
            // it refused over https (with the user's cookies, or setting
            // them: a session planted by another site's link).
            None => !foreign_referer(headers, call),
        },
    };
    if same_site || jsonp_may_pass(parts, call) {
        return Ok(());
    }
    Err(HttpError::forbidden().with_message(
        "Cross-site requests are refused: this page's origin is not among the app's allowed origins.",
    ))
}

/// Whether `origin` (`scheme://host:port`) is the app's own: `host`
/// (`host:port`) reached over `scheme`.
fn same_origin(origin: &HeaderValue, scheme: &str, host: &str) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let Some((origin_scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if !origin_scheme.eq_ignore_ascii_case(scheme) {
        return false;
    }
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

/// A `Referer` from another origin than the app's own.
fn foreign_referer(headers: &http::HeaderMap, call: Call<'_>) -> bool {
    let Some(referer) = call
        .present
        .get(headers, Looked::Referer, &REFERER)
        .and_then(|r| r.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, rest)) = referer.split_once("://") else {
        return true;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let origin = format!("{scheme}://{authority}");
    let Ok(origin) = HeaderValue::from_str(&origin) else {
        return true;
    };
    !call
        .host
        .is_some_and(|host| same_origin(&origin, call.scheme, host))
}

/// JSONP: its only use is a `<script>` of another site, which sends a GET
/// without a body. Only such a call passes, under JSONP's own rule
/// (`jsonp_allowed`: refused with credentials), and never to a function
/// that sets cookies or answers a `Response`, whose headers a navigation
/// would take (a session cookie set by another site's link).
fn jsonp_may_pass(parts: &Parts, call: Call<'_>) -> bool {
    matches!(parts.method, Method::GET | Method::HEAD)
        && !call.has_body
        && !call.shapes_response
        && parts
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

    fn parts(headers: &[(&str, &str)], method: &str, uri: &str) -> Parts {
        let mut request = http::Request::builder().method(method).uri(uri);
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

    const PLAIN: Call<'static> = Call {
        host: Some("app.test:8000"),
        scheme: "http",
        has_body: false,
        shapes_response: false,
        present: Present::UNKNOWN,
    };

    fn passes(h: &[(&str, &str)], uri: &str) -> bool {
        let parts = parts(h, "GET", uri);
        // As the app's service calls it: with the headers found present.
        let id = http::HeaderName::from_static("x-request-id");
        let call = Call {
            present: Present::of(&parts.headers, &id),
            ..PLAIN
        };
        check(&parts, &AllowedOrigins::default(), call).is_ok()
    }

    #[test]
    fn browsers_across_sites_are_refused_and_others_pass() {
        assert!(passes(&[], "/m/f"));
        assert!(passes(&[("sec-fetch-site", "same-origin")], "/m/f"));
        assert!(passes(&[("sec-fetch-site", "none")], "/m/f"));
        assert!(!passes(&[("sec-fetch-site", "cross-site")], "/m/f"));
        assert!(!passes(&[("sec-fetch-site", "same-site")], "/m/f"));
        assert!(passes(&[("origin", "http://app.test:8000")], "/m/f"));
        assert!(
            !passes(&[("origin", "https://app.test:8000")], "/m/f"),
            "another scheme is another origin"
        );
        assert!(!passes(&[("origin", "http://evil.test")], "/m/f"));
        assert!(!passes(&[("origin", "null")], "/m/f"));
    }

    #[test]
    fn a_foreign_referer_and_no_other_sign_is_refused() {
        let cookie = ("cookie", "session_id=42");
        assert!(!passes(&[cookie, ("referer", "http://evil.test/page")], "/m/f"));
        assert!(!passes(&[cookie, ("referer", "not a url")], "/m/f"));
        assert!(
            !passes(&[("referer", "http://evil.test/")], "/m/f"),
            "a session planted"
        );
        assert!(passes(
            &[cookie, ("referer", "http://app.test:8000/page?x=1")],
            "/m/f"
        ));
        assert!(passes(&[cookie], "/m/f"), "no referer says nothing");
        let sec = ("sec-fetch-site", "same-origin");
        assert!(passes(&[cookie, sec, ("referer", "http://evil.test/")], "/m/f"));
    }

    #[test]
    fn jsonp_passes_only_as_a_script_would_send_it() {
        let cross = [("sec-fetch-site", "cross-site")];
        let none = AllowedOrigins::default();
        assert!(passes(&cross, "/m/f?_callback=cb"));
        assert!(check(&parts(&cross, "POST", "/m/f?_callback=cb"), &none, PLAIN).is_err());
        let with_body = Call {
            has_body: true,
            ..PLAIN
        };
        assert!(check(&parts(&cross, "GET", "/m/f?_callback=cb"), &none, with_body).is_err());
        let cookies = Call {
            shapes_response: true,
            ..PLAIN
        };
        assert!(check(&parts(&cross, "GET", "/m/f?_callback=cb"), &none, cookies).is_err());
    }

    #[test]
    fn allowed_origins_pass() {
        let list = allowed(&["https://ok.test"]);
        let call = Call {
            host: Some("app.test"),
            ..PLAIN
        };
        let p = parts(
            &[("origin", "https://ok.test"), ("sec-fetch-site", "cross-site")],
            "GET",
            "/m/f",
        );
        assert!(check(&p, &list, call).is_ok());
        let p = parts(
            &[("origin", "https://other.test"), ("sec-fetch-site", "cross-site")],
            "GET",
            "/m/f",
        );
        assert!(check(&p, &list, call).is_err());
        assert!(same_origin(
            &HeaderValue::from_static("https://a.test:443"),
            "https",
            "a.test"
        ));
    }

    #[test]
    fn any_origin_runs_only_calls_without_credentials() {
        let any = allowed(&["*", "https://listed.test"]);
        let cross = |origin, extra: Option<(&str, &str)>| {
            let mut h = vec![("origin", origin), ("sec-fetch-site", "cross-site")];
            h.extend(extra);
            check(&parts(&h, "POST", "/m/f"), &any, PLAIN).is_ok()
        };
        assert!(cross("https://else.test", None));
        assert!(!cross("https://else.test", Some(("cookie", "s=1"))));
        assert!(!cross("https://else.test", Some(("authorization", "Bearer x"))));
        assert!(
            cross("https://listed.test", Some(("cookie", "s=1"))),
            "a listed origin is trusted"
        );
    }

    #[test]
    #[should_panic(expected = "is not an origin")]
    fn a_url_is_not_an_origin() {
        allowed(&["https://ok.test/path"]);
    }
}
