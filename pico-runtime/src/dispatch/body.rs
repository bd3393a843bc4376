//! Reading a request's arguments from its query string and body.

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use compact_str::CompactString;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http_body_util::BodyExt;
use serde::de::DeserializeSeed;

use crate::dispatch::args::{Args, IntoArgs};
use crate::dispatch::decode::Arg;
use crate::edge::present::{Looked, Present, is_json};

use crate::errors::http_error::{HttpError, bad_request, too_large};

enum BodyKind {
    Json,
    Form,
    #[cfg(feature = "multipart")]
    Multipart(String),
    /// A media type Pico does not read, or none: refused if a body comes.
    Unread,
}

fn body_kind(parts: &Parts) -> Result<BodyKind, HttpError> {
    let Some(content_type) = parts.headers.get(CONTENT_TYPE) else {
        return Ok(BodyKind::Unread);
    };
    if is_json(content_type) {
        return Ok(BodyKind::Json);
    }
    let content_type = content_type
        .to_str()
        .map_err(|_| bad_request("The Content-Type header is not readable text."))?;
    let essence = content_type
        .split_once(';')
        .map_or(content_type, |(essence, _)| essence)
        .trim();
    // The essence alone: `text/plain;x=application/json` is not JSON, and
    // a browser sends it cross-site without a preflight.
    Ok(if essence.eq_ignore_ascii_case("application/json") {
        BodyKind::Json
    } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if essence.eq_ignore_ascii_case("multipart/form-data") {
        #[cfg(feature = "multipart")]
        {
            BodyKind::Multipart(crate::dispatch::multipart::boundary(content_type)?)
        }
        #[cfg(not(feature = "multipart"))]
        return Err(crate::dispatch::multipart::refused());
    } else {
        BodyKind::Unread
    })
}

/// The media types a body may have, as the 415 names them.
#[cfg(feature = "multipart")]
const READ_TYPES: &str = "`application/json`, `application/x-www-form-urlencoded` or `multipart/form-data`";
#[cfg(not(feature = "multipart"))]
const READ_TYPES: &str = "`application/json` or `application/x-www-form-urlencoded`";

/// A body in a media type Pico does not read would otherwise be dropped,
/// and the function's arguments reported missing, which sends the user
/// looking in the wrong place. An empty body is no body.
async fn refuse_unread(parts: &Parts, mut body: Body) -> Result<(), HttpError> {
    while !http_body::Body::is_end_stream(&body) {
        let Some(frame) = body.frame().await else { break };
        let frame = frame.map_err(|e| unreadable(&e))?;
        if frame.data_ref().is_some_and(|data| !data.is_empty()) {
            let media_type = parts
                .headers
                .get(CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()));
            let message = match media_type {
                Some(media_type) => format!(
                    "The request body is `{media_type}`, a media type Pico does not read: send {READ_TYPES}."
                ),
                None => format!("The request body has no Content-Type: send {READ_TYPES}."),
            };
            return Err(HttpError::unsupported_media_type().with_message(message));
        }
    }
    Ok(())
}

/// A request's arguments as far as reading its body takes them: the
/// query's, a multipart body's, and the body itself, whose JSON object or
/// form fields are still to be added ([`Received::into_args`]).
pub(crate) struct Received {
    args: Args,
    body: Bytes,
    /// The body read whole, whose arguments are not added yet.
    pending: Option<Pending>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Json,
    Form,
}

impl Received {
    /// All the request's arguments: the query string, then form fields,
    /// then uploaded files, then a JSON object body, later ones
    /// overriding; and the body read (empty for bodies not read whole).
    pub(crate) fn into_args(self) -> Result<(Args, Bytes), HttpError> {
        let Received {
            mut args,
            body,
            pending,
        } = self;
        match pending {
            None => {}
            Some(Pending::Json) => push_json(&mut args, &body)?,
            Some(Pending::Form) => {
                args.next_source();
                push_pairs(&mut args, &body)?;
            }
        }
        Ok((args, body))
    }

    /// The body, when it is JSON and the query sent nothing: the whole of
    /// what the call's arguments may come from.
    pub(crate) fn json_alone(&self) -> Option<&Bytes> {
        (self.pending == Some(Pending::Json) && self.args.names().next().is_none()).then_some(&self.body)
    }
}

/// Reads a request's query string and body, up to the point where its
/// arguments are in hand: everything that waits on the client.
pub(crate) async fn receive(parts: &Parts, body: Body, limit: usize) -> Result<Received, HttpError> {
    let mut args = Args::default();
    push_query(&mut args, parts)?;
    let kind = body_kind(parts)?;
    let (body, pending) = match kind {
        BodyKind::Unread => {
            refuse_unread(parts, body).await?;
            (Bytes::new(), None)
        }
        #[cfg(feature = "multipart")]
        BodyKind::Multipart(boundary) => {
            // Streamed: the parts are copied out of the body as it arrives,
            // not out of a copy of the whole body.
            check_declared_length(&body, limit)?;
            // Boxed: multer's state would otherwise make the future of
            // every request with a JSON or form body kilobytes larger.
            Box::pin(crate::dispatch::multipart::push_multipart(
                &mut args, body, boundary, limit,
            ))
            .await?;
            (Bytes::new(), None)
        }
        BodyKind::Json => (read_body(body, limit).await?, Some(Pending::Json)),
        BodyKind::Form => (read_body(body, limit).await?, Some(Pending::Form)),
    };
    Ok(Received { args, body, pending })
}

