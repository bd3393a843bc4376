//! Multipart bodies: form fields and uploaded files, streamed out of the
//! body by multer. Without pico's `multipart` feature, such a body is
//! answered with a 415 that says so.

#[cfg(feature = "multipart")]
pub(crate) use with_multer::*;

#[cfg(feature = "multipart")]
mod with_multer {
    use axum::body::Body;
    use bytes::{Bytes, BytesMut};
    use compact_str::CompactString;

    use crate::dispatch::args::{Args, MAX_VALUES, too_many};
    use crate::dispatch::decode::Arg;
    use crate::dispatch::upload::Upload;
    use crate::errors::http_error::HttpError;
    use crate::errors::http_error::{bad_request, too_large};

    /// The largest text field of a multipart form; files are bounded by the
    /// body limit alone.
    const MAX_TEXT_FIELD: u64 = 1024 * 1024;

    /// The boundary of a `multipart/form-data` Content-Type.
    pub(crate) fn boundary(content_type: &str) -> Result<String, HttpError> {
        multer::parse_boundary(content_type)
            .map_err(|_| bad_request("The multipart Content-Type has no valid boundary."))
    }

    pub(crate) async fn push_multipart(
        args: &mut Args,
        body: Body,
        boundary: String,
        limit: usize,
    ) -> Result<(), HttpError> {
        let constraints =
            multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
        let mut parts = 0_usize;
        let mut multipart =
            multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
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
            args.push(name, Arg::File(Box::new(upload)), true)?;
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
}

/// The answer to a multipart body when the feature is off.
#[cfg(not(feature = "multipart"))]
pub(crate) fn refused() -> crate::errors::http_error::HttpError {
    crate::errors::http_error::HttpError::unsupported_media_type().with_message(
        "This server reads no multipart bodies: it was built without the `multipart` feature of pico.",
    )
}
