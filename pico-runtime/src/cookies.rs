//! `#[set_cookie]` and `#[delete_cookie]`: cookies from a function's result.

use axum::response::Response;
use cookie::{Cookie, SameSite};
use http::header::{HeaderValue, SET_COOKIE};
use serde::Serialize;
use serde_json::Value;

use crate::failure::Failure;
use crate::json::JsonCodec;
use crate::response::{Reply, json_response};

/// The attributes of the cookies a function sets, from
/// `#[set_cookie(path = "/", max_age = 3600, ...)]`.
#[derive(Debug, Clone, Copy)]
pub struct CookieOptions {
    /// `Path`, `/` unless given.
    pub path: &'static str,
    /// `Domain`, none unless given.
    pub domain: Option<&'static str>,
    /// `Max-Age` in seconds, a session cookie unless given.
    pub max_age: Option<i64>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`, on unless turned off: scripts have no business reading a
    /// session id.
    pub http_only: bool,
    /// `SameSite`: `"Lax"` unless given, `"Strict"` or `"None"`.
    pub same_site: &'static str,
}

impl CookieOptions {
    /// The defaults: `Path=/; HttpOnly; SameSite=Lax`.
    pub const DEFAULT: CookieOptions = CookieOptions {
        path: "/",
        domain: None,
        max_age: None,
        secure: false,
        http_only: true,
        same_site: "Lax",
    };

    fn cookie(&self, name: String, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::new(name, value);
        cookie.set_path(self.path);
        if let Some(domain) = self.domain {
            cookie.set_domain(domain);
        }
        if let Some(seconds) = self.max_age {
            cookie.set_max_age(cookie::time::Duration::seconds(seconds));
        }
        cookie.set_secure(self.secure);
        cookie.set_http_only(self.http_only);
        cookie.set_same_site(match self.same_site {
            "Strict" => SameSite::Strict,
            "None" => SameSite::None,
            _ => SameSite::Lax,
        });
        cookie
    }
}

fn append(response: &mut Response, cookie: &Cookie<'_>) {
    // Percent-encoding keeps `;`, `,`, CR and LF out of the header.
    if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The reply of a `#[set_cookie]` function: the map it returned is the JSON
/// body, and each of its keys a cookie.
pub fn set_cookies<T: Serialize>(
    map: &T,
    options: &CookieOptions,
    codec: Option<&dyn JsonCodec>,
) -> Result<Reply, Failure> {
    let value = serde_json::to_value(map).map_err(|e| {
        Failure::internal(
            "serialization",
            format!("the result could not be serialised: {e}"),
        )
    })?;
    let Value::Object(entries) = &value else {
        return Err(Failure::internal(
            "set_cookie",
            "a `#[set_cookie]` function must return a map of cookie names to values".to_owned(),
        ));
    };
    let body = match codec {
        Some(codec) => codec.dump(&value),
        None => serde_json::to_vec(&value).unwrap_or_default(),
    };
    let mut response = json_response(body);
    for (name, value) in entries {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        append(&mut response, &options.cookie(name.clone(), text));
    }
    Ok(Reply::Response(response))
}

/// A `#[delete_cookie("name")]` function's reply: it also expires the
/// cookies named.
pub fn delete_cookies(
    reply: Result<Reply, Failure>,
    names: &[&'static str],
    options: &CookieOptions,
) -> Result<Reply, Failure> {
    let mut response = match reply? {
        Reply::Json(bytes) => json_response(bytes),
        Reply::Response(response) => response,
    };
    for name in names {
        let mut cookie = options.cookie((*name).to_owned(), String::new());
        cookie.make_removal();
        append(&mut response, &cookie);
    }
    Ok(Reply::Response(response))
}

/// Marks every cookie the response sets `Secure`: the client came over
/// https, so the cookie must never travel without it.
pub(crate) fn make_secure(response: &mut Response) {
    let headers = response.headers_mut();
    if !headers.contains_key(SET_COOKIE) {
        return;
    }
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    headers.remove(SET_COOKIE);
    for cookie in cookies {
        let secured = match cookie.to_str() {
            Ok(text) if !text.split(';').any(|a| a.trim().eq_ignore_ascii_case("secure")) => {
                HeaderValue::try_from(format!("{text}; Secure")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(SET_COOKIE, secured);
    }
}
