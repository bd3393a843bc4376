//! JSONP: `?_callback=f` wraps an answer as `f(...);`. Only identifier
//! paths are accepted, so that a callback cannot inject script; never to a
//! request with credentials, as another site's `<script>` would read the
//! answer with them; and not at all when the app turns it off.

use http::HeaderMap;

use crate::dispatch::args::Args;
use crate::dispatch::decode::Arg;
use crate::edge::cross_site;
use crate::errors::http_error::HttpError;

/// JSONP is refused when turned off, and to requests with credentials.
pub(crate) fn jsonp_allowed(on: bool, headers: &HeaderMap) -> Result<(), HttpError> {
    if !on {
        return Err(HttpError::bad_request().with_message("JSONP (`_callback`) is turned off on this app."));
    }
    if cross_site::carries_credentials(headers) {
        return Err(HttpError::bad_request().with_message(
            "JSONP (`_callback`) is not answered to requests with credentials (Cookie or Authorization): \
             another site's script would read the answer.",
        ));
    }
    Ok(())
}

pub(crate) fn callback_in_query(query: &str) -> Result<Option<String>, HttpError> {
    let mut args = Args::default();
    crate::dispatch::body::push_pairs(&mut args, query.as_bytes())?;
    take_callback(&mut args)
}

/// Takes `_callback` out of the arguments, refusing anything but an
/// identifier path.
pub(crate) fn take_callback(args: &mut Args) -> Result<Option<String>, HttpError> {
    let name = match args.take_reserved("_callback") {
        None => return Ok(None),
        Some(Arg::Text(text)) => text.into_string(),
        Some(Arg::Json(raw)) => serde_json::from_slice(raw.bytes()).unwrap_or_default(),
        Some(_) => String::new(),
    };
    checked_callback(name).map(Some)
}

fn checked_callback(name: String) -> Result<String, HttpError> {
    if is_callback_name(&name) {
        Ok(name)
    } else {
        Err(HttpError::bad_request()
            .with_message("`_callback` must be a JavaScript identifier path such as `app.receive`."))
    }
}

/// `callback(json);`.
pub(crate) fn wrap(callback: &str, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(callback.len() + json.len() + 3);
    out.extend_from_slice(callback.as_bytes());
    out.push(b'(');
    out.extend_from_slice(json);
    out.extend_from_slice(b");");
    out
}

/// Whether `name` is a JavaScript identifier path such as `app.handlers.cb`:
/// the only callbacks accepted, so that `_callback` cannot inject script.
pub(crate) fn is_callback_name(name: &str) -> bool {
    name.len() <= 256
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

#[cfg(test)]
mod tests {
    use super::is_callback_name;

    #[test]
    fn callbacks_are_identifier_paths() {
        for good in ["cb", "$", "_x1", "a.b.c", "jQuery123_456"] {
            assert!(is_callback_name(good), "{good}");
        }
        for bad in [
            "", "1a", "a..b", "a.", "alert(1)", "a-b", "a b", "<script>", "a;b",
        ] {
            assert!(!is_callback_name(bad), "{bad}");
        }
    }
}
