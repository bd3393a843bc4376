//! Errors: `HttpError` and the standard JSON body, the statuses a domain
//! error chooses, `Failure` (every way a request fails), panics caught per
//! request, the frames shown of them, problem details, the HTTP layer's own
//! refusals and the mistakes found when an app is built.
//!
//! Uses nothing of the other folders but the request id of `observe`, so
//! that any of them can fail through it.

pub(crate) mod build_error;
pub(crate) mod error_body;
pub(crate) mod error_status;
pub(crate) mod failure;
pub(crate) mod http_error;
pub(crate) mod panic;
pub(crate) mod problem;
pub(crate) mod refusal;
pub(crate) mod trace;
