//! `Basic`: a user and a password from `Authorization: Basic ...`
//! (RFC 7617).

use std::fmt;

use axum::extract::FromRequestParts;
use base64::Engine;
use http::request::Parts;

use crate::auth::compare::same;
use crate::auth::header::credentials;
use crate::describe::extractor::{DescribeExtractor, SecurityScheme};
use crate::errors::http_error::HttpError;

/// The user and password a request carries, as a `#[from_request]`
/// parameter.
///
/// Without `Authorization: Basic ...`, or with one that is not base64 of
/// UTF-8 `user:password`, the answer is the standard 401 with
/// `WWW-Authenticate: Basic realm="api", charset="UTF-8"`, which makes a
/// browser ask for them. Whether they are right is the app's to check. Its
/// `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Basic {
    user: String,
    password: String,
}

impl Basic {
    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether they are `user` and `password`, compared in constant time
    /// (both, whichever is wrong).
    pub fn is(&self, user: &str, password: &str) -> bool {
        let user = same(&self.user, user);
        let password = same(&self.password, password);
        user & password
    }
}

impl DescribeExtractor for Basic {
    fn security() -> Option<SecurityScheme> {
        Some(SecurityScheme::basic())
    }

    fn statuses() -> &'static [u16] {
        &[401]
    }
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Basic")
            .field("user", &self.user)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// `user:password` from the base64 after `Basic `.
pub(crate) fn decode(encoded: &str) -> Option<(String, String)> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

fn refused(message: &str) -> HttpError {
    HttpError::unauthorized()
        .with_message(message.to_owned())
        .with_challenge(r#"Basic realm="api", charset="UTF-8""#)
}

impl<S: Send + Sync> FromRequestParts<S> for Basic {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        match credentials(&parts.headers, "Basic").map(|c| c.map(decode)) {
            Ok(Some(Some((user, password)))) => Ok(Basic { user, password }),
            Ok(None) => Err(refused("This function needs a user and a password (HTTP Basic).")),
            _ => Err(refused(
                "The `Authorization` header is not HTTP Basic of `user:password`.",
            )),
        }
    }
}
