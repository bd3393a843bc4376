//! Request bodies sent compressed (`Content-Encoding: gzip`, `br` or
//! `zstd`, as the app's `Compression` allows): decoded as they are read,
//! so that the body limit counts what they decode to, and a small body
//! that would inflate past it is refused once it has, not after.

use std::io;

use axum::body::Body;
use futures_util::TryStreamExt;
use http::HeaderValue;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH};
use http::request::Parts;
use tokio_util::io::{ReaderStream, StreamReader};

use crate::errors::http_error::HttpError;
use crate::respond::compression::Compression;
use crate::respond::encoders::Encoding;

/// A body that is not what its `Content-Encoding` says.
#[derive(Debug)]
pub(crate) struct Undecodable {
    pub(crate) encoding: &'static str,
    source: io::Error,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body is not valid {}: {}",
            self.encoding, self.source
        )
    }
}

impl std::error::Error for Undecodable {}

/// The body as the function reads it: decoded, when it came encoded in
/// one of the app's encodings; a 415 naming those, when in another.
pub(crate) fn decoded(settings: &Compression, parts: &mut Parts, body: Body) -> Result<Body, HttpError> {
    let Some(coding) = parts.headers.get(CONTENT_ENCODING) else {
        return Ok(body);
    };
    let coding = coding.as_bytes().trim_ascii();
    if coding.eq_ignore_ascii_case(b"identity") && parts.headers.get_all(CONTENT_ENCODING).iter().count() == 1
    {
        parts.headers.remove(CONTENT_ENCODING);
        return Ok(body);
    }
    let single = parts.headers.get_all(CONTENT_ENCODING).iter().count() == 1;
    match settings.accepts(coding).filter(|_| single) {
        // Nothing was sent: nothing to decode.
        Some(_) if http_body::Body::is_end_stream(&body) => {
            parts.headers.remove(CONTENT_ENCODING);
            Ok(body)
        }
        Some(encoding) => {
            parts.headers.remove(CONTENT_ENCODING);
            // What was declared is the size sent, not the size read.
            parts.headers.remove(CONTENT_LENGTH);
            Ok(decode(body, encoding))
        }
        None => {
            let sent = String::from_utf8_lossy(coding).into_owned();
            let message = if settings.is_off() {
                format!(
                    "The request body is encoded as `{sent}`, which this app does not read: send it unencoded."
                )
            } else {
                format!(
                    "The request body is encoded as `{sent}`, which this app does not read: send it as one of {}, \
                     or unencoded.",
                    settings.listed()
                )
            };
            let listed = if settings.is_off() {
                "identity".to_owned()
            } else {
                settings.listed()
            };
            Err(HttpError::unsupported_media_type()
                .with_message(message)
                .with_header(
                    ACCEPT_ENCODING,
                    HeaderValue::from_str(&listed).expect("ASCII names"),
                ))
        }
    }
}

fn decode(body: Body, encoding: Encoding) -> Body {
    use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZstdDecoder};
    // The body's own failures (a client gone) pass through as they are;
    // any other comes from the decoder.
    let encoded = StreamReader::new(body.into_data_stream().map_err(io::Error::other));
    match encoding {
        Encoding::Gzip => {
            let mut decoder = GzipDecoder::new(encoded);
            // Several gzip members one after the other are one body.
            decoder.multiple_members(true);
            Body::from_stream(tagged(ReaderStream::new(decoder), "gzip"))
        }
        Encoding::Br => Body::from_stream(tagged(ReaderStream::new(BrotliDecoder::new(encoded)), "br")),
        Encoding::Zstd => Body::from_stream(tagged(ReaderStream::new(ZstdDecoder::new(encoded)), "zstd")),
    }
}

/// The decoder's own failures marked as the body's being undecodable.
fn tagged<S>(
    stream: S,
    encoding: &'static str,
) -> impl futures_util::Stream<Item = io::Result<bytes::Bytes>> + Send
where
    S: futures_util::Stream<Item = io::Result<bytes::Bytes>> + Send,
{
    stream.map_err(move |e| {
        if e.get_ref().is_some_and(|inner| inner.is::<axum::Error>()) {
            e
        } else {
            io::Error::other(Undecodable { encoding, source: e })
        }
    })
}

/// The encoding a body failed to decode in, when that is why `error`
/// happened.
pub(crate) fn undecodable(error: &axum::Error) -> Option<&'static str> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        let found = e.downcast_ref::<Undecodable>().or_else(|| {
            e.downcast_ref::<io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<Undecodable>())
        });
        if let Some(undecodable) = found {
            return Some(undecodable.encoding);
        }
        source = e.source();
    }
    None
}
