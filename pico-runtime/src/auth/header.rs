//! Reading `Authorization`: one header, its scheme compared without case,
//! as RFC 9110 has it.

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// What `Authorization` holds for `scheme`: `Ok(None)` without the header,
/// `Err(())` when it is not one `Authorization` of that scheme.
pub(super) fn credentials<'a>(headers: &'a HeaderMap, scheme: &str) -> Result<Option<&'a str>, ()> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(());
    }
    let value = value.to_str().map_err(|_| ())?.trim();
    match value.split_once(' ') {
        Some((given, rest)) if given.eq_ignore_ascii_case(scheme) => Ok(Some(rest.trim_start())),
        _ => Err(()),
    }
}
