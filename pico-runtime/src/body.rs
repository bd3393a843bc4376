//! Reading a request's arguments from its query string and body.

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use compact_str::CompactString;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;

use crate::args::{Args, JsonObject, MAX_VALUES, TOO_MANY_KEYS, too_many};
use crate::decode::Arg;

/// The largest text field of a multipart form; files are bounded by the
/// body limit alone.
const MAX_TEXT_FIELD: u64 = 1024 * 1024;
use crate::error::HttpError;
use crate::upload::Upload;

enum BodyKind {
    Json,
    Form,
    Multipart(String),
    Ignored,
}

fn body_kind(parts: &Parts) -> Result<BodyKind, HttpError> {
    let Some(content_type) = parts.headers.get(CONTENT_TYPE) else {
        return Ok(BodyKind::Ignored);
    };
    let content_type = content_type
        .to_str()
        .map_err(|_| bad_request("The Content-Type header is not readable text."))?;
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // The essence alone: `text/plain;x=application/json` is not JSON, and
    // a browser sends it cross-site without a preflight.
    Ok(if essence == "application/json" {
        BodyKind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "multipart/form-data" {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|_| bad_request("The multipart Content-Type has no valid boundary."))?;
        BodyKind::Multipart(boundary)
    } else {
        BodyKind::Ignored
    })
}

/// Reads the arguments of a request: the query string, then form fields,
/// then uploaded files, then a JSON object body, later ones overriding.
/// Also returns the body it read (empty for bodies it does not read).
pub(crate) async fn read_args(parts: &Parts, body: Body, limit: usize) -> Result<(Args, Bytes), HttpError> {
    let mut args = query_args(parts)?;
    let kind = body_kind(parts)?;
    let bytes = match kind {
        BodyKind::Ignored => Bytes::new(),
        BodyKind::Multipart(boundary) => {
            // Streamed: the parts are copied out of the body as it arrives,
            // not out of a copy of the whole body.
            check_declared_length(parts, limit)?;
            // Boxed: multer's state would otherwise make the future of
            // every request with a JSON or form body kilobytes larger.
            Box::pin(push_multipart(&mut args, body, boundary, limit)).await?;
            Bytes::new()
        }
        BodyKind::Json => {
            let bytes = read_body(parts, body, limit).await?;
            push_json(&mut args, &bytes)?;
            bytes
        }
        BodyKind::Form => {
            let bytes = read_body(parts, body, limit).await?;
            args.next_source();
            push_pairs(&mut args, &bytes)?;
            bytes
        }
    };
    Ok((args, bytes))
}

/// Whether the request has a body pico may read: only then does reading
/// the arguments wait on anything.
pub(crate) fn may_have_body(parts: &Parts) -> bool {
    parts.headers.contains_key(CONTENT_TYPE)
}

/// The arguments of the query string alone.
pub(crate) fn query_args(parts: &Parts) -> Result<Args, HttpError> {
    let mut args = Args::default();
    if let Some(query) = parts.uri.query() {
        args.next_source();
        push_pairs(&mut args, query.as_bytes())?;
    }
    Ok(args)
}

/// A `Content-Length` over the limit is refused before anything is read.
fn check_declared_length(parts: &Parts, limit: usize) -> Result<(), HttpError> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    Ok(())
}

async fn read_body(parts: &Parts, body: Body, limit: usize) -> Result<Bytes, HttpError> {
    check_declared_length(parts, limit)?;
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(cause) = source {
            if cause.is::<http_body_util::LengthLimitError>() {
                return too_large(limit);
            }
            source = cause.source();
        }
        bad_request("The request body could not be read.")
    })
}

/// `application/x-www-form-urlencoded` pairs, as in query strings. Unlike
/// the lenient decoders of browsers, text that is not UTF-8 once decoded is
/// refused rather than silently mangled.
pub(crate) fn push_pairs(args: &mut Args, encoded: &[u8]) -> Result<(), HttpError> {
    for pair in encoded.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        args.push(form_decode(name)?, Arg::Text(form_decode(value)?), true)?;
    }
    Ok(())
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
    let object: JsonObject = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() && e.to_string().starts_with(TOO_MANY_KEYS) {
            return too_many();
        }
        let starts_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if e.is_data() && !starts_object {
            bad_request("The JSON body must be an object of named arguments.")
        } else {
            bad_request(format!("The JSON body is malformed: {e}."))
        }
    })?;
    args.next_source();
    for (name, value) in object.into_args(bytes) {
        args.push(name, value, false)?;
    }
    Ok(())
}

async fn push_multipart(
    args: &mut Args,
    body: Body,
    boundary: String,
    limit: usize,
) -> Result<(), HttpError> {
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let mut parts = 0_usize;
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let malformed = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } => too_large(limit),
        e => bad_request(format!("The multipart body is malformed: {e}.")),
    };
    let mut files = Vec::new();
    args.next_source();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        parts += 1;
        if parts > MAX_VALUES {
            return Err(too_many());
        }
        let name = CompactString::new(field.name().unwrap_or_default());
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let content_type = field
                    .content_type()
                    .map_or_else(|| "application/octet-stream".to_owned(), ToString::to_string);
                let data = part_data(field).await.map_err(malformed)?;
                files.push((
                    name,
                    Upload {
                        file_name,
                        content_type,
                        data,
                    },
                ));
            }
            None => {
                // Strictly UTF-8: multer's `text()` would guess a charset
                // and drop what does not decode.
                let bytes = text_data(field).await.map_err(malformed)??;
                let text = String::from_utf8(bytes.into())
                    .map_err(|_| bad_request("A multipart form value is not valid UTF-8."))?;
                args.push(name, Arg::Text(text.into()), true)?;
            }
        }
    }
    args.next_source();
    for (name, upload) in files {
        args.push(name, Arg::File(upload), true)?;
    }
    Ok(())
}

/// A part's data. multer hands it over in pieces of the buffer it reads
/// into; they are kept as they come and copied once, into a buffer of the
/// exact size, where `Field::bytes` would copy each into a buffer that
/// grows, and so copy a large file again at every doubling. A part that
/// came in one piece is not copied at all.
async fn part_data(mut field: multer::Field<'_>) -> Result<Bytes, multer::Error> {
    let Some(first) = field.chunk().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = field.chunk().await? else {
        return Ok(first);
    };
    let mut pieces = vec![first, second];
    while let Some(piece) = field.chunk().await? {
        pieces.push(piece);
    }
    let mut data = BytesMut::with_capacity(pieces.iter().map(Bytes::len).sum());
    for piece in &pieces {
        data.extend_from_slice(piece);
    }
    Ok(data.freeze())
}

/// A text field's data, refused past [`MAX_TEXT_FIELD`] as it arrives.
async fn text_data(mut field: multer::Field<'_>) -> Result<Result<Bytes, HttpError>, multer::Error> {
    let mut data = BytesMut::new();
    while let Some(piece) = field.chunk().await? {
        if (data.len() + piece.len()) as u64 > MAX_TEXT_FIELD {
            return Ok(Err(HttpError::payload_too_large().with_message(format!(
                "A multipart text field is larger than the limit of {MAX_TEXT_FIELD} bytes; send it as a file."
            ))));
        }
        data.extend_from_slice(&piece);
    }
    Ok(Ok(data.freeze()))
}

fn bad_request(message: impl Into<std::borrow::Cow<'static, str>>) -> HttpError {
    HttpError::bad_request().with_message(message)
}

fn too_large(limit: usize) -> HttpError {
    HttpError::payload_too_large().with_message(format!(
        "The request body is larger than the limit of {limit} bytes."
    ))
}
