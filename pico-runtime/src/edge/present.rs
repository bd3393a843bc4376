//! Which of the headers Pico looks for a request carries, found in one
//! pass over its head. A header looked up by name costs a hash and a
//! probe (about 100 instructions), and a request is asked for nine, most
//! of which an API client never sends: with this, those it did not send
//! cost nothing.

use http::{HeaderMap, HeaderName, HeaderValue};

/// The headers Pico looks for that a request may well not carry.
#[derive(Debug, Clone, Copy)]
#[repr(u16)]
pub(crate) enum Looked {
    Origin = 1,
    SecFetchSite = 1 << 1,
    Referer = 1 << 2,
    ContentType = 1 << 3,
    ContentEncoding = 1 << 4,
    Accept = 1 << 5,
    AcceptEncoding = 1 << 6,
    /// The app's request id header (`App::request_id_header`).
    RequestId = 1 << 7,
    /// Not a header: its `Content-Type` (the first, as a lookup finds)
    /// is `application/json` exactly, as clients nearly always send it.
    JsonBody = 1 << 8,
    /// Any header by which a proxy says what the client asked
    /// (`Forwarded`, `X-Forwarded-*`, `X-Script-Name`).
    Forwarded = 1 << 9,
}

/// Which of the [`Looked`] headers a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Present(u16);

impl Present {
    /// Not known: every header is looked up.
    pub(crate) const UNKNOWN: Present = Present(u16::MAX);

    /// The headers of `headers`, `id_header` being the app's request id's.
    pub(crate) fn of(headers: &HeaderMap, id_header: &HeaderName) -> Present {
        let mut present = 0;
        for (name, value) in headers {
            // The id header may be named as one of the others too.
            if name == id_header {
                present |= Looked::RequestId as u16;
            }
            let looked = match name.as_str() {
                "origin" => Looked::Origin,
                "sec-fetch-site" => Looked::SecFetchSite,
                "referer" => Looked::Referer,
                "content-type" if present & Looked::ContentType as u16 != 0 => continue,
                "content-type" if is_json(value) => {
                    present |= Looked::JsonBody as u16;
                    Looked::ContentType
                }
                "content-type" => Looked::ContentType,
                "content-encoding" => Looked::ContentEncoding,
                "accept" => Looked::Accept,
                "accept-encoding" => Looked::AcceptEncoding,
                name if is_forwarded(name) => Looked::Forwarded,
                _ => continue,
            };
            present |= looked as u16;
        }
        Present(present)
    }

    /// Whether the request may carry `header`.
    pub(crate) fn has(self, header: Looked) -> bool {
        self.0 & header as u16 != 0
    }

    /// Whether the request carries `header` (named `name`): known without
    /// a lookup once the headers were looked at.
    pub(crate) fn carries(self, headers: &HeaderMap, header: Looked, name: &HeaderName) -> bool {
        if self == Present::UNKNOWN {
            headers.contains_key(name)
        } else {
            self.has(header)
        }
    }

    /// Whether the request carries a header only a trusted proxy may set.
    pub(crate) fn forwarded(self, headers: &HeaderMap) -> bool {
        if self == Present::UNKNOWN {
            headers.keys().any(|name| is_forwarded(name.as_str()))
        } else {
            self.has(Looked::Forwarded)
        }
    }

    /// Whether the request's `Content-Type` is `application/json` exactly.
    pub(crate) fn sends_json(self, headers: &HeaderMap) -> bool {
        if self == Present::UNKNOWN {
            headers.get(http::header::CONTENT_TYPE).is_some_and(is_json)
        } else {
            self.has(Looked::JsonBody)
        }
    }

    /// `headers.get(name)`, where `name` is `header`'s, unless the request
    /// does not carry it.
    pub(crate) fn get<'a>(
        self,
        headers: &'a HeaderMap,
        header: Looked,
        name: &HeaderName,
    ) -> Option<&'a HeaderValue> {
        if self.has(header) { headers.get(name) } else { None }
    }
}

