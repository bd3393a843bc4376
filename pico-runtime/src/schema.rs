//! What `#[pico::api]` records of each function's types for the OpenAPI
//! document: the schema of each parameter and of the result, and the
//! statuses of its error type.
//!
//! A type without `JsonSchema` is not an error: its schema is unknown (`{}`
//! in the document), so that an app adopts OpenAPI type by type. The
//! generated code asks `(&TypeProbe::<T>::new()).schema(generator)`, and
//! method lookup finds [`Documented`] when `T: JsonSchema`, [`Undocumented`]
//! (one reference further) otherwise.

use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::error::HttpError;
use crate::error_status::ErrorStatus;

/// What a function's description holds, made when the document is built.
#[derive(Debug)]
pub struct Description {
    /// The schema of each parameter a client sends, in the order of the
    /// function's parameters; `None` where the type has no `JsonSchema`.
    pub params: Vec<Option<Schema>>,
    /// What a success answers.
    pub result: Answer,
    /// The statuses its returned errors may have.
    pub errors: Errors,
}

/// A function's answer on success.
#[derive(Debug)]
pub enum Answer {
    /// JSON of this schema; `None` where the type has no `JsonSchema`.
    Json(Option<Schema>),
    /// `#[stream]`: server-sent events, each item JSON of this schema
    /// where the item type is spelled out and has one.
    Events(Option<Schema>),
    /// A `Response` of the function's own: any content.
    Any,
}

/// The statuses of a function's returned errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errors {
    /// The function returns no `Result`.
    None,
    /// These, which `#[derive(pico::HttpError)]` listed.
    Listed(&'static [u16]),
    /// Any 4xx or 5xx: an `HttpError`, or a status type that lists none.
    AnyStatus,
    /// Any other error type: a 500.
    Internal,
}

/// How a function's description is made: the generator gathers the named
/// types' schemas for `components`.
pub(crate) type Describe = fn(&mut SchemaGenerator) -> Description;

/// A type asked for its schema or its statuses.
pub struct TypeProbe<T: ?Sized>(PhantomData<fn() -> *const T>);

impl<T: ?Sized> TypeProbe<T> {
    /// The probe of `T`.
    #[must_use]
    pub const fn new() -> Self {
        TypeProbe(PhantomData)
    }
}

impl<T: ?Sized> Default for TypeProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ?Sized> std::fmt::Debug for TypeProbe<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypeProbe")
    }
}

/// A type with a schema.
pub trait Documented {
    /// Its schema (a reference into `components` for a named type).
    fn schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: JsonSchema + ?Sized> Documented for TypeProbe<T> {
    fn schema(&self, generator: &mut SchemaGenerator) -> Option<Schema> {
        Some(generator.subschema_for::<T>())
    }
}

/// A type without one.
pub trait Undocumented {
    /// None: the document says any value.
    fn schema(&self, generator: &mut SchemaGenerator) -> Option<Schema>;
}

impl<T: ?Sized> Undocumented for &TypeProbe<T> {
    fn schema(&self, _: &mut SchemaGenerator) -> Option<Schema> {
        None
    }
}

/// An error type whose statuses are known.
pub trait KnownStatuses {
    /// Its statuses.
    fn error_statuses(&self) -> Errors;
}

impl<E: ErrorStatus> KnownStatuses for TypeProbe<E> {
    fn error_statuses(&self) -> Errors {
        match E::statuses() {
            [] => Errors::AnyStatus,
            listed => Errors::Listed(listed),
        }
    }
}

impl KnownStatuses for TypeProbe<HttpError> {
    fn error_statuses(&self) -> Errors {
        Errors::AnyStatus
    }
}

/// Any other error type.
pub trait OtherStatuses {
    /// A 500.
    fn error_statuses(&self) -> Errors;
}

impl<E: ?Sized> OtherStatuses for &TypeProbe<E> {
    fn error_statuses(&self) -> Errors {
        Errors::Internal
    }
}

impl JsonSchema for crate::upload::Upload {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Upload".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({"type": "string", "format": "binary"})
    }
}

/// Whether a parameter's schema is a file's (an [`Upload`](crate::Upload),
/// or an optional one).
pub(crate) fn is_file(schema: &Schema) -> bool {
    let binary = |s: &serde_json::Value| s.get("format").and_then(|f| f.as_str()) == Some("binary");
    binary(schema.as_value())
        || schema
            .get("anyOf")
            .and_then(|any| any.as_array())
            .is_some_and(|any| any.iter().any(binary))
}
