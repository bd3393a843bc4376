//! `#[set_cookie]` and `#[delete_cookie]`: cookies from a function's result.

use axum::response::Response;
use cookie::time::{Duration, OffsetDateTime};
use cookie::{Cookie, SameSite};
use http::header::{HeaderValue, SET_COOKIE};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::dispatch::json::JsonCodec;
use crate::errors::failure::Failure;
use crate::respond::response::{Reply, json_response};

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

    /// The `Set-Cookie` value of `name=value` with these attributes, as
    /// the `cookie` crate writes them; a removal empties the value and
    /// expires it at once. The value is encoded here, with a set that
    /// decodes back to exactly what was sent.
    fn header(&self, name: &str, value: &str, removal: bool) -> String {
        let prefix = prefix(name);
        let same_site = match self.same_site {
            "Strict" => SameSite::Strict,
            "None" => SameSite::None,
            _ => SameSite::Lax,
        };
        let mut cookie = Cookie::new(name.to_owned(), utf8_percent_encode(value, ENCODED).to_string());
        cookie.set_http_only(self.http_only);
        cookie.set_same_site(same_site);
        // Browsers drop `SameSite=None` without `Secure`, and prefixed
        // names without what their prefix promises.
        cookie.set_secure(self.secure || same_site == SameSite::None || prefix != Prefix::None);
        cookie.set_path(if prefix == Prefix::Host { "/" } else { self.path });
        if let Some(domain) = self.domain
            && prefix != Prefix::Host
        {
            cookie.set_domain(domain);
        }
        if removal {
            cookie.set_max_age(Duration::ZERO);
            cookie.set_expires(OffsetDateTime::UNIX_EPOCH);
        } else if let Some(seconds) = self.max_age {
            cookie.set_max_age(Duration::seconds(seconds));
        }
        cookie.to_string()
    }
}

/// What a cookie's value may not carry raw: the octets RFC 6265 (4.1.1)
/// leaves out of a cookie (controls, space, `"`, `,`, `;`, `\`),
/// and `%` with the other delimiters of URLs, so that decoding gives back
/// exactly what was encoded. Non-ASCII is always encoded.
const ENCODED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'(')
    .add(b')')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn append(response: &mut Response, header: &str) {
    if let Ok(value) = HeaderValue::from_str(header) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// A name's prefix that browsers guard (compared without case, as they
/// do): `__Host-` cookies only with `Secure`, `Path=/` and no `Domain`,
/// `__Secure-` ones only with `Secure`; set otherwise, a browser drops
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Host,
    Secure,
    None,
}

fn prefix(name: &str) -> Prefix {
    let starts = |p: &str| {
        name.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    };
    if starts("__Host-") {
        Prefix::Host
    } else if starts("__Secure-") {
        Prefix::Secure
    } else {
        Prefix::None
    }
}

/// Whether `name` is a cookie name as RFC 6265 has it (a token): the only
/// names set, since a browser sends them back as they are.
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
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
    if let Some(name) = entries.keys().find(|name| !is_cookie_name(name)) {
        return Err(Failure::internal(
            "set_cookie",
            format!("`{name}` is not a cookie name: use ASCII letters, digits and `!#$%&'*+-.^_|~`"),
        ));
    }
    let mut response = json_response(body);
    for (name, value) in entries {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        append(&mut response, &options.header(name, &text, false));
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
        Reply::Status(success) => success.into_response(None),
        Reply::Response(response) => response,
    };
    for name in names {
        append(&mut response, &options.header(name, "", true));
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
