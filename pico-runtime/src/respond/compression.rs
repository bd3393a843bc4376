//! Compressed answers: zstd, brotli or gzip as the client's
//! `Accept-Encoding` prefers, for a whole answer of a compressible type
//! above a size; never for a stream (its events would wait in the
//! encoder), a range, or what is compressed already.
//!
//! Decided once the answer exists, which tower-http's `CompressionLayer`
//! cannot (it wraps every body before knowing its size or whether it is a
//! stream); the encoding itself is `encoders.rs`'s.

use axum::body::Body;
use axum::response::Response;
use http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, ETAG, VARY,
};
use http::{HeaderMap, HeaderValue};

use crate::respond::encoders::{self, Encoding};

/// How an app compresses its answers (`App::compression`): zstd, brotli
/// and gzip, for answers of 1 KiB and more, unless set otherwise. The same
/// encodings are the ones a request body may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    pub(crate) min_size: u64,
    pub(crate) gzip: bool,
    pub(crate) br: bool,
    pub(crate) zstd: bool,
}

impl Default for Compression {
    fn default() -> Self {
        Self::new()
    }
}

impl Compression {
    /// zstd, brotli and gzip, for answers of 1 KiB and more.
    pub fn new() -> Self {
        Compression {
            min_size: 1024,
            gzip: true,
            br: true,
            zstd: true,
        }
    }

    /// No compression: answers go out as they are, and a compressed
    /// request body is refused (415).
    pub fn off() -> Self {
        Compression {
            min_size: 0,
            gzip: false,
            br: false,
            zstd: false,
        }
    }

    /// Compresses answers of `bytes` and more only: below a kilobyte or so,
    /// what compression saves is less than what it costs.
    #[must_use]
    pub fn min_size(mut self, bytes: u64) -> Self {
        self.min_size = bytes;
        self
    }

    /// Whether gzip is used.
    #[must_use]
    pub fn gzip(mut self, on: bool) -> Self {
        self.gzip = on;
        self
    }

    /// Whether brotli (`br`) is used.
    #[must_use]
    pub fn br(mut self, on: bool) -> Self {
        self.br = on;
        self
    }

    /// Whether zstd is used.
    #[must_use]
    pub fn zstd(mut self, on: bool) -> Self {
        self.zstd = on;
        self
    }

    pub(crate) fn is_off(&self) -> bool {
        !(self.gzip || self.br || self.zstd)
    }

    /// The encodings on, in the order preferred when a client likes them
    /// equally: zstd makes JSON about as small as brotli for a fifth of the
    /// work, and both smaller than gzip; browsers without zstd speak
    /// brotli.
    fn offered(&self) -> impl Iterator<Item = Encoding> + '_ {
        [
            (Encoding::Zstd, self.zstd),
            (Encoding::Br, self.br),
            (Encoding::Gzip, self.gzip),
        ]
        .into_iter()
        .filter_map(|(encoding, on)| on.then_some(encoding))
    }

    /// The encoding a body in `name` is read in, if it is one of those on.
    pub(crate) fn accepts(&self, name: &[u8]) -> Option<Encoding> {
        self.offered()
            .find(|e| e.names().iter().any(|n| name.eq_ignore_ascii_case(n)))
    }

    /// The encodings on, as an `Accept-Encoding` header lists them.
    pub(crate) fn listed(&self) -> String {
        self.offered()
            .map(|e| e.names()[0])
            .map(|n| std::str::from_utf8(n).expect("ASCII"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The encoding the client prefers among those on, by its
    /// `Accept-Encoding` and its weights; none when it accepts none of
    /// them, or none at all.
    pub(crate) fn negotiate(&self, headers: &HeaderMap) -> Option<Encoding> {
        let accepted = headers.get(ACCEPT_ENCODING)?.to_str().ok()?;
        let mut best: Option<(Encoding, u16)> = None;
        for encoding in self.offered() {
            let weight = weight_of(accepted, encoding);
            if weight > 0 && best.is_none_or(|(_, b)| weight > b) {
                best = Some((encoding, weight));
            }
        }
        best.map(|(encoding, _)| encoding)
    }
}

/// The weight, in thousandths, `accepted` gives `encoding`: its own entry,
/// else `*`'s, else none.
fn weight_of(accepted: &str, encoding: Encoding) -> u16 {
    let mut any = 0;
    for entry in accepted.split(',') {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or("").trim();
        let weight = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .or_else(|| p.trim().strip_prefix("Q="))
            })
            .map_or(1000, parse_weight);
        if encoding
            .names()
            .iter()
            .any(|n| name.as_bytes().eq_ignore_ascii_case(n))
        {
            return weight;
        }
        if name == "*" {
            any = weight;
        }
    }
    any
}

/// A `qvalue` (`0`, `0.5`, `1.000`) in thousandths; anything else is 0.
fn parse_weight(text: &str) -> u16 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().unwrap_or(0);
    match whole {
        "0" => thousandths,
        "1" if thousandths == 0 => 1000,
        _ => 0,
    }
}