/// What clients nearly always send as a JSON body's `Content-Type`, told
/// without reading it as text.
pub(crate) fn is_json(content_type: &HeaderValue) -> bool {
    content_type.as_bytes().eq_ignore_ascii_case(b"application/json")
}

/// Whether `name` is one of the headers a proxy sets to say what the
/// client asked.
fn is_forwarded(name: &str) -> bool {
    name.starts_with("x-forwarded-") || name == "forwarded" || name == "x-script-name"
}

#[cfg(test)]
mod tests {
    use http::header::{ACCEPT, CONTENT_TYPE, HOST, ORIGIN};

    use super::*;

    #[test]
    fn the_headers_sent_are_present_and_no_others() {
        let id = HeaderName::from_static("x-request-id");
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("example.com"));
        headers.insert(ORIGIN, HeaderValue::from_static("https://example.com"));
        headers.insert(id.clone(), HeaderValue::from_static("abc"));
        let present = Present::of(&headers, &id);
        assert!(present.has(Looked::Origin) && present.has(Looked::RequestId));
        assert!(!present.has(Looked::Accept) && !present.has(Looked::SecFetchSite));
        assert_eq!(present.get(&headers, Looked::Accept, &ACCEPT), None);
        assert!(present.get(&headers, Looked::Origin, &ORIGIN).is_some());
        assert!(present.carries(&headers, Looked::Origin, &ORIGIN));
        assert!(!present.carries(&headers, Looked::Accept, &ACCEPT));
    }

    #[test]
    fn an_id_header_named_as_another_is_present_as_both() {
        let id = HeaderName::from_static("origin");
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_static("https://example.com"));
        let present = Present::of(&headers, &id);
        assert!(present.has(Looked::Origin) && present.has(Looked::RequestId));
    }

    #[test]
    fn a_json_body_is_told_by_its_first_content_type_as_a_lookup_tells_it() {
        let id = HeaderName::from_static("x-request-id");
        let json = HeaderValue::from_static("Application/JSON");
        let form = HeaderValue::from_static("application/x-www-form-urlencoded");
        let cases: [(&[&HeaderValue], bool); 5] = [
            (&[], false),
            (&[&json], true),
            (&[&form], false),
            (&[&json, &form], true),
            (&[&form, &json], false),
        ];
        for (values, json_body) in cases {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(CONTENT_TYPE, (*value).clone());
            }
            let present = Present::of(&headers, &id);
            assert_eq!(present.sends_json(&headers), json_body, "{values:?}");
            assert_eq!(Present::UNKNOWN.sends_json(&headers), json_body, "{values:?}");
            assert_eq!(present.has(Looked::ContentType), !values.is_empty());
        }
    }

    #[test]
    fn a_proxys_headers_are_present_as_forwarded() {
        let id = HeaderName::from_static("x-request-id");
        for name in [
            "x-forwarded-proto",
            "x-forwarded-prefix",
            "forwarded",
            "x-script-name",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(HOST, HeaderValue::from_static("example.com"));
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static("x"));
            assert!(Present::of(&headers, &id).forwarded(&headers), "{name}");
            assert!(Present::UNKNOWN.forwarded(&headers), "{name}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("example.com"));
        headers.insert(
            HeaderName::from_static("x-forwarded"),
            HeaderValue::from_static("x"),
        );
        assert!(!Present::of(&headers, &id).forwarded(&headers));
        assert!(!Present::UNKNOWN.forwarded(&headers));
    }

    #[test]
    fn unknown_looks_everything_up() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        assert!(Present::UNKNOWN.get(&headers, Looked::Accept, &ACCEPT).is_some());
        assert!(Present::UNKNOWN.carries(&headers, Looked::Accept, &ACCEPT));
        assert!(!Present::UNKNOWN.carries(&headers, Looked::Origin, &ORIGIN));
    }
}
