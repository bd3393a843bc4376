//! Which methods reach a route: GET, HEAD and POST, or the one a
//! function's `#[require_method]` names. The dispatch refuses the others
//! with a 405 and its `Allow`; a CORS preflight answers the same list.

use http::Method;
use http::header::{ALLOW, HeaderValue};

use crate::application::built_app::BuiltApp;
use crate::dispatch::routes::Route;
use crate::errors::http_error::HttpError;

/// What `#[require_method]` asks of a route: nothing but of a function.
pub(crate) fn required_method(shared: &BuiltApp, route: Route) -> Option<&'static str> {
    match route {
        Route::Function(index) => shared.functions[index].function.method,
        _ => None,
    }
}

/// The methods that reach a route, as `Allow` and a CORS preflight list
/// them: GET, HEAD and POST, or the one `#[require_method(M)]` names (and
/// HEAD with GET).
pub(crate) fn accepted_methods(required: Option<&'static str>) -> HeaderValue {
    match required {
        None => HeaderValue::from_static("GET, HEAD, POST"),
        Some("GET") => HeaderValue::from_static("GET, HEAD"),
        Some(required) => HeaderValue::from_static(required),
    }
}

/// A request's method against the route's: a 405 that lists those the
/// route takes.
pub(crate) fn check_method(method: &Method, required: Option<&'static str>) -> Result<(), HttpError> {
    let allowed = match required {
        None => matches!(*method, Method::GET | Method::HEAD | Method::POST),
        Some(required) => method.as_str() == required || (required == "GET" && *method == Method::HEAD),
    };
    if allowed {
        return Ok(());
    }
    Err(HttpError::method_not_allowed().with_header(ALLOW, accepted_methods(required)))
}
