//! Who may delete links: the holder of the admin's bearer token, from
//! `LINKS_ADMIN_TOKEN`. Without one set, nobody may.

use axum::extract::FromRequestParts;
use pico::auth::Bearer;
use pico::{AppState, DescribeExtractor, HttpError, SecurityScheme};

/// The admin's token, when the server has one.
pub struct AdminToken(pub Option<String>);

/// A caller holding it.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &AppState) -> Result<Self, HttpError> {
        let token = Bearer::from_request_parts(parts, state).await?;
        let expected = state.get::<AdminToken>().and_then(|t| t.0.as_deref());
        match expected {
            Some(expected) if token.is(expected) => Ok(Admin),
            Some(_) => Err(HttpError::forbidden().with_message("Only the admin may.")),
            None => Err(HttpError::forbidden().with_message("Nobody may: the server has no admin token.")),
        }
    }
}

impl DescribeExtractor for Admin {
    fn security() -> Option<SecurityScheme> {
        Bearer::security()
    }
    fn statuses() -> &'static [u16] {
        &[401, 403]
    }
}