/// Media types worth compressing: text, and the JSON, JavaScript and XML
/// families. Images, archives, media and uploads served back in their own
/// type are compressed already, or are the app's to know about.
fn compressible(content_type: &[u8]) -> bool {
    let essence = content_type.split(|&b| b == b';').next().unwrap_or(b"");
    let essence = String::from_utf8_lossy(essence).trim().to_ascii_lowercase();
    if essence == "text/event-stream" {
        return false;
    }
    essence.starts_with("text/")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/javascript"
                | "application/typescript"
                | "application/xml"
                | "image/svg+xml"
        )
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
}

/// Whether `response` would be compressed for a client that asked: then it
/// varies by `Accept-Encoding`, whether this client asked or not.
fn eligible(response: &Response, settings: &Compression) -> bool {
    let headers = response.headers();
    let whole =
        crate::respond::body_size::body_size(response).is_some_and(|size| size >= settings.min_size.max(1));
    whole
        && !headers.contains_key(CONTENT_ENCODING)
        && !headers.contains_key(CONTENT_RANGE)
        && headers
            .get(CONTENT_TYPE)
            .is_some_and(|t| compressible(t.as_bytes()))
        && !headers.get_all(CACHE_CONTROL).iter().any(|v| {
            v.as_bytes()
                .windows(12)
                .any(|w| w.eq_ignore_ascii_case(b"no-transform"))
        })
}

/// `response`, compressed in `encoding` if it should be; marked as
/// varying by `Accept-Encoding` if it could have been. In place: most
/// answers are not compressed, and are not moved to learn it.
pub(crate) fn compress(response: &mut Response, settings: &Compression, encoding: Option<Encoding>) {
    if eligible(response, settings) {
        *response = compressed(std::mem::take(response), encoding);
    }
}

fn compressed(response: Response, encoding: Option<Encoding>) -> Response {
    let (mut parts, body) = response.into_parts();
    parts
        .headers
        .append(VARY, HeaderValue::from_static("accept-encoding"));
    let Some(encoding) = encoding else {
        return Response::from_parts(parts, body);
    };
    let headers = &mut parts.headers;
    let body = match encoders::whole(body) {
        // A body whole in memory, as every JSON answer is, is compressed
        // at once, by an encoder the thread keeps.
        Ok(plain) => match encoders::encode_whole(encoding, &plain) {
            Some(packed) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(packed.len()));
                Body::from(packed)
            }
            None => return Response::from_parts(parts, Body::from(plain)),
        },
        Err(body) => {
            headers.remove(CONTENT_LENGTH);
            encoders::encode_stream(body, encoding)
        }
    };
    headers.insert(CONTENT_ENCODING, encoding.header());
    headers.remove(ACCEPT_RANGES);
    // The bytes differ from the plain answer's: a strong validator would
    // claim they are the same.
    if let Some(tag) = headers.get(ETAG)
        && !tag.as_bytes().starts_with(b"W/")
    {
        let mut weak = b"W/".to_vec();
        weak.extend_from_slice(tag.as_bytes());
        if let Ok(weak) = HeaderValue::from_bytes(&weak) {
            headers.insert(ETAG, weak);
        }
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(accept: &str) -> Option<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        Compression::new().negotiate(&headers)
    }

    #[test]
    fn the_clients_weights_decide_and_ties_go_to_zstd() {
        assert_eq!(chosen("gzip, deflate, br, zstd"), Some(Encoding::Zstd));
        assert_eq!(chosen("gzip"), Some(Encoding::Gzip));
        assert_eq!(chosen("x-gzip"), Some(Encoding::Gzip));
        assert_eq!(chosen("br;q=0.5, gzip;q=0.8"), Some(Encoding::Gzip));
        assert_eq!(chosen("zstd, br;q=0.9"), Some(Encoding::Zstd));
        assert_eq!(chosen("*"), Some(Encoding::Zstd));
        assert_eq!(chosen("*;q=0.1, zstd;q=0"), Some(Encoding::Br));
        assert_eq!(chosen("identity"), None);
        assert_eq!(chosen("gzip;q=0"), None);
        assert_eq!(chosen("gzip;q=2"), None);
        assert_eq!(chosen("deflate"), None);
        assert_eq!(chosen(""), None);
        assert_eq!(
            Compression::new().br(false).negotiate(&{
                let mut h = HeaderMap::new();
                h.insert(ACCEPT_ENCODING, HeaderValue::from_static("br, gzip"));
                h
            }),
            Some(Encoding::Gzip)
        );
    }

    #[test]
    fn only_text_and_its_families_are_compressible() {
        for yes in [
            "application/json",
            "text/plain; charset=utf-8",
            "application/problem+json",
            "text/javascript",
            "image/svg+xml",
        ] {
            assert!(compressible(yes.as_bytes()), "{yes}");
        }
        for no in [
            "text/event-stream",
            "image/png",
            "application/zip",
            "application/gzip",
            "application/octet-stream",
            "video/mp4",
        ] {
            assert!(!compressible(no.as_bytes()), "{no}");
        }
    }
}
