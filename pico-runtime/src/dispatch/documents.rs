//! The app's own documents as a request asks for them: its definition and
//! its modules' (as JSON, JSONP or a script), and `/docs`. Each holds URLs
//! built from the request's host and prefix.

use axum::response::Response;
use http::header::{CACHE_CONTROL, HeaderValue, VARY};
use http::request::Parts;

use crate::application::built_app::BuiltApp;
use crate::describe::definition::Template;
use crate::dispatch::routes::Form;
use crate::edge::prefix::Root;
use crate::errors::http_error::HttpError;
use crate::respond::jsonp::{callback_in_query, jsonp_allowed};
use crate::respond::response::{json_response, typed_response};

/// A definition, of the app or of a module, in the form asked for.
pub(crate) fn definition(
    shared: &BuiltApp,
    template: &Template,
    (form, loader): (Form, &str),
    root: &Root<'_>,
    parts: &Parts,
) -> Result<Response, HttpError> {
    let callback = parts.uri.query().map(callback_in_query).transpose()?.flatten();
    if callback.is_some() {
        jsonp_allowed(shared.jsonp, &parts.headers)?;
    }
    let url = root.url(parts);
    let mut response = match (form, callback) {
        (Form::Js, _) => typed_response(
            template.render(&url, &format!("{loader}("), ");"),
            const { HeaderValue::from_static("text/javascript") },
        ),
        (Form::Json, None) => json_response(template.render(&url, "", "")),
        (Form::Json, Some(callback)) => typed_response(
            crate::respond::jsonp::wrap(&callback, &template.render(&url, "", "")),
            const { HeaderValue::from_static("text/javascript") },
        ),
    };
    vary_by_host(response.headers_mut());
    Ok(response)
}

/// `/docs`: the page, which reads `openapi.json` beside it. Its policy
/// lets it reach this server only, and nothing load from elsewhere.
#[cfg(feature = "openapi")]
pub(crate) fn docs_page() -> Response {
    let mut response = typed_response(
        include_str!("../describe/docs.html"),
        const { HeaderValue::from_static("text/html; charset=utf-8") },
    );
    response.headers_mut().insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; \
             form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    response
}

/// A definition or document holds URLs built from the request's host and
/// prefix: a shared cache must neither keep one nor serve it to another
/// host.
pub(crate) fn vary_by_host(headers: &mut http::HeaderMap) {
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        VARY,
        HeaderValue::from_static(
            "Host, X-Forwarded-Proto, X-Forwarded-Host, X-Forwarded-Prefix, X-Script-Name, Forwarded",
        ),
    );
}
