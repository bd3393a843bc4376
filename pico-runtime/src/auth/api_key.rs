//! `ApiKey`: a key from a header the app names, such as `X-Api-Key`.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::auth::compare::same;
use crate::describe::extractor::{DescribeExtractor, SecurityScheme};
use crate::errors::http_error::HttpError;

/// The header an [`ApiKey`] is read from. A type of yours names it:
///
/// ```
/// struct ShopKey;
///
/// impl pico::auth::KeyHeader for ShopKey {
///     const NAME: &'static str = "x-shop-key";
/// }
///
/// type Key = pico::auth::ApiKey<ShopKey>;
/// ```
pub trait KeyHeader: Send + Sync + 'static {
    /// The header's name, in lower case.
    const NAME: &'static str;
}

/// `X-Api-Key`, the header an [`ApiKey`] reads unless told another.
#[derive(Debug, Clone, Copy)]
pub struct XApiKey;

impl KeyHeader for XApiKey {
    const NAME: &'static str = "x-api-key";
}

/// The API key a request carries in the header `H` names, as a
/// `#[from_request]` parameter.
///
/// Without that header, with it twice, or with a value that is not visible
/// ASCII, the answer is the standard 401, with no challenge: no scheme of
/// HTTP's names an API key. Whether the key is valid is the app's to check.
/// Its `Debug` never shows the key.
pub struct ApiKey<H: KeyHeader = XApiKey> {
    key: String,
    header: PhantomData<H>,
}

impl<H: KeyHeader> ApiKey<H> {
    /// The key, as sent.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether the key is `expected`, compared in constant time.
    pub fn is(&self, expected: &str) -> bool {
        same(&self.key, expected)
    }
}

impl<H: KeyHeader> DescribeExtractor for ApiKey<H> {
    fn security() -> Option<SecurityScheme> {
        Some(SecurityScheme::api_key(H::NAME))
    }

    fn statuses() -> &'static [u16] {
        &[401]
    }
}

impl<H: KeyHeader> Clone for ApiKey<H> {
    fn clone(&self) -> Self {
        ApiKey {
            key: self.key.clone(),
            header: PhantomData,
        }
    }
}

impl<H: KeyHeader> fmt::Debug for ApiKey<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({}: [redacted])", H::NAME)
    }
}

impl<S: Send + Sync, H: KeyHeader> FromRequestParts<S> for ApiKey<H> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        let mut values = parts.headers.get_all(H::NAME).iter();
        let key = match (values.next(), values.next()) {
            (Some(value), None) => value.to_str().ok().map(str::trim).filter(|k| !k.is_empty()),
            (None, _) => {
                return Err(HttpError::unauthorized().with_message(format!(
                    "This function needs an API key in the `{}` header.",
                    H::NAME
                )));
            }
            _ => None,
        };
        match key {
            Some(key) => Ok(ApiKey {
                key: key.to_owned(),
                header: PhantomData,
            }),
            None => Err(HttpError::unauthorized()
                .with_message(format!("The `{}` header is not one API key.", H::NAME))),
        }
    }
}
