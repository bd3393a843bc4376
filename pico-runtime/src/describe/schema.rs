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

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::describe::extractor::{DescribeExtractor, SecurityScheme};
use crate::errors::error_status::ErrorStatus;
use crate::errors::http_error::HttpError;

/// What a function's description holds, made when the document is built.
#[derive(Debug)]
pub struct Description {
    /// The schema of each parameter a client sends, in the order of the
    /// function's parameters; `None` where the type has no `JsonSchema`.
    pub params: Vec<Option<Schema>>,
    /// What a success answers.
    pub result: SuccessSchema,
    /// The statuses its returned errors may have.
    pub errors: Errors,
    /// What each `#[from_request]` parameter's type says of itself, in the
    /// order of the parameters; `None` where it says nothing.
    pub extractors: Vec<Option<ExtractorDescription>>,
    /// The statuses `#[responses(...)]` declares.
    pub declared: &'static [u16],
    /// `#[status(...)]`: the status of a success.
    pub status: Option<u16>,
    /// Its result is a `Located`: a `Location` goes with it.
    pub located: bool,
    /// A parameter's type validates itself (`garde::Validate`).
    pub validated: bool,
}

/// What a `#[from_request]` type says of itself through
/// [`DescribeExtractor`].
#[derive(Debug, Clone)]
pub struct ExtractorDescription {
    /// The type's name, without its path.
    pub name: String,
    /// The security scheme it reads.
    pub security: Option<SecurityScheme>,
    /// The statuses it may refuse with.
    pub statuses: &'static [u16],
}

/// An extractor that describes itself.
pub trait DescribedExtractor {
    /// What it says.
    fn extractor(&self) -> Option<ExtractorDescription>;
}

impl<T: DescribeExtractor> DescribedExtractor for TypeProbe<T> {
    fn extractor(&self) -> Option<ExtractorDescription> {
        Some(ExtractorDescription {
            name: short_type_name(std::any::type_name::<T>()),
            security: T::security(),
            statuses: T::statuses(),
        })
    }
}

/// One that does not.
pub trait UndescribedExtractor {
    /// Nothing.
    fn extractor(&self) -> Option<ExtractorDescription>;
}

impl<T: ?Sized> UndescribedExtractor for &TypeProbe<T> {
    fn extractor(&self) -> Option<ExtractorDescription> {
        None
    }
}

/// A type's name without the paths of its parts:
/// `ApiKey<XApiKey>` for `pico_runtime::auth::ApiKey<pico_runtime::auth::XApiKey>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment_start = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            out.truncate(segment_start);
        } else {
            out.push(c);
            if !(c.is_alphanumeric() || c == '_') {
                segment_start = out.len();
            }
        }
    }
    out
}

/// A function's answer on success.
#[derive(Debug)]
pub enum SuccessSchema {
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

/// How a function's description is made: the generators gather the named
/// types' schemas for `components`.
pub(crate) type Describe = fn(&mut Generators) -> Description;

/// The two views of a type: what a client sends (as serde reads it) and
/// what the server answers (as serde writes it). A field skipped, renamed
/// or left out when empty on one side only differs between them.
#[derive(Debug)]
pub struct Generators {
    /// For parameters.
    pub input: SchemaGenerator,
    /// For results and stream items.
    pub output: SchemaGenerator,
}

impl Generators {
    pub(crate) fn new() -> Self {
        Generators {
            input: settings().for_deserialize().into_generator(),
            output: settings().for_serialize().into_generator(),
        }
    }

    /// The named schemas of both views: one where they agree, and where
    /// they differ the answer's as `Name.output`; the renaming to apply to
    /// the answers' schemas.
    pub(crate) fn definitions(&mut self) -> (Map<String, Value>, Renames) {
        let mut schemas = self.input.take_definitions(true);
        let output = self.output.take_definitions(true);
        let mut renames = Renames::default();
        for (name, schema) in &output {
            if schemas.get(name).is_some_and(|other| other != schema) {
                renames.0.insert(ref_to(name), ref_to(&format!("{name}.output")));
            }
        }
        for (name, mut schema) in output {
            renames.apply(&mut schema);
            let name = if renames.0.contains_key(&ref_to(&name)) {
                format!("{name}.output")
            } else {
                name
            };
            schemas.entry(name).or_insert(schema);
        }
        (schemas, renames)
    }
}

fn ref_to(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// Answers' references to renamed schemas, by old reference.
#[derive(Debug, Default)]
pub(crate) struct Renames(std::collections::BTreeMap<String, String>);

impl Renames {
    /// Points the references within `schema` at the renamed schemas.
    pub(crate) fn apply_to_schema(&self, schema: &mut Schema) {
        if let Some(object) = schema.as_object_mut() {
            let mut value = Value::Object(std::mem::take(object));
            self.apply(&mut value);
            if let Value::Object(renamed) = value {
                *object = renamed;
            }
        }
    }

    /// Points the references within `value` at the renamed schemas.
    pub(crate) fn apply(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        match value {
            Value::Object(object) => {
                for (key, member) in object.iter_mut() {
                    match member {
                        Value::String(target) if key == "$ref" => {
                            if let Some(renamed) = self.0.get(target.as_str()) {
                                target.clone_from(renamed);
                            }
                        }
                        _ => self.apply(member),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.apply(item)),
            _ => {}
        }
    }
}

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

impl JsonSchema for crate::dispatch::upload::Upload {
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

/// The settings of every schema of the document: JSON Schema 2020-12,
/// named types under `components/schemas`.
pub(crate) fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .with_transform(IntegerBounds)
}

/// The bounds of Rust's integer types on their schemas: a JSON integer has
/// none, and a client that keeps to the schema should not be refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IntegerBounds;

impl Transform for IntegerBounds {
    fn transform(&mut self, schema: &mut Schema) {
        let bounds: Option<(i128, i128)> = match schema.get("format").and_then(Value::as_str) {
            Some("int8") => Some((i8::MIN.into(), i8::MAX.into())),
            Some("int16") => Some((i16::MIN.into(), i16::MAX.into())),
            Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
            Some("int64" | "int") => Some((i64::MIN.into(), i64::MAX.into())),
            Some("uint8") => Some((0, u8::MAX.into())),
            Some("uint16") => Some((0, u16::MAX.into())),
            Some("uint32") => Some((0, u32::MAX.into())),
            Some("uint64" | "uint") => Some((0, u64::MAX.into())),
            _ => None,
        };
        if let (Some((low, high)), Some(object)) = (bounds, schema.as_object_mut()) {
            let number = |n: i128| serde_json::Number::from_i128(n).map_or(Value::Null, Value::Number);
            object.entry("minimum").or_insert_with(|| number(low));
            object.entry("maximum").or_insert_with(|| number(high));
        }
        transform_subschemas(self, schema);
    }
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn a_short_name_has_no_paths() {
        assert_eq!(
            short_type_name("pico_runtime::auth::ApiKey<pico_runtime::auth::XApiKey>"),
            "ApiKey<XApiKey>"
        );
        assert_eq!(short_type_name("app::Admin"), "Admin");
        assert_eq!(short_type_name("(a::B, c::D)"), "(B, D)");
    }
}
