//! Which OpenAPI the app's document is written in.

/// The version of OpenAPI `/openapi.json` is written in
/// ([`App::openapi_version`](crate::App::openapi_version)).
///
/// The two differ in how a `#[stream]` function's events are described.
/// OpenAPI 3.1 has no place for one event's schema: the `schema` of
/// `text/event-stream` is the whole body, a string, which is how generated
/// clients read it, and each event is described in `x-pico-event` beside
/// it. OpenAPI 3.2 has one, `itemSchema`, which tools that check each
/// event (Schemathesis) read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OpenApiVersion {
    /// OpenAPI 3.1.0, which the most tools read: the default.
    #[default]
    V3_1,
    /// OpenAPI 3.2.0.
    V3_2,
}

impl OpenApiVersion {
    /// The document's `openapi` field.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OpenApiVersion::V3_1 => "3.1.0",
            OpenApiVersion::V3_2 => "3.2.0",
        }
    }
}
