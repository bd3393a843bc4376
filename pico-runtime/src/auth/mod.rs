//! Authentication extractors for `#[from_request]` parameters: they read a
//! credential the way its scheme says and answer a missing or malformed one
//! with the standard 401 and its challenge. Checking the credential (is the
//! token known, the password right) stays the app's: in the function, in a
//! check of its state, or in an extractor of its own built on one of these.
//!
//! Each describes itself ([`DescribeExtractor`](crate::DescribeExtractor)), so
//! that the documents list its scheme and its 401; each compares a
//! credential with the expected one in constant time (`is`).
//!
//! Uses `errors` for the 401 and `describe` for the trait; knows nothing
//! else of the app.

mod api_key;
mod basic;
mod bearer;
mod compare;
mod header;

pub use api_key::{ApiKey, KeyHeader, XApiKey};
pub use basic::Basic;
pub(crate) use basic::decode as decode_basic;
pub use bearer::Bearer;
