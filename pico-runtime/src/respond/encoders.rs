//! The encoders of compressed answers. A body already whole in memory
//! (every JSON answer, the definitions, `pico.js`) is compressed at once,
//! by an encoder each thread keeps and resets: for a few kilobytes, making
//! a gzip or zstd encoder costs more than using it (a fresh gzip encoder
//! zeroes some 300 KiB of tables). A body that is still to come (a file)
//! goes through `async-compression`'s streaming encoders, those
//! tower-http's compression uses.

use std::cell::RefCell;

use axum::body::Body;
use bytes::Bytes;
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use http::HeaderValue;
use http_body_util::BodyExt;
use tokio_util::io::{ReaderStream, StreamReader};

/// One of the encodings Pico speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Gzip,
    Br,
    Zstd,
}

impl Encoding {
    /// Its names in `Content-Encoding`, the registered one first.
    pub(crate) fn names(self) -> &'static [&'static [u8]] {
        match self {
            Encoding::Gzip => &[b"gzip", b"x-gzip"],
            Encoding::Br => &[b"br"],
            Encoding::Zstd => &[b"zstd"],
        }
    }

    pub(crate) fn header(self) -> HeaderValue {
        match self {
            Encoding::Gzip => const { HeaderValue::from_static("gzip") },
            Encoding::Br => const { HeaderValue::from_static("br") },
            Encoding::Zstd => const { HeaderValue::from_static("zstd") },
        }
    }
}

/// gzip's level: its default.
const GZIP_LEVEL: u32 = 6;
/// brotli's quality: its default (11) is for files compressed once; 4 is
/// the usual choice for answers made on the fly.
const BROTLI_QUALITY: i32 = 4;
/// zstd's level: its default.
const ZSTD_LEVEL: i32 = 3;

/// The whole of `body` if it holds all of it already; else the body, as
/// whole as it came (what a first look took from it put back in front).
pub(crate) fn whole(mut body: Body) -> Result<Bytes, Body> {
    match body.frame().now_or_never() {
        None => Err(body),
        Some(None) => Ok(Bytes::new()),
        Some(Some(Ok(frame))) => match frame.into_data() {
            Ok(data) if http_body::Body::is_end_stream(&body) => Ok(data),
            Ok(data) => {
                let first = futures_util::stream::once(async move { Ok::<_, axum::Error>(data) });
                Err(Body::from_stream(first.chain(body.into_data_stream())))
            }
            // Trailers first: nothing to compress.
            Err(_) => Err(body),
        },
        Some(Some(Err(e))) => Err(Body::from_stream(futures_util::stream::once(async move {
            Err::<Bytes, _>(e)
        }))),
    }
}

thread_local! {
    static DEFLATE: RefCell<flate2::Compress> =
        RefCell::new(flate2::Compress::new(flate2::Compression::new(GZIP_LEVEL), false));
    static ZSTD: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
}

/// `plain` compressed in `encoding`; `None` if an encoder failed, for the
/// answer to go out plain.
pub(crate) fn encode_whole(encoding: Encoding, plain: &[u8]) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Gzip => DEFLATE.with(|deflate| gzip(&mut deflate.borrow_mut(), plain)),
        Encoding::Zstd => ZSTD.with(|zstd| {
            let mut zstd = zstd.borrow_mut();
            if zstd.is_none() {
                *zstd = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL).ok()?);
            }
            zstd.as_mut()?.compress(plain).ok()
        }),
        Encoding::Br => {
            let params = brotli::enc::BrotliEncoderParams {
                quality: BROTLI_QUALITY,
                // A window no larger than the answer: less to allocate.
                lgwin: (usize::BITS - plain.len().leading_zeros()).clamp(10, 22) as i32,
                size_hint: plain.len(),
                ..Default::default()
            };
            let mut packed = Vec::with_capacity(plain.len() / 4 + 64);
            brotli::BrotliCompress(&mut &plain[..], &mut packed, &params).ok()?;
            Some(packed)
        }
    }
}

/// A gzip member (RFC 1952): its header, the deflated bytes, their CRC-32
/// and length.
fn gzip(deflate: &mut flate2::Compress, plain: &[u8]) -> Option<Vec<u8>> {
    deflate.reset();
    let mut packed = Vec::with_capacity(plain.len() / 4 + 64);
    // Magic, deflate, no flags, no time, no extra flags, unknown system.
    packed.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    loop {
        let read = usize::try_from(deflate.total_in()).ok()?;
        let status = deflate
            .compress_vec(&plain[read..], &mut packed, flate2::FlushCompress::Finish)
            .ok()?;
        if status == flate2::Status::StreamEnd {
            break;
        }
        packed.reserve(packed.capacity().max(64));
    }
    let mut crc = flate2::Crc::new();
    crc.update(plain);
    packed.extend_from_slice(&crc.sum().to_le_bytes());
    // The length modulo 2^32, as the format says.
    packed.extend_from_slice(&(plain.len() as u32).to_le_bytes());
    Some(packed)
}

/// `body`, compressed in `encoding` as it comes.
pub(crate) fn encode_stream(body: Body, encoding: Encoding) -> Body {
    use async_compression::Level;
    use async_compression::tokio::bufread::{BrotliEncoder, GzipEncoder, ZstdEncoder};
    let plain = StreamReader::new(TryStreamExt::map_err(
        body.into_data_stream(),
        std::io::Error::other,
    ));
    match encoding {
        Encoding::Gzip => Body::from_stream(ReaderStream::new(GzipEncoder::with_quality(
            plain,
            Level::Precise(GZIP_LEVEL as i32),
        ))),
        Encoding::Br => Body::from_stream(ReaderStream::new(BrotliEncoder::with_quality(
            plain,
            Level::Precise(BROTLI_QUALITY),
        ))),
        Encoding::Zstd => Body::from_stream(ReaderStream::new(ZstdEncoder::with_quality(
            plain,
            Level::Precise(ZSTD_LEVEL),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn json(entries: usize) -> Vec<u8> {
        let items: Vec<String> = (0..entries)
            .map(|i| format!(r#"{{"id":{i},"name":"entry number {i}"}}"#))
            .collect();
        format!("[{}]", items.join(",")).into_bytes()
    }

    #[test]
    fn each_encoder_kept_by_the_thread_makes_what_its_decoder_reads_again() {
        // Twice each, the second time with the encoder the first left.
        for plain in [json(100), json(3), json(5000), json(100)] {
            let gzip = encode_whole(Encoding::Gzip, &plain).unwrap();
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&gzip[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, plain);

            let zstd = encode_whole(Encoding::Zstd, &plain).unwrap();
            assert_eq!(zstd::decode_all(&zstd[..]).unwrap(), plain);

            let br = encode_whole(Encoding::Br, &plain).unwrap();
            let mut out = Vec::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, plain);
        }
    }
}
