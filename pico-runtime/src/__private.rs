//! What the code `#[pico::api]` generates names. Not a public API: it may
//! change in any release.

pub use crate::definition::{Function, Module, Param, Thunk};
pub use crate::failure::{Failure, Location};
pub use crate::request::Context;
pub use crate::response::{Outcome, Reply, json, json_result, response, response_result};
pub use serde_json;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A type a parameter can have. Only here to say, when a type does not
/// qualify, what to do about it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an exposed function: it does not implement `serde::Deserialize`",
    label = "this type must implement `serde::Deserialize` (and own its data)",
    note = "add `#[derive(serde::Deserialize)]` to `{Self}`, or take a type that implements it"
)]
pub trait Argument: DeserializeOwned {}

impl<T: DeserializeOwned> Argument for T {}

/// A type a function can return as JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by an exposed function: it does not implement `serde::Serialize`",
    label = "this type must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to `{Self}`, or return a type that implements it"
)]
pub trait Returnable: Serialize {}

impl<T: Serialize + ?Sized> Returnable for T {}

/// A required parameter. The argument check has already refused requests
/// without it, so absence here is only a defence.
pub fn arg<T: Argument>(cx: &mut Context, name: &'static str) -> Result<T, Failure> {
    match cx.arg(name)? {
        Some(value) => Ok(value),
        None => Err(crate::HttpError::bad_request()
            .with_message(format!("Missing required parameters: [{name}]. "))
            .into()),
    }
}

/// A parameter with a default.
pub fn arg_or<T: Argument>(
    cx: &mut Context,
    name: &'static str,
    default: impl FnOnce() -> T,
) -> Result<T, Failure> {
    Ok(cx.arg(name)?.unwrap_or_else(default))
}

/// A default as the definition shows it.
pub fn default_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The future of an async function, boxed for the thunk.
pub fn pending<F>(future: F) -> Outcome
where
    F: std::future::Future<Output = Result<Reply, Failure>> + Send + 'static,
{
    Outcome::Pending(Box::pin(future))
}
