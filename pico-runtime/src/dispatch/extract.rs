//! `#[from_request]` parameters: any axum `FromRequestParts` extractor
//! (a typed header, a cookie jar, an auth extractor of the user's own),
//! run on the request, its rejection turned into the standard JSON error.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::IntoResponse;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::request::Parts;
use http_body_util::BodyExt;

use crate::application::state::AppState;
use crate::errors::error_body::Rejected;
use crate::errors::failure::Failure;
use crate::errors::http_error::HttpError;

/// The longest rejection text kept as the message.
const MAX_REJECTION: usize = 4096;

/// A type a `#[from_request]` parameter can have.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a `#[from_request]` parameter: it is not an axum extractor",
    label = "this type must implement `axum::extract::FromRequestParts<pico::AppState>`",
    note = "extractors generic over their state (`impl<S: Send + Sync> FromRequestParts<S>`) fit; \
            a value the client sends needs no `#[from_request]`"
)]
pub trait Extractor: FromRequestParts<AppState> {}

impl<T: FromRequestParts<AppState>> Extractor for T {}

/// What extractors run on: a copy of the request's head, taken before the
/// function's arguments are read, and the app's state.
#[derive(Debug)]
pub struct Extraction {
    parts: Parts,
    state: Arc<AppState>,
}

impl Extraction {
    pub(crate) fn new(parts: Parts, state: Arc<AppState>) -> Self {
        Extraction { parts, state }
    }

    /// Runs the extractor `T`; its rejection is the standard JSON error
    /// with the rejection's status, text and headers. Boxed, so that a type
    /// that is no extractor is reported once, here, and not again where the
    /// future is awaited.
    pub fn extract<T: Extractor + Send>(
        &mut self,
    ) -> Pin<Box<dyn Future<Output = Result<T, Failure>> + Send + '_>> {
        Box::pin(async move {
            let rejection = match T::from_request_parts(&mut self.parts, &self.state).await {
                Ok(value) => return Ok(value),
                Err(rejection) => rejection.into_response(),
            };
            Err(rejected(rejection).await.into())
        })
    }
}

/// The rejection as an `HttpError`: the one it was made from, or one with
/// its status, its text as the message and its headers.
async fn rejected(mut response: axum::response::Response) -> HttpError {
    if let Some(Rejected(error)) = response.extensions_mut().remove::<Rejected>() {
        return error;
    }
    let (head, body) = response.into_parts();
    let mut error = HttpError::new(head.status);
    let text = match http_body_util::Limited::new(body, MAX_REJECTION).collect().await {
        Ok(collected) => String::from_utf8(collected.to_bytes().to_vec()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let text = text.trim();
    if !text.is_empty() {
        error = error.with_message(text.to_owned());
    }
    for (name, value) in &head.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            error = error.with_header(name.clone(), value.clone());
        }
    }
    error
}
