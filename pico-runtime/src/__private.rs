//! What the code `#[pico::api]` generates names: a list of re-exports, so
//! that generated code has one path to everything, while each item lives
//! in the file of its concept. Not a public API: it may change in any
//! release.

pub use crate::application::state::StateNeed;
pub use crate::describe::constraint::Constraint;
pub use crate::describe::definition::{Function, Module, PathRoute, PlainThunk, Prehandle, Thunk};
pub use crate::describe::param::Param;
#[cfg(feature = "openapi")]
pub use crate::describe::schema::{
    DescribedExtractor, Description, Documented, Errors, Generators, KnownStatuses, OtherStatuses,
    SuccessSchema, TypeProbe, UndescribedExtractor, Undocumented,
};
pub use crate::dispatch::args::Argument;
pub use crate::dispatch::arguments::Arguments;
pub use crate::dispatch::blocking::{BlockingSlot, blocking};
#[cfg(all(feature = "validate", feature = "openapi"))]
pub use crate::dispatch::constraints::{DoesNotValidate, ValidatesItself};
#[cfg(feature = "validate")]
pub use crate::dispatch::constraints::{
    NotSelfValidated, SelfValidated, ValidateProbe, Violations, compiled, email, length, pattern, range, url,
};
pub use crate::dispatch::context::Context;
pub use crate::dispatch::extract::{Extraction, Extractor};
pub use crate::dispatch::thunk::*;
pub use crate::errors::error_status::{ByError, ByStatus, Returned};
pub use crate::errors::failure::{Failure, Location};
pub use crate::respond::cookies::{CookieOptions, delete_cookies, set_cookies};
pub use crate::respond::response::{Outcome, Reply, Returnable, json, response};
pub use crate::respond::status::{located, with_status};
pub use crate::respond::stream::{
    ItemsOf, NotItems, Probe, StreamContext, Streamable, iter, iter_fallible, stream, stream_fallible,
};
pub use bytes::Bytes;
pub use http::StatusCode;
#[cfg(feature = "validate")]
pub use regex::Regex;
#[cfg(feature = "openapi")]
pub use schemars::{Schema, SchemaGenerator};
pub use serde_json;
