//! A module whose functions need a bearer token, one of them the admin's,
//! for the tests of what the documents say of credentials and statuses.

#[pico::api]
pub mod desk {
    use axum::extract::FromRequestParts;
    use axum::response::{IntoResponse, Redirect};
    use pico::auth::Bearer;
    use pico::{AppState, DescribeExtractor, HttpError, SecurityScheme};

    /// The token the tests send as any caller.
    pub const TOKEN: &str = "reader-token";
    /// The admin's.
    pub const ADMIN: &str = "admin-token";

    /// A caller holding a known token.
    pub struct Caller;

    impl FromRequestParts<AppState> for Caller {
        type Rejection = HttpError;

        async fn from_request_parts(
            parts: &mut http::request::Parts,
            state: &AppState,
        ) -> Result<Self, HttpError> {
            let token = Bearer::from_request_parts(parts, state).await?;
            if token.is(TOKEN) || token.is(ADMIN) {
                Ok(Caller)
            } else {
                Err(HttpError::unauthorized()
                    .with_message("This token is not known.")
                    .with_challenge(r#"Bearer error="invalid_token""#))
            }
        }
    }

    impl DescribeExtractor for Caller {
        fn security() -> Option<SecurityScheme> {
            Bearer::security()
        }
        fn statuses() -> &'static [u16] {
            &[401]
        }
    }

    /// A caller holding the admin's token: any other known one is a 403.
    pub struct Admin;

    impl FromRequestParts<AppState> for Admin {
        type Rejection = HttpError;

        async fn from_request_parts(
            parts: &mut http::request::Parts,
            state: &AppState,
        ) -> Result<Self, HttpError> {
            Caller::from_request_parts(parts, state).await?;
            let token = Bearer::from_request_parts(parts, state).await?;
            if token.is(ADMIN) {
                Ok(Admin)
            } else {
                Err(HttpError::forbidden().with_message("Only the admin may."))
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

    #[derive(Debug, thiserror::Error, pico::HttpError)]
    pub enum DeskError {
        #[error("there is no paper {0}")]
        #[http(status = 404)]
        Missing(u32),
        #[error("paper {0} is filed already")]
        #[http(status = 409)]
        Filed(u32),
    }

    /// Reads a paper; only papers 0 to 10 exist.
    #[expose]
    #[responses(404)]
    pub fn read(#[from_request] _caller: Caller, id: u32) -> Result<String, DeskError> {
        if id > 10 {
            return Err(DeskError::Missing(id));
        }
        Ok(format!("paper {id}"))
    }

    /// Files a paper: the admin's to do; paper 7 is filed already.
    #[expose]
    #[responses(409)]
    pub fn file(#[from_request] _admin: Admin, id: u32) -> Result<u32, DeskError> {
        if id == 7 {
            return Err(DeskError::Filed(id));
        }
        Ok(id)
    }

    /// Sends the caller to the paper.
    #[expose]
    #[responses(303)]
    pub fn open(#[from_request] _caller: Caller, id: u32) -> pico::Response {
        Redirect::to(&format!("read?id={id}")).into_response()
    }

    /// The desk's hours, for anyone.
    #[expose]
    pub fn hours() -> &'static str {
        "9 to 5"
    }
}
