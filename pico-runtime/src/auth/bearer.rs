//! `Bearer`: a token from `Authorization: Bearer <token>` (RFC 6750).

use std::fmt;

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::auth::compare::same;
use crate::auth::header::credentials;
use crate::describe::extractor::{DescribeExtractor, SecurityScheme};
use crate::errors::http_error::HttpError;

/// The bearer token a request carries, as a `#[from_request]` parameter.
///
/// Without `Authorization: Bearer ...`, or with a token that is not one
/// (RFC 6750's characters), the answer is the standard 401 with
/// `WWW-Authenticate: Bearer`. Whether the token is valid is the app's to
/// check. Its `Debug` never shows the token.
///
/// ```
/// #[pico::api]
/// mod links {
///     use pico::HttpError;
///     use pico::auth::Bearer;
///
///     #[expose]
///     fn delete(#[from_request] token: Bearer, id: u64) -> Result<u64, HttpError> {
///         if !token.is("let-me-in") {
///             return Err(HttpError::forbidden());
///         }
///         Ok(id)
///     }
/// }
/// # fn main() {}
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Bearer(String);

impl Bearer {
    /// The token, as sent.
    pub fn token(&self) -> &str {
        &self.0
    }

    /// The token, owned.
    pub fn into_token(self) -> String {
        self.0
    }

    /// Whether the token is `expected`, compared in constant time: how
    /// long a refusal takes says nothing of how close a guess came.
    pub fn is(&self, expected: &str) -> bool {
        same(&self.0, expected)
    }
}

impl DescribeExtractor for Bearer {
    fn security() -> Option<SecurityScheme> {
        Some(SecurityScheme::bearer())
    }

    fn statuses() -> &'static [u16] {
        &[401]
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer([redacted])")
    }
}

/// RFC 6750's `b64token`: letters, digits and `-._~+/`, then `=` padding.
fn is_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

fn refused(message: &str) -> HttpError {
    HttpError::unauthorized()
        .with_message(message.to_owned())
        .with_challenge("Bearer")
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        match credentials(&parts.headers, "Bearer") {
            Ok(Some(token)) if is_token(token) => Ok(Bearer(token.to_owned())),
            Ok(None) => Err(refused(
                "This function needs a bearer token: `Authorization: Bearer <token>`.",
            )),
            _ => Err(refused("The `Authorization` header is not a bearer token.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_rfc_6750s() {
        assert!(is_token("abc.DEF-123_~+/=="));
        assert!(!is_token("a b"));
        assert!(!is_token("=="));
        assert!(!is_token("tök"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        assert_eq!(format!("{:?}", Bearer("secret".into())), "Bearer([redacted])");
    }
}
