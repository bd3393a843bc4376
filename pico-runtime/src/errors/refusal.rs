//! The HTTP layer's own refusals with the standard JSON body. hyper refuses
//! a request line it cannot read (400), one over 64 KiB (414) and a head
//! over the server's limit (431) itself, before any service sees the
//! request, with an empty body. The connection's writes pass through here,
//! and such a head, recognised by its shape (a refusal status, an empty
//! body, no content type: every answer of the app's has one), is written
//! again with the body every other error has.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::{HeaderName, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::errors::error_body::standard_body_with_id;
use crate::errors::http_error::HttpError;
use crate::observe::request_id::RequestId;

/// The request line hyper reads at most: `http::Uri` holds no more.
const MAX_URI: usize = u16::MAX as usize - 1;

pin_project_lite::pin_project! {
    /// A connection's byte stream, its refusals given their body.
    pub(crate) struct Refusals<IO> {
        #[pin]
        io: IO,
        id_header: HeaderName,
        // A refusal written again, as far as it is written, and how long
        // hyper's own was.
        pending: Option<(Vec<u8>, usize, usize)>,
    }
}

impl<IO> Refusals<IO> {
    pub(crate) fn new(io: IO, id_header: HeaderName) -> Self {
        Refusals {
            io,
            id_header,
            pending: None,
        }
    }

    pub(crate) fn get_ref(&self) -> &IO {
        &self.io
    }
}

impl<IO: AsyncRead> AsyncRead for Refusals<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.project().io.poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite> Refusals<IO> {
    /// Writes what is pending; `Ok(n)` with the length of hyper's head once
    /// all of it is out.
    fn poll_pending(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut this = self.project();
        let Some((bytes, written, claimed)) = this.pending.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while *written < bytes.len() {
            let n = ready!(this.io.as_mut().poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        let claimed = *claimed;
        *this.pending = None;
        Poll::Ready(Ok(claimed))
    }
}

impl<IO: AsyncWrite> AsyncWrite for Refusals<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            match rewritten(buf, &self.id_header) {
                Some(answer) => *self.as_mut().project().pending = Some((answer, 0, buf.len())),
                None => return self.project().io.poll_write(cx, buf),
            }
        }
        self.poll_pending(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // A refusal is a head alone, the first buffer of its write.
        if self.pending.is_some() {
            return self.poll_pending(cx);
        }
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) if rewritten(first, &self.id_header).is_some() => self.poll_write(cx, first),
            _ => self.project().io.poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_pending(cx))?;
        self.project().io.poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().poll_pending(cx))?;
        self.project().io.poll_shutdown(cx)
    }
}

/// hyper's refusal in `head`, written again with the standard body and a
/// request id; `None` for anything else.
fn rewritten(head: &[u8], id_header: &HeaderName) -> Option<Vec<u8>> {
    // What every other write is told from at once: a body, an answer.
    let refusal = head.len() <= 512
        && (head.starts_with(b"HTTP/1.1 4") || head.starts_with(b"HTTP/1.1 5"))
        && head.ends_with(b"\r\n\r\n");
    if !refusal {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    let rest = text.strip_prefix("HTTP/1.1 ")?;
    let status: StatusCode = rest.get(..3)?.parse().ok()?;
    // The statuses hyper refuses with: the app's own 404s pass on here.
    let refused = [
        StatusCode::BAD_REQUEST,
        StatusCode::URI_TOO_LONG,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        StatusCode::HTTP_VERSION_NOT_SUPPORTED,
    ];
    if !refused.contains(&status) {
        return None;
    }
    let headers = text.strip_suffix("\r\n\r\n")?.split_once("\r\n")?.1;
    let lines = || {
        headers
            .split("\r\n")
            .map(|line| line.split_once(':').map(|(name, value)| (name, value.trim())))
    };
    let empty = lines()
        .any(|h| h.is_some_and(|(name, value)| name.eq_ignore_ascii_case("content-length") && value == "0"));
    let typed = lines().any(|h| h.is_some_and(|(name, _)| name.eq_ignore_ascii_case("content-type")));
    let message = match status {
        StatusCode::BAD_REQUEST => "The request could not be read as HTTP.".to_owned(),
        StatusCode::URI_TOO_LONG => format!(
            "The request line is longer than the {MAX_URI} bytes this server reads: send the arguments in a POST body."
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            HttpError::request_header_fields_too_large().message().to_owned()
        }
        StatusCode::HTTP_VERSION_NOT_SUPPORTED => {
            HttpError::http_version_not_supported().message().to_owned()
        }
        _ => return None,
    };
    if !empty || typed {
        return None;
    }
    let id = RequestId::kept_or_made(None);
    let body = standard_body_with_id(&HttpError::new(status).with_message(message), id.as_str());
    let mut answer = Vec::with_capacity(head.len() + body.len() + 128);
    answer.extend_from_slice(&head[..text.find("\r\n")?]);
    answer.extend_from_slice(
        b"\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: ",
    );
    answer.extend_from_slice(body.len().to_string().as_bytes());
    answer.extend_from_slice(b"\r\n");
    answer.extend_from_slice(id_header.as_str().as_bytes());
    answer.extend_from_slice(b": ");
    answer.extend_from_slice(id.as_str().as_bytes());
    for line in headers.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("content-length:") {
            answer.extend_from_slice(b"\r\n");
            answer.extend_from_slice(line.as_bytes());
        }
    }
    answer.extend_from_slice(b"\r\n\r\n");
    answer.extend_from_slice(&body);
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> HeaderName {
        HeaderName::from_static("x-request-id")
    }

    #[test]
    fn hypers_refusals_get_the_standard_body() {
        let head =
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Fri, 04 Dec 2026 12:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(rewritten(head, &id()).unwrap()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())),
            "{head}"
        );
        assert!(
            head.ends_with("\r\ndate: Fri, 04 Dec 2026 12:00:00 GMT"),
            "{head}"
        );
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["code"], 414);
        assert_eq!(body["name"], "URI Too Long");
        let id = body["request_id"].as_str().unwrap();
        assert!(head.contains(&format!("\r\nx-request-id: {id}\r\n")), "{head}");
    }

    #[test]
    fn answers_of_the_app_and_bodies_pass_as_they_are() {
        let typed =
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert!(rewritten(typed, &id()).is_none());
        let with_body = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 2\r\n\r\n";
        assert!(rewritten(with_body, &id()).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(rewritten(ok, &id()).is_none());
        let more = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1";
        assert!(rewritten(more, &id()).is_none());
        assert!(rewritten(b"data: 1\n\n", &id()).is_none());
    }
}
