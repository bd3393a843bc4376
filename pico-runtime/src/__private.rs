//! What the code `#[pico::api]` generates names: a list of re-exports, so
//! that generated code has one path to everything, while each item lives
//! in the file of its concept. Not a public API: it may change in any
//! release.

pub use crate::args::Argument;
pub use crate::blocking::{BlockingSlot, blocking};
pub use crate::context::Context;
pub use crate::cookies::{CookieOptions, delete_cookies, set_cookies};
pub use crate::definition::{Function, Module, Param, Prehandle, Thunk};
pub use crate::error_status::{ByError, ByStatus, Returned};
pub use crate::extract::{Extraction, Extractor};
pub use crate::failure::{Failure, Location};
pub use crate::response::{Outcome, Reply, Returnable, json, response};
#[cfg(feature = "openapi")]
pub use crate::schema::{
    Answer, Description, Documented, Errors, Generators, KnownStatuses, OtherStatuses, TypeProbe,
    Undocumented,
};
pub use crate::state::StateNeed;
pub use crate::stream::{
    ItemsOf, NotItems, Probe, StreamContext, Streamable, iter, iter_fallible, stream, stream_fallible,
};
pub use crate::thunk::*;
pub use bytes::Bytes;
pub use http::StatusCode;
#[cfg(feature = "openapi")]
pub use schemars::{Schema, SchemaGenerator};
pub use serde_json;
