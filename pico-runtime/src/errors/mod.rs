//! Errors: `HttpError` and the standard JSON body (its text written a
//! word at a time), the statuses a domain error chooses, `Failure` (every
//! way a request fails), panics caught per request, the frames shown of
//! them, problem details, the HTTP layer's own refusals and the mistakes
//! found when an app is built.
//!
//! Uses only the request an error answers (`dispatch::request`) and its id
//! (`observe`), so that any folder can fail through it.

pub(crate) mod build_error;
pub(crate) mod error_body;
pub(crate) mod error_status;
pub(crate) mod failure;
pub(crate) mod http_error;
pub(crate) mod json_string;
pub(crate) mod panic;
pub(crate) mod problem;
pub(crate) mod refusal;
pub(crate) mod trace;