/// Whether the request may have a body: only then does reading the
/// arguments wait on anything.
pub(crate) fn may_have_body(parts: &Parts, body: &Body, present: Present) -> bool {
    !http_body::Body::is_end_stream(body)
        || present.carries(&parts.headers, Looked::ContentType, &CONTENT_TYPE)
}

/// The 400 of a body that could not be read: saying so when it was not in
/// the encoding it claimed.
pub(crate) fn unreadable(error: &axum::Error) -> HttpError {
    #[cfg(feature = "compression")]
    if let Some(encoding) = crate::dispatch::request_encoding::undecodable(error) {
        return bad_request(format!("The request body is not valid {encoding}."));
    }
    let _ = error;
    bad_request("The request body could not be read.")
}

/// Adds the arguments of the query string, in place: the arguments are
/// large enough that a move costs a copy.
pub(crate) fn push_query(args: &mut Args, parts: &Parts) -> Result<(), HttpError> {
    if let Some(query) = parts.uri.query() {
        args.next_source();
        push_pairs(args, query.as_bytes())?;
    }
    Ok(())
}

/// A body declared over the limit is refused before anything is read:
/// hyper's body knows its `Content-Length`, already parsed.
fn check_declared_length(body: &Body, limit: usize) -> Result<(), HttpError> {
    if http_body::Body::size_hint(body).lower() > limit as u64 {
        return Err(too_large(limit));
    }
    Ok(())
}

/// The whole body, refused once it passes `limit`. A body that comes in
/// one piece, as a small one does, is handed over as it came: no buffer
/// to collect it in, no copy.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, HttpError> {
    check_declared_length(&body, limit)?;
    let mut first: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    let mut size = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| unreadable(&e))?;
        // Trailers carry no arguments.
        let Ok(data) = frame.into_data() else { continue };
        size += data.len();
        if size > limit {
            return Err(too_large(limit));
        }
        match first.take() {
            None if joined.is_empty() => first = Some(data),
            Some(first) => {
                joined.extend_from_slice(&first);
                joined.extend_from_slice(&data);
            }
            None => joined.extend_from_slice(&data),
        }
        // A body of known length is done once that much came: asking for
        // more would only find the end, a second turn through every layer
        // of the body and hyper's channel.
        if http_body::Body::is_end_stream(&body) {
            break;
        }
    }
    Ok(first.unwrap_or_else(|| joined.freeze()))
}

/// `application/x-www-form-urlencoded` pairs, as in query strings. Unlike
/// the lenient decoders of browsers, text that is not UTF-8 once decoded is
/// refused rather than silently mangled.
pub(crate) fn push_pairs(args: &mut Args, encoded: &[u8]) -> Result<(), HttpError> {
    // A query string is always UTF-8, and a form body nearly always:
    // checked once as a whole, its pieces need no check of their own.
    // (Split by bytes: `str::split` costs more to set up than such short
    // text takes to scan.)
    if let Ok(text) = std::str::from_utf8(encoded) {
        // Likewise: most query strings have nothing to decode anywhere.
        let plain = !text.bytes().any(|b| b == b'%' || b == b'+');
        let decoded = |piece: &str| match plain {
            true => Ok(CompactString::new(piece)),
            false => form_decode_text(piece),
        };
        let mut rest = text;
        while !rest.is_empty() {
            let (pair, tail) = split_at_byte(rest, b'&');
            rest = tail;
            if !pair.is_empty() {
                let (name, value) = split_at_byte(pair, b'=');
                args.push(decoded(name)?, Arg::Text(decoded(value)?), true)?;
            }
        }
        return Ok(());
    }
    for pair in encoded.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        args.push(form_decode(name)?, Arg::Text(form_decode(value)?), true)?;
    }
    Ok(())
}

/// The text before the first `separator` (an ASCII byte) and after it.
pub(crate) fn split_at_byte(text: &str, separator: u8) -> (&str, &str) {
    match text.bytes().position(|b| b == separator) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    }
}

/// [`form_decode`] of text known to be UTF-8.
fn form_decode_text(encoded: &str) -> Result<CompactString, HttpError> {
    if encoded.bytes().any(|b| b == b'%' || b == b'+') {
        form_decode(encoded.as_bytes())
    } else {
        Ok(CompactString::new(encoded))
    }
}

fn form_decode(encoded: &[u8]) -> Result<CompactString, HttpError> {
    let not_utf8 = || bad_request("A query or form value is not valid UTF-8 once decoded.");
    if !encoded.iter().any(|&b| b == b'%' || b == b'+') {
        // Nothing to decode: short names and values stay off the heap.
        return std::str::from_utf8(encoded)
            .map(CompactString::new)
            .map_err(|_| not_utf8());
    }
    let plus_as_space: Vec<u8>;
    let encoded = if encoded.contains(&b'+') {
        plus_as_space = encoded
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        &plus_as_space[..]
    } else {
        encoded
    };
    let decoded: Vec<u8> = percent_encoding::percent_decode(encoded).collect();
    String::from_utf8(decoded)
        .map(CompactString::from)
        .map_err(|_| not_utf8())
}

fn push_json(args: &mut Args, bytes: &Bytes) -> Result<(), HttpError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    args.next_source();
    let mut refused = None;
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let read = IntoArgs {
        args,
        body: bytes,
        refused: &mut refused,
    }
    .deserialize(&mut json)
    .and_then(|()| json.end());
    match (read, refused) {
        (_, Some(refused)) => Err(refused),
        (Ok(()), None) => Ok(()),
        (Err(e), None) => {
            let starts_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
            Err(if e.is_data() && !starts_object {
                bad_request("The JSON body must be an object of named arguments.")
            } else {
                bad_request(format!("The JSON body is malformed: {e}."))
            })
        }
    }
}
